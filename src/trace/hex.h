// Lowercase hex of id bytes, written in place (no allocation): ids, the
// traceparent header and the exemplar buffers of an active Scope use it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace vigil::detail {

// Both digits of every byte, so a byte is one two-byte copy rather than
// two lookups and two stores (ids are written on every log line).
struct HexPairs {
  char pairs[512];
  constexpr HexPairs() : pairs{} {
    constexpr char kHex[] = "0123456789abcdef";
    for (int b = 0; b < 256; ++b) {
      pairs[2 * b] = kHex[b >> 4];
      pairs[2 * b + 1] = kHex[b & 15];
    }
  }
};
inline constexpr HexPairs kHexPairs{};

inline void write_hex(const std::uint8_t* bytes, std::size_t n, char* out) {
  for (std::size_t i = 0; i < n; ++i) std::memcpy(out + 2 * i, kHexPairs.pairs + 2 * bytes[i], 2);
}

}  // namespace vigil::detail
