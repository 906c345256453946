// Text in a numeric column is counted (the type_errors quality check), not
// fatal; the first one is named on stderr by file and line, so it can be
// found and fixed.
#pragma once

#include <string>

#include "vigil/profile.h"

namespace vigil::cli {

// "vigil: warning: current.csv:1235: column 'age' is numeric but holds
// 'n/a-ish' (3 such values, counted as type errors)", one line per column.
void warn_type_errors(const std::string& file, const DatasetProfile& profile);

}  // namespace vigil::cli
