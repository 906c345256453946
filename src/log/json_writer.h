// Writing JSON text through a raw pointer into room reserved beforehand:
// the formatters size the line once (an upper bound), write without a
// capacity check per piece, and trim. json_text.cc holds the escaping and
// timestamp primitives; the std::string forms in vigil/log.h wrap them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace vigil {

// Room for a string quoted and escaped: every byte may become six
// ("\u00XX"), plus the quotes, plus 8 bytes write_json_string may store
// past its end (a whole word for the last few bytes).
constexpr std::size_t json_string_bound(std::size_t n) { return 6 * n + 10; }

namespace detail {

// True if any of the 8 bytes needs attention: a control byte, '"', '\\',
// DEL or a non-ASCII byte (SWAR: Mycroft's has-zero-byte trick).
inline bool chunk_needs_escape(std::uint64_t x) {
  constexpr std::uint64_t kOnes = 0x0101010101010101ull, kHigh = 0x8080808080808080ull;
  auto has_zero = [](std::uint64_t v) { return (v - kOnes) & ~v & kHigh; };
  std::uint64_t below_space = (x - 0x2020202020202020ull) & ~x & kHigh;
  return ((x & kHigh) | below_space | has_zero(x ^ (kOnes * '"')) | has_zero(x ^ (kOnes * '\\')) |
          has_zero(x ^ (kOnes * 0x7f))) != 0;
}

#if defined(__SSE2__)
// Any of 16 bytes needs attention, as chunk_needs_escape says: a signed
// compare below ' ' also catches every byte >= 0x80.
inline bool vector_needs_escape(__m128i v) {
  const __m128i special = _mm_or_si128(
      _mm_or_si128(_mm_cmplt_epi8(v, _mm_set1_epi8(0x20)), _mm_cmpeq_epi8(v, _mm_set1_epi8('"'))),
      _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('\\')), _mm_cmpeq_epi8(v, _mm_set1_epi8(0x7f))));
  return _mm_movemask_epi8(special) != 0;
}
#endif

// One word (chunk_needs_escape), in an SSE2 register where there is one:
// half the instructions of the bit tricks.
inline bool word_needs_escape(std::uint64_t x) {
#if defined(__SSE2__)
  return vector_needs_escape(_mm_set1_epi64x(static_cast<long long>(x)));
#else
  return chunk_needs_escape(x);
#endif
}

// Either of two words, in one register.
inline bool words_need_escape(std::uint64_t a, std::uint64_t b) {
#if defined(__SSE2__)
  return vector_needs_escape(_mm_set_epi64x(static_cast<long long>(b), static_cast<long long>(a)));
#else
  return chunk_needs_escape(a) || chunk_needs_escape(b);
#endif
}

}  // namespace detail

// Writes s quoted and escaped (strict JSON, invalid UTF-8 replaced); returns the end.
char* write_json_string_any(char* p, std::string_view s);

// The same, with the common case inline: a string of up to 32 plain bytes
// is read as two overlapping loads (the first and the last 16, 8, 4 or 1
// bytes), checked as words or SSE2 registers, and stored the same way: no
// call, no loop, no assembling of the last few bytes.
[[gnu::always_inline]] inline char* write_json_string(char* p, std::string_view s) {
  const std::size_t n = s.size();
  const char* src = s.data();
  if (n >= 16) {
#if defined(__SSE2__)
    if (n > 32) return write_json_string_any(p, s);
    const __m128i head = _mm_loadu_si128(reinterpret_cast<const __m128i*>(src));
    const __m128i tail = _mm_loadu_si128(reinterpret_cast<const __m128i*>(src + n - 16));
    if (detail::vector_needs_escape(head) || detail::vector_needs_escape(tail)) return write_json_string_any(p, s);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(p + 1), head);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(p + 1 + n - 16), tail);
#else
    return write_json_string_any(p, s);
#endif
  } else if (n >= 8) {
    std::uint64_t head, tail;
    std::memcpy(&head, src, 8);
    std::memcpy(&tail, src + n - 8, 8);
    if (detail::words_need_escape(head, tail)) return write_json_string_any(p, s);
    std::memcpy(p + 1, &head, 8);
    std::memcpy(p + 1 + n - 8, &tail, 8);
  } else if (n >= 4) {
    std::uint32_t head, tail;
    std::memcpy(&head, src, 4);
    std::memcpy(&tail, src + n - 4, 4);
    if (detail::word_needs_escape(head | std::uint64_t{tail} << 32)) return write_json_string_any(p, s);
    std::memcpy(p + 1, &head, 4);
    std::memcpy(p + 1 + n - 4, &tail, 4);
  } else if (n > 0) {
    auto byte = [&](std::size_t i) { return std::uint64_t{static_cast<unsigned char>(src[i])}; };
    std::uint64_t word = byte(0) | byte(n / 2) << 8 | byte(n - 1) << 16 | 0x6161616161000000ull;
    if (detail::word_needs_escape(word)) return write_json_string_any(p, s);
    p[1] = src[0];
    p[1 + n / 2] = src[n / 2];
    p[n] = src[n - 1];
  }
  p[0] = '"';
  p[1 + n] = '"';
  return p + 2 + n;
}

// Writes "2026-11-26T13:39:04.123456789Z" (30 bytes); returns the end.
char* write_rfc3339_nanos(char* p, std::uint64_t unix_nano);

}  // namespace vigil
