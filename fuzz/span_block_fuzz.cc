// The store's span block decoder. Blocks are written by the daemon itself,
// but a damaged or foreign database file must give an error, not a crash;
// and whatever decodes must survive re-encoding unchanged.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "store/span_block.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  std::vector<vigil::store::SpanRow> spans;
  try {
    spans = vigil::store::decode_span_block(bytes);
  } catch (const std::runtime_error&) {
    return 0;
  }
  std::vector<const vigil::store::SpanRow*> p;
  for (const auto& s : spans) p.push_back(&s);
  auto again = vigil::store::decode_span_block(vigil::store::encode_span_block(p));
  if (again.size() != spans.size()) __builtin_trap();
  for (std::size_t i = 0; i < spans.size(); ++i) {
    const auto &a = spans[i], &b = again[i];
    if (a.trace_id != b.trace_id || a.span_id != b.span_id || a.parent_span_id != b.parent_span_id ||
        a.service != b.service || a.name != b.name || a.scope != b.scope || a.kind != b.kind ||
        a.start_ns != b.start_ns || a.end_ns != b.end_ns || a.status_code != b.status_code ||
        a.status_message != b.status_message || a.attributes != b.attributes || a.events != b.events ||
        a.links != b.links || a.resource != b.resource)
      __builtin_trap();
  }
  return 0;
}
