// Saved profiles (JSON), loaded as references.
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
    for (const auto& [name, f] : p.features) (void)f.numeric.quantile(0.5);
  } catch (const std::invalid_argument&) {
  }
  return 0;
}
