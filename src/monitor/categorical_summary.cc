// Streaming categorical summary: exact counts up to a limit, then a
// Misra–Gries summary; distinct count by HyperLogLog past the limit.
#include <algorithm>
#include <cmath>
#include <functional>

#include "vigil/profile.h"

namespace vigil {
namespace {

constexpr int kHllBits = 12;
constexpr std::size_t kHllRegisters = std::size_t{1} << kHllBits;

std::uint64_t mix(std::uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

}  // namespace

CategoricalSummary::CategoricalSummary(std::size_t max_tracked)
    : max_tracked_(std::max<std::size_t>(max_tracked, 1)), hll_(kHllRegisters, 0) {}

void CategoricalSummary::add(std::string_view v, std::uint64_t n) {
  if (n == 0) return;
  if (v.empty()) {
    missing_ += n;
    return;
  }
  count_ += n;
  std::uint64_t h = mix(std::hash<std::string_view>{}(v));
  std::size_t reg = h >> (64 - kHllBits);
  auto rank = static_cast<std::uint8_t>(std::countl_zero((h << kHllBits) | (std::uint64_t{1} << (kHllBits - 1))) + 1);
  hll_[reg] = std::max(hll_[reg], rank);
  auto it = counts_.find(v);
  if (it != counts_.end()) {
    it->second += n;
    return;
  }
  counts_.emplace(std::string(v), n);
  if (counts_.size() > max_tracked_) {
    exact_ = false;
    shrink();
  }
}

// Misra–Gries: subtract the (k+1)-th largest count from every counter and
// drop those that reach zero, leaving at most k (Agarwal et al.'s mergeable
// form; each count stays within n/(k+1) below the truth).
void CategoricalSummary::shrink() {
  if (counts_.size() <= max_tracked_) return;
  std::vector<std::uint64_t> values;
  values.reserve(counts_.size());
  for (const auto& [k, c] : counts_) values.push_back(c);
  std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(max_tracked_), values.end(),
                   std::greater<>());
  std::uint64_t cut = values[max_tracked_];
  for (auto it = counts_.begin(); it != counts_.end();) {
    if (it->second <= cut) it = counts_.erase(it);
    else (it++)->second -= cut;
  }
}

void CategoricalSummary::merge(const CategoricalSummary& o) {
  for (const auto& [k, c] : o.counts_) counts_[k] += c;
  for (std::size_t i = 0; i < hll_.size() && i < o.hll_.size(); ++i) hll_[i] = std::max(hll_[i], o.hll_[i]);
  count_ += o.count_;
  missing_ += o.missing_;
  exact_ = exact_ && o.exact_ && counts_.size() <= max_tracked_;
  shrink();
}

double CategoricalSummary::distinct() const {
  if (exact_) return static_cast<double>(counts_.size());
  // HyperLogLog (Flajolet et al. 2007) with linear counting for small counts.
  double m = static_cast<double>(kHllRegisters), sum = 0;
  std::size_t zeros = 0;
  for (std::uint8_t r : hll_) {
    sum += std::ldexp(1.0, -r);
    zeros += r == 0;
  }
  double estimate = 0.7213 / (1 + 1.079 / m) * m * m / sum;
  if (estimate <= 2.5 * m && zeros > 0) estimate = m * std::log(m / static_cast<double>(zeros));
  return estimate;
}

std::vector<std::pair<std::string, std::uint64_t>> CategoricalSummary::top(std::size_t k) const {
  std::vector<std::pair<std::string, std::uint64_t>> out(counts_.begin(), counts_.end());
  std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
  if (out.size() > k) out.resize(k);
  return out;
}

}  // namespace vigil
