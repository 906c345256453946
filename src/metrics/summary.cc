// Summary: quantiles over a sliding window, as client_golang's summaries do,
// but each age bucket is a relative-error sketch (vigil/quantile_sketch.h),
// so the error is stated, memory is bounded, and buckets merge exactly.
#include <chrono>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "vigil/metrics.h"
#include "vigil/quantile_sketch.h"

namespace vigil {

class Summary::Impl {
 public:
  using Clock = std::chrono::steady_clock;

  explicit Impl(const SummaryConfig& c) : config_(c) {
    if (c.age_buckets == 0 || c.max_age.count() <= 0)
      throw std::invalid_argument("vigil: summary needs age_buckets >= 1 and max_age > 0");
    for (double q : c.quantiles)
      if (!(q >= 0 && q <= 1)) throw std::invalid_argument("vigil: summary quantiles must lie in [0, 1]");
    buckets_.assign(c.age_buckets, QuantileSketch(c.relative_accuracy));
    rotation_ = std::chrono::duration_cast<Clock::duration>(c.max_age) / c.age_buckets;
    next_rotation_ = Clock::now() + rotation_;
  }

  void observe(double v) {
    std::lock_guard lock(mu_);
    rotate(Clock::now());
    // Every age bucket sees the value; the oldest is reset on rotation, so
    // the head always covers (max_age - one rotation, max_age].
    for (auto& b : buckets_) b.add(v);
    sum_ += v;
    count_ += 1;
  }

  std::vector<std::pair<double, double>> quantiles() {
    std::lock_guard lock(mu_);
    rotate(Clock::now());
    std::vector<std::pair<double, double>> out;
    for (double q : config_.quantiles) out.emplace_back(q, buckets_[head_].quantile(q));
    return out;
  }

  double sum() { std::lock_guard lock(mu_); return sum_; }
  double count() { std::lock_guard lock(mu_); return count_; }

 private:
  void rotate(Clock::time_point now) {
    if (now - next_rotation_ >= config_.max_age) {  // idle past the window
      for (auto& b : buckets_) b.clear();
      next_rotation_ = now + rotation_;
      return;
    }
    while (now >= next_rotation_) {
      buckets_[head_].clear();
      head_ = (head_ + 1) % buckets_.size();
      next_rotation_ += rotation_;
    }
  }

  SummaryConfig config_;
  std::mutex mu_;
  std::vector<QuantileSketch> buckets_;
  std::size_t head_ = 0;
  Clock::duration rotation_;
  Clock::time_point next_rotation_;
  double sum_ = 0;
  double count_ = 0;
};

Summary::Summary(const SummaryConfig& config) : impl_(std::make_unique<Impl>(config)) {}
Summary::~Summary() = default;

void Summary::observe(double v) { impl_->observe(v); }
std::vector<std::pair<double, double>> Summary::quantiles() const { return impl_->quantiles(); }
double Summary::sum() const { return impl_->sum(); }
double Summary::count() const { return impl_->count(); }

void Summary::snapshot(SeriesSnapshot& out) const {
  out.quantiles = quantiles();
  out.sum = sum();
  out.count = count();
}

}  // namespace vigil
