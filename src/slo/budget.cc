#include <cmath>
#include <stdexcept>

#include "vigil/slo.h"

namespace vigil {

double error_budget_ratio(double objective) {
  if (!(objective > 0 && objective < 1)) throw std::invalid_argument("vigil: SLO objective must lie in (0, 1)");
  return 1 - objective;
}

std::chrono::duration<double> error_budget_time(double objective, std::chrono::duration<double> period) {
  return period * error_budget_ratio(objective);
}

double burn_rate(double error_ratio, double objective) { return error_ratio / error_budget_ratio(objective); }

double budget_remaining(double error_ratio, double objective) { return 1 - burn_rate(error_ratio, objective); }

std::optional<std::chrono::duration<double>> time_to_exhaustion(double remaining_fraction, double rate,
                                                               std::chrono::duration<double> period) {
  if (remaining_fraction <= 0) return std::chrono::duration<double>(0);
  if (!(rate > 0)) return std::nullopt;
  // At burn rate 1 a whole budget lasts one period.
  return period * (remaining_fraction / rate);
}

std::vector<BurnRateWindow> default_burn_rate_windows() {
  using std::chrono::hours;
  using std::chrono::minutes;
  return {{hours(1), minutes(5), 14.4, "page"},
          {hours(6), minutes(30), 6, "page"},
          {hours(24), hours(2), 3, "ticket"},
          {hours(72), hours(6), 1, "ticket"}};
}

}  // namespace vigil
