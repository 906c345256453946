// DriftReport as JSON (the machine-readable half of `vigil drift`).
#include <cmath>
#include <nlohmann/json.hpp>

#include "vigil/drift_report.h"

namespace vigil {
namespace {

using nlohmann::json;

json number(double v) {
  if (std::isfinite(v)) return v;
  return std::isnan(v) ? json("nan") : json(v > 0 ? "inf" : "-inf");
}

json number_map(const std::map<std::string, double>& m) {
  json out = json::object();
  for (const auto& [k, v] : m) out[k] = number(v);
  return out;
}

}  // namespace

std::string DriftReport::to_json() const {
  json features_json = json::array();
  for (const auto& f : features) {
    json labels = f.labels, ref = json::array(), cur = json::array();
    for (double v : f.reference_share) ref.push_back(number(v));
    for (double v : f.current_share) cur.push_back(number(v));
    features_json.push_back({{"name", f.name},
                             {"kind", f.kind == FeatureKind::kNumeric ? "numeric" : "categorical"},
                             {"role", f.role},
                             {"method", drift_method_name(f.drift.method)},
                             {"score", number(f.drift.score)},
                             {"statistic", number(f.drift.statistic)},
                             {"threshold", number(f.drift.threshold)},
                             {"score_is_p_value", drift_method_uses_p_value(f.drift.method)},
                             {"drifted", f.drift.drifted},
                             {"reference_stats", number_map(f.reference_stats)},
                             {"current_stats", number_map(f.current_stats)},
                             {"distribution", {{"labels", labels}, {"reference", ref}, {"current", cur}}}});
    if (f.drift.estimated) {
      const bool low_drifts = drift_method_uses_p_value(f.drift.method) ? f.drift.score_low < f.drift.threshold
                                                                         : f.drift.score_low >= f.drift.threshold;
      const bool high_drifts = drift_method_uses_p_value(f.drift.method) ? f.drift.score_high < f.drift.threshold
                                                                          : f.drift.score_high >= f.drift.threshold;
      features_json.back()["exact_range"] = {
          {"statistic", {number(f.drift.statistic_low), number(f.drift.statistic_high)}},
          {"score", {number(f.drift.score_low), number(f.drift.score_high)}},
          {"verdict_certain", low_drifts == high_drifts}};
    }
    if (f.kind == FeatureKind::kNumeric)
      features_json.back()["quantiles"] =
          f.exact_quantiles ? "exact: linear interpolation between order statistics (numpy.quantile's default)"
                            : "sketch estimate, rounded to 3 significant digits (±1 % relative)";
  }
  json quality_json = json::array();
  std::size_t failed = 0;
  for (const auto& q : quality) {
    failed += q.failed;
    quality_json.push_back({{"check", q.check},
                            {"feature", q.feature},
                            {"count", q.count},
                            {"share", number(q.share)},
                            {"failed", q.failed},
                            {"detail", q.detail}});
  }
  json j = {{"mode", mode},
            {"reference", {{"name", reference_name}, {"rows", reference_rows}}},
            {"current", {{"name", current_name}, {"rows", current_rows}}},
            {"dataset_drift",
             {{"detected", dataset_drift},
              {"drifted_features", features_drifted},
              {"checked_features", features_checked},
              {"share", number(drift_share)},
              {"threshold", number(dataset_drift_threshold)}}},
            {"features", std::move(features_json)},
            {"data_quality", {{"failed", failed}, {"checks", std::move(quality_json)}}}};
  return j.dump(2, ' ', false, json::error_handler_t::replace);
}

}  // namespace vigil
