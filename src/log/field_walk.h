// The fields a record shows, in order: bound ones first, then the call
// site's, each key once with its last value (a call-site field overrides a
// bound one of the same name). Shared by the formatters and the OTLP encoder.
#pragma once

#include <charconv>
#include <cmath>
#include <string>

#include "vigil/log.h"

namespace vigil::detail {

template <typename Fn>  // fn(std::string_view key, const FieldValue& value)
void for_each_visible_field(const LogRecord& r, Fn&& fn) {
  const std::size_t nb = r.bound.size(), n = nb + r.fields.size();
  auto at = [&](std::size_t i) -> const Field& { return i < nb ? r.bound[i] : r.fields[i - nb]; };
  for (std::size_t i = 0; i < n; ++i) {
    const Field& f = at(i);
    bool overridden = false;
    for (std::size_t j = i + 1; j < n && !overridden; ++j) overridden = at(j).key == f.key;
    if (!overridden) fn(f.key, f.value);
  }
}

// Shortest round-trip decimal; JSON has no NaN/Inf so callers quote those.
inline void append_number(std::string& out, double v) {
  char buf[32];
  auto res = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, res.ptr);
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
