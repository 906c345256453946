#include "alert/metric_alerts.h"

#include <set>

#include "vigil/metrics.h"

namespace vigil::alert {
namespace {

using Labels = std::map<std::string, std::string>;

Labels labels_of(const MetricFamilySnapshot& f, const SeriesSnapshot& series) {
  Labels labels;
  for (std::size_t i = 0; i < f.label_names.size() && i < series.label_values.size(); ++i)
    labels[f.label_names[i]] = series.label_values[i];
  return labels;
}

bool includes(const Labels& labels, const Labels& wanted) {
  for (const auto& [k, v] : wanted) {
    auto it = labels.find(k);
    if (it == labels.end() || it->second != v) return false;
  }
  return true;
}

std::string series_key(const MetricAlertRule& rule, const Labels& labels) {
  std::string key = "metric/" + rule.name;
  for (const auto& [k, v] : labels) key += "/" + k + "=" + v;
  return key;
}

AlertFacts facts_of(const MetricAlertRule& rule, Labels labels, double value) {
  std::string query = rule.metric + " " + std::string(comparison_text(rule.op)) + " " + std::to_string(rule.threshold);
  std::string summary =
      rule.summary.empty() ? rule.name + ": " + rule.metric + " is " + std::to_string(value) : rule.summary;
  return {.name = rule.name,
          .kind = AlertKind::kMetric,
          .severity = rule.severity,
          .labels = std::move(labels),
          .summary = std::move(summary),
          .query = std::move(query),
          .value = value,
          .threshold = rule.threshold};
}

}  // namespace

std::optional<Comparison> parse_comparison(std::string_view text) {
  if (text == ">") return Comparison::kGreater;
  if (text == ">=") return Comparison::kGreaterEqual;
  if (text == "<") return Comparison::kLess;
  if (text == "<=") return Comparison::kLessEqual;
  return std::nullopt;
}

std::string_view comparison_text(Comparison op) {
  switch (op) {
    case Comparison::kGreater: return ">";
    case Comparison::kGreaterEqual: return ">=";
    case Comparison::kLess: return "<";
    case Comparison::kLessEqual: return "<=";
  }
  return ">";
}

bool holds(Comparison op, double value, double threshold) {
  switch (op) {
    case Comparison::kGreater: return value > threshold;
    case Comparison::kGreaterEqual: return value >= threshold;
    case Comparison::kLess: return value < threshold;
    case Comparison::kLessEqual: return value <= threshold;
  }
  return false;
}

void MetricAlertEvaluator::evaluate(std::int64_t now) {
  if (rules_.empty()) return;
  std::vector<MetricFamilySnapshot> families = registry_.gather();
  std::set<std::string> seen;
  for (const auto& rule : rules_) {
    for (const auto& f : families) {
      if (f.name != rule.metric && f.name + "_total" != rule.metric) continue;
      for (const auto& series : f.series) {
        Labels labels = labels_of(f, series);
        if (!includes(labels, rule.labels)) continue;
        std::string key = series_key(rule, labels);
        seen.insert(key);
        book_.observe(key, facts_of(rule, std::move(labels), series.value), holds(rule.op, series.value, rule.threshold),
                      rule.for_duration, now);
      }
    }
  }
  book_.sweep(AlertKind::kMetric, seen, now);
}

}  // namespace vigil::alert
