// SloMonitor: per-thread event cells on the hot path, a fixed ring of
// cumulative snapshots (one per resolution tick) for window arithmetic.
#include <algorithm>
#include <cmath>
#include <condition_variable>
#include <limits>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "vigil/detail/cell_table.h"
#include "vigil/metrics.h"
#include "vigil/slo.h"

namespace vigil {

namespace {

struct Snapshot {
  double t;  // seconds on the monitor's clock
  std::uint64_t total;
  std::uint64_t bad;
};

std::vector<std::chrono::seconds> status_windows(std::chrono::seconds period) {
  using namespace std::chrono;
  std::vector<seconds> w = {minutes(5), minutes(30), hours(1), hours(2), hours(6), hours(24), hours(72)};
  std::erase_if(w, [&](seconds s) { return s >= period; });
  w.push_back(period);
  return w;
}

}  // namespace

struct SloMonitor::Impl {
  SloStatus status() const;
  SloStatus status_at(const Snapshot& last) const;  // under mu
  SloMonitorOptions options;
  std::uint32_t cells;  // [0] total, [1] bad (integer cells)
  mutable std::mutex mu;
  std::vector<Snapshot> ring;  // circular, `size` valid entries ending at `head`
  std::size_t head = 0, size = 0;
  std::condition_variable stop_cv;
  bool stopping = false;
  std::thread ticker;
  std::chrono::steady_clock::time_point epoch = std::chrono::steady_clock::now();

  void push(const Snapshot& s) {
    head = (head + 1) % ring.size();
    ring[head] = s;
    size = std::min(size + 1, ring.size());
  }
  const Snapshot& at(std::size_t age) const { return ring[(head + ring.size() - age) % ring.size()]; }

  // The newest snapshot at or before `t`, or the oldest one kept. Snapshot
  // times fall with age, so this bisects: status() asks a dozen windows of
  // a ring that holds 43 200 entries at the defaults.
  const Snapshot& at_or_before(double t) const {
    std::size_t lo = 0, hi = size - 1;  // answer in [lo, hi]; hi (oldest) is the fallback
    while (lo < hi) {
      std::size_t mid = (lo + hi) / 2;
      if (at(mid).t <= t + 1e-9) hi = mid;
      else lo = mid + 1;
    }
    return at(lo);
  }

  Snapshot live() const {
    std::uint64_t v[2];
    detail::sum_cells<std::uint64_t>(cells, 2, v);
    return {0, v[0], v[1]};
  }
};

SloMonitor::SloMonitor(SloMonitorOptions options) : impl_(std::make_shared<Impl>()) {
  error_budget_ratio(options.objective);  // validates
  if (options.resolution.count() <= 0 || options.period < options.resolution)
    throw std::invalid_argument("vigil: SLO needs 0 < resolution <= period");
  impl_->options = std::move(options);
  const auto& o = impl_->options;
  impl_->cells = detail::allocate_cells<std::uint64_t>(2);
  impl_->ring.resize(static_cast<std::size_t>(o.period / o.resolution) + 2);
  impl_->push({0, 0, 0});  // the baseline: nothing happened before t = 0
  if (o.background_ticker) {
    impl_->ticker = std::thread([impl = impl_.get()] {
      std::unique_lock lock(impl->mu);
      auto next = impl->epoch + impl->options.resolution;
      while (!impl->stop_cv.wait_until(lock, next, [impl] { return impl->stopping; })) {
        Snapshot s = impl->live();
        s.t = std::chrono::duration<double>(next - impl->epoch).count();
        impl->push(s);
        next += impl->options.resolution;
      }
    });
  }
  if (Registry* r = o.registry) {
    struct Exporter final : Collector {
      std::weak_ptr<Impl> impl;  // the monitor may go before the registry
      void collect(std::vector<MetricFamilySnapshot>& out) const override {
        auto alive = impl.lock();
        if (!alive) return;
        SloStatus s = alive->status();
        auto gauge = [&out](std::string name, std::string help, std::vector<std::string> label_names) -> auto& {
          MetricFamilySnapshot& f = out.emplace_back();
          f.name = std::move(name);
          f.help = std::move(help);
          f.type = MetricType::kGauge;
          f.label_names = std::move(label_names);
          return f.series;
        };
        gauge("vigil_slo_objective_ratio", "SLO objective.", {"slo"}).push_back({.label_values = {s.name}, .value = s.objective});
        gauge("vigil_slo_compliance_ratio", "Good events / all events over the SLO period.", {"slo"})
            .push_back({.label_values = {s.name}, .value = s.compliance});
        gauge("vigil_slo_error_budget_remaining_ratio", "Fraction of the period's error budget left.", {"slo"})
            .push_back({.label_values = {s.name}, .value = s.budget_remaining});
        auto& burn = gauge("vigil_slo_burn_rate", "Error budget burn rate per window.", {"slo", "window"});
        for (const auto& w : s.windows)
          burn.push_back({.label_values = {s.name, std::to_string(w.window.count()) + "s"}, .value = w.burn_rate});
        auto& alerts = gauge("vigil_slo_alert_firing", "1 while a burn-rate alert fires.", {"slo", "severity", "windows"});
        for (const auto& a : s.alerts)
          alerts.push_back({.label_values = {s.name, a.severity,
                                             std::to_string(a.long_window.count()) + "s/" +
                                                 std::to_string(a.short_window.count()) + "s"},
                            .value = a.firing ? 1.0 : 0.0});
      }
    };
    auto e = std::make_shared<Exporter>();
    e->impl = impl_;
    r->register_collector(e);
  }
}

SloMonitor::~SloMonitor() {
  {
    std::lock_guard lock(impl_->mu);
    impl_->stopping = true;
  }
  impl_->stop_cv.notify_all();
  if (impl_->ticker.joinable()) impl_->ticker.join();
  detail::release_cells<std::uint64_t>(impl_->cells, 2);
}

void SloMonitor::record_request(bool success) noexcept {
  detail::cell_add<std::uint64_t>(impl_->cells, 1);
  if (!success) detail::cell_add<std::uint64_t>(impl_->cells + 1, 1);
}

void SloMonitor::record_request(bool success, double latency_seconds) noexcept {
  const auto& threshold = impl_->options.latency_threshold_seconds;
  record_request(success && !(threshold && latency_seconds > *threshold));
}

void SloMonitor::tick(std::chrono::duration<double> now) {
  std::lock_guard lock(impl_->mu);
  Snapshot s = impl_->live();
  s.t = now.count();
  impl_->push(s);
}

const SloMonitorOptions& SloMonitor::options() const { return impl_->options; }

SloStatus SloMonitor::status() const { return impl_->status(); }

SloStatus SloMonitor::live_status() const {
  std::lock_guard lock(impl_->mu);
  Snapshot now = impl_->live();
  // Without the ticker the owner's clock is unknown: the open bucket is
  // counted at the time of the last tick.
  now.t = impl_->options.background_ticker
              ? std::chrono::duration<double>(std::chrono::steady_clock::now() - impl_->epoch).count()
              : impl_->at(0).t;
  return impl_->status_at(now);
}

SloStatus SloMonitor::Impl::status() const {
  std::lock_guard lock(mu);
  return status_at(at(0));
}

SloStatus SloMonitor::Impl::status_at(const Snapshot& last) const {
  const auto& o = options;
  auto window_ratio = [&](std::chrono::seconds w) {
    const Snapshot& from = at_or_before(last.t - static_cast<double>(w.count()));
    std::uint64_t total = last.total - from.total, bad = last.bad - from.bad;
    return total ? static_cast<double>(bad) / static_cast<double>(total) : std::numeric_limits<double>::quiet_NaN();
  };
  SloStatus s;
  s.name = o.name;
  s.objective = o.objective;
  for (auto w : status_windows(o.period)) {
    double r = window_ratio(w);
    s.windows.push_back({w, r, burn_rate(r, o.objective)});
  }
  const Snapshot& period_start = at_or_before(last.t - static_cast<double>(o.period.count()));
  s.total = last.total - period_start.total;
  s.bad = last.bad - period_start.bad;
  double period_ratio = s.total ? static_cast<double>(s.bad) / static_cast<double>(s.total) : 0;
  s.compliance = 1 - period_ratio;
  s.budget_remaining = budget_remaining(period_ratio, o.objective);
  s.budget_consumed = 1 - s.budget_remaining;
  double hourly = burn_rate(window_ratio(std::chrono::hours(1)), o.objective);
  s.time_to_exhaustion = time_to_exhaustion(s.budget_remaining, std::isnan(hourly) ? 0 : hourly, o.period);
  for (const auto& w : o.windows) {
    double long_rate = burn_rate(window_ratio(w.long_window), o.objective);
    double short_rate = burn_rate(window_ratio(w.short_window), o.objective);
    s.alerts.push_back({w.severity, w.factor, w.long_window, w.short_window,
                        long_rate > w.factor && short_rate > w.factor});  // NaN compares false
  }
  return s;
}

bool SloStatus::page() const {
  return std::any_of(alerts.begin(), alerts.end(), [](const auto& a) { return a.firing && a.severity == "page"; });
}
bool SloStatus::ticket() const {
  return std::any_of(alerts.begin(), alerts.end(), [](const auto& a) { return a.firing && a.severity == "ticket"; });
}

}  // namespace vigil
