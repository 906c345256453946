// W3C traceparent and tracestate headers.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "vigil/trace.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto split = text.find('\n');
  std::string_view parent = text.substr(0, split);
  std::string_view state = split == std::string_view::npos ? std::string_view() : text.substr(split + 1);
  if (auto ctx = vigil::parse_traceparent(parent, state)) {
    std::string round = vigil::format_traceparent(*ctx);
    if (!vigil::parse_traceparent(round)) __builtin_trap();  // what we print we must read back
  }
  (void)vigil::parse_tracestate(state);
  return 0;
}
