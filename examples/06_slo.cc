// Exercise 6: track an SLO for an inference endpoint the way SRE teams do:
// error budget, burn rates per window, multi-window multi-burn-rate alerts.
// Simulates 8 hours of traffic in a moment (manual ticks), with an incident
// in the middle, and prints the SLO report every simulated hour.
#include <cstdio>
#include <random>

#include "vigil/slo.h"

int main() {
  using namespace std::chrono;
  vigil::SloMonitor slo({.name = "predict-availability",
                         .objective = 0.999,
                         .latency_threshold_seconds = 0.5,  // slower than 500 ms counts as failed
                         .background_ticker = false});
  std::printf("budget: %.1f minutes of full outage per 30 days\n",
              duration<double, std::ratio<60>>(vigil::error_budget_time(0.999, hours(24 * 30))).count());
  std::mt19937 rng(6);
  std::uniform_real_distribution<double> u(0, 1);
  for (int minute = 1; minute <= 8 * 60; ++minute) {
    bool incident = minute > 4 * 60 && minute <= 5 * 60;  // hour 5: 3 % errors
    for (int i = 0; i < 600; ++i) {
      bool ok = u(rng) > (incident ? 0.03 : 0.0004);
      slo.record_request(ok, 0.05 + 0.1 * u(rng));
    }
    slo.tick(minutes(minute));
    if (minute % 60 != 0) continue;
    vigil::SloStatus s = slo.status();
    std::printf("hour %d: compliance %.4f%%  budget left %6.1f%%  burn 5m %5.1fx 1h %5.1fx  %s%s\n", minute / 60,
                100 * s.compliance, 100 * s.budget_remaining, s.windows[0].burn_rate, s.windows[2].burn_rate,
                s.page() ? "PAGE " : "", s.ticket() ? "TICKET" : "");
  }
  return 0;
}
