#include <chrono>
#include <cstring>
#include <random>

#include "common/fast_clock.h"
#include "trace/hex.h"
#include "vigil/trace.h"

namespace vigil {
namespace {

template <std::size_t N>
std::string to_hex(const std::array<std::uint8_t, N>& b) {
  std::string s(N * 2, '0');
  detail::write_hex(b.data(), N, s.data());
  return s;
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;  // W3C ids are lowercase only
}

template <std::size_t N>
bool from_hex(std::string_view s, std::array<std::uint8_t, N>& out) {
  if (s.size() != N * 2) return false;
  for (std::size_t i = 0; i < N; ++i) {
    int hi = hex_digit(s[2 * i]), lo = hex_digit(s[2 * i + 1]);
    if (hi < 0 || lo < 0) return false;
    out[i] = static_cast<std::uint8_t>(hi << 4 | lo);
  }
  return true;
}

// Word-wise: validity is checked on every span start.
template <std::size_t N>
bool any_nonzero(const std::array<std::uint8_t, N>& b) {
  static_assert(N % 8 == 0);
  std::uint64_t acc = 0;
  for (std::size_t i = 0; i < N; i += 8) {
    std::uint64_t w;
    std::memcpy(&w, b.data() + i, 8);
    acc |= w;
  }
  return acc != 0;
}

// xoshiro256++ (Blackman & Vigna): a small, fast per-thread generator, so id
// generation takes no lock and a few cycles. Seeded once per thread from the
// OS entropy source through splitmix64.
struct Xoshiro256 {
  std::uint64_t s[4];
  Xoshiro256() {
    std::random_device rd;
    std::uint64_t seed = (static_cast<std::uint64_t>(rd()) << 32) ^ rd() ^
                         static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
    for (auto& x : s) {  // splitmix64
      seed += 0x9e3779b97f4a7c15ull;
      std::uint64_t z = seed;
      z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
      z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
      x = z ^ (z >> 31);
    }
  }
  static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  std::uint64_t next() {
    std::uint64_t result = rotl(s[0] + s[3], 23) + s[0];
    std::uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
  }
};

std::uint64_t next_random() {
  thread_local Xoshiro256 gen;
  return gen.next();
}

template <std::size_t N>
void fill_random(std::array<std::uint8_t, N>& b) {
  do {
    for (std::size_t i = 0; i < N; i += 8) {
      std::uint64_t r = next_random();
      std::memcpy(b.data() + i, &r, 8);
    }
  } while (!any_nonzero(b));
}

}  // namespace

bool TraceId::valid() const { return any_nonzero(bytes); }
std::string TraceId::hex() const { return to_hex(bytes); }
std::optional<TraceId> TraceId::from_hex(std::string_view hex) {
  TraceId id;
  if (!vigil::from_hex(hex, id.bytes)) return std::nullopt;
  return id;
}
TraceId TraceId::random() {
  TraceId id;
  fill_random(id.bytes);
  return id;
}

bool SpanId::valid() const { return any_nonzero(bytes); }
std::string SpanId::hex() const { return to_hex(bytes); }
std::optional<SpanId> SpanId::from_hex(std::string_view hex) {
  SpanId id;
  if (!vigil::from_hex(hex, id.bytes)) return std::nullopt;
  return id;
}
SpanId SpanId::random() {
  SpanId id;
  fill_random(id.bytes);
  return id;
}

std::uint64_t unix_nanos() { return detail::fast_unix_nanos(); }

}  // namespace vigil
