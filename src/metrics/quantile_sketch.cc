#include "vigil/quantile_sketch.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <stdexcept>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace vigil {
namespace {
// Values below this magnitude count as zero; keeps indexes in range.
constexpr double kMinIndexable = 1e-300;

// ln(v) for positive normal doubles, about 4x cheaper than std::log and
// within ~1e-13 of it: v = 2^e · m with m in [1,2); m is divided by the
// nearest of 256 table points t (|m/t − 1| < 2^-8) and ln(1+r) summed to r^5.
// Bucket boundaries move by at most that much, so the sketch's relative
// error bound holds to within 1e-12 of α.
struct LogTable {
  double ln_t[257];
  double inv_t[257];
  LogTable() {
    for (int k = 0; k <= 256; ++k) {
      double t = 1.0 + k / 256.0;
      ln_t[k] = std::log(t);
      inv_t[k] = 1.0 / t;
    }
  }
};
const LogTable kLogTable;

// Inline: the block loop below computes many at once, and a call per value
// kept them from overlapping.
[[gnu::always_inline]] inline double fast_log(double v) {
  std::uint64_t bits;
  std::memcpy(&bits, &v, 8);
  int e = static_cast<int>((bits >> 52) & 0x7ff) - 1023;
  std::uint64_t mant = bits & ((std::uint64_t{1} << 52) - 1);
  int k = static_cast<int>((mant + (std::uint64_t{1} << 43)) >> 44);  // nearest t = 1 + k/256
  std::uint64_t mbits = mant | (std::uint64_t{1023} << 52);
  double m;
  std::memcpy(&m, &mbits, 8);
  double r = (m - (1.0 + k / 256.0)) * kLogTable.inv_t[k];
  double r2 = r * r;
  double poly = r - r2 * (0.5 - r * (1.0 / 3 - r * (0.25 - r * 0.2)));
  return e * 0.69314718055994530942 + kLogTable.ln_t[k] + poly;
}

// ceil for |x| < 2^31 without a library call (x86-64's baseline has no
// rounding instruction, and std::ceil there was a call per value).
std::int32_t ceil_index(double x) {
  auto i = static_cast<std::int32_t>(x);  // towards zero
  return i + (static_cast<double>(i) < x);
}
// The magnitude the index is taken of: zeros, infinities and NaN are kept
// apart by the caller and given 1.0 here, so the logarithm stays defined.
double indexable(double v) {
  const double mag = std::fabs(v);
  return mag >= kMinIndexable && mag <= std::numeric_limits<double>::max() ? mag : 1.0;
}

// ceil(fast_log(indexable(v[i])) * inv_log_gamma) for i < n, two values a
// step in SSE2 registers: the same operations in the same order as the
// scalar code, so the same indexes bit for bit (no FMA contraction on this
// target); the only scalar work is the two table reads per step.
void indexes_of(const double* v, std::size_t n, double inv_log_gamma, std::int32_t* out) {
  std::size_t i = 0;
#if defined(__SSE2__)
  const __m128d abs_mask = _mm_castsi128_pd(_mm_set1_epi64x(0x7fffffffffffffffLL));
  const __m128d min_indexable = _mm_set1_pd(kMinIndexable), max_finite = _mm_set1_pd(std::numeric_limits<double>::max());
  const __m128d one = _mm_set1_pd(1.0);
  const __m128i two52_bits = _mm_set1_epi64x(0x4330000000000000LL);  // 2^52: OR a small integer in, subtract 2^52
  const __m128d two52 = _mm_set1_pd(0x1p52), two52_bias = _mm_set1_pd(0x1p52 + 1023);
  const __m128i mantissa = _mm_set1_epi64x((std::int64_t{1} << 52) - 1);
  const __m128i half_step = _mm_set1_epi64x(std::int64_t{1} << 43), exponent_zero = _mm_set1_epi64x(std::int64_t{1023} << 52);
  for (; i + 2 <= n; i += 2) {
    __m128d mag = _mm_and_pd(_mm_loadu_pd(v + i), abs_mask);
    const __m128d ok = _mm_and_pd(_mm_cmpge_pd(mag, min_indexable), _mm_cmple_pd(mag, max_finite));
    mag = _mm_or_pd(_mm_and_pd(ok, mag), _mm_andnot_pd(ok, one));
    const __m128i bits = _mm_castpd_si128(mag);
    const __m128d e = _mm_sub_pd(_mm_castsi128_pd(_mm_or_si128(_mm_srli_epi64(bits, 52), two52_bits)), two52_bias);
    const __m128i mant = _mm_and_si128(bits, mantissa);
    const __m128i k = _mm_srli_epi64(_mm_add_epi64(mant, half_step), 44);
    const __m128d kd = _mm_sub_pd(_mm_castsi128_pd(_mm_or_si128(k, two52_bits)), two52);
    const __m128d m = _mm_castsi128_pd(_mm_or_si128(mant, exponent_zero));
    const int k0 = _mm_cvtsi128_si32(k), k1 = _mm_cvtsi128_si32(_mm_srli_si128(k, 8));
    const __m128d inv_t = _mm_set_pd(kLogTable.inv_t[k1], kLogTable.inv_t[k0]);
    const __m128d ln_t = _mm_set_pd(kLogTable.ln_t[k1], kLogTable.ln_t[k0]);
    const __m128d t = _mm_add_pd(one, _mm_div_pd(kd, _mm_set1_pd(256.0)));
    const __m128d r = _mm_mul_pd(_mm_sub_pd(m, t), inv_t);
    const __m128d r2 = _mm_mul_pd(r, r);
    __m128d poly = _mm_sub_pd(_mm_set1_pd(0.25), _mm_mul_pd(r, _mm_set1_pd(0.2)));
    poly = _mm_sub_pd(_mm_set1_pd(1.0 / 3), _mm_mul_pd(r, poly));
    poly = _mm_sub_pd(_mm_set1_pd(0.5), _mm_mul_pd(r, poly));
    poly = _mm_sub_pd(r, _mm_mul_pd(r2, poly));
    const __m128d log = _mm_add_pd(_mm_add_pd(_mm_mul_pd(e, _mm_set1_pd(0.69314718055994530942)), ln_t), poly);
    const __m128d x = _mm_mul_pd(log, _mm_set1_pd(inv_log_gamma));
    const __m128i truncated = _mm_cvttpd_epi32(x);  // two int32 in the low half
    const __m128i below = _mm_castpd_si128(_mm_cmplt_pd(_mm_cvtepi32_pd(truncated), x));
    const __m128i ceil = _mm_sub_epi32(truncated, _mm_shuffle_epi32(below, _MM_SHUFFLE(3, 3, 2, 0)));  // a true lane is -1
    _mm_storel_epi64(reinterpret_cast<__m128i*>(out + i), ceil);
  }
#endif
  for (; i < n; ++i) out[i] = ceil_index(fast_log(indexable(v[i])) * inv_log_gamma);
}

}  // namespace

QuantileSketch::QuantileSketch(double relative_accuracy, std::uint32_t max_bins)
    : alpha_(relative_accuracy), max_bins_(max_bins) {
  if (!(relative_accuracy > 0 && relative_accuracy < 1) || max_bins < 16)
    throw std::invalid_argument("vigil: QuantileSketch needs 0 < relative_accuracy < 1 and max_bins >= 16");
  gamma_ = (1 + alpha_) / (1 - alpha_);
  log_gamma_ = std::log(gamma_);
  inv_log_gamma_ = 1.0 / log_gamma_;
}

std::int32_t QuantileSketch::index_of(double v) const { return ceil_index(fast_log(v) * inv_log_gamma_); }

// The midpoint (in relative terms) of bin (gamma^(i-1), gamma^i].
double QuantileSketch::value_of(std::int32_t index) const {
  return 2 * std::pow(gamma_, index) / (gamma_ + 1);
}

void QuantileSketch::Store::add(std::int32_t index, std::uint64_t w, std::uint32_t max_bins) {
  if (bins.empty()) {
    offset = index;
    bins.assign(1, 0);
  } else if (index < offset) {
    std::size_t grow = static_cast<std::size_t>(offset - index);
    if (bins.size() + grow > max_bins) {
      // Collapse: the lowest bins merge into the lowest kept one.
      index = offset;
    } else {
      bins.insert(bins.begin(), grow, 0);
      offset = index;
    }
  } else if (static_cast<std::size_t>(index - offset) >= bins.size()) {
    std::size_t need = static_cast<std::size_t>(index - offset) + 1;
    if (need > max_bins) {
      // Drop the lowest bins into their neighbour to make room at the top.
      std::size_t shift = need - max_bins;
      std::uint64_t folded = 0;
      for (std::size_t i = 0; i < shift && i < bins.size(); ++i) folded += bins[i];
      bins.erase(bins.begin(), bins.begin() + static_cast<std::ptrdiff_t>(std::min(shift, bins.size())));
      offset += static_cast<std::int32_t>(shift);
      if (bins.empty()) bins.assign(1, 0);
      bins[0] += folded;
      need = max_bins;
    }
    bins.resize(std::max(need, bins.size()), 0);
  }
  bins[static_cast<std::size_t>(index - offset)] += w;
}

void QuantileSketch::add(double v, std::uint64_t weight) {
  if (std::isnan(v) || weight == 0) return;
  if (count_ == 0) min_ = max_ = v;
  min_ = std::min(min_, v);
  max_ = std::max(max_, v);
  count_ += weight;
  sum_ += v * static_cast<double>(weight);
  double mag = std::fabs(v);
  if (mag < kMinIndexable) zeros_ += weight;
  else if (std::isinf(mag)) (v > 0 ? pos_inf_ : neg_inf_) += weight;
  else if (v > 0) positive_.add(index_of(mag), weight, max_bins_);
  else negative_.add(index_of(mag), weight, max_bins_);
}

// Logarithms first, for a block of values: independent of each other, they
// overlap in the pipeline, where one add() at a time waits for each.
void QuantileSketch::add(std::span<const double> values) {
  constexpr std::size_t kBlock = 256;
  std::int32_t index[kBlock];
  for (std::size_t start = 0; start < values.size(); start += kBlock) {
    const std::size_t n = std::min(kBlock, values.size() - start);
    const double* v = values.data() + start;
    indexes_of(v, n, inv_log_gamma_, index);
    // Locals, written back once per block: a bin's increment could be a
    // store to any 64-bit member, so members would be reloaded every value.
    std::uint64_t count = 0, zeros = 0;
    double lo = count_ ? min_ : std::numeric_limits<double>::infinity();
    double hi = count_ ? max_ : -std::numeric_limits<double>::infinity();
    double sum = sum_;
    for (std::size_t i = 0; i < n; ++i) {
      const double x = v[i];
      if (std::isnan(x)) continue;
      lo = std::min(lo, x);
      hi = std::max(hi, x);
      ++count;
      sum += x;
      double mag = std::fabs(x);
      if (mag < kMinIndexable) {
        ++zeros;
      } else if (std::isinf(mag)) {
        ++(x > 0 ? pos_inf_ : neg_inf_);
      } else {
        Store& store = x > 0 ? positive_ : negative_;
        const auto at = static_cast<std::size_t>(static_cast<std::uint32_t>(index[i] - store.offset));
        if (at < store.bins.size()) ++store.bins[at];  // the common case: a bin the store has
        else store.add(index[i], 1, max_bins_);
      }
    }
    if (count) min_ = lo, max_ = hi;
    count_ += count;
    zeros_ += zeros;
    sum_ = sum;
  }
}

void QuantileSketch::merge(const QuantileSketch& other) {
  if (other.alpha_ != alpha_) throw std::invalid_argument("vigil: cannot merge sketches of different accuracy");
  if (other.count_ == 0) return;
  if (count_ == 0) { min_ = other.min_; max_ = other.max_; }
  min_ = std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
  count_ += other.count_;
  sum_ += other.sum_;
  zeros_ += other.zeros_;
  pos_inf_ += other.pos_inf_;
  neg_inf_ += other.neg_inf_;
  for (std::size_t i = 0; i < other.positive_.bins.size(); ++i)
    if (other.positive_.bins[i]) positive_.add(other.positive_.offset + static_cast<std::int32_t>(i), other.positive_.bins[i], max_bins_);
  for (std::size_t i = 0; i < other.negative_.bins.size(); ++i)
    if (other.negative_.bins[i]) negative_.add(other.negative_.offset + static_cast<std::int32_t>(i), other.negative_.bins[i], max_bins_);
}

void QuantileSketch::clear() {
  positive_ = {};
  negative_ = {};
  zeros_ = count_ = pos_inf_ = neg_inf_ = 0;
  sum_ = min_ = max_ = 0;
}

double QuantileSketch::quantile(double q) const {
  if (count_ == 0 || !(q >= 0 && q <= 1)) return std::numeric_limits<double>::quiet_NaN();
  if (q == 0) return min_;
  if (q == 1) return max_;
  // Lower rank convention: the value at 0-based rank floor(q * (n - 1)).
  auto rank = static_cast<std::uint64_t>(q * static_cast<double>(count_ - 1));
  std::uint64_t seen = 0;
  double estimate = max_;
  bool found = false;
  seen += neg_inf_;
  if (seen > rank) { estimate = min_; found = true; }
  for (std::size_t i = negative_.bins.size(); i-- > 0 && !found;) {
    seen += negative_.bins[i];
    if (seen > rank) { estimate = -value_of(negative_.offset + static_cast<std::int32_t>(i)); found = true; }
  }
  if (!found) {
    seen += zeros_;
    if (seen > rank) { estimate = 0; found = true; }
  }
  for (std::size_t i = 0; i < positive_.bins.size() && !found; ++i) {
    seen += positive_.bins[i];
    if (seen > rank) { estimate = value_of(positive_.offset + static_cast<std::int32_t>(i)); found = true; }
  }
  return std::clamp(estimate, min_, max_);
}

QuantileSketch::State QuantileSketch::state() const {
  return {alpha_, max_bins_, positive_.offset, positive_.bins, negative_.offset, negative_.bins,
          zeros_, pos_inf_, neg_inf_, count_, sum_, min_, max_};
}

QuantileSketch QuantileSketch::from_state(const State& st) {
  QuantileSketch s(st.relative_accuracy, st.max_bins);
  if (st.positive.size() > st.max_bins || st.negative.size() > st.max_bins)
    throw std::invalid_argument("vigil: sketch state has more bins than max_bins");
  std::uint64_t total = st.zeros + st.pos_inf + st.neg_inf;
  for (auto c : st.positive) total += c;
  for (auto c : st.negative) total += c;
  if (total != st.count) throw std::invalid_argument("vigil: sketch state counts do not add up");
  s.positive_ = {st.positive_offset, st.positive};
  s.negative_ = {st.negative_offset, st.negative};
  s.zeros_ = st.zeros;
  s.pos_inf_ = st.pos_inf;
  s.neg_inf_ = st.neg_inf;
  s.count_ = st.count;
  s.sum_ = st.sum;
  s.min_ = st.min;
  s.max_ = st.max;
  return s;
}

}  // namespace vigil
