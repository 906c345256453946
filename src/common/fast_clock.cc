#include "common/fast_clock.h"

#include <atomic>
#include <chrono>
#include <fstream>
#include <string>

#if defined(__x86_64__)
#include <x86intrin.h>
#endif

namespace vigil::detail {
namespace {

__extension__ using u128 = unsigned __int128;  // 64x64->128 multiply

std::uint64_t realtime_nanos() {
  using namespace std::chrono;
  return static_cast<std::uint64_t>(duration_cast<nanoseconds>(system_clock::now().time_since_epoch()).count());
}

#if defined(__x86_64__)

bool invariant_tsc() {
  std::ifstream cpuinfo("/proc/cpuinfo");
  std::string line;
  while (std::getline(cpuinfo, line))
    if (line.starts_with("flags")) return line.find(" constant_tsc") != std::string::npos &&
                                          line.find(" nonstop_tsc") != std::string::npos;
  return false;
}

// The anchor, guarded by a sequence lock: odd while being rewritten.
struct Anchor {
  std::atomic<std::uint64_t> seq{0};
  std::atomic<std::uint64_t> tsc{0};
  std::atomic<std::uint64_t> nanos{0};
  std::atomic<std::uint64_t> ns_per_tick_q32{0};  // nanoseconds per tick, 32.32 fixed point
};

constexpr std::uint64_t kRefreshNanos = 100'000'000;

class TscClock {
 public:
  TscClock() : usable_(invariant_tsc()) {
    if (!usable_) return;
    // First rate from a 2 ms busy wait; every refresh measures it again
    // over the last interval, so it converges within a second.
    std::uint64_t t0 = __rdtsc(), n0 = realtime_nanos(), n1;
    do n1 = realtime_nanos();
    while (n1 - n0 < 2'000'000);
    std::uint64_t t1 = __rdtsc();
    if (t1 <= t0) {
      usable_ = false;
      return;
    }
    a_.ns_per_tick_q32.store(((n1 - n0) << 32) / (t1 - t0));
    a_.tsc.store(t1);
    a_.nanos.store(n1);
  }

  std::uint64_t now() {
    if (!usable_) return realtime_nanos();
    while (true) {
      std::uint64_t s1 = a_.seq.load(std::memory_order_acquire);
      std::uint64_t tsc0 = a_.tsc.load(std::memory_order_relaxed);
      std::uint64_t n0 = a_.nanos.load(std::memory_order_relaxed);
      std::uint64_t q = a_.ns_per_tick_q32.load(std::memory_order_relaxed);
      std::atomic_thread_fence(std::memory_order_acquire);
      if ((s1 & 1) || a_.seq.load(std::memory_order_relaxed) != s1) continue;  // being rewritten
      std::uint64_t t = __rdtsc();
      std::uint64_t dt = t > tsc0 ? t - tsc0 : 0;
      std::uint64_t elapsed = static_cast<std::uint64_t>((static_cast<u128>(dt) * q) >> 32);
      if (elapsed < kRefreshNanos) return n0 + elapsed;
      // Due for a refresh: one caller takes the lock, the rest use clock_gettime meanwhile.
      if (!a_.seq.compare_exchange_strong(s1, s1 + 1, std::memory_order_acquire)) return realtime_nanos();
      std::uint64_t n = realtime_nanos();
      std::uint64_t tn = __rdtsc();
      if (tn > tsc0 && n > n0) a_.ns_per_tick_q32.store(((n - n0) << 32) / (tn - tsc0), std::memory_order_relaxed);
      a_.tsc.store(tn, std::memory_order_relaxed);
      a_.nanos.store(n, std::memory_order_relaxed);
      a_.seq.store(s1 + 2, std::memory_order_release);
      return n;
    }
  }

 private:
  bool usable_;
  Anchor a_;
};

#endif

}  // namespace

std::uint64_t fast_unix_nanos() {
#if defined(__x86_64__)
  static TscClock clock;
  return clock.now();
#else
  return realtime_nanos();
#endif
}

}  // namespace vigil::detail
