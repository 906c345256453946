// Two-sample Kolmogorov–Smirnov test. D is computed exactly as an integer
// count (max |i·m − j·n| over the merged samples), so the exact p-value's
// lattice-path boundary has no rounding: a path (i, j) stays inside while
// |i·m − j·n| < c, and P(D >= d) = 1 − (share of monotone paths from (0,0)
// to (n,m) that stay inside). The share is built column by column as
// f(i,j) = f(i−1,j)·i/(i+j) + f(i,j−1)·j/(i+j), which never overflows.
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <numeric>
#include <vector>

#include "vigil/drift.h"

namespace vigil::stats {
namespace {

constexpr std::size_t kExactLimit = 10000;  // n·m up to which the p-value is exact (R's rule)

double exact_p_value(std::int64_t c, std::size_t n, std::size_t m) {
  if (c <= 0) return 1.0;
  auto inside = [&](std::int64_t i, std::int64_t j) {
    return std::llabs(i * static_cast<std::int64_t>(m) - j * static_cast<std::int64_t>(n)) < c;
  };
  std::vector<double> f(m + 1, 0.0);
  f[0] = 1.0;
  for (std::size_t j = 1; j <= m; ++j) f[j] = inside(0, static_cast<std::int64_t>(j)) ? f[j - 1] : 0.0;
  for (std::size_t i = 1; i <= n; ++i) {
    auto ii = static_cast<std::int64_t>(i);
    f[0] = inside(ii, 0) ? f[0] : 0.0;
    for (std::size_t j = 1; j <= m; ++j) {
      auto jj = static_cast<std::int64_t>(j);
      if (!inside(ii, jj)) {
        f[j] = 0.0;
        continue;
      }
      double s = static_cast<double>(i + j);
      f[j] = f[j] * (static_cast<double>(i) / s) + f[j - 1] * (static_cast<double>(j) / s);
    }
  }
  return std::clamp(1.0 - f[m], 0.0, 1.0);
}

double p_value_for_count(std::int64_t c, std::size_t n, std::size_t m) {
  if (n * m <= kExactLimit) return exact_p_value(c, n, m);
  double d = static_cast<double>(c) / (static_cast<double>(n) * static_cast<double>(m));
  double en = static_cast<double>(n) * static_cast<double>(m) / static_cast<double>(n + m);
  return kolmogorov_sf(std::sqrt(en) * d);
}

}  // namespace

double ks_2samp_p_value(double d, std::size_t n, std::size_t m) {
  if (n == 0 || m == 0) return 1.0;
  auto c = static_cast<std::int64_t>(std::llround(d * static_cast<double>(n) * static_cast<double>(m)));
  return p_value_for_count(c, n, m);
}

TestResult ks_2samp_sorted(std::span<const double> a, std::span<const double> b) {
  const std::size_t n = a.size(), m = b.size();
  if (n == 0 || m == 0) return {0.0, 1.0};
  std::size_t i = 0, j = 0;
  std::int64_t c = 0;
  while (i < n && j < m) {
    double v = std::min(a[i], b[j]);
    while (i < n && a[i] == v) ++i;  // ties: both ECDFs step at once
    while (j < m && b[j] == v) ++j;
    std::int64_t diff = static_cast<std::int64_t>(i * m) - static_cast<std::int64_t>(j * n);
    c = std::max<std::int64_t>(c, std::llabs(diff));
  }
  // Once either sample is exhausted the gap only closes.
  double d = static_cast<double>(c) / (static_cast<double>(n) * static_cast<double>(m));
  return {d, p_value_for_count(c, n, m)};
}

TestResult ks_2samp(std::span<const double> a, std::span<const double> b) {
  std::vector<double> x(a.begin(), a.end()), y(b.begin(), b.end());
  std::sort(x.begin(), x.end());
  std::sort(y.begin(), y.end());
  return ks_2samp_sorted(x, y);
}

}  // namespace vigil::stats
