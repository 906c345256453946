// Lowercase hex of id bytes, written in place (no allocation): ids, the
// traceparent header and the exemplar buffers of an active Scope use it.
#pragma once

#include <cstddef>
#include <cstdint>

namespace vigil::detail {

inline void write_hex(const std::uint8_t* bytes, std::size_t n, char* out) {
  constexpr char kHex[] = "0123456789abcdef";
  for (std::size_t i = 0; i < n; ++i) {
    out[2 * i] = kHex[bytes[i] >> 4];
    out[2 * i + 1] = kHex[bytes[i] & 15];
  }
}

}  // namespace vigil::detail
