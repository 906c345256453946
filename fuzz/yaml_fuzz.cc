// YAML inputs: the daemon configuration and SLO specs.
#include <cstddef>
#include <cstdint>
#include <string>

#include "server/config.h"
#include "vigil/slo.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  try {
    (void)vigil::server::parse_config(text, "fuzz.yaml");
  } catch (const vigil::server::ConfigError&) {
  }
  try {
    auto spec = vigil::parse_slo_spec(text, "fuzz.yaml");
    (void)vigil::generate_slo_rules(spec);
  } catch (const vigil::SpecError&) {
  }
  return 0;
}
