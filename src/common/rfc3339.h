// RFC 3339 timestamps ("2026-11-26T13:00:00.5Z", "+02:00" offsets), as the
// prediction API, Loki's and Jaeger's query APIs take them.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace vigil::detail {

// Unix nanoseconds; nullopt when the text is not RFC 3339 with a zone, or is
// before 1970 or after 2262 (past int64 nanoseconds).
std::optional<std::int64_t> parse_rfc3339_ns(std::string_view text);

}  // namespace vigil::detail
