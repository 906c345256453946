#include "alert/alerting.h"

#include "alert/model_alerts.h"
#include "store/store.h"

namespace vigil::alert {

Alerting::Alerting(AlertingOptions options, store::Store& store, const SlosByModel& slos, Registry& registry)
    : store_(store),
      log_rules_(std::move(options.log_rules), store, book_, &registry),
      metric_rules_(std::move(options.metric_rules), registry, book_),
      slos_(slos),
      notifier_(std::move(options.notifier)) {}

namespace {

// Built in: the store cannot commit, so receivers refuse data with 503.
void record_store_alert(const std::string& failure, AlertBook& book, std::int64_t now) {
  AlertFacts facts{.name = "StoreWriteFailing",
                   .kind = AlertKind::kStore,
                   .severity = "critical",
                   .summary = "vigil's store cannot write (" + failure +
                              "): receivers answer 503 and clients keep their data until it recovers",
                   .value = failure.empty() ? 0.0 : 1.0};
  book.observe("store/StoreWriteFailing", std::move(facts), !failure.empty(), std::chrono::nanoseconds(0), now);
}

}  // namespace

std::size_t Alerting::evaluate(std::int64_t now) {
  std::lock_guard lock(evaluating_);
  record_store_alert(store_.failure(), book_, now);
  metric_rules_.evaluate(now);
  record_slo_alerts(slos_, book_, now);
  log_rules_.evaluate(now);
  std::vector<Alert> transitions = book_.take_transitions();
  notifier_.notify(book_.alerts(), transitions, now);
  return transitions.size();
}

void Alerting::on_window(const DriftEvaluation& evaluation) { record_window_alerts(evaluation, book_); }

}  // namespace vigil::alert
