// Counts of finite values on a grid of equal cells whose width is a power of
// two, coarsened (neighbouring cells summed in pairs) whenever the values span
// more than kMaxCells cells. The cumulative distribution is exact at every
// cell edge, which is what bounds the KS statistic and the Wasserstein
// distance computed from two profiles (see StatisticRange in profile.h).
//
// Its state after any sequence of adds and merges depends only on the values
// added, never on their order or on how they were split: profiles of shards
// merge into exactly the profile of the whole. The width is the smallest
// power of two that fits the values' span into kMaxCells cells, and never
// finer than 2^-50 of the largest magnitude (so cell indices fit in 52 bits).
//
// Memory is the cells (32 KiB at most), allocated only past the first 128
// values, which are kept as they are until then: a window that sees a
// feature a few times costs about its values, not the whole grid.
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <vector>

namespace vigil {

class GridHistogram {
 public:
  static constexpr std::int64_t kMaxCells = 4096;

  // v must be finite (callers keep NaN and ±inf apart). Inline: the common
  // case (a cell inside the window, no new magnitude) is a multiply, a
  // floor and an increment.
  void add(double v) {
    if (dense() && scale_ != 0 && (v < 0 ? -v : v) <= max_abs_) {
      const double scaled = v * scale_;
      auto cell = static_cast<std::int64_t>(scaled);
      cell -= static_cast<double>(cell) > scaled;  // floor
      if (static_cast<std::uint64_t>(cell - base_) < static_cast<std::uint64_t>(kMaxCells)) {
        if (++window_[static_cast<std::size_t>(cell - base_)] == 0) [[unlikely]]
          carry_into(cell, 1);
        lo_ = cell < lo_ ? cell : lo_;
        hi_ = cell > hi_ ? cell : hi_;
        ++count_;
        return;
      }
    }
    add_slow(v);
  }
  // The finite values of a batch (NaN and ±inf are skipped), in any order
  // the same state as adding them one at a time. A run of values that fall
  // inside the window is added in a tight loop with the grid's fields held
  // in registers; the rest go through add().
  void add(std::span<const double> values) {
    for (std::size_t i = 0; i < values.size();) {
      i = add_run(values, i);
      if (i == values.size()) break;
      if (const double v = values[i++]; v - v == 0) add(v);  // finite: inf - inf and NaN are NaN
    }
  }
  void merge(const GridHistogram& other);

  std::uint64_t count() const { return count_; }
  bool empty() const { return count_ == 0; }
  int exponent() const;  // cells are 2^exponent wide
  double cell_width() const;
  double max_abs() const { return max_abs_; }
  std::int64_t first_cell() const;  // cell i covers [i·w, (i+1)·w)
  std::int64_t last_cell() const;
  // Non-empty cells as (index, count), ascending, at `exponent` (>= exponent()).
  std::vector<std::pair<std::int64_t, std::uint64_t>> cells(int exponent) const;
  std::vector<std::pair<std::int64_t, std::uint64_t>> cells() const { return cells(exponent()); }
  // Values in cells first..last inclusive, at this histogram's exponent.
  std::uint64_t count_between(std::int64_t first, std::int64_t last) const;

  // Everything the histogram holds, for saving and loading (profiles).
  struct State {
    int exponent = 0;
    double max_abs = 0;
    std::int64_t first_cell = 0;
    std::vector<std::uint64_t> counts;  // first_cell, first_cell + 1, ...
  };
  State state() const;
  // Throws std::invalid_argument when the state is not one this class can
  // reach (a width that does not follow from the values, too many cells):
  // merging such a state would silently break the order-independence above.
  static GridHistogram from_state(const State& state);

 private:
  static constexpr std::size_t kFirstValues = 128;
  bool dense() const { return !window_.empty(); }
  GridHistogram densified() const;  // a copy with cells (this one may hold raw values)
  void make_dense();
  void add_cell(double v);
  void add_slow(double v);
  // Adds values[i], values[i + 1], ... while each is the inline add()'s
  // common case; returns the index of the first that is not.
  std::size_t add_run(std::span<const double> values, std::size_t i);
  static int floor_exponent(double max_abs);
  std::int64_t cell_of(double v) const;
  std::uint64_t count_at(std::int64_t cell) const;  // a cell in the window, carries included
  void add_count(std::int64_t cell, std::uint64_t n);
  void carry_into(std::int64_t cell, std::uint64_t wraps);  // the cell's 32-bit count wrapped
  std::int64_t grow(std::int64_t cell);  // a cell outside the window: move it or coarsen; the cell after
  void rebuild(int exponent, std::int64_t base);  // coarsen to exponent, window_[0] holding cell base
  int fitting_exponent(std::int64_t lo, std::int64_t hi, int from) const;

  std::uint64_t count_ = 0;
  int exponent_ = 0;
  double scale_ = 1;  // 2^-exponent_ when representable, else 0 (then ldexp)
  double max_abs_ = 0;
  std::int64_t lo_ = 0, hi_ = 0;  // first and last non-empty cells
  std::int64_t base_ = 0;         // the cell in window_[0]
  // Each cell's count modulo 2^32, and in carries_ how many times it wrapped
  // (only past 4 billion values in one cell). 32-bit cells halve the grid's
  // cache footprint: a wide profile holds a grid per column per thread, and
  // at 1,000 columns the increments miss the cache.
  std::vector<std::uint32_t> window_;
  std::map<std::int64_t, std::uint64_t> carries_;
  std::vector<double> first_values_;  // until kFirstValues are in; then window_
};

}  // namespace vigil
