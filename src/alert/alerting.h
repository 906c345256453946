// Everything the daemon alerts on, in one place: the alert book, the log
// and metric rules evaluated into it, the SLO burn-rate alerts and the
// windows' drift and quality verdicts, and the notifier that tells
// Alertmanager and webhooks about it.
#pragma once

#include <mutex>
#include <vector>

#include "alert/log_alerts.h"
#include "alert/metric_alerts.h"
#include "alert/model_alerts.h"
#include "alert/notifier.h"

namespace vigil::alert {

struct AlertingOptions {
  std::vector<LogAlertRule> log_rules;
  std::vector<MetricAlertRule> metric_rules;
  NotifierOptions notifier;
};

class Alerting {
 public:
  // Borrows the store, the SLOs and the registry (metric rules read it;
  // self-metrics go to it). Throws store::QueryError on a bad log rule.
  Alerting(AlertingOptions options, store::Store& store, const SlosByModel& slos, Registry& registry);

  // One evaluation of every rule at `now`, then one notification round.
  // Returns how many alerts started or stopped firing since the last call.
  std::size_t evaluate(std::int64_t now_ns);
  // A model's closed window: its drift and quality alerts follow its verdict.
  void on_window(const DriftEvaluation& evaluation);
  std::vector<Alert> alerts() const { return book_.alerts(); }

 private:
  AlertBook book_;
  store::Store& store_;
  LogAlertEvaluator log_rules_;
  MetricAlertEvaluator metric_rules_;
  const SlosByModel& slos_;
  Notifier notifier_;
  std::mutex evaluating_;  // the ticker and POST /api/v1/admin/evaluate take turns
};

}  // namespace vigil::alert
