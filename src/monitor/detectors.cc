// Streaming concept-drift detectors for an error (or loss) stream.
#include <cmath>

#include "vigil/drift.h"

namespace vigil {

// ---- Page–Hinkley ---------------------------------------------------------------
// m_T = Σ (x_t − mean_t − δ), alarm when m_T − min_t m_t > λ (an upward
// shift of the mean, e.g. the error rate rising).

bool PageHinkley::update(double x) {
  ++n_;
  mean_ += (x - mean_) / static_cast<double>(n_);
  cum_ += x - mean_ - o_.delta;
  min_cum_ = std::min(min_cum_, cum_);
  if (n_ >= o_.min_samples && cum_ - min_cum_ > o_.lambda) {
    reset();
    return true;
  }
  return false;
}

void PageHinkley::reset() {
  n_ = 0;
  mean_ = cum_ = min_cum_ = 0;
}

// ---- ADWIN ------------------------------------------------------------------------
// The window is a list of rows; row i holds up to max_buckets+1 buckets of
// 2^i values each (newest first). Every kClock updates, each split of the
// window into an older part W0 and a newer part W1 is tested:
//   |mean(W0) − mean(W1)| > sqrt(2·m·σ²·ln(2·ln(n)/δ)) + (2/3)·m·ln(2·ln(n)/δ),
//   m = 1/n0 + 1/n1,
// (Bifet & Gavaldà's bound, as MOA and river implement it); on a cut the
// oldest bucket is dropped and the test repeats.

namespace {
constexpr std::uint64_t kClock = 32;
constexpr std::uint64_t kMinSubWindow = 5;
}  // namespace

Adwin::Adwin(double delta, int max_buckets) : delta_(delta), max_buckets_(max_buckets) {}

void Adwin::insert(double x) {
  if (rows_.empty()) rows_.emplace_back();
  rows_[0].insert(rows_[0].begin(), Bucket{x, 0.0});
  if (width_ > 0) {
    double mean = total_ / static_cast<double>(width_);
    variance_ += static_cast<double>(width_) * (x - mean) * (x - mean) / static_cast<double>(width_ + 1);
  }
  ++width_;
  total_ += x;
  compress();
}

void Adwin::compress() {
  for (std::size_t i = 0; i < rows_.size(); ++i) {
    if (rows_[i].size() <= static_cast<std::size_t>(max_buckets_)) break;
    // Merge the two oldest buckets of row i into one of row i+1.
    Bucket b2 = rows_[i].back();
    rows_[i].pop_back();
    Bucket b1 = rows_[i].back();
    rows_[i].pop_back();
    double n = std::ldexp(1.0, static_cast<int>(i));
    double u1 = b1.total / n, u2 = b2.total / n;
    Bucket merged{b1.total + b2.total, b1.variance + b2.variance + n * n * (u1 - u2) * (u1 - u2) / (2 * n)};
    if (i + 1 == rows_.size()) rows_.emplace_back();
    rows_[i + 1].insert(rows_[i + 1].begin(), merged);
  }
}

bool Adwin::detect() {
  bool changed = false;
  bool again = true;
  while (again && width_ > 2 * kMinSubWindow) {
    again = false;
    double n0 = 0, u0 = 0;  // older part, accumulated from the oldest bucket
    double n = static_cast<double>(width_);
    double var = variance_ / n;
    double dd = std::log(2.0 * std::log(n) / delta_);
    for (std::size_t i = rows_.size(); i-- > 0 && !again;) {
      double size = std::ldexp(1.0, static_cast<int>(i));
      for (std::size_t k = rows_[i].size(); k-- > 0;) {
        n0 += size;
        u0 += rows_[i][k].total;
        double n1 = n - n0;
        if (n1 < kMinSubWindow) break;
        if (n0 < kMinSubWindow) continue;
        double mean0 = u0 / n0, mean1 = (total_ - u0) / n1;
        double m = 1.0 / n0 + 1.0 / n1;
        double eps = std::sqrt(2.0 * m * var * dd) + 2.0 / 3.0 * dd * m;
        if (std::fabs(mean0 - mean1) > eps) {
          // Drop the oldest bucket and test the shorter window again.
          std::size_t last = rows_.size() - 1;
          while (rows_[last].empty()) --last;
          Bucket old = rows_[last].back();
          rows_[last].pop_back();
          double bn = std::ldexp(1.0, static_cast<int>(last));
          double rest = n - bn;
          double bu = old.total / bn, ru = (total_ - old.total) / rest;
          variance_ -= old.variance + bn * rest * (bu - ru) * (bu - ru) / n;
          if (variance_ < 0) variance_ = 0;
          width_ -= static_cast<std::uint64_t>(bn);
          total_ -= old.total;
          while (!rows_.empty() && rows_.back().empty()) rows_.pop_back();
          changed = again = true;
          break;
        }
      }
    }
  }
  return changed;
}

bool Adwin::update(double x) {
  insert(x);
  if (++ticks_ % kClock != 0) return false;
  return detect();
}

}  // namespace vigil
