#include "alert/log_alerts.h"

#include "vigil/metrics.h"

namespace vigil::alert {

LogAlertEvaluator::LogAlertEvaluator(std::vector<LogAlertRule> rules, store::Store& store, Registry* registry)
    : store_(store) {
  Family<Gauge>* firing = nullptr;
  Family<Gauge>* value = nullptr;
  if (registry) {
    firing = &registry->gauge({.name = "vigil_log_alert_firing",
                               .help = "1 while the log-based alert fires.",
                               .labels = {"alertname", "severity"}});
    value = &registry->gauge({.name = "vigil_log_alert_matches",
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
    rule.state.name = r.name;
    rule.state.severity = r.severity;
    rule.state.summary = r.summary;
    rule.state.query = r.query;
    rule.state.threshold = r.threshold;
    if (firing) {
      rule.firing = &firing->labels({r.name, r.severity});
      rule.value = &value->labels({r.name});
      rule.firing->set(0);
    }
    rule.rule = std::move(r);
    rules_.push_back(std::move(rule));
  }
}

std::vector<AlertState> LogAlertEvaluator::evaluate(std::int64_t now) {
  std::vector<AlertState> changed;
  for (auto& r : rules_) {
    std::int64_t window = std::chrono::duration_cast<std::chrono::nanoseconds>(r.rule.window).count();
    double count = static_cast<double>(store_.count_logs(r.query, now - window, now));
    std::lock_guard lock(mu_);
    AlertState& s = r.state;
    s.value = count;
    s.last_eval_ns = now;
    std::string before = s.state;
    if (count > r.rule.threshold) {
      if (s.state == "inactive") {
        s.active_since_ns = now;
        s.state = "pending";
      }
      std::int64_t hold = std::chrono::duration_cast<std::chrono::nanoseconds>(r.rule.for_duration).count();
      if (s.state == "pending" && now - s.active_since_ns >= hold) s.state = "firing";
    } else {
      s.state = "inactive";
      s.active_since_ns = 0;
    }
    if (r.firing) {
      r.firing->set(s.state == "firing" ? 1 : 0);
      r.value->set(count);
    }
    if ((before == "firing") != (s.state == "firing")) changed.push_back(s);
  }
  return changed;
}

std::vector<AlertState> LogAlertEvaluator::states() const {
  std::lock_guard lock(mu_);
  std::vector<AlertState> out;
  for (const auto& r : rules_) out.push_back(r.state);
  return out;
}

}  // namespace vigil::alert
