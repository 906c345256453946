#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <thread>

#include "vigil/metrics.h"

namespace vigil {
namespace {

TEST(Summary, QuantilesWithinStatedRelativeError) {
  Summary s(SummaryConfig{.quantiles = {0.5, 0.9, 0.99}});
  for (int i = 1; i <= 10000; ++i) s.observe(i);
  auto q = s.quantiles();
  ASSERT_EQ(q.size(), 3u);
  // True lower-rank quantiles of 1..10000: 5000, 9000, 9900.
  EXPECT_NEAR(q[0].second, 5000, 5000 * 0.01);
  EXPECT_NEAR(q[1].second, 9000, 9000 * 0.01);
  EXPECT_NEAR(q[2].second, 9900, 9900 * 0.01);
  EXPECT_EQ(s.count(), 10000);
  EXPECT_DOUBLE_EQ(s.sum(), 10000.0 * 10001 / 2);
}

TEST(Summary, EmptyWindowGivesNaN) {
  Summary s(SummaryConfig{});
  for (auto [q, v] : s.quantiles()) EXPECT_TRUE(std::isnan(v)) << q;
}

TEST(Summary, OldObservationsLeaveTheWindow) {
  Summary s(SummaryConfig{.quantiles = {0.5}, .max_age = std::chrono::seconds(1), .age_buckets = 2});
  for (int i = 0; i < 100; ++i) s.observe(1000);
  EXPECT_NEAR(s.quantiles()[0].second, 1000, 10);
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  for (int i = 0; i < 100; ++i) s.observe(1);
  EXPECT_NEAR(s.quantiles()[0].second, 1, 0.01);
  EXPECT_EQ(s.count(), 200);  // _count and _sum stay cumulative
}

TEST(Summary, RejectsBadConfig) {
  EXPECT_THROW(Summary(SummaryConfig{.quantiles = {1.5}}), std::invalid_argument);
  EXPECT_THROW(Summary(SummaryConfig{.age_buckets = 0}), std::invalid_argument);
}

}  // namespace
}  // namespace vigil
