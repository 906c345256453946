// Drift statistics: two-sample tests and distances between a reference and
// a current distribution, the automatic choice between them (Evidently's
// defaults), and streaming concept-drift detectors.
//
//   auto ks = vigil::stats::ks_2samp(reference, current);   // {statistic, p_value}
//   vigil::DriftResult r = vigil::detect_drift(ref_column, cur_column);
//   if (r.drifted) ...
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace vigil {

namespace stats {

struct TestResult {
  double statistic = 0;
  double p_value = 1;
};

// Two-sample Kolmogorov–Smirnov test, two-sided, with SciPy's ks_2samp
// default: the exact p-value (lattice paths) when both samples have at most
// 10,000 values, else the distribution of the one-sample statistic with
// n = round(n·m/(n+m)) (SciPy's kstwo), which is also the fallback when
// the exact value cannot be computed. Ties as in SciPy. Inputs need not be
// sorted.
TestResult ks_2samp(std::span<const double> a, std::span<const double> b);
// The same on already sorted inputs (no copy).
TestResult ks_2samp_sorted(std::span<const double> a, std::span<const double> b);
// P(D >= d) for samples of sizes n and m under the null hypothesis.
double ks_2samp_p_value(double d, std::size_t n, std::size_t m);
// Kolmogorov's limiting distribution: P(K > x) = 2 Σ (-1)^(k-1) exp(-2k²x²).
double kolmogorov_sf(double x);

// Pearson's chi-squared goodness of fit of observed counts to expected ones
// (SciPy's chisquare): k-1 degrees of freedom. An expected count of 0 with a
// positive observed one gives statistic +inf, p 0.
TestResult chi_square(std::span<const double> observed, std::span<const double> expected);
// Pearson's chi-squared test of homogeneity on a 2×k table (two samples'
// counts over the same categories), SciPy's chi2_contingency: (k−1)
// degrees of freedom, Yates' continuity correction when that is 1 and
// `yates` is set. Categories empty in both samples are ignored.
TestResult chi2_contingency(std::span<const double> counts_a, std::span<const double> counts_b, bool yates = true);
// Two-proportion z-test (pooled), two-sided: successes/trials per sample.
TestResult z_test_proportions(double successes_a, double trials_a, double successes_b, double trials_b);

// Distances between two discrete distributions given as counts or shares
// over the same bins (each is normalised to sum 1 first).
double psi(std::span<const double> reference, std::span<const double> current);  // Σ (c-r)·ln(c/r)
double kl_divergence(std::span<const double> p, std::span<const double> q);       // Σ p·ln(p/q), nats
double jensen_shannon_distance(std::span<const double> p, std::span<const double> q);  // sqrt(JS divergence), nats
double hellinger_distance(std::span<const double> p, std::span<const double> q);  // in [0, 1]

// First Wasserstein distance between two samples (SciPy's
// wasserstein_distance), and the same divided by the reference's standard
// deviation (Evidently's "normed" form; ddof 0).
double wasserstein_distance(std::span<const double> a, std::span<const double> b);
double wasserstein_distance_sorted(std::span<const double> a, std::span<const double> b);

// Special functions the tests rest on.
double regularized_gamma_q(double a, double x);  // upper regularised incomplete gamma Q(a, x)
double chi2_sf(double x, double dof);
double normal_sf(double z);

}  // namespace stats

// ---- drift between a reference and a current column -------------------------------

enum class DriftMethod {
  kAuto,         // Evidently's defaults, see choose_drift_method()
  kKs,           // p-value < threshold (default 0.05)
  kChiSquare,    // p-value < threshold (0.05); two-sample homogeneity test (see detect_categorical_drift)
  kZTest,        // binary categoricals: p-value < threshold (0.05)
  kWasserstein,  // normed distance >= threshold (0.1)
  kJensenShannon,// distance >= threshold (0.1)
  kPsi,          // >= threshold (0.1)
  kKl,           // >= threshold (0.1)
  kHellinger,    // >= threshold (0.1)
};
std::string_view drift_method_name(DriftMethod m);  // "ks", "chisquare", "wasserstein", ...
std::optional<DriftMethod> parse_drift_method(std::string_view name);
// True for tests that decide on a p-value (below threshold = drift).
bool drift_method_uses_p_value(DriftMethod m);
double default_threshold(DriftMethod m);

enum class FeatureKind { kNumeric, kCategorical };

// Evidently's rule: with <= 1000 reference rows, KS for numeric features
// with more than 5 distinct values, chi-squared for categoricals (z-test
// for binary ones); with more rows, normed Wasserstein for numeric and
// Jensen–Shannon for categorical features.
DriftMethod choose_drift_method(FeatureKind kind, std::size_t reference_rows, std::size_t distinct_values);

struct DriftOptions {
  DriftMethod method = DriftMethod::kAuto;
  std::optional<double> threshold;  // method's default when unset
  std::size_t bins = 0;             // numeric histogram bins for PSI/JS/KL/Hellinger; 0 = Sturges on the reference
};

struct DriftResult {
  DriftMethod method = DriftMethod::kAuto;  // the one that ran
  double score = 0;      // p-value for tests, distance otherwise
  double threshold = 0;
  bool drifted = false;
  double statistic = 0;  // the test statistic (KS D, chi²) or the distance
  // From grid histograms instead of every value (sketch mode): the
  // statistic and score exact mode would give lie in these ranges. When
  // computed exactly, each range is the single value.
  bool estimated = false;
  double statistic_low = 0, statistic_high = 0;
  double score_low = 0, score_high = 0;
};

// A column's values: numbers (NaN = missing) or category labels ("" = missing).
struct NumericColumn {
  std::vector<double> values;
};
struct CategoricalColumn {
  std::vector<std::string> values;
};

DriftResult detect_numeric_drift(std::span<const double> reference, std::span<const double> current,
                                 const DriftOptions& options = {});
// Chi-squared here is the two-sample test of homogeneity (chi2_contingency),
// not Evidently's goodness of fit against the reference's shares: that one
// treats the reference sample as the true distribution and raises false
// alarms at several times the nominal rate when both samples are finite.
DriftResult detect_categorical_drift(std::span<const std::string> reference, std::span<const std::string> current,
                                     const DriftOptions& options = {});

// Drift between two sets of category counts (labels need not match: a
// label missing on one side counts 0 there).
DriftResult detect_count_drift(const std::map<std::string, double, std::less<>>& reference,
                               const std::map<std::string, double, std::less<>>& current,
                               const DriftOptions& options = {});

// Shares over reference-derived bins: `bins` equal-width bins spanning the
// reference's range, plus one open bin below and one above it for current
// values outside that range. Zero shares become 1e-4 (Evidently's
// convention) so logarithms stay finite.
// The reference bins both use: `bins` equal-width bins from lo to hi (0 =
// Sturges' rule on `count` values); a constant reference (lo == hi) gets
// one bin of width 1. The last edge is exactly hi.
std::vector<double> reference_bin_edges(double lo, double hi, std::size_t count, std::size_t bins = 0);

struct BinnedShares {
  std::vector<double> edges;  // bins + 1 edges over the reference range
  std::vector<double> reference;
  std::vector<double> current;
};
BinnedShares bin_numeric(std::span<const double> reference, std::span<const double> current, std::size_t bins = 0);

// ---- streaming concept-drift detectors (on an error or loss stream) ---------------

// Page–Hinkley test for an increase in the mean: alarms when the cumulative
// deviation above the running mean (minus delta) exceeds lambda.
class PageHinkley {
 public:
  struct Options {
    double delta = 0.005;    // tolerated change
    double lambda = 50;      // alarm threshold
    std::size_t min_samples = 30;
  };
  PageHinkley() : PageHinkley(Options{}) {}
  explicit PageHinkley(Options options) : o_(options) {}
  bool update(double x);  // true when drift is detected (then the test restarts)
  void reset();
  std::size_t samples() const { return n_; }

 private:
  Options o_;
  std::size_t n_ = 0;
  double mean_ = 0, cum_ = 0, min_cum_ = 0;
};

// ADWIN (Bifet & Gavaldà 2007): an adaptive window of recent values kept as
// exponential-histogram buckets; when two sub-windows' means differ by more
// than the Hoeffding-style bound for confidence delta, the older part is
// dropped and drift is reported.
class Adwin {
 public:
  explicit Adwin(double delta = 0.002, int max_buckets = 5);
  bool update(double x);  // true when the window shrank (drift detected)
  double mean() const { return width_ ? total_ / static_cast<double>(width_) : 0; }
  std::uint64_t width() const { return width_; }

 private:
  struct Bucket {
    double total;
    double variance;
  };
  void insert(double x);
  void compress();
  bool detect();
  double delta_;
  int max_buckets_;
  std::vector<std::vector<Bucket>> rows_;  // rows_[i]: buckets of 2^i values, newest first
  std::uint64_t width_ = 0;
  double total_ = 0, variance_ = 0;
  std::uint64_t ticks_ = 0;
};

}  // namespace vigil
