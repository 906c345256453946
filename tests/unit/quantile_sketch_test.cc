#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>

#include "vigil/quantile_sketch.h"

namespace vigil {
namespace {

double exact_quantile(std::vector<double> v, double q) {
  std::sort(v.begin(), v.end());
  return v[static_cast<std::size_t>(q * static_cast<double>(v.size() - 1))];
}

TEST(QuantileSketch, RelativeErrorBoundOnLargeRandomData) {
  std::mt19937_64 rng(42);
  std::lognormal_distribution<double> dist(0, 2);
  std::vector<double> data(200000);
  QuantileSketch sk(0.01);
  for (double& x : data) {
    x = dist(rng);
    sk.add(x);
  }
  for (double q : {0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99, 0.999}) {
    double truth = exact_quantile(data, q);
    EXPECT_LE(std::fabs(sk.quantile(q) - truth), 0.01 * truth + 1e-12) << "q=" << q;
  }
}

// A batch's indexes are computed two at a time in SIMD registers; they must
// be the scalar path's, bit for bit, for values of every magnitude: random
// bit patterns (subnormals, NaNs, infinities included), bucket edges
// gamma^i and their neighbours, and mantissas at each of the log table's
// 256 points and halfway between them.
TEST(QuantileSketch, BatchAddEqualsOneAtATimeBitForBit) {
  std::mt19937_64 rng(3);
  std::vector<double> values = {0.0, -0.0, 1e-300, 1e-301, std::numeric_limits<double>::max(),
                                std::numeric_limits<double>::infinity(), -std::numeric_limits<double>::infinity(),
                                std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::denorm_min()};
  for (int i = 0; i < 200000; ++i) {
    std::uint64_t bits = rng();
    double v;
    std::memcpy(&v, &bits, 8);
    values.push_back(v);
  }
  const double gamma = 1.01 / 0.99;
  for (int i = -2000; i <= 2000; ++i) {
    const double edge = std::pow(gamma, i);
    values.insert(values.end(), {edge, std::nextafter(edge, 0.0), std::nextafter(edge, 1e308), -edge});
  }
  for (int k = 0; k <= 512; ++k) values.push_back((1.0 + k / 512.0) * std::ldexp(1.0, k % 40 - 20));
  QuantileSketch batch(0.01), single(0.01);
  batch.add(values);
  for (double v : values) single.add(v);
  const QuantileSketch::State a = batch.state(), b = single.state();
  EXPECT_EQ(a.positive_offset, b.positive_offset);
  EXPECT_EQ(a.positive, b.positive);
  EXPECT_EQ(a.negative_offset, b.negative_offset);
  EXPECT_EQ(a.negative, b.negative);
  EXPECT_EQ(a.zeros, b.zeros);
  EXPECT_EQ(a.pos_inf, b.pos_inf);
  EXPECT_EQ(a.neg_inf, b.neg_inf);
  EXPECT_EQ(a.count, b.count);
}

TEST(QuantileSketch, HandlesNegativesAndZeros) {
  QuantileSketch sk(0.01);
  std::vector<double> data;
  for (int i = -500; i <= 500; ++i) {
    data.push_back(i);
    sk.add(i);
  }
  for (double q : {0.1, 0.3, 0.5, 0.7, 0.9}) {
    double truth = exact_quantile(data, q);
    EXPECT_LE(std::fabs(sk.quantile(q) - truth), 0.01 * std::fabs(truth) + 1e-12) << q;
  }
  EXPECT_EQ(sk.quantile(0), -500);
  EXPECT_EQ(sk.quantile(1), 500);
}

TEST(QuantileSketch, MergeOfSplitsEqualsWhole) {
  std::mt19937_64 rng(7);
  std::exponential_distribution<double> dist(3);
  QuantileSketch whole(0.02), a(0.02), b(0.02);
  for (int i = 0; i < 50000; ++i) {
    double x = dist(rng);
    whole.add(x);
    (i % 3 ? a : b).add(x);
  }
  a.merge(b);
  EXPECT_EQ(a.count(), whole.count());
  EXPECT_EQ(a.min(), whole.min());
  EXPECT_EQ(a.max(), whole.max());
  for (double q : {0.05, 0.5, 0.95, 0.999}) EXPECT_EQ(a.quantile(q), whole.quantile(q)) << q;
}

TEST(QuantileSketch, MemoryBoundedByMaxBins) {
  QuantileSketch sk(0.01, 512);  // about 4.4 decades of bins
  for (int e = -100; e <= 100; ++e) sk.add(std::pow(10.0, e));
  // High quantiles stay accurate even after collapsing the lowest bins.
  EXPECT_NEAR(sk.quantile(0.99), 1e98, 1e98 * 0.01);
  EXPECT_EQ(sk.count(), 201u);
}

TEST(QuantileSketch, RejectsMismatchedMergeAndBadArgs) {
  QuantileSketch a(0.01), b(0.02);
  EXPECT_THROW(a.merge(b), std::invalid_argument);
  EXPECT_THROW(QuantileSketch(0), std::invalid_argument);
  EXPECT_TRUE(std::isnan(a.quantile(0.5)));
}

}  // namespace
}  // namespace vigil
