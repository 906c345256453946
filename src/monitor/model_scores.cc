#include "monitor/model_scores.h"

#include <algorithm>
#include <cmath>

namespace vigil::detail {

void ClassificationScores::count(const std::string& predicted, const std::string& actual, int sign) {
  auto step = [sign](std::uint64_t& x) { x = sign > 0 ? x + 1 : x - 1; };
  if (predicted == actual) {
    step(classes_[predicted].true_positives);
    step(correct_);
  } else {
    step(classes_[predicted].false_positives);
    step(classes_[actual].false_negatives);
  }
}

double ClassificationScores::add(const std::string& predicted, const std::string& actual, std::size_t capacity) {
  count(predicted, actual, +1);
  labelled_.emplace_back(predicted, actual);
  if (labelled_.size() > capacity) {
    auto [p, a] = labelled_.front();
    labelled_.pop_front();
    count(p, a, -1);
  }
  return predicted == actual ? 0.0 : 1.0;
}

void ClassificationScores::fill(ModelQuality& q) const {
  q.labelled = labelled_.size();
  if (!q.labelled) return;
  q.accuracy = static_cast<double>(correct_) / static_cast<double>(q.labelled);
  double precision = 0, recall = 0, f1 = 0;
  std::size_t seen = 0;
  for (const auto& [name, c] : classes_) {
    std::uint64_t tp = c.true_positives, fp = c.false_positives, fn = c.false_negatives;
    if (tp + fp + fn == 0) continue;
    double p = tp + fp ? static_cast<double>(tp) / static_cast<double>(tp + fp) : 0;
    double r = tp + fn ? static_cast<double>(tp) / static_cast<double>(tp + fn) : 0;
    precision += p;
    recall += r;
    f1 += p + r > 0 ? 2 * p * r / (p + r) : 0;
    ++seen;
  }
  if (seen) {
    q.precision = precision / static_cast<double>(seen);
    q.recall = recall / static_cast<double>(seen);
    q.f1 = f1 / static_cast<double>(seen);
  }
}

double RegressionScores::add(double predicted, double actual, std::size_t capacity) {
  double err = predicted - actual;
  errors_.push_back(err);
  sum_abs_ += std::fabs(err);
  sum_sq_ += err * err;
  if (errors_.size() > capacity) {
    double old = errors_.front();
    errors_.pop_front();
    sum_abs_ -= std::fabs(old);
    sum_sq_ -= old * old;
  }
  return std::fabs(err);
}

void RegressionScores::fill(ModelQuality& q) const {
  q.labelled = errors_.size();
  if (!q.labelled) return;
  q.mae = sum_abs_ / static_cast<double>(q.labelled);
  q.rmse = std::sqrt(std::max(0.0, sum_sq_) / static_cast<double>(q.labelled));
}

std::size_t PendingLabels::add(std::string_view request_id, Pending pending, std::size_t max_pending,
                               std::uint64_t ttl_ns) {
  std::uint64_t now = pending.time_unix_nano;
  auto [it, inserted] = pending_.try_emplace(std::string(request_id));
  it->second = std::move(pending);
  if (inserted) order_.emplace_back(now, it->first);
  std::size_t dropped = 0;
  while (!order_.empty() && (pending_.size() > max_pending || order_.front().first + ttl_ns < now)) {
    dropped += pending_.erase(order_.front().second);
    order_.pop_front();
  }
  return dropped;
}

std::optional<PendingLabels::Pending> PendingLabels::take(std::string_view request_id) {
  auto it = pending_.find(std::string(request_id));
  if (it == pending_.end()) return std::nullopt;
  Pending p = std::move(it->second);
  pending_.erase(it);
  return p;
}

}  // namespace vigil::detail
