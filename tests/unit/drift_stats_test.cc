// Drift statistics against reference values computed with SciPy 1.10.1
// (scipy.stats.ks_2samp with its default method, scipy.special.kolmogorov,
// scipy.stats.chisquare/chi2.sf/wasserstein_distance/entropy,
// scipy.spatial.distance.jensenshannon, scipy.special.gammaincc), written
// here as numbers. Exact maths is checked to 1e-9 relative.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <vector>

#include "vigil/drift.h"

namespace {

using namespace vigil::stats;

constexpr double kRel = 1e-9;
#define EXPECT_REL(actual, expected) EXPECT_NEAR(actual, expected, std::fabs(expected) * kRel + 1e-300)

const std::vector<double> kA = {0.61, 0.29, 0.06, 0.59, -1.73, -0.74, 0.51, -0.56, 0.39, 1.64, 0.05, -0.06, 0.64,
                                -0.82, 0.37, 1.77, 1.09, -1.28, 2.36, 1.31, 1.05, -0.32, -0.4, 1.06, -2.47};
const std::vector<double> kB = {2.2, 1.66, 1.38, 0.2,  0.36, 0,    0.96, 1.56, 0.44, 1.5,
                                -0.3, 0.66, 2.31, 3.29, -0.27, 1.3, 0.53, 0.93, 1.59, 1.24};

std::vector<double> big_a() {
  std::vector<double> v;
  for (int i = 0; i < 200; ++i) v.push_back(static_cast<double>((i * 7919) % 1000) / 1000);
  return v;
}
std::vector<double> big_b() {
  std::vector<double> v;
  for (int i = 0; i < 300; ++i) v.push_back(std::pow(static_cast<double>((i * 104729) % 997) / 997, 1.3));
  return v;
}

TEST(KsTest, ExactPValueMatchesScipy) {
  auto r = ks_2samp(kA, kB);
  EXPECT_REL(r.statistic, 0.37);
  EXPECT_REL(r.p_value, 0.074128410885644758);
}

TEST(KsTest, ExactWithTiesAndEqualSizes) {
  std::vector<double> c = {1, 2, 2, 3, 3, 3, 4, 4, 5, 6, 7, 8, 9, 10, 11};
  std::vector<double> d = {3, 4, 4, 5, 5, 6, 7, 8, 8, 9, 10, 12, 13, 14, 15};
  auto r = ks_2samp(c, d);
  EXPECT_REL(r.statistic, 1.0 / 3.0);
  EXPECT_REL(r.p_value, 0.38554651982574251);
  std::vector<double> e, f;
  for (int i = 0; i < 10; ++i) {
    e.push_back(0.1 * i);
    f.push_back(0.1 * i + 0.05);
  }
  r = ks_2samp(e, f);
  EXPECT_REL(r.statistic, 0.1);
  EXPECT_DOUBLE_EQ(r.p_value, 1.0);
  EXPECT_DOUBLE_EQ(ks_2samp(e, e).p_value, 1.0);
}

TEST(KsTest, ExactUpToTenThousandPerSideAsScipy) {
  auto r = ks_2samp(big_a(), big_b());  // 200 x 300: still exact under SciPy's rule (not R's n·m rule)
  EXPECT_REL(r.statistic, 0.1166666666666667);
  EXPECT_REL(r.p_value, 0.07212870919414852);
}

// Samples both here and in the Python that produced the reference values:
// an LCG's uniforms, shifted, optionally floor((u + shift) * ties) to make ties.
std::vector<double> lcg_sample(std::uint64_t seed, int n, double shift, int ties) {
  std::vector<double> out;
  std::uint64_t x = seed;
  for (int i = 0; i < n; ++i) {
    x = (1103515245 * x + 12345) % (1ull << 31);
    double u = static_cast<double>(x) / static_cast<double>(1ull << 31);
    out.push_back(ties ? std::floor((u + shift) * ties) : u + shift);
  }
  return out;
}

struct ScipyCase {
  int n, m;
  double shift;
  int ties;
  double statistic, p_value;
};

// scipy.stats.ks_2samp(lcg_sample(1, n, 0, ties), lcg_sample(2, m, shift, ties)), default method:
// exact while both sides have at most 10,000 values, kstwo.sf(D, round(n·m/(n+m))) past that.
const ScipyCase kScipyCases[] = {
    {800, 600, 0.06, 0, 0.08708333333333333, 0.010453145063452395},
    {800, 600, 0.045, 0, 0.07458333333333333, 0.042182001586925394},  // near 0.05: R's rule gave a different answer
    {799, 601, 0.05, 50, 0.07596017484417919, 0.03572472629819308},   // ties
    {50, 50, 0.2, 0, 0.24, 0.11238524845512393},
    {37, 113, 0.25, 0, 0.2743362831858407, 0.023651369820810487},
    {1000, 1000, 0.05, 10, 0.064, 0.033253124816560224},  // equal sizes, heavy ties
    {300, 700, 0.08, 100, 0.1438095238095238, 0.00030184330410770776},
    {2000, 2000, 0.04, 0, 0.0685, 0.00016719421701019623},
    {10000, 10000, 0.02, 0, 0.0246, 0.00470673563176954},
    {9000, 10000, 0.022, 0, 0.0282, 0.001045152830623707},
    {10001, 8000, 0.02, 0, 0.0251561093890611, 0.007083452538242503},  // past 10,000: kstwo
    {20000, 15000, 0.015, 0, 0.018883333333333363, 0.0043731660841227135},
    {3000, 12000, 0.03, 0, 0.03974999999999995, 0.0009881981645556896},
    {40000, 30000, 0.01, 0, 0.013058333333333283, 0.005729335870573914},
    // far in the tail, where 1 − (share staying inside) would have lost every digit
    {1500, 1000, 0.25, 0, 0.283, 8.668244717984424e-43},
    {999, 1000, 0.3, 20, 0.32290690690690693, 1.0551966816982228e-46},
    {1000, 1000, 0.3, 0, 0.327, 1.051297113041104e-47},
};

TEST(KsTest, PValuesMatchScipyDefaultMethod) {
  for (const auto& c : kScipyCases) {
    auto r = ks_2samp(lcg_sample(1, c.n, 0, c.ties), lcg_sample(2, c.m, c.shift, c.ties));
    EXPECT_REL(r.statistic, c.statistic) << c.n << " x " << c.m;
    EXPECT_REL(r.p_value, c.p_value) << c.n << " x " << c.m;
  }
}

TEST(Kolmogorov, SurvivalFunction) {
  const std::pair<double, double> cases[] = {{0.3, 0.99999069419866549}, {0.5, 0.96394524366487511},
                                             {0.8, 0.54414241157419807}, {1.0, 0.26999967167735456},
                                             {1.2, 0.11224966667072497}, {1.5, 0.022217962616525127},
                                             {2.0, 0.00067092525577969533}};
  for (auto [x, sf] : cases) EXPECT_REL(kolmogorov_sf(x), sf) << x;
  EXPECT_EQ(kolmogorov_sf(0), 1.0);
}

TEST(ChiSquare, SurvivalFunctionAndGamma) {
  EXPECT_REL(chi2_sf(3.84, 1), 0.050043521248705189);
  EXPECT_REL(chi2_sf(10, 4), 0.040427681994512792);
  EXPECT_REL(chi2_sf(0.5, 3), 0.9188914116546758);
  EXPECT_REL(chi2_sf(25, 10), 0.0053455054871340687);
  EXPECT_REL(chi2_sf(100, 50), 3.4549313829848709e-05);
  EXPECT_REL(regularized_gamma_q(2.5, 1.0), 0.84914503608460956);
  EXPECT_REL(regularized_gamma_q(10, 3), 0.99889751186988451);
}

TEST(ChiSquare, GoodnessOfFit) {
  std::vector<double> obs = {43, 52, 54, 40}, exp(4, 47.25);
  auto r = chi_square(obs, exp);
  EXPECT_REL(r.statistic, 2.9365079365079363);
  EXPECT_REL(r.p_value, 0.40151835272592828);
  // Evidently's form: reference counts scaled to the current total.
  std::vector<double> ref = {120, 80, 40, 10}, cur = {50, 60, 70, 20}, scaled;
  for (double x : ref) scaled.push_back(x * 200.0 / 250.0);
  r = chi_square(cur, scaled);
  EXPECT_REL(r.statistic, 85.416666666666671);
  EXPECT_NEAR(r.p_value, 2.1121068195056279e-18, 2.1121068195056279e-18 * 1e-6);
  // An unseen category (expected 0) is certain drift, not a division by zero.
  r = chi_square(std::vector<double>{5, 1}, std::vector<double>{6, 0});
  EXPECT_TRUE(std::isinf(r.statistic));
  EXPECT_EQ(r.p_value, 0.0);
}

TEST(ChiSquare, ContingencyMatchesScipy) {
  auto r = chi2_contingency(std::vector<double>{120, 80, 40, 10}, std::vector<double>{50, 60, 70, 20});
  EXPECT_REL(r.statistic, 38.11077158135982);
  EXPECT_REL(r.p_value, 2.6778891826536205e-08);
  r = chi2_contingency(std::vector<double>{429, 230, 141}, std::vector<double>{382, 252, 166});
  EXPECT_REL(r.statistic, 5.7637777770037477);
  EXPECT_REL(r.p_value, 0.056028830604642338);
  r = chi2_contingency(std::vector<double>{30, 70}, std::vector<double>{45, 55});  // Yates at 1 dof
  EXPECT_REL(r.statistic, 4.1813333333333329);
  EXPECT_REL(r.p_value, 0.040871534089006283);
  r = chi2_contingency(std::vector<double>{30, 70}, std::vector<double>{45, 55}, false);
  EXPECT_REL(r.statistic, 4.8);
  EXPECT_REL(r.p_value, 0.028459736916310638);
  // A category absent from both samples changes nothing.
  r = chi2_contingency(std::vector<double>{30, 0, 70}, std::vector<double>{45, 0, 55}, false);
  EXPECT_REL(r.statistic, 4.8);
}

TEST(Wasserstein, MatchesScipy) {
  EXPECT_REL(wasserstein_distance(std::vector<double>{0, 1, 3}, std::vector<double>{5, 6, 8}), 5.0);
  EXPECT_REL(wasserstein_distance(std::vector<double>{3.4, 3.9, 7.5, 7.8}, std::vector<double>{4.5, 1.4}), 2.7);
  EXPECT_REL(wasserstein_distance(big_a(), big_b()), 0.072555520862770284);
  EXPECT_REL(wasserstein_distance(kA, kB), 0.86060000000000003);
}

TEST(Distances, MatchScipyAndFormulas) {
  std::vector<double> p = {0.1, 0.4, 0.5}, q = {0.3, 0.3, 0.4};
  EXPECT_REL(jensen_shannon_distance(p, q), 0.1803596560271257);
  EXPECT_REL(jensen_shannon_distance(std::vector<double>{1, 0}, std::vector<double>{0.5, 0.5}), 0.46450140402245893);
  EXPECT_REL(kl_divergence(p, q), 0.11678337577100634);
  EXPECT_REL(hellinger_distance(p, q), 0.18212952047754055);
  EXPECT_REL(psi(p, q), 0.27080502011022101);
  // Counts and shares give the same answer.
  EXPECT_REL(psi(std::vector<double>{10, 40, 50}, std::vector<double>{30, 30, 40}), 0.27080502011022101);
  EXPECT_DOUBLE_EQ(hellinger_distance(p, p), 0.0);
  EXPECT_THROW(psi(p, std::vector<double>{1, 2}), std::invalid_argument);
}

TEST(ZTest, TwoProportions) {
  auto r = z_test_proportions(120, 500, 130, 400);
  EXPECT_REL(r.statistic, -2.8289710007486693);
  EXPECT_NEAR(r.p_value, 0.0046697930152661549, 1e-12);
  EXPECT_EQ(z_test_proportions(0, 10, 0, 10).p_value, 1.0);
}

}  // namespace
