// Log-based alert rules: the count of log records matching a query over a
// window, compared with a threshold, evaluated periodically against the
// store. State is exposed as metrics (vigil_log_alert_*) and through
// states(); firing and resolving transitions go to a notifier (#7 sends them
// to Alertmanager).
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "store/log_query.h"
#include "store/store.h"

namespace vigil {
class Registry;
class Gauge;
}  // namespace vigil

namespace vigil::alert {

struct LogAlertRule {
  std::string name;
  std::string query;  // log query language, e.g. {service="ranker", level="error"} |= "timeout"
  std::chrono::seconds window{300};
  double threshold = 0;           // fires when the count is above this
  std::chrono::seconds for_duration{0};  // must hold this long before firing
  std::string severity = "warning";
  std::string summary;
};

struct AlertState {
  std::string name, severity, summary, query;
  std::string state = "inactive";  // inactive, pending, firing
  double value = 0;                // last count
  double threshold = 0;
  std::int64_t active_since_ns = 0, last_eval_ns = 0;
  std::string kind = "log";                      // log, drift, quality
  std::map<std::string, std::string> labels;     // extra labels (e.g. model)
};

class LogAlertEvaluator {
 public:
  // Throws store::QueryError naming the rule when a query does not parse.
  LogAlertEvaluator(std::vector<LogAlertRule> rules, store::Store& store, Registry* registry);
  // One evaluation of every rule at `now`; returns the rules whose state
  // changed to or from firing.
  std::vector<AlertState> evaluate(std::int64_t now_ns);
  std::vector<AlertState> states() const;

 private:
  struct Rule {
    LogAlertRule rule;
    store::LogQuery query;
    AlertState state;
    Gauge* firing = nullptr;
    Gauge* value = nullptr;
  };
  store::Store& store_;
  mutable std::mutex mu_;
  std::vector<Rule> rules_;
};

}  // namespace vigil::alert
