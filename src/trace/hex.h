// Lowercase hex of id bytes, written in place (no allocation): ids, the
// traceparent header and the exemplar buffers of an active Scope use it.
#pragma once

#include <cstddef>
#include <cstdint>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace vigil::detail {

inline void write_hex(const std::uint8_t* bytes, std::size_t n, char* out) {
  std::size_t i = 0;
#if defined(__SSE2__)
  // Eight bytes at a time: split into nibbles, interleave high and low, and
  // map 0-9 and 10-15 to their digits in one register (trace and span ids
  // are whole multiples of eight).
  for (; i + 8 <= n; i += 8) {
    const __m128i v = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(bytes + i));
    const __m128i nibble = _mm_set1_epi8(0x0f);
    const __m128i digits = _mm_unpacklo_epi8(_mm_and_si128(_mm_srli_epi16(v, 4), nibble), _mm_and_si128(v, nibble));
    const __m128i letter = _mm_and_si128(_mm_cmpgt_epi8(digits, _mm_set1_epi8(9)), _mm_set1_epi8('a' - '0' - 10));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out + 2 * i),
                     _mm_add_epi8(digits, _mm_add_epi8(letter, _mm_set1_epi8('0'))));
  }
#endif
  constexpr char kHex[] = "0123456789abcdef";
  for (; i < n; ++i) {
    out[2 * i] = kHex[bytes[i] >> 4];
    out[2 * i + 1] = kHex[bytes[i] & 15];
  }
}

}  // namespace vigil::detail
