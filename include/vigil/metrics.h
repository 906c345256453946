// vigil metrics: Counter, Gauge, Histogram, Summary, label families and the
// registry, in the Prometheus data model.
//
//   vigil::Registry registry;
//   auto& requests = registry.counter({.name = "inference_requests_total",
//                                      .help = "Inference requests.",
//                                      .labels = {"model", "version"}});
//   vigil::Counter& ranker = requests.labels({"ranker", "v2"});  // keep it
//   ranker.inc();                                                 // no lock, no allocation
//
// Handles returned by Family::labels() stay valid until the series is
// removed or the family's registry is destroyed; keep them, lookups hash.
//
// Kept as one header past 400 lines: Counter::inc, Histogram::observe and
// Family::labels are inline here because inlining into the caller is what
// makes them fast, and each type reads best beside its hot path.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "vigil/detail/cell_table.h"

namespace vigil {

using LabelPairs = std::vector<std::pair<std::string, std::string>>;

// An exemplar links one observation to the trace that produced it.
struct Exemplar {
  LabelPairs labels;      // e.g. {{"trace_id", "4bf9..."}, {"span_id", "00f0..."}}
  double value = 0;       // the observed value
  double timestamp = 0;   // unix seconds
};

enum class MetricType { kCounter, kGauge, kHistogram, kSummary, kUnknown };

// The label values of one series: immutable, shared between the family and
// every snapshot of it (a scrape copies a pointer, not strings), and carrying
// the escaped `a="x",b="y"` text the exposition formats print.
class LabelValues {
 public:
  LabelValues() = default;
  LabelValues(std::initializer_list<std::string> values) : LabelValues(std::vector<std::string>(values)) {}
  LabelValues(std::vector<std::string> values, std::string rendered = {})
      : data_(std::make_shared<const Data>(Data{std::move(values), std::move(rendered)})) {}

  std::size_t size() const { return data_ ? data_->values.size() : 0; }
  bool empty() const { return size() == 0; }
  const std::string& operator[](std::size_t i) const { return data_->values[i]; }
  const std::vector<std::string>& values() const;
  auto begin() const { return values().begin(); }
  auto end() const { return values().end(); }
  // Pre-rendered label pairs; empty when the producer did not render them.
  const std::string& rendered() const;

 private:
  struct Data {
    std::vector<std::string> values;
    std::string rendered;
  };
  std::shared_ptr<const Data> data_;
};

// Point-in-time copy of one series, the input of every exposition format.
struct SeriesSnapshot {
  LabelValues label_values;
  double value = 0;                 // counter total / gauge value / unknown
  double created = 0;               // unix seconds; 0 = not tracked
  std::optional<Exemplar> exemplar; // counter
  // Histogram: per-bucket (non-cumulative) counts, last one is +Inf.
  std::vector<double> bucket_counts;
  std::vector<std::optional<Exemplar>> bucket_exemplars;  // empty when none recorded
  // Summary: (quantile, value) pairs.
  std::vector<std::pair<double, double>> quantiles;
  double sum = 0;
  double count = 0;
};

struct MetricFamilySnapshot {
  std::string name;  // counters: without the _total suffix
  std::string help;
  std::string unit;
  MetricType type = MetricType::kUnknown;
  std::vector<std::string> label_names;
  std::vector<double> bucket_bounds;  // histogram upper bounds, without +Inf
  std::vector<SeriesSnapshot> series;
};

// Anything that can contribute families to a scrape.
class Collector {
 public:
  virtual ~Collector() = default;
  virtual void collect(std::vector<MetricFamilySnapshot>& out) const = 0;
  // Refills `family` in place with this collector's single family, reusing
  // its storage from the last scrape (ScrapeBuffer), and returns true; false
  // when the collector cannot (the default: it may yield several families).
  virtual bool collect_into(MetricFamilySnapshot& family) const {
    (void)family;
    return false;
  }
};

namespace detail {
// The active sampled span's ids, published by vigil::Scope (vigil/trace.h)
// so histograms observed inside a span pick them up as exemplars without
// the metrics layer depending on tracing. Null outside sampled spans.
struct TraceExemplarContext {
  char trace_id[32];
  char span_id[16];
};
extern thread_local constinit const TraceExemplarContext* tls_trace_exemplar;

// Latest exemplar of a counter or bucket; written only on the exemplar path.
class ExemplarSlot {
 public:
  void set(Exemplar e);
  // Like set, but gives up instead of waiting when another thread is
  // writing this slot: a dropped exemplar is fine, a stalled observe is not.
  void try_set(Exemplar e);
  std::optional<Exemplar> get() const;

 private:
  std::atomic<bool> has_value_{false};  // lets scrapes skip the lock
  mutable std::mutex mu_;
  std::optional<Exemplar> value_;
};
double unix_now();
}  // namespace detail

class Counter {
 public:
  Counter();
  ~Counter();
  Counter(const Counter&) = delete;
  Counter& operator=(const Counter&) = delete;

  // The common case, kept on an integer cell: the cheapest add there is.
  void inc() noexcept { detail::cell_add<std::uint64_t>(count_cell_, 1); }
  // Negative and NaN increments are ignored: a counter only goes up.
  void inc(double v) noexcept {
    if (v >= 0) detail::cell_add<double>(real_cell_, v);
  }
  // Increments and records `exemplar_labels` (<= 128 UTF-8 chars in total).
  void inc(double v, const LabelPairs& exemplar_labels);

  double value() const;
  void snapshot(SeriesSnapshot& out) const;

 private:
  std::uint32_t count_cell_;  // unit increments
  std::uint32_t real_cell_;   // everything else
  double created_;
  detail::ExemplarSlot exemplar_;
};

class Gauge {
 public:
  void set(double v) noexcept { value_.store(v, std::memory_order_relaxed); }
  void inc(double v = 1.0) noexcept { value_.fetch_add(v, std::memory_order_relaxed); }
  void dec(double v = 1.0) noexcept { value_.fetch_add(-v, std::memory_order_relaxed); }
  void set_to_current_time() noexcept { set(detail::unix_now()); }
  double value() const noexcept { return value_.load(std::memory_order_relaxed); }
  void snapshot(SeriesSnapshot& out) const { out.value = value(); }

 private:
  std::atomic<double> value_{0};
};

class Histogram {
 public:
  // `bounds` are strictly increasing finite upper bounds, owned by the family.
  explicit Histogram(std::span<const double> bounds);
  ~Histogram();
  Histogram(const Histogram&) = delete;
  Histogram& operator=(const Histogram&) = delete;

  [[gnu::always_inline]] inline void observe(double v) noexcept {
    std::uint32_t i = bucket_index(v);
    detail::cell_add<std::uint64_t>(first_count_cell_ + i, 1);
    detail::cell_add<double>(sum_cell_, v);
    if (const auto* trace = detail::tls_trace_exemplar) [[unlikely]]
      record_trace_exemplar(i, v, *trace);
  }
  void observe(double v, const LabelPairs& exemplar_labels);

  double count() const;
  double sum() const { return detail::sum_cell<double>(sum_cell_); }
  // Non-cumulative counts per bucket; the last is the +Inf bucket.
  std::vector<double> bucket_counts() const;
  void snapshot(SeriesSnapshot& out) const;

 private:
  void record_trace_exemplar(std::uint32_t bucket, double v, const detail::TraceExemplarContext& trace) noexcept;
  detail::ExemplarSlot* exemplar_slots();

  [[gnu::always_inline]] inline std::uint32_t bucket_index(double v) const noexcept {
    // Bucket i holds bounds[i-1] < v <= bounds[i]: i counts the bounds
    // below v (NaN counts them all and lands in +Inf, as in client_golang).
    std::uint32_t n = num_buckets_ - 1;
    if (n <= kShortBounds) {
      // Up to 16 bounds: compare v with all of them at once (padded with
      // +Inf), without a branch on the value: faster than a scan of the
      // bounds for values spread over all buckets (docs/benchmarks.md). It
      // must stay inlined: called, it was no faster than the scan.
      using Doubles = double __attribute__((vector_size(16)));
      const auto* b = reinterpret_cast<const Doubles*>(short_bounds_);
      const Doubles x = {v, v};
      // -1 per bound >= v (the padding included), 0 per bound below v.
      auto m = (x <= b[0]) + (x <= b[1]) + (x <= b[2]) + (x <= b[3]) + (x <= b[4]) + (x <= b[5]);
      // Up to 12 bounds (the default 11 among them) the last four slots are
      // padding: count them as compared (-1 per lane each) without loading
      // them. A branch on the bucket count, the same at every call.
      if (n > 12) m += (x <= b[6]) + (x <= b[7]);
      else m -= 2;
      auto below = static_cast<std::uint32_t>(static_cast<std::int64_t>(kShortBounds) + m[0] + m[1]);
      return below < n ? below : n;
    }
    std::uint32_t lo = 0, hi = n;
    while (lo < hi) {
      std::uint32_t mid = (lo + hi) / 2;
      if (v <= bounds_[mid]) hi = mid; else lo = mid + 1;
    }
    return lo;
  }

  static constexpr std::uint32_t kShortBounds = 16;
  const double* bounds_;
  std::uint32_t num_buckets_;  // finite bounds + 1 (+Inf)
  alignas(16) double short_bounds_[kShortBounds];  // bounds_ padded with +Inf, when there are at most 16
  // Bucket counts in integer cells, the sum in a double cell. Integer
  // counts keep the count's load-add-store off the floating-point unit, so
  // only the sum carries the longer FP dependency chain from one
  // observation to the next.
  std::uint32_t first_count_cell_;
  std::uint32_t sum_cell_;
  double created_;
  std::atomic<detail::ExemplarSlot*> exemplars_{nullptr};  // per bucket, on first exemplar
};

// Bucket helpers (Prometheus semantics).
std::vector<double> linear_buckets(double start, double width, std::size_t count);
std::vector<double> exponential_buckets(double start, double factor, std::size_t count);
// Default latency buckets in seconds, as Prometheus clients use.
std::vector<double> default_buckets();

struct SummaryConfig {
  std::vector<double> quantiles = {0.5, 0.9, 0.99};
  std::chrono::seconds max_age = std::chrono::minutes(10);  // sliding window
  std::uint32_t age_buckets = 5;
  double relative_accuracy = 0.01;  // quantile values within +-1 %
};

// Quantiles over a sliding time window, from mergeable log-bucket sketches
// (relative error bounded by `relative_accuracy`), one per age bucket.
class Summary {
 public:
  explicit Summary(const SummaryConfig& config);
  ~Summary();
  Summary(const Summary&) = delete;
  Summary& operator=(const Summary&) = delete;

  void observe(double v);
  // Window quantiles at `now`; NaN when the window is empty.
  std::vector<std::pair<double, double>> quantiles() const;
  double sum() const;
  double count() const;
  void snapshot(SeriesSnapshot& out) const;


 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

// ---- families ---------------------------------------------------------------

struct CounterOptions {
  std::string name;  // "_total" is appended on exposition if missing
  std::string help;
  std::vector<std::string> labels;
  std::string unit;                // OpenMetrics unit; name must end in _<unit>
  std::size_t max_series = 10000;  // cardinality guard
};
struct GaugeOptions {
  std::string name;
  std::string help;
  std::vector<std::string> labels;
  std::string unit;
  std::size_t max_series = 10000;
};
struct HistogramOptions {
  std::string name;
  std::string help;
  std::vector<std::string> labels;
  std::string unit;
  std::size_t max_series = 10000;
  std::vector<double> buckets = default_buckets();
};
struct SummaryOptions {
  std::string name;
  std::string help;
  std::vector<std::string> labels;
  std::string unit;
  std::size_t max_series = 10000;
  SummaryConfig config;
};

// Label value used for every label of the overflow series once a family has
// reached its series limit.
inline constexpr std::string_view kOverflowLabelValue = "__overflow__";

namespace detail {

struct FamilyInfo {
  std::string name;
  std::string help;
  std::string unit;
  MetricType type;
  std::vector<std::string> label_names;
  std::size_t max_series;
  std::vector<double> bucket_bounds;  // histograms; their series point into it
};

// Hashes vector<string> keys and span<string_view> probes alike, so lookups
// of existing series allocate nothing.
struct LabelKeyHash {
  using is_transparent = void;
  std::size_t operator()(std::span<const std::string_view> k) const noexcept;
  std::size_t operator()(std::span<const std::string> k) const noexcept;
};
struct LabelKeyEqual {
  using is_transparent = void;
  template <typename A, typename B>
  bool operator()(const A& a, const B& b) const noexcept {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
      if (std::string_view(a[i]) != std::string_view(b[i])) return false;
    return true;
  }
};

// The type-independent part of a family: validation, series map, limits.
void validate_label_values(const FamilyInfo& info, std::span<const std::string_view> values);
// Copies the values and renders their escaped exposition text once.
LabelValues make_label_values(const FamilyInfo& info, std::span<const std::string_view> values);

}  // namespace detail

template <typename Metric>
class Family final : public Collector {
 public:
  using Factory = std::function<std::unique_ptr<Metric>(const detail::FamilyInfo&)>;

  Family(detail::FamilyInfo info, Factory factory, Counter* dropped)
      : info_(std::move(info)), factory_(std::move(factory)), dropped_(dropped) {}

  // The series for these label values (in label-name order), created on first
  // use. Throws std::invalid_argument on a wrong count or invalid UTF-8.
  Metric& labels(std::initializer_list<std::string_view> values) {
    return labels(std::span<const std::string_view>(values.begin(), values.size()));
  }
  Metric& labels(std::span<const std::string_view> values) {
    {
      std::shared_lock lock(mu_);
      if (auto it = index_.find(values); it != index_.end()) return *series_[it->second].metric;
    }
    detail::validate_label_values(info_, values);
    std::unique_lock lock(mu_);
    if (auto it = index_.find(values); it != index_.end()) return *series_[it->second].metric;
    if (series_.size() >= info_.max_series) return overflow_locked();
    LabelValues lv = detail::make_label_values(info_, values);
    Series& added = series_.emplace_back(Series{lv, factory_(info_)});
    index_.emplace(std::span<const std::string>(lv.values()), series_.size() - 1);
    return *added.metric;
  }
  Metric& labels(const std::vector<std::string>& values) {
    std::vector<std::string_view> views(values.begin(), values.end());
    return labels(std::span<const std::string_view>(views));
  }

  // Drops one series; handles to it become dangling.
  bool remove(std::initializer_list<std::string_view> values) {
    return remove(std::span<const std::string_view>(values.begin(), values.size()));
  }
  bool remove(std::span<const std::string_view> values) {
    std::unique_lock lock(mu_);
    auto it = index_.find(values);
    if (it == index_.end()) return false;
    std::size_t pos = it->second;
    index_.erase(it);
    if (pos + 1 != series_.size()) {  // move the last series into the gap
      series_[pos] = std::move(series_.back());
      index_[std::span<const std::string>(series_[pos].labels.values())] = pos;
    }
    series_.pop_back();
    return true;
  }

  std::size_t size() const {
    std::shared_lock lock(mu_);
    return series_.size() + (overflow_ ? 1 : 0);
  }
  const detail::FamilyInfo& info() const { return info_; }

  void collect(std::vector<MetricFamilySnapshot>& out) const override { collect_into(out.emplace_back()); }

  // Every field is assigned, so a snapshot of the same family from an
  // earlier scrape is refilled without reallocating its series.
  bool collect_into(MetricFamilySnapshot& f) const override {
    f.name = info_.name;
    f.help = info_.help;
    f.unit = info_.unit;
    f.type = info_.type;
    f.label_names = info_.label_names;
    f.bucket_bounds = info_.bucket_bounds;
    std::shared_lock lock(mu_);
    f.series.resize(series_.size() + (overflow_ ? 1 : 0));
    detail::CellReadBatch cells;  // one lock of the cell table for the whole family
    // Creation order: cells were allocated in this order, so reads stream.
    // The metric objects are separate allocations: fetch a few ahead.
    constexpr std::size_t kAhead = 8;
    for (std::size_t i = 0; i < series_.size(); ++i) {
      if (i + kAhead < series_.size()) __builtin_prefetch(series_[i + kAhead].metric.get());
      f.series[i].label_values = series_[i].labels;
      series_[i].metric->snapshot(f.series[i]);
    }
    if (overflow_) {
      SeriesSnapshot& s = f.series.back();
      std::vector<std::string_view> values(info_.label_names.size(), kOverflowLabelValue);
      s.label_values = detail::make_label_values(info_, values);
      overflow_->snapshot(s);
    }
    return true;
  }

 private:
  struct Series {
    LabelValues labels;
    std::unique_ptr<Metric> metric;
  };

  Metric& overflow_locked() {
    if (dropped_) dropped_->inc();
    if (!overflow_) overflow_ = factory_(info_);
    return *overflow_;
  }

  detail::FamilyInfo info_;
  Factory factory_;
  Counter* dropped_;
  mutable std::shared_mutex mu_;
  std::vector<Series> series_;
  // Keys view the strings owned by series_[i].labels (heap, never moved).
  std::unordered_map<std::span<const std::string>, std::size_t, detail::LabelKeyHash, detail::LabelKeyEqual> index_;
  std::unique_ptr<Metric> overflow_;
};

// ---- registry ---------------------------------------------------------------

// Owns families and collectors and gathers them for a scrape. Registering the
// same name twice returns the existing family when type, labels and buckets
// match and throws std::invalid_argument otherwise; invalid names throw too.
class Registry {
 public:
  Registry();
  ~Registry();
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  Family<Counter>& counter(CounterOptions options);
  Family<Gauge>& gauge(GaugeOptions options);
  Family<Histogram>& histogram(HistogramOptions options);
  Family<Summary>& summary(SummaryOptions options);

  void register_collector(std::shared_ptr<Collector> collector);

  // All families, sorted by name.
  std::vector<MetricFamilySnapshot> gather() const;
  // What gather() reads: the families in name order, then the registered
  // collectors (for scrapers with their own storage, like ScrapeBuffer).
  std::vector<std::shared_ptr<Collector>> collectors() const;

 private:
  struct Entry;
  Entry& add(detail::FamilyInfo info,
             const std::function<std::shared_ptr<Collector>(const detail::FamilyInfo&)>& make);

  Counter* dropped_counter(const detail::FamilyInfo& info);

  mutable std::mutex mu_;
  std::map<std::string, std::unique_ptr<Entry>> families_;
  std::vector<std::shared_ptr<Collector>> collectors_;
  Family<Counter>* series_dropped_ = nullptr;  // vigil_metrics_series_dropped_total
};

// The explicit process-wide registry; it carries the process collector.
Registry& default_registry();

// process_cpu_seconds_total, process_resident_memory_bytes,
// process_virtual_memory_bytes, process_open_fds, process_max_fds,
// process_start_time_seconds, process_threads, read from /proc/self.
std::shared_ptr<Collector> make_process_collector();

}  // namespace vigil
