#include "cli/type_error_warnings.h"

#include <cstdio>

namespace vigil::cli {

void warn_type_errors(const std::string& file, const DatasetProfile& profile) {
  for (const auto& [name, f] : profile.features)
    if (f.type_errors > 0 && f.first_type_error_line > 0)
      std::fprintf(stderr, "vigil: warning: %s:%zu: column '%s' is numeric but holds '%s' (%llu such value%s, counted as type errors)\n",
                   file.c_str(), f.first_type_error_line, name.c_str(), f.first_type_error.c_str(),
                   static_cast<unsigned long long>(f.type_errors), f.type_errors == 1 ? "" : "s");
}

}  // namespace vigil::cli
