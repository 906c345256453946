// The daemon's one book of alerts: log, metric, drift, quality and SLO
// alerts all move through the same phases by the same transition function,
// so "firing", "for" and "resolved" mean one thing whatever raised them.
//
//   inactive --active--> pending --held for `for`--> firing --inactive--> resolved --> inactive
//                           |                                    ^  (a resolution is notified once)
//                           +------inactive------> inactive      +-- active again: re-fires via pending
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace vigil::alert {

enum class AlertPhase { kInactive, kPending, kFiring, kResolved };
std::string_view phase_name(AlertPhase phase);  // "inactive", "pending", "firing", "resolved"

enum class AlertKind { kLog, kMetric, kDrift, kQuality, kSlo, kStore };
std::string_view kind_name(AlertKind kind);  // "log", "metric", "drift", "quality", "slo", "store"

// What an evaluation says about one alert: its identity and latest figures.
struct AlertFacts {
  std::string name;
  AlertKind kind = AlertKind::kLog;
  std::string severity = "warning";
  std::map<std::string, std::string> labels;  // besides alertname and severity (e.g. model)
  std::string summary, query;
  double value = 0, threshold = 0;
};

struct Alert {
  AlertFacts facts;
  AlertPhase phase = AlertPhase::kInactive;
  std::int64_t active_since_ns = 0;  // start of the current pending/firing episode (kept on resolve)
  std::int64_t last_eval_ns = 0;
};

// One step of the state machine. `active` is whether the condition holds at
// `now`; `hold` is how long it must hold before the alert fires (0 = at
// once). Returns true when the alert started or stopped firing, the two
// transitions a notifier must hear about.
bool advance(Alert& alert, bool active, std::chrono::nanoseconds hold, std::int64_t now_ns);

// Thread-safe. Alerts are keyed by a caller-chosen string that names the
// rule and series (e.g. "metric/LowAccuracy/model=fraud").
class AlertBook {
 public:
  // Records one evaluation of `key` (created inactive on first sight) and
  // returns its state after the step.
  Alert observe(const std::string& key, AlertFacts facts, bool active, std::chrono::nanoseconds hold,
                std::int64_t now_ns);
  // Every alert of `kind` whose key is not in `seen` is observed inactive:
  // a series that vanished resolves instead of firing forever.
  void sweep(AlertKind kind, const std::set<std::string>& seen, std::int64_t now_ns);

  // Every alert, in key order.
  std::vector<Alert> alerts() const;
  // The alerts that started or stopped firing since the last call, each
  // once, in the order it happened; the notifier sends the resolved ones.
  std::vector<Alert> take_transitions();

 private:
  mutable std::mutex mu_;
  std::map<std::string, Alert, std::less<>> alerts_;
  std::vector<Alert> transitions_;
};

}  // namespace vigil::alert
