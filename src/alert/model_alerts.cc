#include "alert/model_alerts.h"

#include "vigil/monitor.h"
#include "vigil/slo.h"

namespace vigil::alert {
namespace {

std::string joined(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

void record(AlertBook& book, const DriftEvaluation& ev, std::string name, AlertKind kind, bool firing, double value,
            std::string summary) {
  std::string key = std::string(kind_name(kind)) + "/" + name + "/" + ev.model;
  AlertFacts facts{.name = std::move(name),
                   .kind = kind,
                   .labels = {{"model", ev.model}},
                   .summary = std::move(summary),
                   .value = value};
  book.observe(key, std::move(facts), firing, std::chrono::nanoseconds(0),
               static_cast<std::int64_t>(ev.window_end_unix_nano));
}

std::string window_text(std::chrono::seconds s) { return std::to_string(s.count()) + "s"; }

}  // namespace

void record_window_alerts(const DriftEvaluation& ev, AlertBook& book) {
  std::vector<std::string> drifted;
  for (const auto& f : ev.report.features)
    if (f.role == "feature" && f.drift.drifted) drifted.push_back(f.name);
  std::string features = joined(drifted);
  record(book, ev, "ModelDriftDetected", AlertKind::kDrift, ev.report.dataset_drift, ev.report.drift_share,
         ev.model + ": dataset drift (" + features + ")");
  record(book, ev, "FeatureDriftDetected", AlertKind::kDrift, !drifted.empty(), static_cast<double>(drifted.size()),
         ev.model + ": drifted features: " + features);
  record(book, ev, "DataQualityBreach", AlertKind::kQuality, !ev.failed_checks.empty(),
         static_cast<double>(ev.failed_checks.size()), ev.model + ": " + joined(ev.failed_checks));
}

void record_slo_alerts(const SlosByModel& slos, AlertBook& book, std::int64_t now) {
  for (const auto& [model, monitor] : slos) {
    SloStatus st = monitor->status();
    for (const auto& a : st.alerts) {
      std::string key = "slo/" + model + "/" + a.severity + "/" + std::to_string(a.long_window.count());
      AlertFacts facts{.name = "SLOErrorBudgetBurn",
                       .kind = AlertKind::kSlo,
                       .severity = a.severity,
                       .labels = {{"model", model},
                                  {"slo", st.name},
                                  {"windows", window_text(a.long_window) + "/" + window_text(a.short_window)}},
                       .summary = model + ": error budget burning faster than " + std::to_string(a.factor) +
                                  "x (budget left " + std::to_string(100 * st.budget_remaining) + "%)",
                       .value = a.factor,
                       .threshold = a.factor};
      book.observe(key, std::move(facts), a.firing, std::chrono::nanoseconds(0), now);
    }
  }
}

}  // namespace vigil::alert
