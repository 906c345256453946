#include "alert/alerting.h"

#include "alert/model_alerts.h"

namespace vigil::alert {

Alerting::Alerting(AlertingOptions options, store::Store& store, const SlosByModel& slos, Registry& registry)
    : log_rules_(std::move(options.log_rules), store, book_, &registry),
      metric_rules_(std::move(options.metric_rules), registry, book_),
      slos_(slos),
      notifier_(std::move(options.notifier)) {}

std::size_t Alerting::evaluate(std::int64_t now) {
  std::lock_guard lock(evaluating_);
  metric_rules_.evaluate(now);
  record_slo_alerts(slos_, book_, now);
  log_rules_.evaluate(now);
  std::vector<Alert> transitions = book_.take_transitions();
  notifier_.notify(book_.alerts(), transitions, now);
  return transitions.size();
}

void Alerting::on_window(const DriftEvaluation& evaluation) { record_window_alerts(evaluation, book_); }

}  // namespace vigil::alert
