// The fields a record shows, in order: bound ones first, then the call
// site's, each key once with its last value (a call-site field overrides a
// bound one of the same name). Shared by the formatters and the OTLP encoder.
#pragma once

#include <charconv>
#include <cmath>
#include <cstdint>
#include <string>

#include "vigil/log.h"

namespace vigil::detail {

// A cheap fingerprint of a key (length, first and last byte) as one bit of
// 64: keys with different bits differ, so only keys sharing a bit are
// compared.
inline std::uint64_t key_bit(std::string_view k) {
  if (k.empty()) return 1;
  auto h = static_cast<unsigned>(k.size()) * 31u + static_cast<unsigned char>(k.front()) * 7u +
           static_cast<unsigned char>(k.back());
  return std::uint64_t{1} << (h % 64);
}

template <typename Fn>  // fn(std::string_view key, const FieldValue& value)
void for_each_visible_field(const LogRecord& r, Fn&& fn) {
  const std::size_t nb = r.bound.size(), n = nb + r.fields.size();
  auto at = [&](std::size_t i) -> const Field& { return i < nb ? r.bound[i] : r.fields[i - nb]; };
  // Which fingerprints occur more than once: only their keys can repeat.
  std::uint64_t seen = 0, repeated = 0;
  for (std::size_t i = 0; i < n; ++i) {
    std::uint64_t b = key_bit(at(i).key);
    repeated |= seen & b;
    seen |= b;
  }
  for (std::size_t i = 0; i < n; ++i) {
    const Field& f = at(i);
    bool overridden = false;
    // Usually no fingerprint repeats, and the key is not looked at again.
    if (repeated != 0 && (repeated & key_bit(f.key)))
      for (std::size_t j = i + 1; j < n && !overridden; ++j) overridden = at(j).key == f.key;
    if (!overridden) fn(f.key, f.value);
  }
}

// The shortest round-trip decimal of v as std::to_chars writes it, in fixed
// notation, when v has at most 7 decimals and 0.001 <= |v| < 10000 (where
// to_chars chooses fixed notation too): the first k for which
// round(v·10^k) / 10^k gives v back is the shortest, and the division by
// an exact power of ten is correctly rounded, as parsing the text would
// be. Returns the end of the text, or nullptr to leave v to to_chars.
inline char* fixed_shortest(char* p, double v) {
  double a = v < 0 ? -v : v;
  if (!(a >= 1e-3 && a < 1e4)) return nullptr;
  static constexpr double kPow10[] = {1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7};
  for (int k = 0; k < 8; ++k) {
    double m = std::floor(a * kPow10[k] + 0.5);  // a >= 0.001: round half up, inline (no libm call)
    if (m / kPow10[k] != a) continue;
    auto digits = static_cast<std::uint64_t>(m);
    char tmp[24];
    int len = 0;
    do tmp[len++] = static_cast<char>('0' + digits % 10), digits /= 10;
    while (digits);
    while (len <= k) tmp[len++] = '0';  // 0.0x: a zero before the point and after it
    if (v < 0) *p++ = '-';
    for (int i = len - 1; i >= 0; --i) {
      *p++ = tmp[i];
      if (i == k && k > 0) *p++ = '.';
    }
    return p;
  }
  return nullptr;
}

// Shortest round-trip decimal; JSON has no NaN/Inf so callers quote those.
inline void append_number(std::string& out, double v) {
  char buf[32];
  char* end = fixed_shortest(buf, v);
  if (!end) end = std::to_chars(buf, buf + sizeof buf, v).ptr;
  out.append(buf, end);
}
template <typename Int>
inline void append_integer(std::string& out, Int v) {
  char buf[24];
  auto res = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, res.ptr);
}

// Writes a value as JSON: numbers bare (non-finite as "NaN"/"+Inf"/"-Inf").
inline void append_json_value(std::string& out, const FieldValue& v) {
  std::visit(
      [&](const auto& x) {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, std::nullptr_t>) out += "null";
        else if constexpr (std::is_same_v<T, bool>) out += x ? "true" : "false";
        else if constexpr (std::is_same_v<T, double>) {
          if (std::isnan(x)) out += "\"NaN\"";
          else if (std::isinf(x)) out += x > 0 ? "\"+Inf\"" : "\"-Inf\"";
          else append_number(out, x);
        } else if constexpr (std::is_same_v<T, std::string_view>) append_json_string(out, x);
        else append_integer(out, x);
      },
      v.get());
}

}  // namespace vigil::detail
