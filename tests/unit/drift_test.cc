// The drift engine (automatic test choice, binning, decisions) and the
// streaming detectors, on seeded synthetic data.
#include <gtest/gtest.h>

#include <random>

#include "vigil/drift.h"

namespace {

using vigil::DriftMethod;
using vigil::FeatureKind;

std::vector<double> normal(std::size_t n, double mean, double sd, unsigned seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> d(mean, sd);
  std::vector<double> v(n);
  for (double& x : v) x = d(rng);
  return v;
}

std::vector<std::string> categories(std::size_t n, std::vector<double> weights, unsigned seed) {
  std::mt19937_64 rng(seed);
  std::discrete_distribution<int> d(weights.begin(), weights.end());
  std::vector<std::string> v(n);
  for (auto& x : v) x = std::string(1, static_cast<char>('a' + d(rng)));
  return v;
}

TEST(DriftChoice, FollowsEvidentlyDefaults) {
  EXPECT_EQ(vigil::choose_drift_method(FeatureKind::kNumeric, 1000, 100), DriftMethod::kKs);
  EXPECT_EQ(vigil::choose_drift_method(FeatureKind::kNumeric, 1001, 100), DriftMethod::kWasserstein);
  EXPECT_EQ(vigil::choose_drift_method(FeatureKind::kNumeric, 500, 5), DriftMethod::kChiSquare);
  EXPECT_EQ(vigil::choose_drift_method(FeatureKind::kCategorical, 500, 2), DriftMethod::kZTest);
  EXPECT_EQ(vigil::choose_drift_method(FeatureKind::kCategorical, 500, 7), DriftMethod::kChiSquare);
  EXPECT_EQ(vigil::choose_drift_method(FeatureKind::kCategorical, 5000, 7), DriftMethod::kJensenShannon);
  EXPECT_EQ(vigil::default_threshold(DriftMethod::kKs), 0.05);
  EXPECT_EQ(vigil::default_threshold(DriftMethod::kWasserstein), 0.1);
  EXPECT_EQ(vigil::parse_drift_method("psi"), DriftMethod::kPsi);
  EXPECT_FALSE(vigil::parse_drift_method("bogus"));
}

TEST(NumericDrift, KsOnSmallSamples) {
  auto ref = normal(500, 0, 1, 1);
  auto same = vigil::detect_numeric_drift(ref, normal(500, 0, 1, 2));
  EXPECT_EQ(same.method, DriftMethod::kKs);
  EXPECT_FALSE(same.drifted) << same.score;
  EXPECT_GT(same.score, 0.05);
  auto shifted = vigil::detect_numeric_drift(ref, normal(500, 0.5, 1, 3));
  EXPECT_TRUE(shifted.drifted);
  EXPECT_LT(shifted.score, 1e-6);
}

TEST(NumericDrift, WassersteinOnLargeSamples) {
  auto ref = normal(20000, 10, 2, 4);
  auto same = vigil::detect_numeric_drift(ref, normal(5000, 10, 2, 5));
  EXPECT_EQ(same.method, DriftMethod::kWasserstein);
  EXPECT_FALSE(same.drifted);
  EXPECT_LT(same.score, 0.05);
  auto shifted = vigil::detect_numeric_drift(ref, normal(5000, 11, 2, 6));
  EXPECT_TRUE(shifted.drifted);
  EXPECT_NEAR(shifted.score, 0.5, 0.05);  // a 1-unit shift is half a reference sd
  EXPECT_NEAR(shifted.statistic, 1.0, 0.1);
}

TEST(NumericDrift, OverriddenMethodAndThreshold) {
  auto ref = normal(20000, 0, 1, 7), cur = normal(5000, 0.3, 1, 8);
  auto psi = vigil::detect_numeric_drift(ref, cur, {.method = DriftMethod::kPsi});
  EXPECT_EQ(psi.method, DriftMethod::kPsi);
  EXPECT_GT(psi.score, 0.05);
  auto lenient = vigil::detect_numeric_drift(ref, cur, {.method = DriftMethod::kPsi, .threshold = 10.0});
  EXPECT_FALSE(lenient.drifted);
  auto js = vigil::detect_numeric_drift(ref, cur, {.method = DriftMethod::kJensenShannon, .bins = 20});
  EXPECT_GT(js.score, 0.0);
  auto missing = vigil::detect_numeric_drift(ref, std::vector<double>{NAN, NAN});
  EXPECT_FALSE(missing.drifted);  // nothing to compare
}

TEST(Binning, ReferenceBinsWithOpenEnds) {
  std::vector<double> ref = {0, 1, 2, 3, 4, 5, 6, 7, 8, 10};
  std::vector<double> cur = {-5, 0, 5, 10, 20};
  auto b = vigil::bin_numeric(ref, cur, 5);
  ASSERT_EQ(b.edges.size(), 6u);
  EXPECT_EQ(b.edges.front(), 0);
  EXPECT_EQ(b.edges.back(), 10);
  ASSERT_EQ(b.current.size(), 7u);
  EXPECT_DOUBLE_EQ(b.current[0], 0.2);  // -5 below the reference range
  EXPECT_DOUBLE_EQ(b.current[6], 0.2);  // 20 above it
  EXPECT_DOUBLE_EQ(b.reference[0], 1e-4);  // empty shares floored
  EXPECT_DOUBLE_EQ(b.reference[5], 0.2);   // 8 and 10 (top edge in the last bin)
}

TEST(CategoricalDrift, ChiSquareJsAndUnseen) {
  auto ref = categories(800, {5, 3, 2}, 9);
  auto same = vigil::detect_categorical_drift(ref, categories(800, {5, 3, 2}, 10));
  EXPECT_EQ(same.method, DriftMethod::kChiSquare);
  EXPECT_FALSE(same.drifted) << same.score << " " << same.statistic;
  auto moved = vigil::detect_categorical_drift(ref, categories(800, {2, 3, 5}, 11));
  EXPECT_TRUE(moved.drifted);
  auto unseen = vigil::detect_categorical_drift(ref, categories(800, {5, 3, 2, 1}, 12));
  EXPECT_TRUE(unseen.drifted);  // category 'd' never seen in the reference
  auto big = categories(5000, {5, 3, 2}, 13);
  auto js = vigil::detect_categorical_drift(big, categories(5000, {5, 3, 2}, 14));
  EXPECT_EQ(js.method, DriftMethod::kJensenShannon);
  EXPECT_FALSE(js.drifted);
  EXPECT_TRUE(vigil::detect_categorical_drift(big, categories(5000, {1, 3, 6}, 15)).drifted);
  auto binary = vigil::detect_categorical_drift(categories(500, {1, 1}, 16), categories(500, {1, 3}, 17));
  EXPECT_EQ(binary.method, DriftMethod::kZTest);
  EXPECT_TRUE(binary.drifted);
}

std::vector<double> error_stream(std::size_t before, double p0, std::size_t after, double p1, unsigned seed) {
  std::mt19937_64 rng(seed);
  std::vector<double> v;
  std::bernoulli_distribution a(p0), b(p1);
  for (std::size_t i = 0; i < before; ++i) v.push_back(a(rng));
  for (std::size_t i = 0; i < after; ++i) v.push_back(b(rng));
  return v;
}

TEST(PageHinkley, DetectsErrorRateRiseOnlyAfterIt) {
  auto s = error_stream(3000, 0.05, 2000, 0.3, 21);
  vigil::PageHinkley ph({.delta = 0.005, .lambda = 20});
  std::size_t first = 0;
  for (std::size_t i = 0; i < s.size() && !first; ++i)
    if (ph.update(s[i])) first = i;
  EXPECT_GE(first, 3000u);
  EXPECT_LT(first, 3200u);
}

TEST(Adwin, ShrinksWindowAtChange) {
  auto s = error_stream(3000, 0.05, 2000, 0.3, 22);
  vigil::Adwin adwin(0.002);
  std::size_t first = 0;
  for (std::size_t i = 0; i < s.size(); ++i)
    if (adwin.update(s[i]) && !first) first = i;
  EXPECT_GE(first, 3000u);
  EXPECT_LT(first, 3300u);
  // After the change the window holds (mostly) the new regime.
  EXPECT_NEAR(adwin.mean(), 0.3, 0.05);
  EXPECT_LT(adwin.width(), 2500u);
  vigil::Adwin stable(0.002);
  bool any = false;
  for (double x : error_stream(5000, 0.1, 0, 0, 23)) any |= stable.update(x);
  EXPECT_FALSE(any);
  EXPECT_NEAR(stable.mean(), 0.1, 0.02);
}

}  // namespace
