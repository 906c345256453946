// Streaming numeric summary: moments (Welford, merged with Chan et al.),
// a DDSketch, counts on reference bins and a reservoir sample.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <stdexcept>

#include "vigil/profile.h"

namespace vigil {
namespace {

__extension__ using u128 = unsigned __int128;  // 64x64->128 multiply

std::uint64_t splitmix64(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

// A uniform index in [0, n) without modulo bias worth caring about (n < 2^40).
std::uint64_t below(std::uint64_t& state, std::uint64_t n) {
  return static_cast<std::uint64_t>((static_cast<u128>(splitmix64(state)) * n) >> 64);
}

}  // namespace

NumericSummary::NumericSummary(std::size_t sample_size, std::uint64_t seed)
    : sample_capacity_(sample_size), rng_(seed) {}

double NumericSummary::stddev() const { return std::sqrt(variance()); }
double NumericSummary::mean() const { return finite_ ? shift_ + sum_ / static_cast<double>(finite_) : 0.0; }
double NumericSummary::m2() const {
  return finite_ ? std::max(0.0, sumsq_ - sum_ * sum_ / static_cast<double>(finite_)) : 0.0;
}
double NumericSummary::variance() const { return finite_ > 1 ? m2() / static_cast<double>(finite_) : 0.0; }

void NumericSummary::set_bins(std::vector<double> edges) {
  if (!std::is_sorted(edges.begin(), edges.end()) || edges.size() == 1)
    throw std::invalid_argument("profile bins: edges must be sorted, and at least two");
  edges_ = std::move(edges);
  bins_.assign(edges_.empty() ? 0 : edges_.size() + 1, 0);
}

void NumericSummary::note_value(double v) {
  for (auto& [x, c] : few_)
    if (x == v) {
      ++c;
      return;
    }
  if (few_.size() == kFewValues) {
    many_ = true;
    few_.clear();
    return;
  }
  few_.emplace_back(v, 1);
}

// One value (a prediction's feature, as ModelMonitor adds them): the parts
// of a batch (below) for one value, without a batch's set-up, which cost
// half as much again as the value itself.
void NumericSummary::add(double v) {
  if (std::isnan(v)) {
    ++missing_;
    return;
  }
  sketch_.add(v);
  if (count_++ == 0) min_ = max_ = v;
  min_ = std::min(min_, v);
  max_ = std::max(max_, v);
  if (!edges_.empty()) ++bins_[bin_slot(v)];
  if (!many_) note_value(v);
  if (!std::isfinite(v)) return;
  grid_.add(v);
  if (finite_++ == 0) shift_ = v;
  const double d = v - shift_;
  sum_ += d;
  sumsq_ += d * d;
  sample(v);
}

// One pass per part of the summary, each a tight loop over the batch: at
// hundreds of columns a column's grid cells and sketch bins are not in
// cache, and a tight loop keeps many of those misses in flight where one
// long per-value body waits for each (the grid alone was 10 % of a
// 1,000-column profile). The order within each part is the values' order,
// so the result is the same as adding them one at a time.
void NumericSummary::add(std::span<const double> values) {
  sketch_.add(values);
  grid_.add(values);
  add_moments(values);
  if (!edges_.empty())
    for (double v : values)
      if (!std::isnan(v)) ++bins_[bin_slot(v)];
  for (std::size_t i = 0; i < values.size() && !many_; ++i)
    if (!std::isnan(values[i])) note_value(values[i]);
  for (double v : values) {
    if (!std::isfinite(v)) continue;
    if (next_kept_ > seen_for_sample_ + 1 && sample_.size() == sample_capacity_) {
      ++seen_for_sample_;  // a full reservoir that keeps a later value: what sample() would do, without the call
      continue;
    }
    sample(v);
  }
}

// Count, missing, min and max over every non-NaN value (±inf included);
// the shifted sums over the finite ones. Locals, written back once: the
// compiler cannot keep members in registers across stores it cannot tell
// apart from them.
void NumericSummary::add_moments(std::span<const double> values) {
  std::uint64_t count = 0, missing = 0, finite = 0;
  constexpr double kInf = std::numeric_limits<double>::infinity();
  double lo = count_ ? min_ : kInf, hi = count_ ? max_ : -kInf;
  double sum = sum_, sumsq = sumsq_;
  for (double v : values) {
    if (std::isnan(v)) {
      ++missing;
      continue;
    }
    ++count;
    lo = std::min(lo, v);
    hi = std::max(hi, v);
    if (!std::isfinite(v)) continue;
    if (finite_ + finite++ == 0) shift_ = v;
    const double d = v - shift_;
    sum += d;
    sumsq += d * d;
  }
  if (count) min_ = lo, max_ = hi;
  count_ += count;
  missing_ += missing;
  finite_ += finite;
  sum_ = sum;
  sumsq_ = sumsq;
}

// Slot 0 below the first edge, slot E above the last; the last edge itself
// belongs to the last real bin (as in bin_numeric). The search is
// branch-free: data does not predict which half a value falls in, and
// upper_bound's mispredictions were most of the cost of a binned value.
std::size_t NumericSummary::bin_slot(double v) const {
  const std::size_t edges = edges_.size();
  if (v < edges_.front()) return 0;
  if (v > edges_.back()) return edges;
  const double* e = edges_.data();
  std::size_t lo = 0, n = edges;  // the count of edges <= v lies in [lo, lo + n]
  while (n > 1) {
    const std::size_t half = n / 2;
    lo = e[lo + half] <= v ? lo + half : lo;
    n -= half;
  }
  return std::min(lo + (e[lo] <= v), edges - 1);
}

// Reservoir sampling: Algorithm R keeps value i with probability k/i. Past
// the first k values, the index of the next kept value is drawn directly
// (P(none of s+1..t kept) ≈ (s/t)^k, Vitter's skip), so the random number
// generator runs once per kept value, not once per value.
void NumericSummary::sample(double v) {
  ++seen_for_sample_;
  if (sample_.size() < sample_capacity_) {
    sample_.push_back(v);
    return;
  }
  if (sample_capacity_ == 0) return;
  if (next_kept_ <= seen_for_sample_ - 1) next_kept_ = next_kept_after(seen_for_sample_ - 1);
  if (seen_for_sample_ != next_kept_) return;
  sample_[below(rng_, sample_capacity_)] = v;
  next_kept_ = next_kept_after(seen_for_sample_);
}

std::uint64_t NumericSummary::next_kept_after(std::uint64_t seen) {
  double u = (static_cast<double>(splitmix64(rng_) >> 11) + 1) * 0x1p-53;  // (0, 1]
  double t = std::ceil(static_cast<double>(seen) * std::pow(u, -1.0 / static_cast<double>(sample_capacity_)));
  return t >= 0x1p63 ? UINT64_MAX : std::max<std::uint64_t>(seen + 1, static_cast<std::uint64_t>(t));
}

namespace {

// "bin edges differ: 21 edges over [12.5, 88] here, 19 over [10, 91] in the other"
std::string describe_edge_mismatch(const std::vector<double>& a, const std::vector<double>& b) {
  auto range = [](const std::vector<double>& e) {
    char buf[96];
    if (e.empty()) return std::string("no bins");
    std::snprintf(buf, sizeof buf, "%zu edges over [%.6g, %.6g]", e.size(), e.front(), e.back());
    return std::string(buf);
  };
  std::string what = range(a) == range(b) ? " (same count and range, different inner edges)" : "";
  return "bin edges differ: " + range(a) + " here, " + range(b) + " in the other" + what +
         "; profile shards with the same reference (or bins) so they merge";
}

}  // namespace

void NumericSummary::merge(const NumericSummary& o) {
  if (o.count_ == 0 && o.missing_ == 0) return;
  const bool derive = o.bins_derived_ && (bins_derived_ || count_ + missing_ == 0);
  if (derive) {
    bins_.assign(bins_.size(), 0);  // derived again from the merged grid below
  } else if (!o.edges_.empty() || o.bins_derived_ != bins_derived_) {
    if (edges_.empty() && count_ == 0) set_bins(o.edges_);
    else if (edges_ != o.edges_ || o.bins_derived_ != bins_derived_)
      throw std::invalid_argument(describe_edge_mismatch(edges_, o.edges_) +
                                  (o.bins_derived_ != bins_derived_ ? " (one side's bins follow its data)" : ""));
  }
  if (o.count_ > 0) {
    if (count_ == 0) min_ = o.min_, max_ = o.max_;
    min_ = std::min(min_, o.min_);
    max_ = std::max(max_, o.max_);
  }
  merge_moments(o);
  if (!derive)
    for (std::size_t i = 0; i < o.bins_.size(); ++i) bins_[i] += o.bins_[i];
  merge_few_values(o);
  sketch_.merge(o.sketch_);
  grid_.merge(o.grid_);
  merge_sample(o);
  count_ += o.count_;
  missing_ += o.missing_;
  finite_ += o.finite_;
  if (derive) derive_bins();
}

void NumericSummary::derive_bins() {
  bins_derived_ = true;
  if (grid_.empty()) {
    edges_.clear();
    bins_.clear();
    return;
  }
  const double w = grid_.cell_width();
  const std::int64_t first = grid_.first_cell(), last = grid_.last_cell() + 1;  // edges as cell numbers
  const double lo = std::isfinite(min_) ? min_ : static_cast<double>(first) * w;
  const double hi = std::isfinite(max_) ? max_ : static_cast<double>(last) * w;
  std::vector<std::int64_t> cuts{first};
  for (double e : reference_bin_edges(lo, hi, finite_)) {
    auto cut = std::clamp(static_cast<std::int64_t>(std::llround(e / w)), first, last);
    if (cut > cuts.back()) cuts.push_back(cut);
  }
  if (cuts.back() != last) cuts.push_back(last);
  edges_.clear();
  for (std::int64_t c : cuts) edges_.push_back(static_cast<double>(c) * w);
  bins_.assign(edges_.size() + 1, 0);
  for (std::size_t i = 0; i + 1 < cuts.size(); ++i) bins_[i + 1] = grid_.count_between(cuts[i], cuts[i + 1] - 1);
  // The open slots hold what add() puts there: -inf below, +inf above.
  const QuantileSketch::State st = sketch_.state();
  bins_.front() = st.neg_inf;
  bins_.back() = st.pos_inf;
}

// Chan et al.: combine (n, mean, m2), then re-centre on the new mean.
void NumericSummary::merge_moments(const NumericSummary& o) {
  if (o.finite_ == 0) return;
  double na = static_cast<double>(finite_), nb = static_cast<double>(o.finite_), n = na + nb;
  double ma = mean(), mb = o.mean(), delta = mb - ma;
  double combined = m2() + o.m2() + delta * delta * na * nb / n;
  shift_ = ma + delta * nb / n;
  sum_ = 0;
  sumsq_ = combined;
}

void NumericSummary::merge_few_values(const NumericSummary& o) {
  if (o.many_) {
    many_ = true;
    few_.clear();
    return;
  }
  for (const auto& entry : o.few_) {  // not a structured binding: clang cannot capture one in a lambda
    if (many_) break;
    const double x = entry.first;
    const std::uint64_t c = entry.second;
    auto it = std::find_if(few_.begin(), few_.end(), [x](const auto& p) { return p.first == x; });
    if (it != few_.end()) it->second += c;
    else if (few_.size() == kFewValues) many_ = true, few_.clear();
    else few_.emplace_back(x, c);
  }
}

// Reservoirs: keep each side in proportion to how many values it saw.
void NumericSummary::merge_sample(const NumericSummary& o) {
  std::uint64_t seen = seen_for_sample_ + o.seen_for_sample_;
  std::size_t cap = std::max(sample_capacity_, o.sample_capacity_);
  if (sample_.size() + o.sample_.size() <= cap) {
    sample_.insert(sample_.end(), o.sample_.begin(), o.sample_.end());
  } else {
    auto take_a = static_cast<std::size_t>(std::llround(static_cast<double>(cap) * static_cast<double>(seen_for_sample_) /
                                                        static_cast<double>(seen)));
    take_a = std::min(take_a, sample_.size());
    std::size_t take_b = std::min(cap - take_a, o.sample_.size());
    auto pick = [&](std::vector<double> from, std::size_t k) {  // k random elements (partial Fisher–Yates)
      for (std::size_t i = 0; i < k; ++i) std::swap(from[i], from[i + below(rng_, from.size() - i)]);
      from.resize(k);
      return from;
    };
    std::vector<double> merged = pick(sample_, take_a);
    std::vector<double> other = pick(o.sample_, take_b);
    merged.insert(merged.end(), other.begin(), other.end());
    sample_ = std::move(merged);
  }
  sample_capacity_ = cap;
  seen_for_sample_ = seen;
}

}  // namespace vigil
