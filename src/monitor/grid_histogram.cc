// Power-of-two grid histogram: see include/vigil/grid_histogram.h.
#include "vigil/grid_histogram.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace vigil {
namespace {

constexpr int kMinExponent = -1074;  // the smallest subnormal's exponent
constexpr int kMaxExponent = 1023;
constexpr std::int64_t kWindow = GridHistogram::kMaxCells;

// floor(cell / 2^shift) without an undefined shift past 63.
std::int64_t coarser(std::int64_t cell, int shift) {
  if (shift <= 0) return cell;  // never finer than the histogram is
  if (shift >= 63) return cell < 0 ? -1 : 0;
  return cell >> shift;  // arithmetic in C++20: floor for negatives too
}

}  // namespace

int GridHistogram::floor_exponent(double max_abs) {
  if (max_abs == 0) return kMinExponent;
  return std::max(kMinExponent, std::ilogb(max_abs) - 50);
}

double GridHistogram::cell_width() const { return std::ldexp(1.0, exponent()); }

std::int64_t GridHistogram::cell_of(double v) const {
  // Exact: a power-of-two scale only moves the exponent, and |v|/2^e < 2^52.
  double scaled = scale_ != 0 ? v * scale_ : std::ldexp(v, -exponent_);
  return static_cast<std::int64_t>(std::floor(scaled));
}

int GridHistogram::fitting_exponent(std::int64_t lo, std::int64_t hi, int from) const {
  int shift = 0;
  while (coarser(hi, shift) - coarser(lo, shift) + 1 > kWindow) ++shift;
  return from + shift;
}

std::uint64_t GridHistogram::count_at(std::int64_t cell) const {
  std::uint64_t low = window_[static_cast<std::size_t>(cell - base_)];
  if (carries_.empty()) return low;
  auto it = carries_.find(cell);
  return it == carries_.end() ? low : low + (it->second << 32);
}

void GridHistogram::carry_into(std::int64_t cell, std::uint64_t wraps) { carries_[cell] += wraps; }

void GridHistogram::add_count(std::int64_t cell, std::uint64_t n) {
  std::uint32_t& low = window_[static_cast<std::size_t>(cell - base_)];
  const std::uint64_t sum = low + (n & 0xffffffffu);
  low = static_cast<std::uint32_t>(sum);
  if (std::uint64_t wraps = (sum >> 32) + (n >> 32)) carry_into(cell, wraps);
}

void GridHistogram::rebuild(int exponent, std::int64_t base) {
  std::vector<std::pair<std::int64_t, std::uint64_t>> old;
  const int shift = exponent - exponent_;
  for (std::int64_t i = lo_; count_ && i <= hi_; ++i)
    if (std::uint64_t c = count_at(i)) old.emplace_back(coarser(i, shift), c);
  if (count_) lo_ = coarser(lo_, shift), hi_ = coarser(hi_, shift);
  exponent_ = exponent;
  scale_ = -exponent >= -1022 && -exponent <= 1023 ? std::ldexp(1.0, -exponent) : 0.0;
  base_ = base;
  window_.assign(kWindow, 0);
  carries_.clear();
  for (const auto& [cell, c] : old) add_count(cell, c);
}

// Room for the cell: the window moves so that the side the values grow
// towards has space (sorted input then moves it once per coarsening), or
// the grid coarsens when the span no longer fits.
std::int64_t GridHistogram::grow(std::int64_t cell) {
  const bool up = cell > hi_;
  const std::int64_t lo = std::min(lo_, cell), hi = std::max(hi_, cell);
  const int exponent = fitting_exponent(lo, hi, exponent_);
  const int shift = exponent - exponent_;
  const std::int64_t base = up ? coarser(lo, shift) : coarser(hi, shift) - kWindow + 1;
  rebuild(exponent, base);
  return coarser(cell, shift);
}

std::size_t GridHistogram::add_run(std::span<const double> values, std::size_t i) {
  if (!dense() || scale_ == 0) return i;
  const double scale = scale_, max_abs = max_abs_;
  const std::int64_t base = base_;
  std::uint32_t* const cells = window_.data();
  std::int64_t lo = lo_, hi = hi_;
  const std::size_t first = i;
  for (; i < values.size(); ++i) {
    const double v = values[i];
    if (!(std::fabs(v) <= max_abs)) break;  // NaN, ±inf or a new magnitude
    const double scaled = v * scale;
    auto cell = static_cast<std::int64_t>(scaled);
    cell -= static_cast<double>(cell) > scaled;  // floor
    if (static_cast<std::uint64_t>(cell - base) >= static_cast<std::uint64_t>(kMaxCells)) break;
    if (++cells[cell - base] == 0) [[unlikely]]
      carry_into(cell, 1);
    lo = cell < lo ? cell : lo;
    hi = cell > hi ? cell : hi;
  }
  lo_ = lo;
  hi_ = hi;
  count_ += i - first;
  return i;
}

void GridHistogram::add_slow(double v) {
  if (!dense() && first_values_.size() < kFirstValues) {
    first_values_.push_back(v);
    max_abs_ = std::max(max_abs_, std::fabs(v));
    ++count_;
    return;
  }
  make_dense();
  add_cell(v);
}

void GridHistogram::make_dense() {
  if (dense() || count_ == 0) return;
  std::vector<double> values = std::move(first_values_);
  first_values_ = {};
  count_ = 0;
  max_abs_ = 0;
  for (double v : values) add_cell(v);
}

GridHistogram GridHistogram::densified() const {
  GridHistogram copy = *this;
  copy.make_dense();
  return copy;
}

void GridHistogram::add_cell(double v) {
  const double a = std::fabs(v);
  if (count_ == 0) {
    max_abs_ = a;
    exponent_ = floor_exponent(a);
    rebuild(exponent_, 0);
    lo_ = hi_ = cell_of(v);
    base_ = lo_ - kWindow / 2;
  } else if (a > max_abs_) {
    max_abs_ = a;
    if (int f = floor_exponent(a); f > exponent_) {
      const int shift = f - exponent_;
      rebuild(f, coarser(lo_, shift) - (kWindow - (coarser(hi_, shift) - coarser(lo_, shift) + 1)) / 2);
    }
  }
  std::int64_t cell = cell_of(v);
  if (static_cast<std::uint64_t>(cell - base_) >= static_cast<std::uint64_t>(kWindow)) cell = grow(cell);
  add_count(cell, 1);
  if (count_ == 0) lo_ = hi_ = cell;
  lo_ = std::min(lo_, cell);
  hi_ = std::max(hi_, cell);
  ++count_;
}

int GridHistogram::exponent() const { return dense() || empty() ? exponent_ : densified().exponent_; }
std::int64_t GridHistogram::first_cell() const { return dense() || empty() ? lo_ : densified().lo_; }
std::int64_t GridHistogram::last_cell() const { return dense() || empty() ? hi_ : densified().hi_; }

void GridHistogram::merge(const GridHistogram& o) {
  if (o.count_ == 0) return;
  if (!o.dense()) {  // a few values: as if added here
    for (double v : o.first_values_) add(v);
    return;
  }
  if (count_ == 0) {
    *this = o;
    return;
  }
  make_dense();
  max_abs_ = std::max(max_abs_, o.max_abs_);
  int exponent = std::max({exponent_, o.exponent_, floor_exponent(max_abs_)});
  std::int64_t lo = std::min(coarser(lo_, exponent - exponent_), coarser(o.lo_, exponent - o.exponent_));
  std::int64_t hi = std::max(coarser(hi_, exponent - exponent_), coarser(o.hi_, exponent - o.exponent_));
  const int fitted = fitting_exponent(lo, hi, exponent);
  lo = coarser(lo, fitted - exponent);
  hi = coarser(hi, fitted - exponent);
  rebuild(fitted, lo);
  for (const auto& [cell, c] : o.cells(fitted)) add_count(cell, c);
  lo_ = lo;
  hi_ = hi;
  count_ += o.count_;
}

std::vector<std::pair<std::int64_t, std::uint64_t>> GridHistogram::cells(int exponent) const {
  if (!dense() && !empty()) return densified().cells(exponent);
  std::vector<std::pair<std::int64_t, std::uint64_t>> out;
  const int shift = exponent - exponent_;
  for (std::int64_t i = lo_; count_ && i <= hi_; ++i) {
    std::uint64_t c = count_at(i);
    if (c == 0) continue;
    std::int64_t cell = coarser(i, shift);
    if (!out.empty() && out.back().first == cell) out.back().second += c;
    else out.emplace_back(cell, c);
  }
  return out;
}

std::uint64_t GridHistogram::count_between(std::int64_t first, std::int64_t last) const {
  if (!dense() && !empty()) return densified().count_between(first, last);
  std::uint64_t n = 0;
  for (std::int64_t i = std::max(first, lo_); count_ && i <= std::min(last, hi_); ++i)
    n += count_at(i);
  return n;
}

GridHistogram::State GridHistogram::state() const {
  if (!dense() && !empty()) return densified().state();
  State s{.exponent = exponent_, .max_abs = max_abs_, .first_cell = lo_, .counts = {}};
  for (std::int64_t i = lo_; count_ && i <= hi_; ++i) s.counts.push_back(count_at(i));
  return s;
}

GridHistogram GridHistogram::from_state(const State& s) {
  GridHistogram g;
  if (s.counts.empty()) return g;
  auto fail = [](const std::string& what) { throw std::invalid_argument("grid: " + what); };
  if (s.counts.size() > static_cast<std::size_t>(kWindow)) fail("more than " + std::to_string(kWindow) + " cells");
  if (s.counts.front() == 0 || s.counts.back() == 0) fail("the first and last cells must hold values");
  if (!std::isfinite(s.max_abs) || s.max_abs < 0) fail("max_abs must be a finite magnitude");
  if (s.exponent < floor_exponent(s.max_abs) || s.exponent > kMaxExponent)
    fail("exponent " + std::to_string(s.exponent) + " does not fit max_abs");
  if (std::fabs(static_cast<double>(s.first_cell)) > 0x1p53) fail("first_cell out of range");
  g.exponent_ = s.exponent;
  g.rebuild(s.exponent, s.first_cell);
  g.lo_ = s.first_cell;
  g.hi_ = s.first_cell + static_cast<std::int64_t>(s.counts.size()) - 1;
  const bool holds_max = g.cell_of(s.max_abs) == g.hi_ || g.cell_of(-s.max_abs) == g.lo_;
  const bool coarsest_needed = s.exponent == floor_exponent(s.max_abs) || g.hi_ - g.lo_ + 1 > kWindow / 2;
  if (!holds_max || !coarsest_needed)
    fail("cells do not match the exponent and max_abs (not a state this histogram reaches)");
  for (std::size_t i = 0; i < s.counts.size(); ++i) {
    g.add_count(s.first_cell + static_cast<std::int64_t>(i), s.counts[i]);
    if (g.count_ + s.counts[i] < g.count_) fail("counts overflow");
    g.count_ += s.counts[i];
  }
  g.max_abs_ = s.max_abs;
  return g;
}

}  // namespace vigil
