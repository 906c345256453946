// The JSON formatter allocates nothing per line once its output buffer has
// grown: a logging call in a hot loop must not turn into malloc traffic.
// Its own program, since counting needs the global operator new replaced.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <memory>
#include <new>
#include <string>

#include "vigil/log.h"

namespace {
thread_local std::uint64_t allocations = 0;
}  // namespace

void* operator new(std::size_t size) {
  ++allocations;
  if (void* p = std::malloc(size ? size : 1)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }

namespace {

const vigil::Field kTenFields[] = {
    {"model", "resnet-v2"}, {"version", "1.4.2"},   {"latency_ms", 12.5}, {"class", "cat"},
    {"confidence", 0.93},   {"request_id", std::int64_t{1234567}},        {"batch", std::int64_t{8}},
    {"gpu", true},          {"region", "eu-west-1"}, {"user", "u-4821 \"quoted\" \xff"}};
const vigil::Field kBound[] = {{"replica", std::uint64_t{3}}, {"ts", "a field posing as the line's own key"}};

vigil::LogRecord ten_field_record(std::string_view message) {
  vigil::LogRecord r{.time_unix_nano = 1'796'000'000'123'456'789ull, .logger = "ranker", .message = message,
                     .bound = kBound, .fields = kTenFields};
  for (int i = 0; i < 16; ++i) r.trace_id.bytes[i] = static_cast<std::uint8_t>(0x4b + i);
  for (int i = 0; i < 8; ++i) r.span_id.bytes[i] = static_cast<std::uint8_t>(0x11 * (i + 1));
  r.exception_type = "ValueError";
  r.exception_message = "bad input";
  r.exception_stacktrace = "Traceback (most recent call last):\n  File \"x.py\", line 1\n";
  return r;
}

// Allocations made by `lines` calls of format after one warm-up call.
std::uint64_t allocations_per_lines(const vigil::LogRecord& r, int lines) {
  vigil::JsonFormatter formatter;
  std::string out;
  formatter.format(r, out);  // grows `out` to the line's size once
  const std::uint64_t before = allocations;
  for (int i = 0; i < lines; ++i) {
    out.clear();
    formatter.format(r, out);
  }
  return allocations - before;
}

TEST(LogAllocations, TheCountSeesAnAllocation) {
  const std::uint64_t before = allocations;
  auto p = std::make_unique<std::string>(100, 'x');
  EXPECT_GE(allocations - before, 1u);
}

TEST(LogAllocations, AJsonLineAllocatesNothing) {
  vigil::LogRecord r = ten_field_record("prediction served");
  EXPECT_EQ(allocations_per_lines(r, 1000), 0u);
}

// Past the formatter's stack buffer the line is written into `out` itself.
TEST(LogAllocations, ALongJsonLineAllocatesNothing) {
  const std::string message(8000, 'm');
  vigil::LogRecord r = ten_field_record(message);
  EXPECT_EQ(allocations_per_lines(r, 100), 0u);
}

}  // namespace
