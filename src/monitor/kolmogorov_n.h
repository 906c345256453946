// The distribution of the two-sided one-sample Kolmogorov-Smirnov statistic
// D_n for a finite n: P(D_n >= x), as SciPy's kstwo.sf computes it (Simard
// and L'Ecuyer's choice of method by n and n·x²). ks_2samp uses it past
// 10,000 values per side, with n = round(n1·n2/(n1+n2)), as SciPy does.
#pragma once

#include <cstdint>

namespace vigil::stats::detail {

double kolmogorov_n_sf(std::int64_t n, double x);

// The pieces, exposed for tests:
// P(D_n+ >= x), the one-sided statistic (Birnbaum and Tingey's exact sum).
double smirnov_sf(std::int64_t n, double x);
// P(D_n <= x) by Durbin's matrix method (Marsaglia, Tsang and Wang).
double durbin_cdf(std::int64_t n, double x);
// P(D_n <= x) by Pelz and Good's asymptotic series.
double pelz_good_cdf(std::int64_t n, double x);

}  // namespace vigil::stats::detail
