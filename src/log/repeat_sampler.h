// Rate limiting of repeated messages, zap's way: a fixed table of counters
// indexed by a hash of (level, message); each counts records in the current
// tick, keeps the first N and then every Mth. Lock-free, no allocation;
// colliding messages share a counter, which only makes sampling stricter.
#pragma once

#include <atomic>
#include <functional>

#include "vigil/log.h"

namespace vigil::detail {

class RepeatSampler {
 public:
  explicit RepeatSampler(LogSampling s) : s_(s) {}

  bool keep(Level level, std::string_view message, std::uint64_t now_ns) {
    std::size_t h = std::hash<std::string_view>{}(message) ^ (static_cast<std::size_t>(level) * 0x9e3779b97f4a7c15ull);
    Counter& c = table_[h & (kSize - 1)];
    auto tick_ns = static_cast<std::uint64_t>(std::chrono::nanoseconds(s_.tick).count());
    std::uint64_t reset_at = c.reset_at.load(std::memory_order_relaxed);
    if (now_ns >= reset_at && c.reset_at.compare_exchange_strong(reset_at, now_ns + tick_ns, std::memory_order_relaxed))
      c.count.store(0, std::memory_order_relaxed);
    std::uint64_t n = c.count.fetch_add(1, std::memory_order_relaxed) + 1;
    if (n <= s_.first) return true;
    return s_.thereafter != 0 && (n - s_.first) % s_.thereafter == 0;
  }

 private:
  static constexpr std::size_t kSize = 4096;
  struct Counter {
    std::atomic<std::uint64_t> reset_at{0};
    std::atomic<std::uint64_t> count{0};
  };
  LogSampling s_;
  Counter table_[kSize];
};

}  // namespace vigil::detail
