// Prediction and label payloads (JSON, arrays, NDJSON).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "server/prediction_api.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view body(reinterpret_cast<const char*>(data), size);
  try {
    static vigil::ModelMonitor monitor({.window = std::chrono::seconds(60)});
    for (const auto& r : vigil::server::parse_predictions(body)) vigil::server::apply(monitor, r);
  } catch (const vigil::server::PayloadError&) {
  }
  try {
    (void)vigil::server::parse_labels(body);
  } catch (const vigil::server::PayloadError&) {
  }
  return 0;
}
