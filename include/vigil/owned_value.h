// The owned value of a named field, shared by every area that keeps one past
// the call that gave it: a logger's bound fields, a prediction event parsed
// from JSON, a prediction waiting for its ground truth. null means missing.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <variant>

namespace vigil {

using OwnedValue = std::variant<std::nullptr_t, bool, std::int64_t, std::uint64_t, double, std::string>;

}  // namespace vigil
