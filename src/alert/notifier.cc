#include "alert/notifier.h"

#include <httplib.h>

#include <ctime>
#include <nlohmann/json.hpp>

#include "vigil/log.h"
#include "vigil/metrics.h"

namespace vigil::alert {
namespace {

using nlohmann::json;

std::string rfc3339(std::int64_t ns) {
  std::string out;
  append_rfc3339_nanos(out, static_cast<std::uint64_t>(ns));
  return out;
}

json alert_json(const Alert& alert, std::int64_t starts, std::int64_t ends, const std::string& generator) {
  const AlertFacts& a = alert.facts;
  json labels = {{"alertname", a.name}, {"severity", a.severity}, {"source", "vigil"}, {"kind", kind_name(a.kind)}};
  for (const auto& [k, v] : a.labels) labels[k] = v;
  json annotations = {{"summary", a.summary.empty() ? a.name + ": " + std::to_string(static_cast<long long>(a.value)) +
                                                          " matching log records" : a.summary},
                      {"value", std::to_string(a.value)},
                      {"threshold", std::to_string(a.threshold)}};
  if (!a.query.empty()) annotations["query"] = a.query;
  json j = {{"labels", labels}, {"annotations", annotations}, {"startsAt", rfc3339(starts)}, {"endsAt", rfc3339(ends)}};
  if (!generator.empty()) j["generatorURL"] = generator;
  return j;
}

// Splits "http://host:port/base" into a client and a path prefix.
struct Target {
  std::string base, path;
};
Target split(const std::string& url, const std::string& suffix) {
  auto scheme = url.find("://");
  auto slash = url.find('/', scheme == std::string::npos ? 0 : scheme + 3);
  if (slash == std::string::npos) return {url, suffix};
  std::string path = url.substr(slash);
  if (!suffix.empty() && path.back() == '/') path.pop_back();
  return {url.substr(0, slash), path + suffix};
}

}  // namespace

struct Notifier::Impl {
  NotifierOptions options;
  Family<Counter>* sent = nullptr;

  bool post(const std::string& url, const std::string& suffix, const std::string& body, const char* kind) {
    Target t = split(url, suffix);
    httplib::Client client(t.base);
    client.set_connection_timeout(std::chrono::seconds(3));
    client.set_read_timeout(std::chrono::seconds(5));
    client.set_tcp_nodelay(true);
    auto res = client.Post(t.path, body, "application/json");
    bool ok = res && res->status >= 200 && res->status < 300;
    if (sent) sent->labels({kind, ok ? "ok" : "failed"}).inc();
    if (!ok)
      std::fprintf(stderr, "vigil serve: alert notification to %s failed: %s\n", url.c_str(),
                   res ? std::to_string(res->status).c_str() : httplib::to_string(res.error()).c_str());
    return ok;
  }
};

Notifier::Notifier(NotifierOptions options) : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
  if (Registry* r = impl_->options.registry)
    impl_->sent = &r->counter({.name = "vigil_alert_notifications_total",
                               .help = "Alert notifications sent, by target kind and outcome.",
                               .labels = {"target", "outcome"}});
}

Notifier::~Notifier() = default;

bool Notifier::enabled() const {
  return !impl_->options.alertmanager_urls.empty() || !impl_->options.webhook_urls.empty();
}

bool Notifier::notify(const std::vector<Alert>& alerts_now, const std::vector<Alert>& transitions, std::int64_t now) {
  if (!enabled()) return true;
  json alerts = json::array();
  std::int64_t validity = std::chrono::duration_cast<std::chrono::nanoseconds>(impl_->options.resend_validity).count();
  for (const auto& a : alerts_now)
    if (a.phase == AlertPhase::kFiring)
      alerts.push_back(alert_json(a, a.active_since_ns, now + validity, impl_->options.generator_url));
  for (const auto& a : transitions)
    if (a.phase != AlertPhase::kFiring)
      alerts.push_back(alert_json(a, a.active_since_ns ? a.active_since_ns : now, now, impl_->options.generator_url));
  if (alerts.empty()) return true;
  std::string body = alerts.dump();
  bool ok = true;
  for (const auto& u : impl_->options.alertmanager_urls) ok &= impl_->post(u, "/api/v2/alerts", body, "alertmanager");
  for (const auto& u : impl_->options.webhook_urls) ok &= impl_->post(u, "", body, "webhook");
  return ok;
}

}  // namespace vigil::alert
