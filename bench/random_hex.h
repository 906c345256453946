// Random lowercase hex ids (trace and span ids) for the store benchmarks.
#pragma once

#include <random>
#include <string>

namespace vigil_bench {

inline std::string random_hex(std::mt19937_64& rng, int bytes) {
  static const char* digits = "0123456789abcdef";
  std::string s;
  for (int i = 0; i < bytes; ++i) {
    auto b = static_cast<unsigned>(rng() & 0xff);
    s += digits[b >> 4];
    s += digits[b & 15];
  }
  return s;
}

}  // namespace vigil_bench
