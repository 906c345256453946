// CSV files for `vigil drift`, profiled and compared with themselves.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "vigil/drift_report.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    vigil::Table t = vigil::parse_csv(text, "fuzz.csv");
    auto profile = vigil::profile_table(t);
    auto report = vigil::compare(profile, profile, {}, &t, &t);
    (void)report.to_json();
    (void)report.to_html();
  } catch (const vigil::CsvError&) {
  }
  return 0;
}
