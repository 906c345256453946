#include <gtest/gtest.h>

#include <cmath>
#include <thread>
#include <vector>

#include "vigil/metrics.h"

namespace vigil {
namespace {

TEST(Counter, StartsAtZeroAndIncrements) {
  Counter c;
  EXPECT_EQ(c.value(), 0);
  c.inc();
  c.inc(2.5);
  EXPECT_DOUBLE_EQ(c.value(), 3.5);
}

TEST(Counter, IgnoresNegativeAndNaN) {
  Counter c;
  c.inc(5);
  c.inc(-1);
  c.inc(std::nan(""));
  EXPECT_EQ(c.value(), 5);
}

TEST(Counter, SumsAcrossThreadsIncludingExitedOnes) {
  Counter c;
  constexpr int kThreads = 4, kPerThread = 100000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < kPerThread; ++i) c.inc();
    });
  for (auto& t : threads) t.join();  // all threads exited: their cells were folded
  EXPECT_EQ(c.value(), kThreads * kPerThread);
}

TEST(Counter, ReadsWhileOtherThreadsWrite) {
  Counter c;
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    while (!stop) c.inc();
  });
  double last = 0;
  for (int i = 0; i < 1000; ++i) {
    double v = c.value();
    EXPECT_GE(v, last);  // monotonic as seen by a scraper
    last = v;
  }
  stop = true;
  writer.join();
}

TEST(Counter, ReleasedCellsStartFromZeroWhenReused) {
  for (int round = 0; round < 3; ++round) {
    Counter c;
    EXPECT_EQ(c.value(), 0) << "round " << round;
    c.inc(7);
  }
}

TEST(Counter, ExemplarIsKept) {
  Counter c;
  c.inc(2, {{"trace_id", "0af7651916cd43dd8448eb211c80319c"}});
  SeriesSnapshot s;
  c.snapshot(s);
  ASSERT_TRUE(s.exemplar.has_value());
  EXPECT_EQ(s.exemplar->labels[0].second, "0af7651916cd43dd8448eb211c80319c");
  EXPECT_EQ(s.exemplar->value, 2);
  EXPECT_GT(s.exemplar->timestamp, 1.6e9);
  EXPECT_EQ(s.value, 2);
}

TEST(Counter, RejectsOversizedExemplar) {
  Counter c;
  EXPECT_THROW(c.inc(1, {{"trace_id", std::string(130, 'a')}}), std::invalid_argument);
  EXPECT_THROW(c.inc(1, {{"bad-name", "x"}}), std::invalid_argument);
}

TEST(Gauge, SetIncDec) {
  Gauge g;
  g.set(10);
  g.inc(2);
  g.dec(0.5);
  EXPECT_DOUBLE_EQ(g.value(), 11.5);
  g.set_to_current_time();
  EXPECT_GT(g.value(), 1.6e9);
}

TEST(Gauge, ConcurrentIncrementsAreNotLost) {
  Gauge g;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 50000; ++i) g.inc();
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(g.value(), 200000);
}

}  // namespace
}  // namespace vigil
