// Two-sample Kolmogorov–Smirnov test, with SciPy's ks_2samp rules so that
// p-values agree with what users compare them to. D is computed exactly as
// an integer count c = max |i·m − j·n| over the merged samples. Up to
// 10,000 values per side the p-value is exact: for equal sizes the
// alternating binomial sum of the reflection principle, else the share of
// monotone lattice paths from (0,0) to (n,m) that leave the band
// |i·m − j·n| < c, built row by row inside the band as
// g(i,j) = g(i−1,j)·i/(i+j) + g(i,j−1)·j/(i+j) (never overflows, and costs
// n times the band's width, not n·m). Past that, or when the exact value
// falls outside [0, 1], it is P(D_k >= D) of the one-sample distribution
// with k = round(n·m/(n+m)) (kolmogorov_n.h), as SciPy falls back.
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <numeric>
#include <vector>

#include "monitor/kolmogorov_n.h"
#include "vigil/drift.h"

namespace vigil::stats {
namespace {

constexpr std::int64_t kExactLimit = 10000;  // values per side up to which the p-value is exact (SciPy's)

// P(D_{n,n} >= h/n): 2·Σ_{k>=1} (−1)^(k+1) C(2n, n−kh)/C(2n, n), summed
// from the smallest term in Horner form, each ratio as h factors.
double equal_sizes_p_value(std::int64_t n, std::int64_t h) {
  double p = 0;
  for (std::int64_t k = n / h; k >= 0; --k) {
    double ratio = 1;
    for (std::int64_t j = 0; j < h; ++j)
      ratio = static_cast<double>(n - k * h - j) * ratio / static_cast<double>(n + k * h + j + 1);
    p = ratio * (1 - p);
  }
  return 2 * p;
}

// The share of paths that leave the band |i·m − j·n| < c somewhere: 1 at
// every node outside the band, and inside it the same weighted average of
// the two nodes before it. Computed as the outside share itself (not 1 −
// the inside share), so a p-value of 1e-40 keeps its digits.
double outside_share(std::int64_t c, std::int64_t n, std::int64_t m) {
  auto lo = [&](std::int64_t i) { std::int64_t a = i * m - c; return a < 0 ? 0 : a / n + 1; };
  auto hi = [&](std::int64_t i) { return std::min(m, (i * m + c - 1) / n); };
  std::vector<double> g(static_cast<std::size_t>(m) + 1, 1.0);  // unwritten: above the band, outside
  for (std::int64_t j = 0; j <= hi(0); ++j) g[j] = 0;
  for (std::int64_t i = 1; i <= n; ++i) {
    const std::int64_t first = lo(i), last = hi(i);
    if (first > last) return 1;  // every path has left
    double left = 1;  // g(i, first − 1): outside the band (its weight is 0 when first is 0)
    for (std::int64_t j = first; j <= last; ++j) {
      double s = static_cast<double>(i + j);
      left = g[j] * (static_cast<double>(i) / s) + left * (static_cast<double>(j) / s);
      g[j] = left;
    }
  }
  return g[m];
}

double asymptotic_p_value(std::int64_t c, std::int64_t n, std::int64_t m) {
  double nn = static_cast<double>(n), mm = static_cast<double>(m);
  double d = static_cast<double>(c) / (nn * mm);
  return detail::kolmogorov_n_sf(std::llround(nn * mm / (nn + mm)), d);
}

double p_value_for_count(std::int64_t c, std::size_t n_size, std::size_t m_size) {
  const auto n = static_cast<std::int64_t>(n_size), m = static_cast<std::int64_t>(m_size);
  if (std::max(n, m) > kExactLimit) return asymptotic_p_value(c, n, m);
  if (c <= 0) return 1.0;
  double p = n == m ? equal_sizes_p_value(n, c / n) : outside_share(c, n, m);
  if (!(p >= 0 && p <= 1)) return asymptotic_p_value(c, n, m);  // SciPy's fallback when exact fails
  return p;
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
