// Sends alert states to Alertmanager (POST /api/v2/alerts) and to generic
// webhooks, the way Prometheus does: firing alerts are re-sent on every
// evaluation with endsAt a few intervals ahead (so Alertmanager keeps them
// while we keep saying so), resolved ones once with endsAt = now.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "alert/alert_book.h"

namespace vigil {
class Registry;
}

namespace vigil::alert {

struct NotifierOptions {
  std::vector<std::string> alertmanager_urls;  // e.g. http://127.0.0.1:9093
  std::vector<std::string> webhook_urls;       // receive the same JSON array
  std::chrono::seconds resend_validity{180};   // endsAt of firing alerts = now + this
  std::string generator_url;                   // link back to the daemon's alert API
  Registry* registry = nullptr;                // vigil_alert_notifications_total{target, outcome}
};

class Notifier {
 public:
  explicit Notifier(NotifierOptions options);
  ~Notifier();
  // `alerts` is every alert's current state (the firing ones are sent);
  // `transitions` the ones that started or stopped firing since the last
  // call (the stopped ones are sent once as resolved). Returns false if any
  // target failed (counted); sends nothing when no target is configured.
  bool notify(const std::vector<Alert>& alerts, const std::vector<Alert>& transitions, std::int64_t now_ns);
  bool enabled() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace vigil::alert
