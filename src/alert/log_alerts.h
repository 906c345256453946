// Log-based alert rules: the count of log records matching a query over a
// window, compared with a threshold, evaluated periodically against the
// store. Phases live in the AlertBook; the rules' own gauges
// (vigil_log_alert_*) mirror them for Prometheus.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "alert/alert_book.h"
#include "store/log_query.h"

namespace vigil {
class Registry;
class Gauge;
}  // namespace vigil

namespace vigil::store {
class Store;
}

namespace vigil::alert {

struct LogAlertRule {
  std::string name;
  std::string query;  // log query language, e.g. {service="ranker", level="error"} |= "timeout"
  std::chrono::seconds window{300};
  double threshold = 0;                  // fires when the count is above this
  std::chrono::seconds for_duration{0};  // must hold this long before firing
  std::string severity = "warning";
  std::string summary;
};

class LogAlertEvaluator {
 public:
  // Throws store::QueryError naming the rule when a query does not parse.
  // Every rule is entered in `book` as inactive at once, so the alert list
  // shows configured rules before their first evaluation.
  LogAlertEvaluator(std::vector<LogAlertRule> rules, store::Store& store, AlertBook& book, Registry* registry);
  // Counts every rule's matches in its window ending at `now` and records
  // the outcome in the book.
  void evaluate(std::int64_t now_ns);

 private:
  struct Rule {
    LogAlertRule rule;
    store::LogQuery query;
    Gauge* firing = nullptr;
    Gauge* matches = nullptr;
  };
  AlertFacts facts(const Rule& r, double count) const;

  store::Store& store_;
  AlertBook& book_;
  std::vector<Rule> rules_;
};

}  // namespace vigil::alert
