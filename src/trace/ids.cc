#include "common/fast_clock.h"
#include "trace/hex.h"
#include "trace/random_ids.h"
#include "vigil/trace.h"

namespace vigil {
namespace {

template <std::size_t N>
std::string to_hex(const std::array<std::uint8_t, N>& b) {
  std::string s(N * 2, '0');
  detail::write_hex(b.data(), N, s.data());
  return s;
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;  // W3C ids are lowercase only
}

template <std::size_t N>
bool from_hex(std::string_view s, std::array<std::uint8_t, N>& out) {
  if (s.size() != N * 2) return false;
  for (std::size_t i = 0; i < N; ++i) {
    int hi = hex_digit(s[2 * i]), lo = hex_digit(s[2 * i + 1]);
    if (hi < 0 || lo < 0) return false;
    out[i] = static_cast<std::uint8_t>(hi << 4 | lo);
  }
  return true;
}

}  // namespace

std::string TraceId::hex() const { return to_hex(bytes); }
std::optional<TraceId> TraceId::from_hex(std::string_view hex) {
  TraceId id;
  if (!vigil::from_hex(hex, id.bytes)) return std::nullopt;
  return id;
}
TraceId TraceId::random() { return detail::random_trace_id(); }

std::string SpanId::hex() const { return to_hex(bytes); }
std::optional<SpanId> SpanId::from_hex(std::string_view hex) {
  SpanId id;
  if (!vigil::from_hex(hex, id.bytes)) return std::nullopt;
  return id;
}
SpanId SpanId::random() { return detail::random_span_id(); }

std::uint64_t unix_nanos() { return detail::fast_unix_nanos(); }

}  // namespace vigil
