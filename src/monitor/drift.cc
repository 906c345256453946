// Drift between a reference and a current column: binning, Evidently's
// automatic choice of test, and the decision against a threshold.
#include <algorithm>
#include <cmath>
#include <map>
#include <unordered_map>
#include <unordered_set>

#include "vigil/drift.h"

namespace vigil {
namespace {

constexpr std::size_t kSmallReference = 1000;  // Evidently: "small data" up to 1000 reference rows
constexpr std::size_t kFewDistinct = 5;         // numeric with <= 5 values is treated as categorical

std::vector<double> finite_sorted(std::span<const double> v) {
  std::vector<double> out;
  out.reserve(v.size());
  for (double x : v)
    if (std::isfinite(x)) out.push_back(x);
  if (!std::is_sorted(out.begin(), out.end())) std::sort(out.begin(), out.end());
  return out;
}

std::size_t distinct_sorted(const std::vector<double>& v) {
  return v.empty() ? 0 : 1 + static_cast<std::size_t>(std::count_if(v.begin() + 1, v.end(), [&, i = std::size_t{0}](double x) mutable {
                            return x != v[i++];
                          }));
}

DriftResult decide(DriftMethod m, double statistic, double score, const DriftOptions& o) {
  DriftResult r;
  r.method = m;
  r.statistic = statistic;
  r.score = score;
  r.threshold = o.threshold.value_or(default_threshold(m));
  r.drifted = drift_method_uses_p_value(m) ? score < r.threshold : score >= r.threshold;
  r.statistic_low = r.statistic_high = statistic;
  r.score_low = r.score_high = score;
  return r;
}

struct CategoryCounts {
  std::vector<std::string> categories;
  std::vector<double> reference, current;
};

DriftResult distance_on_shares(DriftMethod m, std::span<const double> ref, std::span<const double> cur,
                               const DriftOptions& o) {
  double d = 0;
  switch (m) {
    case DriftMethod::kPsi: d = stats::psi(ref, cur); break;
    case DriftMethod::kKl: d = stats::kl_divergence(ref, cur); break;
    case DriftMethod::kHellinger: d = stats::hellinger_distance(ref, cur); break;
    default: d = stats::jensen_shannon_distance(ref, cur); break;
  }
  return decide(m, d, d, o);
}

}  // namespace

std::string_view drift_method_name(DriftMethod m) {
  switch (m) {
    case DriftMethod::kAuto: return "auto";
    case DriftMethod::kKs: return "ks";
    case DriftMethod::kChiSquare: return "chisquare";
    case DriftMethod::kZTest: return "z";
    case DriftMethod::kWasserstein: return "wasserstein";
    case DriftMethod::kJensenShannon: return "jensenshannon";
    case DriftMethod::kPsi: return "psi";
    case DriftMethod::kKl: return "kl_div";
    case DriftMethod::kHellinger: return "hellinger";
  }
  return "auto";
}

std::optional<DriftMethod> parse_drift_method(std::string_view name) {
  for (auto m : {DriftMethod::kAuto, DriftMethod::kKs, DriftMethod::kChiSquare, DriftMethod::kZTest,
                 DriftMethod::kWasserstein, DriftMethod::kJensenShannon, DriftMethod::kPsi, DriftMethod::kKl,
                 DriftMethod::kHellinger})
    if (drift_method_name(m) == name) return m;
  return std::nullopt;
}

bool drift_method_uses_p_value(DriftMethod m) {
  return m == DriftMethod::kKs || m == DriftMethod::kChiSquare || m == DriftMethod::kZTest;
}

double default_threshold(DriftMethod m) { return drift_method_uses_p_value(m) ? 0.05 : 0.1; }

DriftMethod choose_drift_method(FeatureKind kind, std::size_t reference_rows, std::size_t distinct_values) {
  bool categorical = kind == FeatureKind::kCategorical || distinct_values <= kFewDistinct;
  if (reference_rows <= kSmallReference) {
    if (!categorical) return DriftMethod::kKs;
    return distinct_values <= 2 ? DriftMethod::kZTest : DriftMethod::kChiSquare;
  }
  return categorical ? DriftMethod::kJensenShannon : DriftMethod::kWasserstein;
}

std::vector<double> reference_bin_edges(double lo, double hi, std::size_t count, std::size_t bins) {
  if (bins == 0) bins = static_cast<std::size_t>(std::ceil(std::log2(static_cast<double>(std::max<std::size_t>(count, 1))))) + 1;  // Sturges
  if (hi == lo) hi = lo + 1;  // a constant reference still gets one real bin
  std::vector<double> edges(bins + 1);
  for (std::size_t i = 0; i <= bins; ++i) edges[i] = lo + (hi - lo) * static_cast<double>(i) / static_cast<double>(bins);
  edges.back() = hi;
  return edges;
}

BinnedShares bin_numeric(std::span<const double> reference, std::span<const double> current, std::size_t bins) {
  std::vector<double> ref = finite_sorted(reference);
  BinnedShares out;
  if (ref.empty()) return out;
  out.edges = reference_bin_edges(ref.front(), ref.back(), ref.size(), bins);
  bins = out.edges.size() - 1;
  const double lo = out.edges.front(), hi = out.edges.back();
  // bins + 2 slots: [below lo] [bins...] [above hi]
  auto slot = [&](double x) -> std::size_t {
    if (x < lo) return 0;
    if (x > hi) return bins + 1;
    auto k = static_cast<std::size_t>((x - lo) / (hi - lo) * static_cast<double>(bins));
    return 1 + std::min(k, bins - 1);  // the top edge belongs to the last bin
  };
  out.reference.assign(bins + 2, 0.0);
  out.current.assign(bins + 2, 0.0);
  for (double x : ref) out.reference[slot(x)] += 1;
  double cur_total = 0;
  for (double x : current)
    if (std::isfinite(x)) {
      out.current[slot(x)] += 1;
      cur_total += 1;
    }
  auto to_shares = [](std::vector<double>& v, double total) {
    for (double& x : v) x = total > 0 ? std::max(x / total, 1e-4) : 1e-4;
  };
  to_shares(out.reference, static_cast<double>(ref.size()));
  to_shares(out.current, cur_total);
  return out;
}

DriftResult detect_numeric_drift(std::span<const double> reference, std::span<const double> current,
                                 const DriftOptions& options) {
  std::vector<double> ref = finite_sorted(reference), cur = finite_sorted(current);
  DriftMethod m = options.method;
  if (m == DriftMethod::kAuto) m = choose_drift_method(FeatureKind::kNumeric, ref.size(), distinct_sorted(ref));
  if (ref.empty() || cur.empty()) return decide(m, 0, drift_method_uses_p_value(m) ? 1.0 : 0.0, options);
  switch (m) {
    case DriftMethod::kKs: {
      auto t = stats::ks_2samp_sorted(ref, cur);
      return decide(m, t.statistic, t.p_value, options);
    }
    case DriftMethod::kWasserstein: {
      double w = stats::wasserstein_distance_sorted(ref, cur);
      double mean = 0, var = 0;
      for (double x : ref) mean += x;
      mean /= static_cast<double>(ref.size());
      for (double x : ref) var += (x - mean) * (x - mean);
      double sd = std::sqrt(var / static_cast<double>(ref.size()));
      // A constant reference: any movement is infinitely many deviations.
      double normed = sd > 0 ? w / sd : (w > 0 ? INFINITY : 0.0);
      return decide(m, w, normed, options);
    }
    case DriftMethod::kChiSquare:
    case DriftMethod::kZTest: {
      // Few distinct values: compare them as categories.
      std::vector<std::string> rs, cs;
      for (double x : ref) rs.push_back(std::to_string(x));
      for (double x : cur) cs.push_back(std::to_string(x));
      return detect_categorical_drift(rs, cs, DriftOptions{m, options.threshold, options.bins});
    }
    default: {
      auto b = bin_numeric(ref, cur, options.bins);
      return distance_on_shares(m, b.reference, b.current, options);
    }
  }
}

DriftResult detect_categorical_drift(std::span<const std::string> reference, std::span<const std::string> current,
                                     const DriftOptions& options) {
  std::map<std::string, double, std::less<>> ref, cur;
  for (const auto& v : reference)
    if (!v.empty()) ref[v] += 1;
  for (const auto& v : current)
    if (!v.empty()) cur[v] += 1;
  return detect_count_drift(ref, cur, options);
}

DriftResult detect_count_drift(const std::map<std::string, double, std::less<>>& reference,
                               const std::map<std::string, double, std::less<>>& current,
                               const DriftOptions& options) {
  CategoryCounts c;
  for (const auto& [k, n] : reference) c.categories.push_back(k);
  for (const auto& [k, n] : current)
    if (!reference.count(k)) c.categories.push_back(k);
  std::sort(c.categories.begin(), c.categories.end());
  for (const auto& k : c.categories) {
    auto r = reference.find(k);
    auto q = current.find(k);
    c.reference.push_back(r == reference.end() ? 0.0 : r->second);
    c.current.push_back(q == current.end() ? 0.0 : q->second);
  }
  double ref_n = 0, cur_n = 0;
  std::size_t ref_distinct = 0;
  for (std::size_t i = 0; i < c.categories.size(); ++i) {
    ref_n += c.reference[i];
    cur_n += c.current[i];
    ref_distinct += c.reference[i] > 0;
  }
  DriftMethod m = options.method;
  if (m == DriftMethod::kAuto)
    m = choose_drift_method(FeatureKind::kCategorical, static_cast<std::size_t>(ref_n), ref_distinct);
  if (ref_n == 0 || cur_n == 0) return decide(m, 0, drift_method_uses_p_value(m) ? 1.0 : 0.0, options);
  switch (m) {
    case DriftMethod::kChiSquare: {
      auto t = stats::chi2_contingency(c.reference, c.current);
      return decide(m, t.statistic, t.p_value, options);
    }
    case DriftMethod::kZTest: {
      // Share of the reference's first category on each side (two
      // categories, so one share says everything); a third category on
      // either side makes this a chi-squared question.
      if (c.categories.size() > 2) {
        auto t = stats::chi2_contingency(c.reference, c.current);
        return decide(DriftMethod::kChiSquare, t.statistic, t.p_value, options);
      }
      std::size_t k = 0;
      while (k < c.categories.size() && c.reference[k] == 0) ++k;
      auto t = stats::z_test_proportions(c.reference[k], ref_n, c.current[k], cur_n);
      return decide(m, t.statistic, t.p_value, options);
    }
    case DriftMethod::kKs:
    case DriftMethod::kWasserstein:
      // Order-based tests do not apply to labels: use Jensen–Shannon.
      return distance_on_shares(DriftMethod::kJensenShannon, c.reference, c.current,
                                DriftOptions{DriftMethod::kJensenShannon, options.threshold, options.bins});
    default:
      return distance_on_shares(m, c.reference, c.current, options);
  }
}

}  // namespace vigil
