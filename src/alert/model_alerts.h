// The alerts a model's closed window raises, in the AlertBook:
// ModelDriftDetected (dataset drift), FeatureDriftDetected (any feature
// drifted) and DataQualityBreach (any failed check), one of each per model,
// firing while the model's last evaluated window says so; and the SLO
// burn-rate alerts of the SLOs kept from prediction events.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "alert/alert_book.h"

namespace vigil {
struct DriftEvaluation;
class SloMonitor;
}  // namespace vigil

namespace vigil::alert {

// The SLOs the daemon keeps from prediction events, by model.
using SlosByModel = std::map<std::string, std::unique_ptr<SloMonitor>, std::less<>>;

// Called for every evaluated window; the window's end is the evaluation time.
void record_window_alerts(const DriftEvaluation& evaluation, AlertBook& book);

// One pass over every SLO's burn-rate alerts (SRE workbook windows), keyed
// by model, severity and long window.
void record_slo_alerts(const SlosByModel& slos, AlertBook& book, std::int64_t now_ns);

}  // namespace vigil::alert
