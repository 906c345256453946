// Threshold rules on the daemon's own metrics (vigil_model_*, vigil_store_*,
// ...), evaluated in process: every series of `metric` whose labels include
// `labels` is compared with `threshold`, one alert per series.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "alert/alert_book.h"

namespace vigil {
class Registry;
}

namespace vigil::alert {

enum class Comparison { kGreater, kGreaterEqual, kLess, kLessEqual };
// ">", ">=", "<", "<="; nullopt for anything else (parsed once, at config load).
std::optional<Comparison> parse_comparison(std::string_view text);
std::string_view comparison_text(Comparison op);
bool holds(Comparison op, double value, double threshold);

struct MetricAlertRule {
  std::string name;
  std::string metric;  // counters with or without _total
  std::map<std::string, std::string> labels;
  Comparison op = Comparison::kGreater;
  double threshold = 0;
  std::chrono::seconds for_duration{0};
  std::string severity = "warning";
  std::string summary;
};

class MetricAlertEvaluator {
 public:
  MetricAlertEvaluator(std::vector<MetricAlertRule> rules, Registry& registry, AlertBook& book)
      : rules_(std::move(rules)), registry_(registry), book_(book) {}
  // One pass over a snapshot of the registry; series that vanished resolve.
  void evaluate(std::int64_t now_ns);

 private:
  std::vector<MetricAlertRule> rules_;
  Registry& registry_;
  AlertBook& book_;
};

}  // namespace vigil::alert
