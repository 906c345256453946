// Writing JSON text through a raw pointer into room reserved beforehand:
// the formatters size the line once (an upper bound), write without a
// capacity check per piece, and trim. json_text.cc holds the escaping and
// timestamp primitives; the std::string forms in vigil/log.h wrap them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace vigil {

// Room for a string quoted and escaped: every byte may become six
// ("\u00XX"), plus the quotes, plus 8 bytes write_json_string may store
// past its end (a whole word for the last few bytes).
constexpr std::size_t json_string_bound(std::size_t n) { return 6 * n + 10; }
// Writes s quoted and escaped (strict JSON, invalid UTF-8 replaced); returns the end.
char* write_json_string(char* p, std::string_view s);
// Writes "2026-11-26T13:39:04.123456789Z" (30 bytes); returns the end.
char* write_rfc3339_nanos(char* p, std::uint64_t unix_nano);

}  // namespace vigil
