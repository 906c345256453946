#include <gtest/gtest.h>

#include <fcntl.h>
#include <unistd.h>

#include "vigil/metrics.h"

namespace vigil {
namespace {

double value_of(const std::vector<MetricFamilySnapshot>& fs, std::string_view name) {
  for (const auto& f : fs)
    if (f.name == name) return f.series.at(0).value;
  ADD_FAILURE() << "missing " << name;
  return -1;
}

TEST(ProcessCollector, ReportsPlausibleValues) {
  auto c = make_process_collector();
  std::vector<MetricFamilySnapshot> fs;
  c->collect(fs);
  EXPECT_GT(value_of(fs, "process_resident_memory_bytes"), 1 << 20);
  EXPECT_GE(value_of(fs, "process_virtual_memory_bytes"), value_of(fs, "process_resident_memory_bytes"));
  double start = value_of(fs, "process_start_time_seconds");
  EXPECT_GT(start, 1.6e9);
  EXPECT_LE(start, detail::unix_now() + 1);
  EXPECT_GE(value_of(fs, "process_threads"), 1);
  EXPECT_GE(value_of(fs, "process_cpu_seconds"), 0);
  EXPECT_GT(value_of(fs, "process_max_fds"), 0);
}

TEST(ProcessCollector, OpenFdsTracksDescriptors) {
  auto c = make_process_collector();
  std::vector<MetricFamilySnapshot> before, after;
  c->collect(before);
  int fds[5];
  for (int& fd : fds) fd = open("/dev/null", O_RDONLY);
  c->collect(after);
  for (int fd : fds) close(fd);
  EXPECT_EQ(value_of(after, "process_open_fds") - value_of(before, "process_open_fds"), 5);
}

}  // namespace
}  // namespace vigil
