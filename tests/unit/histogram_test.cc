#include <gtest/gtest.h>

#include <cmath>
#include <thread>

#include "vigil/metrics.h"

namespace vigil {
namespace {

TEST(Histogram, BucketsAreUpperInclusive) {
  std::vector<double> bounds{1, 2, 5};
  Histogram h(bounds);
  for (double v : {0.5, 1.0, 1.5, 2.0, 4.0, 5.0, 5.0001, 100.0}) h.observe(v);
  EXPECT_EQ(h.bucket_counts(), (std::vector<double>{2, 2, 2, 2}));
  EXPECT_EQ(h.count(), 8);
  EXPECT_DOUBLE_EQ(h.sum(), 0.5 + 1 + 1.5 + 2 + 4 + 5 + 5.0001 + 100);
}

TEST(Histogram, ManyBucketsUseBisectionCorrectly) {
  std::vector<double> bounds = linear_buckets(1, 1, 40);  // 1..40
  Histogram h(bounds);
  for (int v = 0; v <= 41; ++v) h.observe(v);
  auto counts = h.bucket_counts();
  ASSERT_EQ(counts.size(), 41u);
  EXPECT_EQ(counts[0], 2);   // 0 and 1
  EXPECT_EQ(counts[1], 1);   // 2
  EXPECT_EQ(counts[39], 1);  // 40
  EXPECT_EQ(counts[40], 1);  // 41 in +Inf
}

TEST(Histogram, InfinityGoesToTheLastBucket) {
  std::vector<double> bounds{1};
  Histogram h(bounds);
  h.observe(INFINITY);
  h.observe(-INFINITY);
  EXPECT_EQ(h.bucket_counts(), (std::vector<double>{1, 1}));
}

// Every bucket count from 1 to 20 bounds (the branch-free path up to 16, then
// bisection): each bound, its neighbours, infinities and NaN land where
// "bounds[i-1] < v <= bounds[i]" says, NaN in +Inf as client_golang puts it.
TEST(Histogram, EveryBucketCountAssignsEdgesExactly) {
  for (std::size_t n = 1; n <= 20; ++n) {
    SCOPED_TRACE(n);
    std::vector<double> bounds = exponential_buckets(0.001, 2.5, n);
    Histogram h(bounds);
    std::vector<double> want(n + 1, 0);
    auto expect_bucket = [&](double v) {
      std::size_t i = 0;
      while (i < n && !(v <= bounds[i])) ++i;
      ++want[i];
      h.observe(v);
    };
    for (double b : bounds) {
      expect_bucket(b);
      expect_bucket(std::nextafter(b, -INFINITY));
      expect_bucket(std::nextafter(b, INFINITY));
    }
    for (double v : {-HUGE_VAL, -1.0, 0.0, HUGE_VAL, std::nan(""), 1e300}) expect_bucket(v);
    EXPECT_EQ(h.bucket_counts(), want);
    EXPECT_EQ(want.back(), 4) << "above the last bound, +Inf, NaN and 1e300";
  }
}

TEST(Histogram, ConcurrentObservesAllCounted) {
  std::vector<double> bounds{0.5};
  Histogram h(bounds);
  std::vector<std::thread> ts;
  for (int t = 0; t < 3; ++t)
    ts.emplace_back([&] {
      for (int i = 0; i < 100000; ++i) h.observe(i % 2 ? 1.0 : 0.25);
    });
  for (auto& t : ts) t.join();
  EXPECT_EQ(h.bucket_counts(), (std::vector<double>{150000, 150000}));
  EXPECT_DOUBLE_EQ(h.sum(), 150000 * 1.25);
}

TEST(Histogram, ExemplarLandsInItsBucket) {
  std::vector<double> bounds{0.1, 1};
  Histogram h(bounds);
  h.observe(0.5, {{"trace_id", "abc"}});
  SeriesSnapshot s;
  h.snapshot(s);
  ASSERT_EQ(s.bucket_exemplars.size(), 3u);
  EXPECT_FALSE(s.bucket_exemplars[0].has_value());
  ASSERT_TRUE(s.bucket_exemplars[1].has_value());
  EXPECT_EQ(s.bucket_exemplars[1]->value, 0.5);
  EXPECT_EQ(s.count, 1);
}

TEST(BucketHelpers, LinearAndExponential) {
  EXPECT_EQ(linear_buckets(0.5, 0.25, 3), (std::vector<double>{0.5, 0.75, 1.0}));
  auto d = exponential_buckets(0.001, 10, 3);
  ASSERT_EQ(d.size(), 3u);
  EXPECT_DOUBLE_EQ(d[2], 0.1);
  auto e = exponential_buckets(1, 2, 5);
  EXPECT_EQ(e, (std::vector<double>{1, 2, 4, 8, 16}));
  EXPECT_THROW(linear_buckets(0, 0, 3), std::invalid_argument);
  EXPECT_THROW(exponential_buckets(0, 2, 3), std::invalid_argument);
  EXPECT_THROW(exponential_buckets(1, 1, 3), std::invalid_argument);
}

}  // namespace
}  // namespace vigil
