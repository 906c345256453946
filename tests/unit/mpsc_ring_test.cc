// The bounded MPSC ring behind the batch span processor: exact capacity,
// refusal when full without losing the value, FIFO per producer, and every
// value delivered exactly once under concurrent producers.
#include <gtest/gtest.h>

#include <memory>
#include <thread>
#include <vector>

#include "common/mpsc_ring.h"

namespace vigil::detail {
namespace {

TEST(MpscRing, HoldsExactlyItsCapacityAndRefusesWithoutLosingTheValue) {
  MpscRing<std::unique_ptr<int>> ring(5);  // not a power of two: 8 slots, 5 usable
  EXPECT_EQ(ring.capacity(), 5u);
  for (int i = 0; i < 5; ++i) {
    auto v = std::make_unique<int>(i);
    ASSERT_TRUE(ring.push(v));
    EXPECT_EQ(v, nullptr);  // moved in
  }
  auto extra = std::make_unique<int>(99);
  EXPECT_FALSE(ring.push(extra));
  ASSERT_NE(extra, nullptr);  // refused: still the caller's
  EXPECT_EQ(*extra, 99);
  EXPECT_EQ(ring.depth(), 5u);

  auto first = ring.pop();
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(**first, 0);
  EXPECT_TRUE(ring.push(extra));  // one slot free again
  for (int want : {1, 2, 3, 4, 99}) {
    auto v = ring.pop();
    ASSERT_TRUE(v.has_value());
    EXPECT_EQ(**v, want);
  }
  EXPECT_FALSE(ring.pop().has_value());
  EXPECT_EQ(ring.depth(), 0u);
}

TEST(MpscRing, WrapsManyLaps) {
  MpscRing<int> ring(4);
  for (int i = 0; i < 1000; ++i) {
    int v = i;
    ASSERT_TRUE(ring.push(v));
    auto out = ring.pop();
    ASSERT_TRUE(out.has_value());
    ASSERT_EQ(*out, i);
  }
}

TEST(MpscRing, ConcurrentProducersDeliverEveryValueOnceInProducerOrder) {
  constexpr int kProducers = 4, kPerProducer = 50000;
  MpscRing<std::uint64_t> ring(64);  // small, so producers see it full often
  std::vector<std::thread> producers;
  for (int p = 0; p < kProducers; ++p)
    producers.emplace_back([&, p] {
      for (std::uint64_t i = 0; i < kPerProducer; ++i) {
        std::uint64_t v = static_cast<std::uint64_t>(p) << 32 | i;
        while (!ring.push(v)) std::this_thread::yield();
      }
    });
  std::vector<std::uint64_t> next(kProducers, 0);
  int received = 0;
  while (received < kProducers * kPerProducer) {
    auto v = ring.pop();
    if (!v) {
      std::this_thread::yield();
      continue;
    }
    int p = static_cast<int>(*v >> 32);
    ASSERT_LT(p, kProducers);
    ASSERT_EQ(*v & 0xffffffffu, next[p]) << "producer " << p << " out of order or duplicated";
    ++next[p];
    ++received;
  }
  for (auto& t : producers) t.join();
  for (int p = 0; p < kProducers; ++p) EXPECT_EQ(next[p], static_cast<std::uint64_t>(kPerProducer));
  EXPECT_FALSE(ring.pop().has_value());
}

}  // namespace
}  // namespace vigil::detail
