// vigil SLOs: error-budget arithmetic, an in-process SLO monitor with
// multi-window multi-burn-rate alerts (Google SRE workbook, ch. 5), and
// Prometheus rule generation from Sloth-compatible specs.
//
//   vigil::SloMonitor slo({.name = "predict-availability", .objective = 0.999});
//   slo.record_request(ok);                 // a few ns, no lock
//   vigil::SloStatus s = slo.status();      // compliance, budget, burn rates, alerts
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace vigil {

class Registry;

// ---- arithmetic -------------------------------------------------------------

// Allowed error ratio for an objective: 0.999 -> 0.001.
double error_budget_ratio(double objective);
// The budget as time of total outage over the period: 99.9 % of 30 days is
// 43.2 minutes.
std::chrono::duration<double> error_budget_time(double objective, std::chrono::duration<double> period);
// How fast the budget burns: observed error ratio / allowed ratio.
double burn_rate(double error_ratio, double objective);
// Fraction of the period's budget left after `error_ratio` over the whole
// period (1 = untouched, 0 = spent, negative = overspent).
double budget_remaining(double error_ratio, double objective);
// Time until the remaining budget is gone at a constant burn rate; nullopt
// when it never runs out (burn rate <= 0) and zero when already gone.
std::optional<std::chrono::duration<double>> time_to_exhaustion(double remaining_fraction, double burn_rate,
                                                               std::chrono::duration<double> period);

// ---- multi-window multi-burn-rate alerts --------------------------------------

struct BurnRateWindow {
  std::chrono::seconds long_window;
  std::chrono::seconds short_window;
  double factor;          // burn rate both windows must exceed
  std::string severity;   // "page" or "ticket"
};

// The SRE workbook defaults for a 30-day period: page at 14.4x (1h & 5m) or
// 6x (6h & 30m); ticket at 3x (1d & 2h) or 1x (3d & 6h).
std::vector<BurnRateWindow> default_burn_rate_windows();

// ---- in-process monitor -------------------------------------------------------

struct SloMonitorOptions {
  std::string name;
  double objective = 0.999;                                  // fraction of good events
  std::chrono::seconds period = std::chrono::hours(24 * 30); // compliance window
  std::chrono::seconds resolution = std::chrono::seconds(60);  // history bucket width
  // Latency SLI: a request slower than this counts as bad even if it
  // succeeded ("99 % of requests under 200 ms"). Unset: availability only.
  std::optional<double> latency_threshold_seconds;
  std::vector<BurnRateWindow> windows = default_burn_rate_windows();
  // Runs a thread that closes a history bucket every `resolution`. Off, the
  // owner calls tick() (tests, simulations, single-threaded loops).
  bool background_ticker = true;
  // Exports vigil_slo_* gauges here when set.
  Registry* registry = nullptr;
};

struct SloWindowStatus {
  std::chrono::seconds window;
  double error_ratio;  // NaN without traffic
  double burn_rate;
};

struct SloAlertStatus {
  std::string severity;
  double factor;
  std::chrono::seconds long_window, short_window;
  bool firing;
};

struct SloStatus {
  std::string name;
  double objective;
  std::uint64_t total = 0;           // events over the period (or since start)
  std::uint64_t bad = 0;
  double compliance = 1;             // good / total over the period
  double budget_remaining = 1;       // fraction of the budget left
  double budget_consumed = 0;        // 1 - remaining
  std::optional<std::chrono::duration<double>> time_to_exhaustion;  // at the 1h burn rate
  std::vector<SloWindowStatus> windows;  // 5m, 30m, 1h, 2h, 6h, 1d, 3d and the period
  std::vector<SloAlertStatus> alerts;
  bool page() const;    // any page alert firing
  bool ticket() const;  // any ticket alert firing
};

// Memory is fixed by period / resolution (30 d at 1 min: 43 200 buckets of
// two counters), independent of traffic. record_request writes per-thread
// cells (as vigil counters do); ticks snapshot the totals into the ring.
class SloMonitor {
 public:
  explicit SloMonitor(SloMonitorOptions options);
  ~SloMonitor();
  SloMonitor(const SloMonitor&) = delete;
  SloMonitor& operator=(const SloMonitor&) = delete;

  void record_request(bool success) noexcept;
  void record_request(bool success, double latency_seconds) noexcept;

  // Closes the current bucket at `now` (monotonic seconds of the caller's
  // clock; the background ticker uses steady_clock).
  void tick(std::chrono::duration<double> now);
  // As of the last closed bucket (what the vigil_slo_* gauges show).
  SloStatus status() const;
  // As of now: the requests recorded since the last closed bucket count
  // too, so a caller sees its own traffic at once.
  SloStatus live_status() const;
  const SloMonitorOptions& options() const;


 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;  // shared with its metrics collector (weakly)
};

// ---- specs and Prometheus rules ----------------------------------------------

// One SLO of a Sloth prometheus/v1 spec (the subset vigil generates from).
struct SloSpec {
  std::string name;
  std::string description;
  double objective_percent = 99.9;  // as Sloth writes it
  std::string error_query;          // with {{.window}} placeholders
  std::string total_query;
  // A raw SLI (Sloth's sli.raw.errorRatioQuery; OpenSLO's ratio, as
  // 1 - good/total): the error ratio itself, used instead of the two above.
  std::string error_ratio_query;
  std::map<std::string, std::string> labels;
  std::string alert_name;
  std::map<std::string, std::string> alert_labels;
  std::map<std::string, std::string> alert_annotations;
  std::map<std::string, std::string> page_labels;
  std::map<std::string, std::string> ticket_labels;
  bool page_enabled = true;
  bool ticket_enabled = true;
};

struct SloServiceSpec {
  std::string spec_version = "prometheus/v1";  // or "openslo/v1alpha": sloth_slo_info's sloth_spec
  std::string service;
  std::map<std::string, std::string> labels;
  std::vector<SloSpec> slos;
};

// Parses a Sloth `prometheus/v1` spec, or OpenSLO `openslo/v1alpha` SLO
// documents (one or more, `---` apart, of one service), which Sloth also
// reads: each objective becomes an SLO named <name>-<index>, with the
// error ratio 1 - good/total and no alerts (OpenSLO v1alpha has none).
// Throws SpecError naming the file, line and field on anything invalid,
// and on SLI plugins (naming the plugin), which vigil does not run.
SloServiceSpec parse_slo_spec(std::string_view yaml_text, std::string_view file_name = "<spec>");
SloServiceSpec load_slo_spec_file(const std::string& path);

class SpecError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Prometheus rule groups (YAML): per SLO the SLI error ratio over 5m, 30m,
// 1h, 2h, 6h, 1d, 3d and 30d, the budget remaining, and the page/ticket
// multi-window multi-burn-rate alerts.
std::string generate_slo_rules(const SloServiceSpec& spec,
                               const std::vector<BurnRateWindow>& windows = default_burn_rate_windows());

}  // namespace vigil
