// Saved profiles (JSON), loaded as references, merged with themselves and
// compared with themselves from their grids and sketches.
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string_view>

#include "vigil/profile.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    auto p = vigil::DatasetProfile::from_json(text);
    (void)p.to_json();
    for (const auto& [name, f] : p.features) {
      (void)f.numeric.quantile(0.5);
      (void)vigil::ks_statistic_range(f.numeric, f.numeric);
      (void)vigil::wasserstein_range(f.numeric, f.numeric);
    }
    vigil::DatasetProfile twice = p;
    twice.merge(p);
    (void)twice.to_json();
  } catch (const std::invalid_argument&) {
  }
  return 0;
}
