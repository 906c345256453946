// Distances and goodness-of-fit tests between a reference and a current
// distribution. Conventions follow SciPy (chisquare, entropy, jensenshannon,
// wasserstein_distance) and Evidently (PSI and KL replace empty bins by
// 1e-4 so the logarithms stay finite).
#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <vector>

#include "vigil/drift.h"

namespace vigil::stats {
namespace {

std::vector<double> normalised(std::span<const double> v) {
  double total = std::accumulate(v.begin(), v.end(), 0.0);
  std::vector<double> out(v.begin(), v.end());
  if (total > 0)
    for (double& x : out) x /= total;
  return out;
}

void require_same_size(std::span<const double> a, std::span<const double> b, const char* what) {
  if (a.size() != b.size() || a.empty())
    throw std::invalid_argument(std::string(what) + ": distributions need the same, non-zero number of bins");
}

constexpr double kEmptyShare = 1e-4;

}  // namespace

TestResult chi_square(std::span<const double> observed, std::span<const double> expected) {
  require_same_size(observed, expected, "chi_square");
  double stat = 0;
  for (std::size_t i = 0; i < observed.size(); ++i) {
    if (expected[i] == 0) {
      if (observed[i] == 0) continue;
      return {std::numeric_limits<double>::infinity(), 0.0};
    }
    double d = observed[i] - expected[i];
    stat += d * d / expected[i];
  }
  if (observed.size() < 2) return {stat, 1.0};
  return {stat, chi2_sf(stat, static_cast<double>(observed.size() - 1))};
}

TestResult chi2_contingency(std::span<const double> counts_a, std::span<const double> counts_b, bool yates) {
  require_same_size(counts_a, counts_b, "chi2_contingency");
  double na = std::accumulate(counts_a.begin(), counts_a.end(), 0.0);
  double nb = std::accumulate(counts_b.begin(), counts_b.end(), 0.0);
  double n = na + nb;
  std::size_t k = 0;
  for (std::size_t i = 0; i < counts_a.size(); ++i) k += counts_a[i] + counts_b[i] > 0;
  if (na == 0 || nb == 0 || k < 2) return {0.0, 1.0};
  double dof = static_cast<double>(k - 1);
  double stat = 0;
  for (std::size_t i = 0; i < counts_a.size(); ++i) {
    double col = counts_a[i] + counts_b[i];
    if (col == 0) continue;
    for (auto [obs, row] : {std::pair{counts_a[i], na}, std::pair{counts_b[i], nb}}) {
      double exp = row * col / n;
      double d = std::fabs(obs - exp);
      if (yates && dof == 1) d = std::max(0.0, d - 0.5);
      stat += d * d / exp;
    }
  }
  return {stat, chi2_sf(stat, dof)};
}

TestResult z_test_proportions(double successes_a, double trials_a, double successes_b, double trials_b) {
  if (trials_a <= 0 || trials_b <= 0) return {0.0, 1.0};
  double p1 = successes_a / trials_a, p2 = successes_b / trials_b;
  double pooled = (successes_a + successes_b) / (trials_a + trials_b);
  double var = pooled * (1 - pooled) * (1 / trials_a + 1 / trials_b);
  if (var <= 0) return {0.0, 1.0};  // all successes or all failures on both sides
  double z = (p1 - p2) / std::sqrt(var);
  return {z, 2.0 * normal_sf(std::fabs(z))};
}

double psi(std::span<const double> reference, std::span<const double> current) {
  require_same_size(reference, current, "psi");
  auto r = normalised(reference), c = normalised(current);
  double sum = 0;
  for (std::size_t i = 0; i < r.size(); ++i) {
    double ri = r[i] > 0 ? r[i] : kEmptyShare, ci = c[i] > 0 ? c[i] : kEmptyShare;
    sum += (ci - ri) * std::log(ci / ri);
  }
  return sum;
}

double kl_divergence(std::span<const double> p, std::span<const double> q) {
  require_same_size(p, q, "kl_divergence");
  auto a = normalised(p), b = normalised(q);
  double sum = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    double ai = a[i] > 0 ? a[i] : kEmptyShare, bi = b[i] > 0 ? b[i] : kEmptyShare;
    sum += ai * std::log(ai / bi);
  }
  return sum;
}

double jensen_shannon_distance(std::span<const double> p, std::span<const double> q) {
  require_same_size(p, q, "jensen_shannon_distance");
  auto a = normalised(p), b = normalised(q);
  double js = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    double m = 0.5 * (a[i] + b[i]);
    if (a[i] > 0) js += 0.5 * a[i] * std::log(a[i] / m);
    if (b[i] > 0) js += 0.5 * b[i] * std::log(b[i] / m);
  }
  return std::sqrt(std::max(0.0, js));
}

double hellinger_distance(std::span<const double> p, std::span<const double> q) {
  require_same_size(p, q, "hellinger_distance");
  auto a = normalised(p), b = normalised(q);
  double sum = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    double d = std::sqrt(a[i]) - std::sqrt(b[i]);
    sum += d * d;
  }
  return std::sqrt(sum) / std::sqrt(2.0);
}

// ∫ |F_a(x) − F_b(x)| dx over the merged sorted samples.
double wasserstein_distance_sorted(std::span<const double> a, std::span<const double> b) {
  const std::size_t n = a.size(), m = b.size();
  if (n == 0 || m == 0) return 0.0;
  std::size_t i = 0, j = 0;
  double prev = std::min(a[0], b[0]), total = 0;
  while (i < n || j < m) {
    double v = (j >= m || (i < n && a[i] <= b[j])) ? a[i] : b[j];
    total += std::fabs(static_cast<double>(i) / static_cast<double>(n) - static_cast<double>(j) / static_cast<double>(m)) *
             (v - prev);
    while (i < n && a[i] == v) ++i;
    while (j < m && b[j] == v) ++j;
    prev = v;
  }
  return total;
}

double wasserstein_distance(std::span<const double> a, std::span<const double> b) {
  std::vector<double> x(a.begin(), a.end()), y(b.begin(), b.end());
  std::sort(x.begin(), x.end());
  std::sort(y.begin(), y.end());
  return wasserstein_distance_sorted(x, y);
}

}  // namespace vigil::stats
