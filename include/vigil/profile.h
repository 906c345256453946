// Streaming, mergeable data profiles: what a model's features (and its
// predictions) looked like over a window. Profiles from replicas or from
// consecutive windows merge into one; a reference profile (built from the
// training CSV or a chosen window) is saved and loaded as JSON and is what
// drift and data-quality checks compare against.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "vigil/drift.h"
#include "vigil/grid_histogram.h"
#include "vigil/quantile_sketch.h"

namespace vigil {

// Count, missing, min/max, mean and variance (shifted sums; merged with
// Chan et al.'s formula, so split-and-merge equals one pass up to rounding), a
// DDSketch with 1 % relative quantile error, counts on the reference's bins
// when the profile has them, a grid histogram (KS and Wasserstein with a
// stated bound, see grid_histogram.h) and a uniform sample (reservoir).
class NumericSummary {
 public:
  explicit NumericSummary(std::size_t sample_size = 10000, std::uint64_t seed = 0x5eed);
  void add(double v);  // NaN counts as missing; ±inf count but stay out of mean/variance/sample
  void add(std::span<const double> values);
  void add_missing() { ++missing_; }
  void merge(const NumericSummary& other);
  // Gives the summary bins (reference edges; see bin_numeric): values below
  // the first edge and above the last get open bins at either end.
  void set_bins(std::vector<double> edges);
  // Bins of its own, chosen after the values are in: exact mode's edges
  // (Sturges over the finite range) moved to the nearest grid cell edge, so
  // the counts in them are exact. Such bins follow the data: two summaries
  // with derived bins merge into derived bins of the union (what one pass
  // over all of it gives), where fixed bins must match.
  void derive_bins();
  bool bins_derived() const { return bins_derived_; }

  std::uint64_t count() const { return count_; }      // non-missing values
  std::uint64_t missing() const { return missing_; }
  std::uint64_t finite() const { return finite_; }
  double min() const { return min_; }
  double max() const { return max_; }
  double mean() const;
  double variance() const;  // population (ddof 0)
  double stddev() const;
  double quantile(double q) const { return sketch_.quantile(q); }
  const QuantileSketch& sketch() const { return sketch_; }
  const GridHistogram& grid() const { return grid_; }
  const std::vector<double>& bin_edges() const { return edges_; }
  const std::vector<std::uint64_t>& bin_counts() const { return bins_; }  // edges.size()+1 slots
  const std::vector<double>& sample() const { return sample_; }
  std::size_t sample_capacity() const { return sample_capacity_; }
  // Values and counts while the feature has at most 5 distinct values (then
  // it is compared as a categorical, as Evidently does); empty past that.
  const std::vector<std::pair<double, std::uint64_t>>& few_values() const { return few_; }
  bool many_values() const { return many_; }

 private:
  friend struct ProfileCodec;
  static constexpr std::size_t kFewValues = 5;
  void note_value(double v);
  void add_moments(std::span<const double> values);
  std::size_t bin_slot(double v) const;  // edges_ must not be empty
  void sample(double v);
  std::uint64_t next_kept_after(std::uint64_t seen);
  void merge_moments(const NumericSummary& other);
  void merge_few_values(const NumericSummary& other);
  void merge_sample(const NumericSummary& other);
  std::uint64_t count_ = 0, missing_ = 0, finite_ = 0;
  double min_ = 0, max_ = 0;
  // Moments as sums of deviations from a shift (the first value, later the
  // merged mean): as stable as Welford's update for data near the shift,
  // without a division on every add. m2 = sumsq − sum²/n.
  double shift_ = 0, sum_ = 0, sumsq_ = 0;
  double m2() const;
  QuantileSketch sketch_{0.01};
  GridHistogram grid_;
  bool bins_derived_ = false;
  std::vector<double> edges_;
  std::vector<std::uint64_t> bins_;
  std::size_t sample_capacity_;
  std::vector<double> sample_;
  std::uint64_t seen_for_sample_ = 0;
  std::uint64_t next_kept_ = 0;  // the next value the reservoir keeps (not saved: drawn again)
  std::uint64_t rng_;  // splitmix64 state: reservoir slots
  std::vector<std::pair<double, std::uint64_t>> few_;
  bool many_ = false;
};

// A statistic of two samples computed from their summaries instead of
// every value: the value computed from every value lies in [low, high],
// and `value` is the estimate reported. The range comes from what the
// summaries know exactly, whatever the data: the count below every grid
// cell edge and every DDSketch bucket edge (the grid bounds the dense part,
// the sketch's relative buckets the part near zero and the tails).
struct StatisticRange {
  double value = 0, low = 0, high = 0;
  double bound() const { return value - low > high - value ? value - low : high - value; }
};
// The two-sample KS statistic sup |Fa − Fb| over finite values.
StatisticRange ks_statistic_range(const NumericSummary& a, const NumericSummary& b);
// The Wasserstein-1 distance ∫ |Fa − Fb| dx over finite values.
StatisticRange wasserstein_range(const NumericSummary& a, const NumericSummary& b);

// Category counts: exact while at most `max_tracked` categories have been
// seen, then a Misra–Gries summary (every count underestimated by at most
// n/(max_tracked+1); merges keep that bound). Distinct values: exact while
// tracked exactly, else a HyperLogLog estimate (p = 12, ~1.6 % error).
class CategoricalSummary {
 public:
  explicit CategoricalSummary(std::size_t max_tracked = 1024);
  void add(std::string_view v, std::uint64_t n = 1);  // n times; "" counts as missing
  void add_missing() { ++missing_; }
  void merge(const CategoricalSummary& other);

  std::uint64_t count() const { return count_; }
  std::uint64_t missing() const { return missing_; }
  bool exact() const { return exact_; }
  double distinct() const;
  const std::map<std::string, std::uint64_t, std::less<>>& counts() const { return counts_; }
  std::vector<std::pair<std::string, std::uint64_t>> top(std::size_t k) const;

 private:
  friend struct ProfileCodec;
  void shrink();
  std::size_t max_tracked_;
  std::uint64_t count_ = 0, missing_ = 0;
  bool exact_ = true;
  std::map<std::string, std::uint64_t, std::less<>> counts_;
  std::vector<std::uint8_t> hll_;  // 4096 registers
};

struct FeatureProfile {
  std::string name;
  FeatureKind kind = FeatureKind::kNumeric;
  NumericSummary numeric;          // when kind is numeric
  CategoricalSummary categorical;  // when categorical
  std::uint64_t type_errors = 0;   // non-numeric text seen in a numeric feature
  // The first of them and its line in the input, when read from a CSV (to
  // name it in a warning; not saved with the profile).
  std::string first_type_error;
  std::size_t first_type_error_line = 0;
  // Keeps the earlier of this and (text, line); line 0 means unknown.
  void note_type_error(const std::string& text, std::size_t line);

  void merge(const FeatureProfile& other);  // throws std::invalid_argument on a kind mismatch
  std::uint64_t rows() const;               // values plus missing
};

// The profile of a dataset or a window: one FeatureProfile per column.
struct DatasetProfile {
  std::map<std::string, FeatureProfile, std::less<>> features;
  std::vector<std::string> columns;  // the input's column order, when known (reports follow it)
  std::uint64_t rows = 0;
  std::uint64_t start_unix_nano = 0, end_unix_nano = 0;  // the window, when streamed

  void merge(const DatasetProfile& other);
  std::string to_json() const;
  // Throws std::invalid_argument naming what is wrong.
  static DatasetProfile from_json(std::string_view json);
  void save(const std::filesystem::path& path) const;
  static DatasetProfile load(const std::filesystem::path& path);
};

}  // namespace vigil
