// Wall-clock time as Unix nanoseconds, the unit every signal is stored in.
// One helper so the daemon, the store and the tests agree on it (the
// hot paths use fast_clock.h's TSC extrapolation instead).
#pragma once

#include <chrono>
#include <cstdint>

namespace vigil::detail {

inline std::int64_t unix_now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace vigil::detail
