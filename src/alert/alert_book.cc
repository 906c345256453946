#include "alert/alert_book.h"

#include <utility>

namespace vigil::alert {

std::string_view phase_name(AlertPhase phase) {
  switch (phase) {
    case AlertPhase::kInactive: return "inactive";
    case AlertPhase::kPending: return "pending";
    case AlertPhase::kFiring: return "firing";
    case AlertPhase::kResolved: return "resolved";
  }
  return "inactive";
}

std::string_view kind_name(AlertKind kind) {
  switch (kind) {
    case AlertKind::kLog: return "log";
    case AlertKind::kMetric: return "metric";
    case AlertKind::kDrift: return "drift";
    case AlertKind::kQuality: return "quality";
    case AlertKind::kSlo: return "slo";
    case AlertKind::kStore: return "store";
  }
  return "log";
}

bool advance(Alert& a, bool active, std::chrono::nanoseconds hold, std::int64_t now) {
  const bool was_firing = a.phase == AlertPhase::kFiring;
  a.last_eval_ns = now;
  if (active) {
    if (a.phase == AlertPhase::kInactive || a.phase == AlertPhase::kResolved) {
      a.phase = AlertPhase::kPending;
      a.active_since_ns = now;
    }
    if (a.phase == AlertPhase::kPending && now - a.active_since_ns >= hold.count()) a.phase = AlertPhase::kFiring;
  } else if (a.phase == AlertPhase::kFiring) {
    a.phase = AlertPhase::kResolved;  // active_since_ns stays: the resolution names the episode's start
  } else {
    a.phase = AlertPhase::kInactive;
    a.active_since_ns = 0;
  }
  return was_firing != (a.phase == AlertPhase::kFiring);
}

Alert AlertBook::observe(const std::string& key, AlertFacts facts, bool active, std::chrono::nanoseconds hold,
                         std::int64_t now) {
  std::lock_guard lock(mu_);
  Alert& a = alerts_[key];
  a.facts = std::move(facts);
  if (advance(a, active, hold, now)) transitions_.push_back(a);
  return a;
}

void AlertBook::sweep(AlertKind kind, const std::set<std::string>& seen, std::int64_t now) {
  std::lock_guard lock(mu_);
  for (auto& [key, a] : alerts_) {
    if (a.facts.kind != kind || seen.count(key) || a.phase == AlertPhase::kInactive) continue;
    if (advance(a, false, std::chrono::nanoseconds(0), now)) transitions_.push_back(a);
  }
}

std::vector<Alert> AlertBook::alerts() const {
  std::lock_guard lock(mu_);
  std::vector<Alert> out;
  out.reserve(alerts_.size());
  for (const auto& [key, a] : alerts_) out.push_back(a);
  return out;
}

std::vector<Alert> AlertBook::take_transitions() {
  std::lock_guard lock(mu_);
  return std::exchange(transitions_, {});
}

}  // namespace vigil::alert
