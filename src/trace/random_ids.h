// Random trace and span ids from a per-thread wyrand generator (Wang Yi's
// 64-bit generator: one add and one 64x64->128 multiply per word; it passes
// BigCrush and PractRand). Ids need to be unique and unpredictable enough to
// sample on, not secret, so no lock and no system call per span. Seeded on
// a thread's first use from the OS entropy source. The state is trivially
// constructible and constinit, so the thread_local needs no per-access
// initialisation guard.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstring>
#include <random>

#include "vigil/trace.h"

namespace vigil::detail {

struct IdGenerator {
  std::uint64_t state;
  bool seeded;

  [[gnu::noinline]] void seed() {
    std::random_device rd;
    state = (static_cast<std::uint64_t>(rd()) << 32) ^ rd() ^
            static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
    seeded = true;
  }
  std::uint64_t next() {
    __extension__ using u128 = unsigned __int128;
    state += 0xa0761d6478bd642full;
    u128 m = static_cast<u128>(state) * (state ^ 0xe7037ed1a0b428dbull);
    return static_cast<std::uint64_t>(m >> 64) ^ static_cast<std::uint64_t>(m);
  }
};

inline constinit thread_local IdGenerator tls_id_generator{};

inline IdGenerator& id_generator() {
  IdGenerator& g = tls_id_generator;
  if (!g.seeded) [[unlikely]] g.seed();
  return g;
}

// Ids are never all zero (the W3C "invalid" id): redrawn in that 2^-64 case.
inline TraceId random_trace_id() {
  IdGenerator& g = id_generator();
  std::uint64_t hi, lo;
  do {
    hi = g.next();
    lo = g.next();
  } while ((hi | lo) == 0);
  TraceId id;
  std::memcpy(id.bytes.data(), &hi, 8);
  std::memcpy(id.bytes.data() + 8, &lo, 8);
  return id;
}

inline SpanId random_span_id() {
  IdGenerator& g = id_generator();
  std::uint64_t w;
  do w = g.next();
  while (w == 0);
  SpanId id;
  std::memcpy(id.bytes.data(), &w, 8);
  return id;
}

}  // namespace vigil::detail
