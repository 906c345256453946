#include "monitor/feature_plots.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>

namespace vigil::detail {

std::string label_number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4g", v);
  return buf;
}

std::vector<double> sorted_finite(const std::vector<double>& v) {
  std::vector<double> out;
  out.reserve(v.size());
  for (double x : v)
    if (std::isfinite(x)) out.push_back(x);
  std::sort(out.begin(), out.end());
  return out;
}

namespace {

void plot_bins(FeatureDrift& fd, const std::vector<double>& edges, const std::vector<std::uint64_t>& rb,
               const std::vector<std::uint64_t>& cb) {
  double rt = 0, ct = 0;
  for (auto x : rb) rt += static_cast<double>(x);
  for (auto x : cb) ct += static_cast<double>(x);
  for (std::size_t i = 0; i < rb.size(); ++i) {
    if (i == 0) fd.labels.push_back("< " + label_number(edges.front()));
    else if (i == rb.size() - 1) fd.labels.push_back("> " + label_number(edges.back()));
    else fd.labels.push_back(label_number(edges[i - 1]) + " – " + label_number(edges[i]));
    fd.reference_share.push_back(rt > 0 ? static_cast<double>(rb[i]) / rt : 0);
    fd.current_share.push_back(ct > 0 ? static_cast<double>(cb[i]) / ct : 0);
  }
}

// A numeric feature with few distinct values on both sides (0–3 clicks, a
// 0/1 flag) gets one bar per value, as a categorical does: range bins like
// "0 – 0.2727" would be mostly empty.
bool plot_few_values(FeatureDrift& fd, const FeatureProfile& ref, const FeatureProfile& cur) {
  if (ref.numeric.many_values() || cur.numeric.many_values() || ref.numeric.few_values().empty()) return false;
  std::map<double, std::pair<double, double>> counts;  // value -> (reference, current)
  for (const auto& [v, c] : ref.numeric.few_values()) counts[v].first += static_cast<double>(c);
  for (const auto& [v, c] : cur.numeric.few_values()) counts[v].second += static_cast<double>(c);
  const double rt = static_cast<double>(ref.numeric.count()), ct = static_cast<double>(cur.numeric.count());
  for (const auto& [v, c] : counts) {
    fd.labels.push_back(label_number(v));
    fd.reference_share.push_back(rt > 0 ? c.first / rt : 0);
    fd.current_share.push_back(ct > 0 ? c.second / ct : 0);
  }
  return true;
}

// The q-quantile with linear interpolation between order statistics
// (numpy.quantile's default): h = (n − 1)·q, x[⌊h⌋] + (h − ⌊h⌋)·(x[⌊h⌋+1] − x[⌊h⌋]).
// `at(k)` is the k-th smallest value.
template <class At>
double interpolated_quantile(std::uint64_t n, double q, At at) {
  double h = static_cast<double>(n - 1) * q;
  auto lo = static_cast<std::uint64_t>(std::floor(h));
  double below = at(lo);
  return lo + 1 < n ? below + (h - static_cast<double>(lo)) * (at(lo + 1) - below) : below;
}

// A summary's quantile, exact where the values are known: from the column
// (every row), or from the value counts of a feature with few values;
// otherwise the sketch's estimate rounded to 3 significant digits, its
// accuracy (±1 % relative). Sets `exact` accordingly.
double summary_quantile(const NumericSummary& s, const Column* col, double q, bool& exact) {
  exact = true;
  if (col && col->kind == FeatureKind::kNumeric) {
    std::vector<double> v = sorted_finite(col->numbers);
    if (!v.empty()) return interpolated_quantile(v.size(), q, [&](std::uint64_t k) { return v[k]; });
  }
  if (!s.many_values() && !s.few_values().empty()) {
    auto values = s.few_values();
    std::sort(values.begin(), values.end());
    std::uint64_t n = 0;
    for (const auto& [v, c] : values) n += c;
    return interpolated_quantile(n, q, [&](std::uint64_t k) {
      for (const auto& [v, c] : values) {
        if (k < c) return v;
        k -= c;
      }
      return values.back().first;
    });
  }
  exact = false;
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3g", s.quantile(q));
  return std::strtod(buf, nullptr);
}

std::map<std::string, double> numeric_stats(const NumericSummary& s, const Column* col, bool& exact) {
  double n = static_cast<double>(s.count() + s.missing());
  return {{"mean", s.mean()},
          {"sd", s.stddev()},
          {"min", s.min()},
          {"p50", summary_quantile(s, col, 0.5, exact)},
          {"max", s.max()},
          {"missing_share", n > 0 ? static_cast<double>(s.missing()) / n : 0}};
}

}  // namespace

void plot_numeric(FeatureDrift& fd, const FeatureProfile& ref, const FeatureProfile& cur, const Column* ref_col,
                  const Column* cur_col) {
  const auto& edges = ref.numeric.bin_edges();
  const auto& rb = ref.numeric.bin_counts();
  const auto& cb = cur.numeric.bin_counts();
  if (!plot_few_values(fd, ref, cur) && !edges.empty() && rb.size() == cb.size()) plot_bins(fd, edges, rb, cb);
  bool ref_exact = false, cur_exact = false;
  fd.reference_stats = numeric_stats(ref.numeric, ref_col, ref_exact);
  fd.current_stats = numeric_stats(cur.numeric, cur_col, cur_exact);
  fd.exact_quantiles = ref_exact && cur_exact;
}

void plot_categorical(FeatureDrift& fd, const FeatureProfile& ref, const FeatureProfile& cur) {
  constexpr std::size_t kTop = 20;
  std::map<std::string, double> total;
  for (const auto& [k, c] : ref.categorical.counts()) total[k] += static_cast<double>(c);
  for (const auto& [k, c] : cur.categorical.counts()) total[k] += static_cast<double>(c);
  std::vector<std::pair<std::string, double>> order(total.begin(), total.end());
  std::stable_sort(order.begin(), order.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
  double rt = static_cast<double>(ref.categorical.count()), ct = static_cast<double>(cur.categorical.count());
  double r_rest = rt, c_rest = ct;
  for (std::size_t i = 0; i < order.size() && i < kTop; ++i) {
    const auto& k = order[i].first;
    auto r = ref.categorical.counts().find(k);
    auto c = cur.categorical.counts().find(k);
    double rv = r == ref.categorical.counts().end() ? 0 : static_cast<double>(r->second);
    double cv = c == cur.categorical.counts().end() ? 0 : static_cast<double>(c->second);
    fd.labels.push_back(k);
    fd.reference_share.push_back(rt > 0 ? rv / rt : 0);
    fd.current_share.push_back(ct > 0 ? cv / ct : 0);
    r_rest -= rv;
    c_rest -= cv;
  }
  if (order.size() > kTop) {
    fd.labels.push_back("(other)");
    fd.reference_share.push_back(rt > 0 ? r_rest / rt : 0);
    fd.current_share.push_back(ct > 0 ? c_rest / ct : 0);
  }
  auto stats_of = [](const CategoricalSummary& s) {
    double n = static_cast<double>(s.count() + s.missing());
    return std::map<std::string, double>{{"count", static_cast<double>(s.count())},
                                         {"distinct", s.distinct()},
                                         {"missing_share", n > 0 ? static_cast<double>(s.missing()) / n : 0}};
  };
  fd.reference_stats = stats_of(ref.categorical);
  fd.current_stats = stats_of(cur.categorical);
}

}  // namespace vigil::detail
