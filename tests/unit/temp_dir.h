// Helpers for unit tests that write files: the wall clock in nanoseconds,
// and a scratch directory unique to the process and the moment, removed
// with its contents at the end of the test.
#pragma once

#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>

namespace vigil_test {

inline std::int64_t unix_now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

struct TempDir {
  TempDir() { std::filesystem::create_directories(path); }
  ~TempDir() { std::filesystem::remove_all(path); }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  std::filesystem::path path = std::filesystem::temp_directory_path() /
                               ("vigil-unit-test-" + std::to_string(::getpid()) + "-" + std::to_string(unix_now_ns()));
};

}  // namespace vigil_test
