#include "common/duration.h"

#include <cctype>
#include <charconv>
#include <cmath>
#include <stdexcept>
#include <string>
#include <utility>

namespace vigil::detail {
namespace {

[[noreturn]] void bad(std::string_view text) {
  throw std::invalid_argument("'" + std::string(text) + "' is not a duration like 250ms, 30s, 5m, 1h30m or 7d");
}

// Nanoseconds per unit; 0 = not a unit. Longest names first, so "ms" is not read as "m".
double unit_ns(std::string_view text, std::size_t& i) {
  static constexpr std::pair<std::string_view, double> units[] = {
      {"ns", 1}, {"us", 1e3}, {"\xc2\xb5s", 1e3}, {"ms", 1e6}, {"s", 1e9},
      {"m", 60e9}, {"h", 3600e9}, {"d", 86400e9}, {"w", 604800e9}};
  for (auto [name, ns] : units) {
    if (text.substr(i, name.size()) == name) {
      i += name.size();
      return ns;
    }
  }
  return 0;
}

}  // namespace

std::chrono::nanoseconds parse_duration(std::string_view text) {
  if (text.empty()) bad(text);
  double total = 0;
  std::size_t i = 0;
  while (i < text.size()) {
    std::size_t start = i;
    while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.')) ++i;
    double value = 0;
    auto [end, ec] = std::from_chars(text.data() + start, text.data() + i, value);
    if (start == i || ec != std::errc() || end != text.data() + i) bad(text);
    double per = unit_ns(text, i);
    if (per == 0) bad(text);
    total += value * per;
  }
  // 9.2e18 ns is the int64 range; refusing beyond it keeps every later sum safe.
  if (!std::isfinite(total) || total >= 9.2e18) bad(text);
  return std::chrono::nanoseconds(static_cast<std::int64_t>(std::llround(total)));
}

std::chrono::seconds parse_duration_seconds(std::string_view text) {
  std::chrono::nanoseconds ns = parse_duration(text);
  if (ns.count() % 1'000'000'000 != 0)
    throw std::invalid_argument("'" + std::string(text) + "' is not a whole number of seconds");
  return std::chrono::duration_cast<std::chrono::seconds>(ns);
}

std::uint64_t parse_size(std::string_view t) {
  std::size_t i = 0;
  while (i < t.size() && std::isdigit(static_cast<unsigned char>(t[i]))) ++i;
  if (i == 0 || i > 15) throw std::invalid_argument("'" + std::string(t) + "' is not a size");
  std::uint64_t v = 0;
  std::from_chars(t.data(), t.data() + i, v);
  std::string_view unit = t.substr(i);
  while (!unit.empty() && unit.front() == ' ') unit.remove_prefix(1);
  static constexpr std::pair<std::string_view, std::uint64_t> units[] = {
      {"", 1},          {"B", 1},           {"KB", 1000}, {"MB", 1000000}, {"GB", 1000000000},
      {"KiB", 1024},    {"MiB", 1024 * 1024}, {"GiB", 1024ull * 1024 * 1024}};
  for (auto [name, mult] : units)
    if (unit == name) return v * mult;
  throw std::invalid_argument("'" + std::string(t) + "' is not a size like 1000, 64MiB, 2GB");
}

}  // namespace vigil::detail
