// Whole-dataset comparison: profiles of tables, data-quality checks and the
// per-feature drift that makes up a DriftReport.
#include <algorithm>
#include <cmath>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <thread>

#include "monitor/feature_plots.h"
#include "vigil/drift_report.h"

namespace vigil {
namespace {

std::vector<double> reference_edges(const Column& col, std::size_t bins) {
  double lo = INFINITY, hi = -INFINITY;
  std::size_t n = 0;
  for (double v : col.numbers)
    if (std::isfinite(v)) {
      lo = std::min(lo, v);
      hi = std::max(hi, v);
      ++n;
    }
  if (n == 0) return {};
  return reference_bin_edges(lo, hi, n, bins);
}

std::size_t numeric_distinct(const NumericSummary& s) { return s.many_values() ? 6 : s.few_values().size(); }

std::map<std::string, double, std::less<>> few_value_counts(const NumericSummary& s) {
  std::map<std::string, double, std::less<>> out;
  for (const auto& [v, c] : s.few_values()) out[detail::label_number(v)] += static_cast<double>(c);
  return out;
}

std::map<std::string, double, std::less<>> category_counts(const CategoricalSummary& s) {
  std::map<std::string, double, std::less<>> out;
  for (const auto& [k, c] : s.counts()) out[k] = static_cast<double>(c);
  return out;
}


// KS or Wasserstein exactly from few-value counts (both sides with at most
// five distinct values): the CDFs are step functions known at every step.
StatisticRange few_values_statistic(DriftMethod m, const NumericSummary& a, const NumericSummary& b) {
  std::map<double, std::pair<double, double>> steps;  // value -> (count a, count b)
  double na = 0, nb = 0;
  for (const auto& [v, c] : a.few_values())
    if (std::isfinite(v)) steps[v].first += static_cast<double>(c), na += static_cast<double>(c);
  for (const auto& [v, c] : b.few_values())
    if (std::isfinite(v)) steps[v].second += static_cast<double>(c), nb += static_cast<double>(c);
  if (na == 0 || nb == 0) return {};
  double fa = 0, fb = 0, result = 0, prev = 0;
  bool first = true;
  for (const auto& [v, counts] : steps) {
    if (m == DriftMethod::kWasserstein && !first) result += std::fabs(fa - fb) * (v - prev);
    fa += counts.first / na;
    fb += counts.second / nb;
    if (m == DriftMethod::kKs) result = std::max(result, std::fabs(fa - fb));
    prev = v;
    first = false;
  }
  return {result, result, result};
}

// KS and Wasserstein from the grids, with the range exact mode would give.
DriftResult grid_drift(DriftMethod m, const NumericSummary& ref, const NumericSummary& cur, const DriftOptions& o) {
  DriftResult r;
  r.method = m;
  r.threshold = o.threshold.value_or(default_threshold(m));
  const bool few = !ref.many_values() && !cur.many_values();
  r.estimated = !few;
  StatisticRange e;
  if (few) e = few_values_statistic(m, ref, cur);
  if (m == DriftMethod::kKs) {
    if (!few) e = ks_statistic_range(ref, cur);
    auto p = [&](double d) { return stats::ks_2samp_p_value(d, ref.grid().count(), cur.grid().count()); };
    r.score = p(e.value), r.score_low = p(e.high), r.score_high = p(e.low);
  } else {
    if (!few) e = wasserstein_range(ref, cur);
    const double sd = ref.stddev();
    auto normed = [sd](double w) { return sd > 0 ? w / sd : (w > 0 ? INFINITY : 0.0); };
    r.score = normed(e.value), r.score_low = normed(e.low), r.score_high = normed(e.high);
  }
  r.statistic = e.value, r.statistic_low = e.low, r.statistic_high = e.high;
  r.drifted = drift_method_uses_p_value(m) ? r.score < r.threshold : r.score >= r.threshold;
  return r;
}

DriftResult numeric_drift(const FeatureProfile& ref, const FeatureProfile& cur, const DriftOptions& o,
                          const Column* ref_col, const Column* cur_col) {
  DriftMethod m = o.method;
  bool few = !ref.numeric.many_values();
  if (m == DriftMethod::kAuto) m = choose_drift_method(FeatureKind::kNumeric, ref.numeric.count(), numeric_distinct(ref.numeric));
  DriftOptions resolved{m, o.threshold, o.bins};
  switch (m) {
    case DriftMethod::kKs:
    case DriftMethod::kWasserstein: {
      // Every row when the tables are at hand, else the profiles' grids
      // (older profiles without one: their samples).
      bool tables = ref_col && ref_col->kind == FeatureKind::kNumeric && cur_col && cur_col->kind == FeatureKind::kNumeric;
      if (!tables && !ref.numeric.grid().empty() && !cur.numeric.grid().empty())
        return grid_drift(m, ref.numeric, cur.numeric, resolved);
      std::vector<double> r = ref_col && ref_col->kind == FeatureKind::kNumeric ? detail::sorted_finite(ref_col->numbers)
                                                                                 : detail::sorted_finite(ref.numeric.sample());
      std::vector<double> c = cur_col && cur_col->kind == FeatureKind::kNumeric ? detail::sorted_finite(cur_col->numbers)
                                                                                 : detail::sorted_finite(cur.numeric.sample());
      return detect_numeric_drift(r, c, resolved);
    }
    case DriftMethod::kChiSquare:
    case DriftMethod::kZTest:
      if (few && !cur.numeric.many_values())
        return detect_count_drift(few_value_counts(ref.numeric), few_value_counts(cur.numeric), resolved);
      [[fallthrough]];  // the current side has many values: compare the binned shares
    default: {
      const auto& rb = ref.numeric.bin_counts();
      const auto& cb = cur.numeric.bin_counts();
      if (rb.empty() || rb.size() != cb.size() || ref.numeric.bin_edges() != cur.numeric.bin_edges()) {
        std::vector<double> r = detail::sorted_finite(ref.numeric.sample()), c = detail::sorted_finite(cur.numeric.sample());
        return detect_numeric_drift(r, c, resolved);
      }
      std::map<std::string, double, std::less<>> rc, cc;
      for (std::size_t i = 0; i < rb.size(); ++i) {
        std::string key = std::to_string(1000 + i);  // keeps bin order under string sorting
        rc[key] = static_cast<double>(rb[i]);
        cc[key] = static_cast<double>(cb[i]);
      }
      if (m == DriftMethod::kChiSquare || m == DriftMethod::kZTest) resolved.method = DriftMethod::kChiSquare;
      return detect_count_drift(rc, cc, resolved);
    }
  }
}

}  // namespace

namespace {

FeatureProfile profile_column(const Column& col, const DatasetProfile* reference, std::size_t bins) {
  FeatureProfile f;
  f.name = col.name;
  f.kind = col.kind;
  f.type_errors = col.type_errors;
  f.first_type_error = col.first_type_error;
  f.first_type_error_line = col.first_type_error_line;
  if (col.kind == FeatureKind::kNumeric) {
    std::vector<double> edges;
    if (reference) {
      auto it = reference->features.find(col.name);
      if (it != reference->features.end() && it->second.kind == FeatureKind::kNumeric) edges = it->second.numeric.bin_edges();
    } else {
      edges = reference_edges(col, bins);
    }
    if (!edges.empty()) f.numeric.set_bins(std::move(edges));
    for (double v : col.numbers) f.numeric.add(v);
  } else {
    for (std::int32_t code : col.codes) {
      if (code < 0) f.categorical.add_missing();
      else f.categorical.add(col.dictionary[static_cast<std::size_t>(code)]);
    }
  }
  return f;
}

}  // namespace

DatasetProfile profile_table(const Table& table, const DatasetProfile* reference, std::size_t bins, unsigned threads) {
  std::vector<FeatureProfile> columns(table.columns.size());
  std::atomic<std::size_t> next{0};
  auto work = [&] {
    for (std::size_t i; (i = next.fetch_add(1)) < columns.size();)
      columns[i] = profile_column(table.columns[i], reference, bins);
  };
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < std::min<std::size_t>(threads, columns.size()); ++t) pool.emplace_back(work);
  work();
  for (auto& t : pool) t.join();
  DatasetProfile p;
  p.rows = table.rows;
  for (const auto& c : table.columns) p.columns.push_back(c.name);
  for (auto& f : columns) p.features.emplace(f.name, std::move(f));
  return p;
}

DatasetProfile binning_profile(const std::map<std::string, std::vector<double>, std::less<>>& edges) {
  DatasetProfile p;
  for (const auto& [name, e] : edges) {
    FeatureProfile f;  // numeric by default
    f.name = name;
    if (!e.empty()) f.numeric.set_bins(e);
    p.features.emplace(name, std::move(f));
  }
  return p;
}

DatasetProfile binning_profile(const DatasetProfile& profile) {
  std::map<std::string, std::vector<double>, std::less<>> edges;
  for (const auto& [name, f] : profile.features)
    if (f.kind == FeatureKind::kNumeric) edges[name] = f.numeric.bin_edges();
  return binning_profile(edges);
}

std::vector<QualityCheck> check_quality(const DatasetProfile& ref, const DatasetProfile& cur, const QualityOptions& o) {
  std::vector<QualityCheck> out;
  for (const auto& [name, f] : ref.features)
    if (!cur.features.count(name))
      out.push_back({"missing_feature", name, 1, 0, true, "in the reference, absent from the current data"});
  for (const auto& [name, f] : cur.features)
    if (!ref.features.count(name))
      out.push_back({"extra_feature", name, 1, 0, true, "in the current data, absent from the reference"});
  for (const auto& [name, r] : ref.features) {
    auto it = cur.features.find(name);
    if (it == cur.features.end()) continue;
    const FeatureProfile& c = it->second;
    double rows = static_cast<double>(std::max<std::uint64_t>(c.rows(), 1));
    auto missing_of = [](const FeatureProfile& f) {
      return f.kind == FeatureKind::kNumeric ? f.numeric.missing() : f.categorical.missing();
    };
    double ref_missing = static_cast<double>(missing_of(r)) / static_cast<double>(std::max<std::uint64_t>(r.rows(), 1));
    double cur_missing = static_cast<double>(missing_of(c)) / rows;
    out.push_back({"missing_rate_jump", name, missing_of(c), cur_missing, cur_missing - ref_missing > o.missing_rate_jump,
                   "missing " + detail::label_number(100 * ref_missing) + "% in the reference, " + detail::label_number(100 * cur_missing) + "% now"});
    if (r.kind != c.kind) {
      out.push_back({"type_errors", name, c.rows(), 1.0, true, "numeric on one side, categorical on the other"});
      continue;
    }
    if (r.kind == FeatureKind::kNumeric) {
      const auto& cb = c.numeric.bin_counts();
      std::uint64_t outside = 0;
      if (!cb.empty() && c.numeric.bin_edges() == r.numeric.bin_edges()) {
        outside = cb.front() + cb.back();
      }
      double share = static_cast<double>(outside) / rows;
      out.push_back({"out_of_range", name, outside, share, share > o.out_of_range_share,
                     "outside the reference range [" + detail::label_number(r.numeric.min()) + ", " + detail::label_number(r.numeric.max()) + "]"});
      out.push_back({"type_errors", name, c.type_errors, static_cast<double>(c.type_errors) / rows, c.type_errors > 0,
                     "values that are not numbers"});
      bool ref_varies = numeric_distinct(r.numeric) > 1, cur_constant = c.numeric.count() > 0 && numeric_distinct(c.numeric) == 1;
      out.push_back({"constant_column", name, cur_constant ? c.numeric.count() : 0, cur_constant ? 1.0 : 0.0,
                     ref_varies && cur_constant, "a single value in the current data"});
    } else {
      std::uint64_t unseen = 0;
      std::size_t unseen_kinds = 0;
      if (r.categorical.exact())
        for (const auto& [k, n] : c.categorical.counts())
          if (!r.categorical.counts().count(k)) {
            unseen += n;
            ++unseen_kinds;
          }
      double share = static_cast<double>(unseen) / rows;
      out.push_back({"unseen_categories", name, unseen, share, unseen > 0 && share > o.unseen_category_share,
                     std::to_string(unseen_kinds) + " categories never seen in the reference"});
      bool ref_varies = r.categorical.distinct() > 1, cur_constant = c.categorical.count() > 0 && c.categorical.distinct() <= 1;
      out.push_back({"constant_column", name, cur_constant ? c.categorical.count() : 0, cur_constant ? 1.0 : 0.0,
                     ref_varies && cur_constant, "a single value in the current data"});
    }
  }
  return out;
}

DriftReport compare(const DatasetProfile& ref, const DatasetProfile& cur, const CompareOptions& o,
                    const Table* ref_table, const Table* cur_table) {
  DriftReport report;
  report.reference_rows = ref.rows;
  report.current_rows = cur.rows;
  report.dataset_drift_threshold = o.dataset_drift_share;
  report.quality = check_quality(ref, cur, o.quality);
  // Column order of the reference table when there is one.
  std::vector<std::string> order;
  if (ref_table)
    for (const auto& c : ref_table->columns) order.push_back(c.name);
  else if (!ref.columns.empty())
    order = ref.columns;
  for (const auto& [name, f] : ref.features)  // columns the order does not name go last
    if (std::find(order.begin(), order.end(), name) == order.end()) order.push_back(name);
  // Features that can be compared, then each compared on its own (in
  // parallel when asked: sorting full columns dominates large batch runs).
  std::vector<std::pair<const FeatureProfile*, const FeatureProfile*>> pairs;
  for (const auto& name : order) {
    auto r = ref.features.find(name);
    auto c = cur.features.find(name);
    if (r == ref.features.end() || c == cur.features.end() || r->second.kind != c->second.kind) continue;
    pairs.emplace_back(&r->second, &c->second);
  }
  std::vector<FeatureDrift> results(pairs.size());
  auto work = [&](std::size_t i) {
    const FeatureProfile& rp = *pairs[i].first;
    const FeatureProfile& cp = *pairs[i].second;
    FeatureDrift& fd = results[i];
    fd.name = rp.name;
    fd.kind = rp.kind;
    bool output = fd.name == o.prediction || std::find(o.outputs.begin(), o.outputs.end(), fd.name) != o.outputs.end();
    fd.role = fd.name == o.target ? "target" : output ? "prediction" : "feature";
    auto ov = o.per_feature.find(fd.name);
    const DriftOptions& opts = ov != o.per_feature.end() ? ov->second : o.defaults;
    if (fd.kind == FeatureKind::kNumeric) {
      const Column* ref_col = ref_table ? ref_table->find(fd.name) : nullptr;
      const Column* cur_col = cur_table ? cur_table->find(fd.name) : nullptr;
      fd.drift = numeric_drift(rp, cp, opts, ref_col, cur_col);
      detail::plot_numeric(fd, rp, cp, ref_col, cur_col);
    } else {
      fd.drift = detect_count_drift(category_counts(rp.categorical), category_counts(cp.categorical), opts);
      detail::plot_categorical(fd, rp, cp);
    }
  };
  unsigned threads = std::max(1u, std::min<unsigned>(o.threads, static_cast<unsigned>(pairs.size())));
  if (threads == 1) {
    for (std::size_t i = 0; i < pairs.size(); ++i) work(i);
  } else {
    std::atomic<std::size_t> next{0};
    std::vector<std::thread> pool;
    for (unsigned t = 0; t < threads; ++t)
      pool.emplace_back([&] {
        for (std::size_t i; (i = next.fetch_add(1)) < pairs.size();) work(i);
      });
    for (auto& th : pool) th.join();
  }
  for (auto& fd : results) {
    if (fd.role == "feature") {
      ++report.features_checked;
      report.features_drifted += fd.drift.drifted;
    }
    report.features.push_back(std::move(fd));
  }
  report.drift_share = report.features_checked
                           ? static_cast<double>(report.features_drifted) / static_cast<double>(report.features_checked)
                           : 0.0;
  report.dataset_drift = report.features_checked > 0 && report.drift_share >= o.dataset_drift_share;
  return report;
}

}  // namespace vigil
