// The grid histogram: its state depends only on the values (not their order
// or split), and the KS and Wasserstein ranges computed from two of them
// hold the exact statistics on several distributions, with estimates close
// to them; sketch-mode verdicts agree with exact mode away from the
// threshold.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <random>

#include "vigil/drift_report.h"
#include "vigil/grid_histogram.h"
#include "vigil/profile.h"

namespace {

using Sample = std::vector<double>;
using Generator = std::function<double(std::mt19937_64&)>;

Sample draw(std::size_t n, unsigned seed, const Generator& g) {
  std::mt19937_64 rng(seed);
  Sample v(n);
  for (double& x : v) x = g(rng);
  return v;
}

vigil::GridHistogram grid_of(const Sample& v) {
  vigil::GridHistogram g;
  for (double x : v) g.add(x);
  return g;
}

vigil::NumericSummary summary_of(const Sample& v) {
  vigil::NumericSummary s;
  for (double x : v) s.add(x);
  return s;
}

void expect_same_state(const vigil::GridHistogram& a, const vigil::GridHistogram& b) {
  auto sa = a.state(), sb = b.state();
  EXPECT_EQ(sa.exponent, sb.exponent);
  EXPECT_EQ(sa.max_abs, sb.max_abs);
  EXPECT_EQ(sa.first_cell, sb.first_cell);
  EXPECT_EQ(sa.counts, sb.counts);
}

struct Distribution {
  const char* name;
  Generator reference, current;
};

// Reference and drifted current of several shapes, including heavy tails,
// an outlier that widens the grid, integers on cell edges and no drift.
std::vector<Distribution> distributions() {
  return {
      {"normal shifted", [](auto& r) { return std::normal_distribution<>(50000, 10000)(r); },
       [](auto& r) { return std::normal_distribution<>(52000, 10000)(r); }},
      {"lognormal", [](auto& r) { return std::lognormal_distribution<>(0, 1)(r); },
       [](auto& r) { return std::lognormal_distribution<>(0.1, 1)(r); }},
      {"uniform, no drift", [](auto& r) { return std::uniform_real_distribution<>(0, 1)(r); },
       [](auto& r) { return std::uniform_real_distribution<>(0, 1)(r); }},
      {"bimodal vs wider", [](auto& r) {
         return std::bernoulli_distribution(0.3)(r) ? std::normal_distribution<>(-5, 1)(r) : std::normal_distribution<>(5, 2)(r);
       },
       [](auto& r) { return std::normal_distribution<>(1, 6)(r); }},
      {"integers 18-89", [](auto& r) { return static_cast<double>(std::uniform_int_distribution<>(18, 89)(r)); },
       [](auto& r) { return static_cast<double>(std::uniform_int_distribution<>(20, 89)(r)); }},
      {"normal with one huge outlier", [](auto& r) { return std::normal_distribution<>(0, 1)(r); },
       [](auto& r) { return std::normal_distribution<>(0.05, 1)(r); }},
  };
}

TEST(GridHistogram, StateDependsOnlyOnTheValues) {
  Sample v = draw(200000, 7, [](auto& r) { return std::lognormal_distribution<>(3, 2)(r) - 40; });
  vigil::GridHistogram in_order = grid_of(v);
  Sample sorted = v, reversed = v;
  std::sort(sorted.begin(), sorted.end());
  std::sort(reversed.rbegin(), reversed.rend());
  expect_same_state(in_order, grid_of(sorted));
  expect_same_state(in_order, grid_of(reversed));
  // Seven uneven shards, merged left to right and as a tree.
  std::vector<vigil::GridHistogram> shards(7);
  for (std::size_t i = 0; i < v.size(); ++i) shards[(i * i) % 7].add(v[i]);
  vigil::GridHistogram chain;
  for (const auto& s : shards) chain.merge(s);
  vigil::GridHistogram left = shards[0], right = shards[6];
  for (int i = 1; i < 4; ++i) left.merge(shards[static_cast<std::size_t>(i)]);
  for (int i = 5; i >= 4; --i) right.merge(shards[static_cast<std::size_t>(i)]);
  right.merge(left);
  expect_same_state(in_order, chain);
  expect_same_state(in_order, right);
  EXPECT_EQ(in_order.count(), v.size());
}

// Shards of a few values each are kept as values until they grow: merged
// in any order they still give the state of one pass.
TEST(GridHistogram, SmallShardsMergeLikeOnePass) {
  Sample v = draw(350, 9, [](auto& r) { return std::normal_distribution<>(3, 2)(r); });
  std::vector<vigil::GridHistogram> shards(7);
  for (std::size_t i = 0; i < v.size(); ++i) shards[i % 7].add(v[i]);
  vigil::GridHistogram forward, backward;
  for (const auto& s : shards) forward.merge(s);
  for (auto it = shards.rbegin(); it != shards.rend(); ++it) backward.merge(*it);
  expect_same_state(grid_of(v), forward);
  expect_same_state(grid_of(v), backward);
  vigil::GridHistogram few = grid_of({1.5, -2.25, 1.5});
  EXPECT_EQ(few.count(), 3u);
  EXPECT_EQ(few.count_between(few.first_cell(), few.last_cell()), 3u);
  auto cells = few.cells();
  ASSERT_EQ(cells.size(), 2u);
  EXPECT_EQ(cells[1].second, 2u);  // the two 1.5s share a cell
}

TEST(GridHistogram, CellsAreFineAndCountsExactAtEdges) {
  Sample v = draw(100000, 3, [](auto& r) { return std::normal_distribution<>(1e6, 5)(r); });
  vigil::GridHistogram g = grid_of(v);
  auto [lo, hi] = std::minmax_element(v.begin(), v.end());
  EXPECT_LE(g.last_cell() - g.first_cell() + 1, vigil::GridHistogram::kMaxCells);
  EXPECT_LE(g.cell_width(), (*hi - *lo) / (vigil::GridHistogram::kMaxCells / 2));  // at least 2,048 cells over the range
  const double w = g.cell_width();
  for (std::int64_t cell : {g.first_cell() + 100, g.first_cell() + 1000, g.last_cell() - 3}) {
    const double edge = static_cast<double>(cell) * w;
    auto below = static_cast<std::uint64_t>(std::count_if(v.begin(), v.end(), [&](double x) { return x < edge; }));
    EXPECT_EQ(g.count_between(g.first_cell(), cell - 1), below) << "at edge " << edge;
  }
}

TEST(GridHistogram, KsAndWassersteinRangesHoldTheExactValues) {
  for (const auto& d : distributions()) {
    Sample ref = draw(60000, 11, d.reference), cur = draw(45000, 12, d.current);
    if (std::string(d.name).find("outlier") != std::string::npos) cur.push_back(1e7);
    vigil::NumericSummary gr = summary_of(ref), gc = summary_of(cur);
    const double ks = vigil::stats::ks_2samp(ref, cur).statistic;
    const double w = vigil::stats::wasserstein_distance(ref, cur);
    auto k = vigil::ks_statistic_range(gr, gc);
    auto e = vigil::wasserstein_range(gr, gc);
    EXPECT_LE(k.low, ks + 1e-12) << d.name;
    EXPECT_GE(k.high, ks - 1e-12) << d.name;
    EXPECT_LE(e.low, w * (1 + 1e-9)) << d.name;
    EXPECT_GE(e.high, w * (1 - 1e-9)) << d.name;
    EXPECT_LE(std::fabs(k.value - ks), k.bound() + 1e-12) << d.name;
    EXPECT_LE(std::fabs(e.value - w), e.bound() * (1 + 1e-9)) << d.name;
    // The estimates are much closer than the bound promises.
    EXPECT_NEAR(k.value, ks, 0.004) << d.name;
    EXPECT_NEAR(e.value, w, 0.01 * w + 1e-3 * std::sqrt(vigil::stats::wasserstein_distance(ref, ref) + 1)) << d.name;
  }
}

TEST(GridHistogram, IntegersOnCellEdgesGiveTheExactKs) {
  Sample ref = draw(30000, 5, [](auto& r) { return static_cast<double>(std::binomial_distribution<>(40, 0.5)(r)); });
  Sample cur = draw(20000, 6, [](auto& r) { return static_cast<double>(std::binomial_distribution<>(40, 0.52)(r)); });
  EXPECT_DOUBLE_EQ(vigil::ks_statistic_range(summary_of(ref), summary_of(cur)).value, vigil::stats::ks_2samp(ref, cur).statistic);
}

TEST(GridHistogram, RefusesStatesItCannotReach) {
  vigil::GridHistogram g = grid_of(draw(5000, 1, [](auto& r) { return std::normal_distribution<>(0, 1)(r); }));
  auto good = g.state();
  EXPECT_NO_THROW(vigil::GridHistogram::from_state(good));
  auto finer = good;
  finer.exponent -= 60;  // cell numbers past 52 bits
  EXPECT_THROW(vigil::GridHistogram::from_state(finer), std::invalid_argument);
  auto zero_edge = good;
  zero_edge.counts.push_back(0);
  EXPECT_THROW(vigil::GridHistogram::from_state(zero_edge), std::invalid_argument);
  auto wide = good;
  wide.counts.resize(vigil::GridHistogram::kMaxCells + 1, 1);
  EXPECT_THROW(vigil::GridHistogram::from_state(wide), std::invalid_argument);
  auto coarser = good;
  coarser.exponent += 1;  // cells no longer where max_abs says
  EXPECT_THROW(vigil::GridHistogram::from_state(coarser), std::invalid_argument);
}

// Cells count in 32 bits and carry past 2^32: counts beyond it survive an
// add into a full cell, a merge, a coarsening and a round trip, exactly.
TEST(GridHistogram, CountsPastTwoToThe32AreExact) {
  vigil::GridHistogram g = grid_of(draw(5000, 3, [](auto& r) { return std::normal_distribution<>(0, 1)(r); }));
  auto state = g.state();
  const std::size_t mid = state.counts.size() / 2;
  state.counts[mid] = 0xffffffffull;                  // the next value in this cell wraps its 32 bits
  state.counts[mid + 1] = (std::uint64_t{3} << 32) + 7;
  vigil::GridHistogram big = vigil::GridHistogram::from_state(state);
  const double width = std::ldexp(1.0, state.exponent);
  big.add((static_cast<double>(state.first_cell) + static_cast<double>(mid) + 0.5) * width);
  auto after = big.state().counts;
  EXPECT_EQ(after[mid], std::uint64_t{1} << 32);
  EXPECT_EQ(after[mid + 1], (std::uint64_t{3} << 32) + 7);
  vigil::GridHistogram twice = big;
  twice.merge(big);
  EXPECT_EQ(twice.state().counts[mid], std::uint64_t{1} << 33);
  EXPECT_EQ(twice.count(), 2 * big.count());
  vigil::GridHistogram widened = twice;
  widened.add(1e6);  // coarsens: neighbouring cells fold together with their carries
  std::uint64_t total = 0;
  for (const auto& [cell, c] : widened.cells()) total += c;
  EXPECT_EQ(total, twice.count() + 1);
  expect_same_state(vigil::GridHistogram::from_state(widened.state()), widened);
}

// Exact mode (every value) against sketch mode (profiles only) on the same
// data: every exact score lies in the sketch's range, and where the exact
// score is clear of the threshold the verdicts agree.
TEST(SketchMode, ScoresInRangeAndVerdictsAgreeAwayFromTheThreshold) {
  for (vigil::DriftMethod m : {vigil::DriftMethod::kKs, vigil::DriftMethod::kWasserstein}) {
    for (const auto& d : distributions()) {
      vigil::Table ref, cur;
      ref.rows = 60000, cur.rows = 45000;
      ref.columns.push_back({.name = "x", .kind = vigil::FeatureKind::kNumeric, .numbers = draw(60000, 21, d.reference)});
      cur.columns.push_back({.name = "x", .kind = vigil::FeatureKind::kNumeric, .numbers = draw(45000, 22, d.current)});
      vigil::DatasetProfile rp = vigil::profile_table(ref), cp = vigil::profile_table(cur, &rp);
      vigil::CompareOptions o;
      o.defaults.method = m;
      auto exact = vigil::compare(rp, cp, o, &ref, &cur).features.at(0).drift;
      auto sketch = vigil::compare(rp, cp, o).features.at(0).drift;
      ASSERT_TRUE(sketch.estimated) << d.name;
      EXPECT_FALSE(exact.estimated);
      EXPECT_LE(sketch.score_low, exact.score * (1 + 1e-9) + 1e-300) << d.name;
      EXPECT_GE(sketch.score_high, exact.score * (1 - 1e-9)) << d.name;
      bool clear = m == vigil::DriftMethod::kKs ? std::fabs(std::log10(exact.score / exact.threshold)) > 3
                                                : std::fabs(exact.score - exact.threshold) > 0.02;
      if (clear) {
        EXPECT_EQ(sketch.drifted, exact.drifted) << d.name << " " << exact.score << " vs " << sketch.score;
      }
    }
  }
}

}  // namespace

namespace {

// The grid travels in a profile's JSON (varints in base64, runs of empty
// cells folded) and comes back identical; damaged counts are refused by name.
TEST(GridHistogram, RoundTripsThroughProfileJson) {
  vigil::DatasetProfile p;
  vigil::FeatureProfile f;
  f.name = "x";
  for (double v : draw(5000, 4, [](auto& r) { return std::lognormal_distribution<>(0, 2)(r); })) f.numeric.add(v);
  f.numeric.add(1e9);  // far out: long runs of empty cells
  p.features.emplace("x", f);
  vigil::DatasetProfile back = vigil::DatasetProfile::from_json(p.to_json());
  expect_same_state(back.features.at("x").numeric.grid(), f.numeric.grid());
  std::string json = p.to_json();
  auto at = json.find("\"counts_varint_base64\":\"") + 24;
  std::string cut = json;
  cut.replace(at, 4, "!!!!");
  try {
    vigil::DatasetProfile::from_json(cut);
    FAIL() << "damaged counts were accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("profile.features.x.grid.counts_varint_base64: not base64"), std::string::npos)
        << e.what();
  }
}

}  // namespace
