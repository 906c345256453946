// The one duration syntax of vigil's configuration, query parameters and SLO
// thresholds, as Prometheus writes them: a number and a unit, repeated
// ("250ms", "1.5s", "1h30m", "7d"). Units: ns, us (or µs), ms, s, m, h, d, w.
#pragma once

#include <chrono>
#include <cstdint>
#include <string_view>

namespace vigil::detail {

// Throws std::invalid_argument (naming the text) on an empty string, a
// missing or unknown unit, a negative value or a total past ~292 years.
std::chrono::nanoseconds parse_duration(std::string_view text);

// For configuration fields held in seconds: the same syntax, and throws
// std::invalid_argument when the duration is not a whole number of seconds
// (a 500ms window would otherwise silently become 0 s).
std::chrono::seconds parse_duration_seconds(std::string_view text);

// "16MiB", "2GB", "1000": bytes. Throws std::invalid_argument.
std::uint64_t parse_size(std::string_view text);

}  // namespace vigil::detail
