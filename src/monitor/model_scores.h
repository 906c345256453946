// The parts of one model's state in ModelMonitor, each with one job:
// ground-truth scores over a sliding window of labels (classification or
// regression), and the predictions still waiting for their label.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>

#include "vigil/monitor.h"
#include "vigil/owned_value.h"

namespace vigil::detail {

// Accuracy and macro precision/recall/F1 over the last `capacity` labels.
class ClassificationScores {
 public:
  // Adds one (predicted, actual) pair, dropping the oldest past capacity.
  // Returns the error signal for the drift detectors: 1 wrong, 0 right.
  double add(const std::string& predicted, const std::string& actual, std::size_t capacity);
  void fill(ModelQuality& q) const;

 private:
  struct ClassCounts {
    std::uint64_t true_positives = 0, false_positives = 0, false_negatives = 0;
  };
  void count(const std::string& predicted, const std::string& actual, int sign);

  std::map<std::string, ClassCounts> classes_;
  std::deque<std::pair<std::string, std::string>> labelled_;  // (predicted, actual), oldest first
  std::uint64_t correct_ = 0;
};

// MAE and RMSE over the last `capacity` labels, kept as running sums.
class RegressionScores {
 public:
  // Returns the error signal for the drift detectors: |predicted − actual|.
  double add(double predicted, double actual, std::size_t capacity);
  void fill(ModelQuality& q) const;

 private:
  std::deque<double> errors_;  // predicted − actual, oldest first
  double sum_abs_ = 0, sum_sq_ = 0;
};

// Predictions with a request id, waiting for ground truth: bounded by count
// and by age, oldest dropped first.
class PendingLabels {
 public:
  struct Pending {
    OwnedValue prediction;
    std::uint64_t time_unix_nano = 0;
    std::string version;
  };
  // Adds (or replaces) one; returns how many old ones were dropped to stay
  // within `max_pending` and `ttl_ns` of `now`.
  std::size_t add(std::string_view request_id, Pending pending, std::size_t max_pending, std::uint64_t ttl_ns);
  // Removes and returns the prediction of `request_id`, if it is waiting.
  std::optional<Pending> take(std::string_view request_id);

 private:
  std::unordered_map<std::string, Pending> pending_;
  std::deque<std::pair<std::uint64_t, std::string>> order_;  // (time, request id), oldest first
};

}  // namespace vigil::detail
