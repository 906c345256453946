// Level names as written in records and accepted in configuration.
#include <algorithm>
#include <cctype>

#include "vigil/log.h"

namespace vigil {

std::string_view level_name(Level level) {
  switch (level) {
    case Level::kTrace: return "trace";
    case Level::kDebug: return "debug";
    case Level::kInfo: return "info";
    case Level::kWarn: return "warn";
    case Level::kError: return "error";
    case Level::kFatal: return "fatal";
    case Level::kOff: return "off";
  }
  return "info";
}

std::optional<Level> parse_level(std::string_view name) {
  std::string lower(name);
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  if (lower == "trace") return Level::kTrace;
  if (lower == "debug") return Level::kDebug;
  if (lower == "info") return Level::kInfo;
  if (lower == "warn" || lower == "warning") return Level::kWarn;
  if (lower == "error") return Level::kError;
  if (lower == "fatal" || lower == "critical") return Level::kFatal;
  if (lower == "off" || lower == "none") return Level::kOff;
  return std::nullopt;
}

std::optional<LevelSpec> parse_level_spec(std::string_view spec) {
  LevelSpec out;
  std::size_t start = 0;
  while (start <= spec.size()) {
    std::size_t end = spec.find(',', start);
    if (end == std::string_view::npos) end = spec.size();
    std::string_view part = spec.substr(start, end - start);
    while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
    while (!part.empty() && part.back() == ' ') part.remove_suffix(1);
    start = end + 1;
    if (part.empty()) continue;
    std::size_t eq = part.find('=');
    if (eq == std::string_view::npos) {
      auto l = parse_level(part);
      if (!l) return std::nullopt;
      out.base = l;
    } else {
      auto l = parse_level(part.substr(eq + 1));
      if (!l || eq == 0) return std::nullopt;
      out.overrides.emplace_back(std::string(part.substr(0, eq)), *l);
    }
  }
  return out;
}

int otlp_severity_number(Level level) {
  switch (level) {
    case Level::kTrace: return 1;
    case Level::kDebug: return 5;
    case Level::kInfo: return 9;
    case Level::kWarn: return 13;
    case Level::kError: return 17;
    case Level::kFatal: return 21;
    case Level::kOff: return 0;
  }
  return 0;
}

}  // namespace vigil
