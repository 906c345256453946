#include "alert/log_alerts.h"

#include "store/store.h"
#include "vigil/metrics.h"

namespace vigil::alert {

LogAlertEvaluator::LogAlertEvaluator(std::vector<LogAlertRule> rules, store::Store& store, AlertBook& book,
                                     Registry* registry)
    : store_(store), book_(book) {
  Family<Gauge>* firing = nullptr;
  Family<Gauge>* matches = nullptr;
  if (registry) {
    firing = &registry->gauge({.name = "vigil_log_alert_firing",
                               .help = "1 while the log-based alert fires.",
                               .labels = {"alertname", "severity"}});
    matches = &registry->gauge({.name = "vigil_log_alert_matches",
                                .help = "Log records matching the alert's query in its window, at the last evaluation.",
                                .labels = {"alertname"}});
  }
  for (auto& r : rules) {
    Rule rule;
    try {
      rule.query = store::parse_log_query(r.query);
    } catch (const store::QueryError& e) {
      throw store::QueryError("log alert '" + r.name + "': " + e.what());
    }
    if (firing) {
      rule.firing = &firing->labels({r.name, r.severity});
      rule.matches = &matches->labels({r.name});
      rule.firing->set(0);
    }
    rule.rule = std::move(r);
    book_.observe("log/" + rule.rule.name, facts(rule, 0), false, std::chrono::nanoseconds(0), 0);
    rules_.push_back(std::move(rule));
  }
}

AlertFacts LogAlertEvaluator::facts(const Rule& r, double count) const {
  return {.name = r.rule.name,
          .kind = AlertKind::kLog,
          .severity = r.rule.severity,
          .summary = r.rule.summary,
          .query = r.rule.query,
          .value = count,
          .threshold = r.rule.threshold};
}

void LogAlertEvaluator::evaluate(std::int64_t now) {
  for (auto& r : rules_) {
    std::int64_t window = std::chrono::duration_cast<std::chrono::nanoseconds>(r.rule.window).count();
    double count = static_cast<double>(store_.count_logs(r.query, now - window, now));
    Alert a = book_.observe("log/" + r.rule.name, facts(r, count), count > r.rule.threshold, r.rule.for_duration, now);
    if (r.firing) {
      r.firing->set(a.phase == AlertPhase::kFiring ? 1 : 0);
      r.matches->set(count);
    }
  }
}

}  // namespace vigil::alert
