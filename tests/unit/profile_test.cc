// Profiles: moments against two-pass values, merge of split profiles equals
// the profile of the whole, the sketch's stated error bound on large random
// data, frequent items and distinct counts, and the JSON round trip.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "vigil/profile.h"

namespace {

std::vector<double> lognormal(std::size_t n, unsigned seed) {
  std::mt19937_64 rng(seed);
  std::lognormal_distribution<double> d(0.0, 1.5);
  std::vector<double> v(n);
  for (double& x : v) x = d(rng);
  return v;
}

vigil::FeatureProfile numeric_profile(std::span<const double> values, std::vector<double> edges) {
  vigil::FeatureProfile f;
  f.name = "x";
  f.numeric.set_bins(std::move(edges));
  for (double v : values) f.numeric.add(v);
  return f;
}

TEST(NumericSummary, MomentsMatchTwoPass) {
  std::vector<double> v = {2, 4, 4, 4, 5, 5, 7, 9};
  vigil::NumericSummary s;
  for (double x : v) s.add(x);
  s.add(NAN);
  EXPECT_EQ(s.count(), 8u);
  EXPECT_EQ(s.missing(), 1u);
  EXPECT_DOUBLE_EQ(s.mean(), 5.0);
  EXPECT_DOUBLE_EQ(s.variance(), 4.0);  // the textbook example: population sd 2
  EXPECT_DOUBLE_EQ(s.stddev(), 2.0);
  EXPECT_EQ(s.min(), 2);
  EXPECT_EQ(s.max(), 9);
  // Numerically stable far from zero (naive sum of squares would lose it).
  vigil::NumericSummary big;
  for (double x : v) big.add(1e9 + x);
  EXPECT_NEAR(big.variance(), 4.0, 1e-6);
}

// A batch is added one part at a time (sketch, grid, moments, bins, few
// values, sample), a value is added all parts at once; both must leave the
// summary in the same state, exactly: NaN, ±inf, zeros, bins, a few-valued
// start that turns many-valued, and a reservoir that fills and then skips.
TEST(NumericSummary, BatchAddEqualsOneAtATimeExactly) {
  std::vector<double> values = lognormal(30000, 9);
  for (std::size_t i = 0; i < values.size(); i += 97) values[i] = -values[i];
  values.insert(values.begin(), {1.0, 1.0, 2.0, NAN, INFINITY, -INFINITY, 0.0, 2.0});
  for (std::size_t i = 500; i < values.size(); i += 1013) values[i] = NAN;
  vigil::NumericSummary batch(1000), single(1000);
  batch.set_bins({0.5, 1.0, 2.0, 4.0});
  single.set_bins({0.5, 1.0, 2.0, 4.0});
  for (std::size_t at = 0; at < values.size(); at += 4096)
    batch.add(std::span<const double>(values).subspan(at, std::min<std::size_t>(4096, values.size() - at)));
  for (double v : values) single.add(v);
  EXPECT_EQ(batch.count(), single.count());
  EXPECT_EQ(batch.missing(), single.missing());
  EXPECT_EQ(batch.finite(), single.finite());
  EXPECT_EQ(batch.min(), single.min());
  EXPECT_EQ(batch.max(), single.max());
  EXPECT_EQ(batch.mean(), single.mean());
  EXPECT_EQ(batch.variance(), single.variance());
  EXPECT_EQ(batch.bin_counts(), single.bin_counts());
  EXPECT_EQ(batch.grid().state().counts, single.grid().state().counts);
  EXPECT_EQ(batch.sketch().state().positive, single.sketch().state().positive);
  EXPECT_EQ(batch.sketch().state().negative, single.sketch().state().negative);
  EXPECT_EQ(batch.many_values(), single.many_values());
  EXPECT_EQ(batch.sample(), single.sample());
  EXPECT_TRUE(batch.many_values());
  EXPECT_EQ(batch.sample().size(), 1000u);
}

TEST(NumericSummary, MergeOfSplitsEqualsWhole) {
  auto data = lognormal(100000, 1);
  std::vector<double> edges = {0, 0.5, 1, 2, 4, 8};
  vigil::FeatureProfile whole = numeric_profile(data, edges);
  // Three uneven parts, merged in a different order.
  std::span<const double> all(data);
  vigil::FeatureProfile a = numeric_profile(all.subspan(0, 12345), edges);
  vigil::FeatureProfile b = numeric_profile(all.subspan(12345, 60000), edges);
  vigil::FeatureProfile c = numeric_profile(all.subspan(72345), edges);
  c.merge(a);
  c.merge(b);
  const auto &w = whole.numeric, &m = c.numeric;
  EXPECT_EQ(m.count(), w.count());
  EXPECT_EQ(m.min(), w.min());
  EXPECT_EQ(m.max(), w.max());
  EXPECT_NEAR(m.mean(), w.mean(), std::fabs(w.mean()) * 1e-12);
  EXPECT_NEAR(m.variance(), w.variance(), w.variance() * 1e-10);
  EXPECT_EQ(m.bin_counts(), w.bin_counts());
  for (double q : {0.01, 0.1, 0.5, 0.9, 0.99}) EXPECT_EQ(m.quantile(q), w.quantile(q)) << q;  // sketches merge exactly
  EXPECT_EQ(m.sample().size(), 10000u);
  // The merged reservoir is still a fair sample: its mean is near the data's.
  double sample_mean = 0;
  for (double x : m.sample()) sample_mean += x;
  sample_mean /= static_cast<double>(m.sample().size());
  EXPECT_NEAR(sample_mean, w.mean(), w.stddev() * 4 / std::sqrt(10000.0));
}

TEST(NumericSummary, SketchKeepsItsRelativeErrorBound) {
  auto data = lognormal(1'000'000, 2);
  vigil::NumericSummary s;
  for (double x : data) s.add(x);
  std::sort(data.begin(), data.end());
  for (double q : {0.001, 0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99, 0.999}) {
    double truth = data[static_cast<std::size_t>(q * static_cast<double>(data.size() - 1))];
    EXPECT_LE(std::fabs(s.quantile(q) - truth), 0.01 * truth) << "q=" << q;
  }
}

TEST(NumericSummary, BinsHaveOpenEnds) {
  vigil::NumericSummary s;
  s.set_bins({0, 1, 2});
  for (double x : {-1.0, 0.0, 0.5, 1.0, 2.0, 3.0, HUGE_VAL}) s.add(x);
  EXPECT_EQ(s.bin_counts(), (std::vector<std::uint64_t>{1, 2, 2, 2}));
  EXPECT_EQ(s.finite(), 6u);
  EXPECT_EQ(s.count(), 7u);
  EXPECT_THROW(s.set_bins({2, 1}), std::invalid_argument);
}

TEST(CategoricalSummary, ExactThenMisraGriesAndHyperLogLog) {
  vigil::CategoricalSummary exact;
  for (const char* v : {"a", "b", "a", "", "c", "a"}) exact.add(v);
  EXPECT_TRUE(exact.exact());
  EXPECT_EQ(exact.counts().at("a"), 3u);
  EXPECT_EQ(exact.missing(), 1u);
  EXPECT_EQ(exact.distinct(), 3.0);

  // A Zipf-like stream over 5000 categories, summarised with 100 counters.
  std::mt19937_64 rng(3);
  std::vector<double> weights;
  for (int i = 1; i <= 5000; ++i) weights.push_back(1.0 / i);
  std::discrete_distribution<int> d(weights.begin(), weights.end());
  std::vector<std::uint64_t> truth(5000, 0);
  vigil::CategoricalSummary part1(100), part2(100);
  const int n = 200000;
  for (int i = 0; i < n; ++i) {
    int k = d(rng);
    ++truth[k];
    (i % 2 ? part1 : part2).add("cat" + std::to_string(k));
  }
  part1.merge(part2);
  EXPECT_FALSE(part1.exact());
  EXPECT_LE(part1.counts().size(), 100u);
  const double bound = static_cast<double>(n) / 101.0;
  for (int k = 0; k < 5; ++k) {
    double est = static_cast<double>(part1.counts().at("cat" + std::to_string(k)));
    EXPECT_LE(est, static_cast<double>(truth[k]));
    EXPECT_GE(est, static_cast<double>(truth[k]) - bound);
  }
  EXPECT_EQ(part1.top(1)[0].first, "cat0");
  std::size_t seen = static_cast<std::size_t>(std::count_if(truth.begin(), truth.end(), [](auto c) { return c > 0; }));
  EXPECT_NEAR(part1.distinct(), static_cast<double>(seen), 0.05 * static_cast<double>(seen));
}

TEST(DatasetProfile, JsonRoundTripAndErrors) {
  vigil::DatasetProfile p;
  auto data = lognormal(5000, 4);
  data.push_back(INFINITY);
  p.features.emplace("income", numeric_profile(data, {0, 1, 10}));
  vigil::FeatureProfile city;
  city.name = "city";
  city.kind = vigil::FeatureKind::kCategorical;
  for (const char* c : {"paris", "oslo", "paris", "", "lima \"x\""}) city.categorical.add(c);
  p.features.emplace("city", city);
  p.rows = 5001;
  std::string json = p.to_json();
  vigil::DatasetProfile back = vigil::DatasetProfile::from_json(json);
  EXPECT_EQ(back.to_json(), json);
  EXPECT_EQ(back.features.at("income").numeric.max(), INFINITY);
  EXPECT_EQ(back.features.at("income").numeric.quantile(0.5), p.features.at("income").numeric.quantile(0.5));
  EXPECT_EQ(back.features.at("city").categorical.counts().at("lima \"x\""), 1u);

  auto error_of = [](const std::string& text) {
    try {
      vigil::DatasetProfile::from_json(text);
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(error_of("{not json").find("not JSON"), std::string::npos);
  EXPECT_NE(error_of("[1e999999]").find("not JSON"), std::string::npos);  // fuzz/profile_json_fuzz: out_of_range
  EXPECT_NE(error_of(R"({"format":"other"})").find("unknown format"), std::string::npos);
  std::string broken = json;
  broken.replace(broken.find("\"sumsq\""), 7, "\"sumsq_\"");
  EXPECT_NE(error_of(broken).find("profile.features.income: missing 'sumsq'"), std::string::npos) << error_of(broken);
}

TEST(DatasetProfile, MergeRejectsKindMismatch) {
  vigil::DatasetProfile a, b;
  vigil::FeatureProfile num;
  num.name = "x";
  vigil::FeatureProfile cat;
  cat.name = "x";
  cat.kind = vigil::FeatureKind::kCategorical;
  a.features.emplace("x", num);
  b.features.emplace("x", cat);
  EXPECT_THROW(a.merge(b), std::invalid_argument);
}

}  // namespace

namespace vigil {
namespace {

DatasetProfile numeric_profile(std::vector<std::string> names, std::vector<double> edges) {
  DatasetProfile p;
  for (auto& name : names) {
    FeatureProfile f;
    f.name = name;
    f.numeric.set_bins(edges);
    f.numeric.add(edges.front());
    p.features.emplace(name, std::move(f));
  }
  p.rows = 1;
  return p;
}

std::string merge_error(DatasetProfile a, const DatasetProfile& b) {
  try {
    a.merge(b);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "no error";
}

TEST(ProfileMerge, MismatchesNameTheColumnAndWhatDiffers) {
  auto a = numeric_profile({"age", "income"}, {0, 10, 20});
  EXPECT_EQ(merge_error(a, numeric_profile({"age", "visits"}, {0, 10, 20})),
            "profile merge: the columns differ (only here: income; only in the other: visits)");
  std::string bins = merge_error(a, numeric_profile({"age", "income"}, {0, 5, 20}));
  EXPECT_NE(bins.find("column 'age': bin edges differ: 3 edges over [0, 20] here, 3 edges over [0, 20] in the other "
                      "(same count and range, different inner edges)"), std::string::npos) << bins;
  DatasetProfile c = a;
  c.features.at("income").kind = FeatureKind::kCategorical;
  EXPECT_EQ(merge_error(a, c), "profile merge: column 'income' is numeric here and categorical in the other profile");
  DatasetProfile empty;
  EXPECT_EQ(merge_error(empty, a), "no error");  // an empty accumulator takes any profile
}

}  // namespace
}  // namespace vigil
