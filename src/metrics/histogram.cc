#include <algorithm>
#include <iterator>
#include <limits>

#include "metrics/names.h"
#include "vigil/metrics.h"

namespace vigil {

Histogram::Histogram(std::span<const double> bounds)
    : bounds_(bounds.data()),
      num_buckets_(static_cast<std::uint32_t>(bounds.size() + 1)),
      first_count_cell_(detail::allocate_cells<std::uint64_t>(num_buckets_)),
      sum_cell_(detail::allocate_cells<double>(1)),
      created_(detail::unix_now()) {
  std::fill(std::begin(short_bounds_), std::end(short_bounds_), std::numeric_limits<double>::infinity());
  if (bounds.size() <= kShortBounds) std::copy(bounds.begin(), bounds.end(), short_bounds_);
}

Histogram::~Histogram() {
  detail::release_cells<std::uint64_t>(first_count_cell_, num_buckets_);
  detail::release_cells<double>(sum_cell_, 1);
  delete[] exemplars_.load();
}

void Histogram::observe(double v, const LabelPairs& exemplar_labels) {
  detail::validate_exemplar(exemplar_labels);
  std::uint32_t i = bucket_index(v);
  detail::cell_add<std::uint64_t>(first_count_cell_ + i, 1);
  detail::cell_add<double>(sum_cell_, v);
  // Slots are created on the first exemplar only; most histograms never pay.
  exemplar_slots()[i].set(Exemplar{exemplar_labels, v, detail::unix_now()});
}

detail::ExemplarSlot* Histogram::exemplar_slots() {
  detail::ExemplarSlot* slots = exemplars_.load(std::memory_order_acquire);
  if (slots == nullptr) {
    auto* fresh = new detail::ExemplarSlot[num_buckets_];
    if (exemplars_.compare_exchange_strong(slots, fresh, std::memory_order_acq_rel)) slots = fresh;
    else delete[] fresh;  // another thread won; `slots` now holds its array
  }
  return slots;
}

void Histogram::record_trace_exemplar(std::uint32_t bucket, double v,
                                      const detail::TraceExemplarContext& trace) noexcept {
  try {
    exemplar_slots()[bucket].try_set(Exemplar{{{"trace_id", std::string(trace.trace_id, 32)},
                                               {"span_id", std::string(trace.span_id, 16)}},
                                              v,
                                              detail::unix_now()});
  } catch (...) {  // allocation failure: the observation itself is already counted
  }
}

std::vector<double> Histogram::bucket_counts() const {
  std::vector<std::uint64_t> counts(num_buckets_);
  detail::sum_cells<std::uint64_t>(first_count_cell_, num_buckets_, counts.data());
  return std::vector<double>(counts.begin(), counts.end());
}

double Histogram::count() const {
  double n = 0;
  for (double c : bucket_counts()) n += c;
  return n;
}

void Histogram::snapshot(SeriesSnapshot& out) const {
  // Buckets and sum in one locked pass; _count is the bucket total, so
  // _count and the +Inf bucket always agree.
  // Counts land in a stack buffer for the usual bucket counts (a heap one
  // past 64 buckets), then widen into the snapshot.
  std::uint64_t small[64];
  std::vector<std::uint64_t> large;
  std::uint64_t* ints = small;
  if (num_buckets_ > std::size(small)) {
    large.resize(num_buckets_);
    ints = large.data();
  }
  detail::sum_mixed_cells(first_count_cell_, num_buckets_, ints, sum_cell_, &out.sum);
  out.bucket_counts.resize(num_buckets_);
  out.count = 0;
  for (std::uint32_t i = 0; i < num_buckets_; ++i) {
    out.bucket_counts[i] = static_cast<double>(ints[i]);
    out.count += out.bucket_counts[i];
  }
  out.created = created_;
  // Left empty (not num_buckets_ nullopts) for the many histograms that never
  // saw an exemplar.
  if (const detail::ExemplarSlot* slots = exemplars_.load(std::memory_order_acquire)) {
    out.bucket_exemplars.resize(num_buckets_);
    for (std::uint32_t i = 0; i < num_buckets_; ++i) out.bucket_exemplars[i] = slots[i].get();
  } else {
    out.bucket_exemplars.clear();  // a reused snapshot may hold another series' exemplars
  }
}

}  // namespace vigil
