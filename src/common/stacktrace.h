// Stack traces and demangled type names for exceptions (spans and logs).
#pragma once

#include <exception>
#include <string>

namespace vigil::detail {

// The calling thread's stack, one frame per line, innermost first, skipping
// `skip` frames of the caller's own machinery.
std::string current_stacktrace(int skip = 1);
// The same, starting at the first frame outside namespace vigil: the
// caller's code rather than the logging or tracing machinery.
std::string caller_stacktrace();
// "std::runtime_error" rather than "St13runtime_error".
std::string demangled_type_name(const std::exception& e);

}  // namespace vigil::detail
