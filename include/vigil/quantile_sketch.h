// A mergeable quantile sketch with a relative-error guarantee (DDSketch,
// Masson et al., VLDB 2019): every quantile estimate q' of a true value q
// satisfies |q' - q| <= relative_accuracy * |q|, for any data distribution,
// as long as the bins needed stay under max_bins (the lowest bins collapse
// past it, which only affects the very lowest quantiles).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace vigil {

class QuantileSketch {
 public:
  explicit QuantileSketch(double relative_accuracy = 0.01, std::uint32_t max_bins = 4096);

  void add(double v, std::uint64_t weight = 1);
  void add(std::span<const double> values);  // each once; the same sketch as add() of each, faster
  // Both sketches must share relative_accuracy; throws std::invalid_argument.
  void merge(const QuantileSketch& other);
  void clear();

  // q in [0,1]; NaN when empty.
  double quantile(double q) const;
  std::uint64_t count() const { return count_; }
  double sum() const { return sum_; }
  double min() const { return min_; }
  double max() const { return max_; }
  double relative_accuracy() const { return alpha_; }

  // Everything the sketch holds, for saving and loading (profiles).
  struct State {
    double relative_accuracy = 0.01;
    std::uint32_t max_bins = 4096;
    std::int32_t positive_offset = 0;
    std::vector<std::uint64_t> positive;
    std::int32_t negative_offset = 0;
    std::vector<std::uint64_t> negative;
    std::uint64_t zeros = 0, pos_inf = 0, neg_inf = 0, count = 0;
    double sum = 0, min = 0, max = 0;
  };
  State state() const;
  // Throws std::invalid_argument if the state is inconsistent.
  static QuantileSketch from_state(const State& state);

 private:
  struct Store {
    std::int32_t offset = 0;  // index of bins[0]
    std::vector<std::uint64_t> bins;
    void add(std::int32_t index, std::uint64_t w, std::uint32_t max_bins);
  };
  std::int32_t index_of(double positive) const;
  double value_of(std::int32_t index) const;

  double alpha_;
  double gamma_;
  double log_gamma_;
  double inv_log_gamma_;
  std::uint32_t max_bins_;
  Store positive_;
  Store negative_;  // indexed by |v|
  std::uint64_t zeros_ = 0;
  std::uint64_t pos_inf_ = 0;  // infinities sit outside the bins
  std::uint64_t neg_inf_ = 0;
  std::uint64_t count_ = 0;
  double sum_ = 0;
  double min_ = 0;
  double max_ = 0;
};

}  // namespace vigil
