#include "common/rfc3339.h"

#include <cctype>
#include <cstdio>
#include <ctime>
#include <limits>
#include <string>

namespace vigil::detail {

std::optional<std::int64_t> parse_rfc3339_ns(std::string_view text) {
  const std::string t(text);
  std::tm tm{};
  int consumed = 0;
  if (std::sscanf(t.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min,
                  &tm.tm_sec, &consumed) != 6)
    return std::nullopt;
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  std::int64_t secs = timegm(&tm);
  std::size_t p = static_cast<std::size_t>(consumed);
  std::int64_t frac_ns = 0;
  if (p < t.size() && t[p] == '.') {
    std::int64_t scale = 100'000'000;
    for (++p; p < t.size() && std::isdigit(static_cast<unsigned char>(t[p])); ++p, scale /= 10)
      frac_ns += (t[p] - '0') * scale;
  }
  if (p < t.size() && (t[p] == '+' || t[p] == '-')) {
    int hh = 0, mm = 0, n = 0;
    if (std::sscanf(t.c_str() + p + 1, "%2d:%2d%n", &hh, &mm, &n) != 2 || p + 1 + static_cast<std::size_t>(n) != t.size())
      return std::nullopt;
    secs -= (t[p] == '+' ? 1 : -1) * (hh * 3600 + mm * 60);
  } else if (p + 1 != t.size() || (t[p] != 'Z' && t[p] != 'z')) {
    return std::nullopt;
  }
  // Before 1970, or past 2262 where nanoseconds leave int64 (an overflow
  // the fuzzer found with a year like 3052).
  if (secs < 0 || secs > std::numeric_limits<std::int64_t>::max() / 1'000'000'000 - 1) return std::nullopt;
  return secs * 1'000'000'000 + frac_ns;
}

}  // namespace vigil::detail
