// Helpers for unit tests that write files: the wall clock in nanoseconds
// (the library's own), and a scratch directory unique to the process and
// the moment, removed with its contents at the end of the test.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <string>

#include "common/clock.h"

namespace vigil_test {

using vigil::detail::unix_now_ns;

struct TempDir {
  TempDir() { std::filesystem::create_directories(path); }
  ~TempDir() { std::filesystem::remove_all(path); }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  std::filesystem::path path = std::filesystem::temp_directory_path() /
                               ("vigil-unit-test-" + std::to_string(::getpid()) + "-" + std::to_string(unix_now_ns()));
};

}  // namespace vigil_test
