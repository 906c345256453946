// KS and Wasserstein from two numeric summaries, with the range that the
// statistics computed from every value must lie in.
//
// Each summary knows its CDF (as a count of finite values) exactly at some
// points: below every grid cell edge, and at every DDSketch bucket edge (up
// to the sketch's 1e-13 rounding of logarithms, widened here to 1e-9).
// Each such fact bounds F on one side of its point: "F(x) >= c for x >= p"
// or "F(x) <= c for x < q". Between consecutive points both bounds are
// constant, so |Fa − Fb| is bounded there by interval arithmetic; that
// gives KS and Wasserstein ranges which hold for any data. The estimate
// interpolates each CDF linearly between its known points.
#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>
#include <vector>

#include "vigil/profile.h"

namespace vigil {
namespace {

constexpr double kSketchEdgeFuzz = 1e-9;  // relative; fast_log is within 1e-13

struct CdfFacts {
  double n = 0;                               // finite values
  std::vector<std::pair<double, double>> at_least;  // (p, c): F(x) >= c for x >= p
  std::vector<std::pair<double, double>> at_most;   // (q, c): F(x) <= c for x < q
  std::vector<std::pair<double, double>> points;    // (x, c): where F is about c, for the estimate
};

void add_grid_facts(const GridHistogram& g, CdfFacts& f) {
  const double w = g.cell_width();
  double below = 0;
  std::int64_t next = g.first_cell();
  auto edge = [&](std::int64_t cell) {
    const double x = static_cast<double>(cell) * w;
    f.at_least.emplace_back(x, below);
    f.at_most.emplace_back(x, below);
    f.points.emplace_back(x, below);
  };
  for (const auto& [cell, count] : g.cells()) {
    if (cell != next) edge(next);  // the end of the empty run before this cell
    edge(cell);
    below += static_cast<double>(count);
    next = cell + 1;
  }
  edge(next);
}

// Bucket i of a DDSketch store holds magnitudes in (γ^(i−1), γ^i]; values
// only ever move to higher buckets when the store collapses its lowest.
void add_sketch_facts(const QuantileSketch& sketch, CdfFacts& f) {
  const QuantileSketch::State st = sketch.state();
  const double gamma = (1 + st.relative_accuracy) / (1 - st.relative_accuracy);
  // Negative store: D_i = count in buckets above i = values below −γ^i,
  // walked from the largest magnitude down so x ascends. Edges by repeated
  // multiplication: n steps drift by about n·1e-16, far inside
  // kSketchEdgeFuzz, and spare a pow() per bucket.
  double above = 0;
  double edge = std::pow(gamma, st.negative_offset + static_cast<int>(st.negative.size()) - 1);
  for (std::size_t j = st.negative.size(); j-- > 0; edge /= gamma) {
    if (std::isfinite(edge)) {
      f.at_most.emplace_back(-edge * (1 + kSketchEdgeFuzz), above);
      f.at_least.emplace_back(-edge * (1 - kSketchEdgeFuzz), above);
      f.points.emplace_back(-edge, above);
    }
    above += static_cast<double>(st.negative[j]);
  }
  // Positive store: C_i = every value up to γ^i.
  double upto = above + static_cast<double>(st.zeros);
  edge = std::pow(gamma, st.positive_offset);
  for (std::size_t j = 0; j < st.positive.size(); ++j, edge *= gamma) {
    upto += static_cast<double>(st.positive[j]);
    if (!std::isfinite(edge)) break;
    f.at_most.emplace_back(edge * (1 - kSketchEdgeFuzz), upto);
    f.at_least.emplace_back(edge * (1 + kSketchEdgeFuzz), upto);
    f.points.emplace_back(edge, upto);
  }
}

using Facts = std::vector<std::pair<double, double>>;

Facts merged(const Facts& a, const Facts& b) {
  Facts out(a.size() + b.size());
  std::merge(a.begin(), a.end(), b.begin(), b.end(), out.begin());
  return out;
}

// Each source lists its facts in ascending x, so the lists merge in one pass.
CdfFacts facts_of(const NumericSummary& s) {
  CdfFacts grid, sketch;
  add_grid_facts(s.grid(), grid);
  add_sketch_facts(s.sketch(), sketch);
  CdfFacts f;
  f.n = static_cast<double>(s.grid().count());
  f.at_least = merged(grid.at_least, sketch.at_least);
  f.at_most = merged(grid.at_most, sketch.at_most);
  f.points = merged(grid.points, sketch.points);
  double running = 0;  // the estimate never decreases
  for (auto& p : f.points) p.second = running = std::max(running, p.second);
  return f;
}

// Sweeps the x positions in ascending order, keeping one side's bounds
// on F over [x, next x) and its estimate at x, as shares of n.
class CdfSweep {
 public:
  explicit CdfSweep(const CdfFacts& f) : f_(f), suffix_min_(f.at_most.size() + 1, f.n) {
    for (std::size_t i = f.at_most.size(); i-- > 0;) suffix_min_[i] = std::min(suffix_min_[i + 1], f.at_most[i].second);
  }
  // Bounds on F over [x, next): facts with p <= x, and q >= next.
  std::pair<double, double> bounds(double x, double next) {
    while (low_i_ < f_.at_least.size() && f_.at_least[low_i_].first <= x) low_ = std::max(low_, f_.at_least[low_i_++].second);
    while (high_i_ < f_.at_most.size() && f_.at_most[high_i_].first < next) ++high_i_;
    return {low_ / f_.n, std::min(f_.n, suffix_min_[high_i_]) / f_.n};
  }
  double estimate(double x) {
    while (point_i_ < f_.points.size() && f_.points[point_i_].first <= x) ++point_i_;
    if (point_i_ == 0) return 0;
    if (point_i_ == f_.points.size()) return f_.points.back().second / f_.n;
    const auto& [x0, c0] = f_.points[point_i_ - 1];
    const auto& [x1, c1] = f_.points[point_i_];
    return (c0 + (c1 - c0) * (x - x0) / (x1 - x0)) / f_.n;
  }

 private:
  const CdfFacts& f_;
  std::vector<double> suffix_min_;
  std::size_t low_i_ = 0, high_i_ = 0, point_i_ = 0;
  double low_ = 0;
};

// Every x either side knows something at, ascending, once each.
std::vector<double> positions(const CdfFacts& a, const CdfFacts& b) {
  std::vector<double> xs;
  for (const CdfFacts* f : {&a, &b})
    for (const auto* list : {&f->at_least, &f->at_most, &f->points}) {
      const std::size_t middle = xs.size();
      for (const auto& entry : *list) xs.push_back(entry.first);
      std::inplace_merge(xs.begin(), xs.begin() + static_cast<std::ptrdiff_t>(middle), xs.end());
    }
  xs.erase(std::unique(xs.begin(), xs.end()), xs.end());
  return xs;
}

double least_magnitude(double lo, double hi) { return lo <= 0 && hi >= 0 ? 0.0 : std::min(std::fabs(lo), std::fabs(hi)); }

// ∫ |d| over [0, w] where d runs linearly from d0 to d1.
double linear_area(double d0, double d1, double w) {
  if ((d0 >= 0) == (d1 >= 0)) return w * (std::fabs(d0) + std::fabs(d1)) / 2;
  return w * (d0 * d0 + d1 * d1) / (2 * (std::fabs(d0) + std::fabs(d1)));
}

enum class Statistic { kKs, kWasserstein };

StatisticRange statistic_range(const NumericSummary& a, const NumericSummary& b, Statistic which) {
  if (a.grid().empty() || b.grid().empty()) return {};
  const CdfFacts fa = facts_of(a), fb = facts_of(b);
  const std::vector<double> xs = positions(fa, fb);
  CdfSweep sa(fa), sb(fb);
  StatisticRange r;
  double previous_d = 0;
  for (std::size_t i = 0; i < xs.size(); ++i) {
    const double x = xs[i], next = i + 1 < xs.size() ? xs[i + 1] : std::numeric_limits<double>::infinity();
    const auto [la, ua] = sa.bounds(x, next);
    const auto [lb, ub] = sb.bounds(x, next);
    const double d = sa.estimate(x) - sb.estimate(x);
    const double lowest = least_magnitude(la - ub, ua - lb), highest = std::max(std::fabs(la - ub), std::fabs(ua - lb));
    if (which == Statistic::kKs) {
      r.low = std::max(r.low, lowest);
      r.high = std::max(r.high, highest);
      r.value = std::max(r.value, std::fabs(d));
    } else {
      if (i > 0) r.value += linear_area(previous_d, d, x - xs[i - 1]);
      if (i + 1 < xs.size()) r.low += (next - x) * lowest, r.high += (next - x) * highest;
    }
    previous_d = d;
  }
  r.value = std::clamp(r.value, r.low, r.high);
  return r;
}

}  // namespace

StatisticRange ks_statistic_range(const NumericSummary& a, const NumericSummary& b) {
  return statistic_range(a, b, Statistic::kKs);
}

StatisticRange wasserstein_range(const NumericSummary& a, const NumericSummary& b) {
  return statistic_range(a, b, Statistic::kWasserstein);
}

}  // namespace vigil
