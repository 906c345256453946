#include <chrono>

#include "metrics/names.h"
#include "vigil/metrics.h"

namespace vigil {
namespace detail {

thread_local constinit const TraceExemplarContext* tls_trace_exemplar = nullptr;

double unix_now() {
  using namespace std::chrono;
  return duration<double>(system_clock::now().time_since_epoch()).count();
}

void ExemplarSlot::set(Exemplar e) {
  std::lock_guard lock(mu_);
  value_ = std::move(e);
  has_value_.store(true, std::memory_order_release);
}

void ExemplarSlot::try_set(Exemplar e) {
  std::unique_lock lock(mu_, std::try_to_lock);
  if (!lock.owns_lock()) return;
  value_ = std::move(e);
  has_value_.store(true, std::memory_order_release);
}

std::optional<Exemplar> ExemplarSlot::get() const {
  if (!has_value_.load(std::memory_order_acquire)) return std::nullopt;
  std::lock_guard lock(mu_);
  return value_;
}

}  // namespace detail

Counter::Counter()
    : count_cell_(detail::allocate_cells<std::uint64_t>(1)),
      real_cell_(detail::allocate_cells<double>(1)),
      created_(detail::unix_now()) {}

Counter::~Counter() {
  detail::release_cells<std::uint64_t>(count_cell_, 1);
  detail::release_cells<double>(real_cell_, 1);
}

double Counter::value() const {
  std::uint64_t units = 0;
  double rest = 0;
  detail::sum_mixed_cells(count_cell_, 1, &units, real_cell_, &rest);
  return static_cast<double>(units) + rest;
}

void Counter::inc(double v, const LabelPairs& exemplar_labels) {
  if (!(v >= 0)) return;
  detail::validate_exemplar(exemplar_labels);
  inc(v);
  exemplar_.set(Exemplar{exemplar_labels, v, detail::unix_now()});
}

void Counter::snapshot(SeriesSnapshot& out) const {
  out.value = value();
  out.created = created_;
  out.exemplar = exemplar_.get();
}

}  // namespace vigil
