#include "monitor/kolmogorov_n.h"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <vector>

namespace vigil::stats::detail {
namespace {

constexpr double kPi2 = std::numbers::pi * std::numbers::pi;
const double kSqrt2Pi = std::sqrt(2 * std::numbers::pi);

double clip(double p) { return std::clamp(p, 0.0, 1.0); }

// log(n! / n^n).
double log_factorial_over_power(std::int64_t n) {
  double nn = static_cast<double>(n);
  return std::lgamma(nn + 1) - nn * std::log(nn);
}

using Matrix = std::vector<double>;  // m x m, row-major

Matrix multiply(const Matrix& a, const Matrix& b, int m) {
  Matrix c(static_cast<std::size_t>(m) * m, 0.0);
  for (int i = 0; i < m; ++i)
    for (int k = 0; k < m; ++k) {
      double aik = a[static_cast<std::size_t>(i) * m + k];
      if (aik == 0) continue;
      for (int j = 0; j < m; ++j) c[static_cast<std::size_t>(i) * m + j] += aik * b[static_cast<std::size_t>(k) * m + j];
    }
  return c;
}

}  // namespace

double smirnov_sf(std::int64_t n, double x) {
  if (x <= 0) return 1;
  if (x >= 1) return 0;
  const double nn = static_cast<double>(n);
  const auto last = static_cast<std::int64_t>(std::floor(nn * (1 - x)));
  const double log_n_fact = std::lgamma(nn + 1);
  double sum = 0;
  for (std::int64_t j = 0; j <= last; ++j) {
    double jj = static_cast<double>(j), a = 1 - x - jj / nn, b = x + jj / nn;
    if (a <= 0) continue;
    double log_term = log_n_fact - std::lgamma(jj + 1) - std::lgamma(nn - jj + 1) + (nn - jj) * std::log(a) +
                      (jj - 1) * std::log(b);
    sum += std::exp(log_term);
  }
  return clip(x * sum);
}

double durbin_cdf(std::int64_t n, double x) {
  const double nd = static_cast<double>(n) * x;
  if (x >= 1) return 1;
  if (nd <= 0.5) return 0;
  const int k = static_cast<int>(std::ceil(nd)), m = 2 * k - 1;
  const double h = k - nd;
  // H[i][j] = 1/(i-j+1)! below the first superdiagonal; the first column
  // and last row corrected for the boundary (Durbin 1968).
  Matrix H(static_cast<std::size_t>(m) * m, 0.0);
  std::vector<double> inv_fact(static_cast<std::size_t>(m) + 1, 1.0);
  for (int j = 1; j <= m; ++j) inv_fact[j] = inv_fact[j - 1] / j;
  for (int i = 0; i < m; ++i)
    for (int j = 0; j < m; ++j)
      if (i - j + 1 >= 0) H[static_cast<std::size_t>(i) * m + j] = inv_fact[i - j + 1];
  for (int i = 0; i < m; ++i) {
    H[static_cast<std::size_t>(i) * m] = (1 - std::pow(h, i + 1)) * inv_fact[i + 1];
    H[static_cast<std::size_t>(m - 1) * m + (m - 1 - i)] = (1 - std::pow(h, i + 1)) * inv_fact[i + 1];
  }
  H[static_cast<std::size_t>(m - 1) * m] =
      (1 - 2 * std::pow(h, m) + std::pow(std::max(2 * h - 1, 0.0), m)) * inv_fact[m];
  // H^n by squaring, rescaled by powers of two so nothing overflows.
  Matrix power(static_cast<std::size_t>(m) * m, 0.0);
  for (int i = 0; i < m; ++i) power[static_cast<std::size_t>(i) * m + i] = 1;
  int power_exp = 0, h_exp = 0;
  for (std::int64_t e = n; e > 0; e >>= 1) {
    if (e & 1) power = multiply(power, H, m), power_exp += h_exp;
    H = multiply(H, H, m);
    h_exp *= 2;
    double centre = std::abs(H[static_cast<std::size_t>(k - 1) * m + (k - 1)]);
    if (centre > 0x1p128) {
      for (double& v : H) v = std::ldexp(v, -128);
      h_exp += 128;
    }
  }
  double p = power[static_cast<std::size_t>(k - 1) * m + (k - 1)];
  if (p <= 0) return 0;
  return clip(std::exp(std::log(p) + power_exp * std::numbers::ln2 + log_factorial_over_power(n)));
}

double pelz_good_cdf(std::int64_t n, double x) {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const double nn = static_cast<double>(n), z = std::sqrt(nn) * x, z2 = z * z, z4 = z2 * z2, z6 = z4 * z2;
  const double log_q = -kPi2 / 8 / z2;
  if (log_q < -708) return 0;
  const double q = std::exp(log_q);
  const double pi4 = kPi2 * kPi2, pi6 = pi4 * kPi2;
  // K0..K3 of the Li-Chien/Korolyuk expansion in Pelz and Good's theta
  // form: sums over odd m = 2k-1 of polynomial(m²) q^(m²), summed in
  // Horner form in q^(8k).
  double K[4] = {0, 0, 0, 0};
  const int max_k = static_cast<int>(std::ceil(16 * z / std::numbers::pi));
  for (int k = max_k; k >= 1; --k) {
    double mm = 2.0 * k - 1, m2 = mm * mm, m4 = m2 * m2, m6 = m4 * m2;
    double qk = std::pow(q, 8.0 * k);
    double c[4] = {1.0, -z2 + kPi2 / 4 * m2,
                   (6 * z6 + 2 * z4) + (2 * z4 - 5 * z2) * kPi2 / 4 * m2 + pi4 * (1 - 2 * z2) / 16 * m4,
                   (-30 * z6 - 90 * z4 * z4) + kPi2 * (135 * z4 - 96 * z6) / 4 * m2 +
                       pi4 * (-60 * z2 + 212 * z4) / 16 * m4 + pi6 * (5 - 30 * z2) / 64 * m6};
    for (int i = 0; i < 4; ++i) K[i] = K[i] * qk + c[i];
  }
  const double scale[4] = {z, 6 * z4, 72 * z4 * z2 * z, 6480 * z4 * z6};
  for (int i = 0; i < 4; ++i) K[i] = K[i] * q * kSqrt2Pi / scale[i];
  // The terms over all integers k of K2 and K3.
  const double q2 = std::exp(-kPi2 / 2 / z2);
  double k2 = 0, k3 = 0;
  for (int k = max_k; k >= 1; --k) {
    double kk = k, k2sq = kk * kk, qp = std::pow(q2, k2sq), s3z = std::sqrt(3.0) * z, kpi = std::numbers::pi * kk;
    k2 += k2sq * qp;
    k3 += (s3z + kpi) * (s3z - kpi) * k2sq * qp;
  }
  K[2] += k2 * kPi2 * kSqrt2Pi / (-36 * z2 * z);
  K[3] += k3 * kPi2 * kSqrt2Pi / (216 * z6);
  return clip(K[0] + K[1] / std::sqrt(nn) + K[2] / nn + K[3] / (nn * std::sqrt(nn)));
}

double kolmogorov_n_sf(std::int64_t n, double x) {
  if (n <= 0 || std::isnan(x)) return std::nan("");
  if (x >= 1) return 0;
  if (x <= 0) return 1;
  const double nn = static_cast<double>(n), t = nn * x;
  if (t <= 1) {  // Ruben and Gambino: exact for 1/(2n) <= x <= 1/n
    if (t <= 0.5) return 1;
    return clip(1 - std::exp(log_factorial_over_power(n) + nn * std::log(2 * t - 1)));
  }
  if (t >= nn - 1) return clip(2 * std::pow(1 - x, nn));
  if (x >= 0.5) return clip(2 * smirnov_sf(n, x));
  const double nx2 = t * x;
  if (n <= 140) {
    if (nx2 <= 0.754693) return clip(1 - durbin_cdf(n, x));
    if (nx2 <= 4) return clip(1 - durbin_cdf(n, x));  // SciPy: Pomeranz; the same exact value
    return clip(2 * smirnov_sf(n, x));
  }
  if (nx2 >= 370) return 0;
  if (nx2 >= 2.2) return clip(2 * smirnov_sf(n, x));
  if (n <= 100000 && nn * std::pow(x, 1.5) <= 1.4) return clip(1 - durbin_cdf(n, x));
  return clip(1 - pelz_good_cdf(n, x));
}

}  // namespace vigil::stats::detail
