// Batch span processor: a bounded lock-free ring filled by the ending
// threads and drained by one exporter thread, on a timer, when a batch is
// full, or on flush/shutdown. A full ring drops the span and counts it; the
// caller never waits for a lock or an export.
#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "common/mpsc_ring.h"
#include "vigil/metrics.h"
#include "vigil/trace.h"

namespace vigil {

struct BatchSpanProcessor::Impl {
  explicit Impl(const BatchSpanProcessorOptions& o) : options(o), ring(o.max_queue_size) {}

  BatchSpanProcessorOptions options;
  std::unique_ptr<SpanExporter> exporter;
  detail::MpscRing<std::unique_ptr<SpanData>> ring;

  std::mutex mu;                      // guards the flush generations and the sleep
  std::condition_variable wake;       // the worker: a full batch, flush or stop
  std::condition_variable flushed;    // flushers: a flush round finished
  std::uint64_t flush_requested = 0;  // generations, so concurrent flushes all finish
  std::uint64_t flush_done = 0;
  std::atomic<bool> stopping{false};
  // Set while the worker waits, so producers take the lock to wake it only
  // then. A wake-up lost in the race with going to sleep costs at most one
  // schedule_delay, and the next span to end wakes it again.
  std::atomic<bool> worker_sleeping{false};
  std::thread worker;

  // Exported spans wait here to be freed by the threads that end spans, a
  // few per on_end. They were allocated on those threads: freeing them
  // there keeps malloc and free on one thread's cache, where freeing them
  // on the exporter's thread made both sides fight over glibc's arena lock
  // (the callers' time went to futex calls). At
  // most a queue's worth waits; it is freed with the processor otherwise.
  std::mutex spent_mu;
  std::vector<std::unique_ptr<SpanData>> spent;
  std::atomic<std::size_t> spent_count{0};

  std::atomic<std::uint64_t> dropped{0};
  std::atomic<std::uint64_t> exported{0};
  Counter* queued_metric = nullptr;
  Counter* exported_metric = nullptr;
  Counter* dropped_metric = nullptr;
  Counter* failed_metric = nullptr;
  Gauge* depth_metric = nullptr;

  void drop() {
    dropped.fetch_add(1, std::memory_order_relaxed);
    if (dropped_metric) dropped_metric->inc();
  }

  void export_batch(std::vector<std::unique_ptr<SpanData>>& batch) {
    if (batch.empty()) return;
    ExportResult r = exporter->export_spans(batch);
    if (r == ExportResult::kSuccess) {
      exported += batch.size();
      if (exported_metric) exported_metric->inc(static_cast<double>(batch.size()));
    } else if (failed_metric) {
      failed_metric->inc(static_cast<double>(batch.size()));
    }
    retire(batch);
  }

  // Hands exported spans to the callers' threads to free (see `spent`); past
  // a queue's worth waiting, the exporter frees the rest itself.
  void retire(std::vector<std::unique_ptr<SpanData>>& batch) {
    {
      std::lock_guard lock(spent_mu);
      std::size_t room = options.max_queue_size > spent.size() ? options.max_queue_size - spent.size() : 0;
      std::size_t keep = std::min(room, batch.size());
      for (std::size_t i = 0; i < keep; ++i) spent.push_back(std::move(batch[i]));
      spent_count.store(spent.size(), std::memory_order_relaxed);
    }
    batch.clear();  // frees whatever did not fit
  }

  // Called by a thread ending a span: frees up to a few retired spans, if
  // nobody else is at it (never waits).
  void free_some_spent() {
    constexpr std::size_t kPerCall = 4;  // > 1 so the callers outpace the exporter
    if (spent_count.load(std::memory_order_relaxed) == 0) return;
    std::unique_ptr<SpanData> local[kPerCall];
    std::size_t n = 0;
    {
      std::unique_lock lock(spent_mu, std::try_to_lock);
      if (!lock.owns_lock()) return;
      while (n < kPerCall && !spent.empty()) {
        local[n++] = std::move(spent.back());
        spent.pop_back();
      }
      spent_count.store(spent.size(), std::memory_order_relaxed);
    }
  }  // `local` frees its spans here, outside the lock

  // Exports everything published so far, in batches of at most
  // max_export_batch_size.
  void drain(std::vector<std::unique_ptr<SpanData>>& batch) {
    while (true) {
      while (batch.size() < options.max_export_batch_size) {
        std::optional<std::unique_ptr<SpanData>> next = ring.pop();
        if (!next) break;
        batch.push_back(std::move(*next));
      }
      if (depth_metric) depth_metric->set(static_cast<double>(ring.depth()));
      if (batch.empty()) return;
      export_batch(batch);
    }
  }

  void run() {
    std::vector<std::unique_ptr<SpanData>> batch;
    batch.reserve(options.max_export_batch_size);
    std::unique_lock lock(mu);
    while (true) {
      // Wait first: spans that end while the thread starts wait for the
      // timer, a full batch or a flush like any others.
      worker_sleeping.store(true, std::memory_order_seq_cst);
      wake.wait_for(lock, options.schedule_delay, [&] {
        return stopping.load() || flush_requested != flush_done || ring.depth() >= options.max_export_batch_size;
      });
      worker_sleeping.store(false, std::memory_order_relaxed);
      std::uint64_t flush_target = flush_requested;
      bool stop = stopping.load();
      lock.unlock();
      drain(batch);
      lock.lock();
      if (flush_target != flush_done) {
        flush_done = flush_target;
        flushed.notify_all();
      }
      if (stop) return;
    }
  }
};

BatchSpanProcessor::BatchSpanProcessor(std::unique_ptr<SpanExporter> exporter, BatchSpanProcessorOptions options)
    : impl_(nullptr) {
  if (options.max_queue_size == 0 || options.max_export_batch_size == 0 ||
      options.max_export_batch_size > options.max_queue_size)
    throw std::invalid_argument("vigil: batch processor needs 0 < max_export_batch_size <= max_queue_size");
  impl_ = std::make_unique<Impl>(options);
  impl_->exporter = std::move(exporter);
  if (Registry* r = options.registry) {
    auto& spans = r->counter({.name = "vigil_trace_spans_total",
                              .help = "Spans handled by the batch span processor, by outcome.",
                              .labels = {"outcome"}});
    impl_->queued_metric = &spans.labels({"queued"});
    impl_->exported_metric = &spans.labels({"exported"});
    impl_->dropped_metric = &spans.labels({"dropped"});
    impl_->failed_metric = &spans.labels({"export_failed"});
    impl_->depth_metric =
        &r->gauge({.name = "vigil_trace_queue_spans", .help = "Spans waiting in the batch processor queue."})
             .labels({});
  }
  impl_->worker = std::thread([this] { impl_->run(); });
}

BatchSpanProcessor::~BatchSpanProcessor() { shutdown(impl_->options.export_timeout); }

void BatchSpanProcessor::on_end(std::unique_ptr<SpanData> span) {
  Impl& d = *impl_;
  if (d.stopping.load(std::memory_order_relaxed) || !d.ring.push(span)) {
    d.drop();
    return;
  }
  if (d.queued_metric) d.queued_metric->inc();
  d.free_some_spent();
  if (d.worker_sleeping.load(std::memory_order_relaxed) && d.ring.depth() >= d.options.max_export_batch_size) {
    std::lock_guard lock(d.mu);
    d.wake.notify_one();
  }
}

bool BatchSpanProcessor::force_flush(std::chrono::milliseconds timeout) {
  std::unique_lock lock(impl_->mu);
  if (impl_->stopping.load()) return true;  // shutdown exported everything
  std::uint64_t target = ++impl_->flush_requested;
  impl_->wake.notify_one();
  return impl_->flushed.wait_for(lock, timeout, [&] { return impl_->flush_done >= target; });
}

bool BatchSpanProcessor::shutdown(std::chrono::milliseconds timeout) {
  {
    std::lock_guard lock(impl_->mu);
    if (impl_->stopping.exchange(true)) return true;  // a concurrent or earlier shutdown owns the join
    impl_->wake.notify_one();
  }
  (void)timeout;  // the exporter's own timeout bounds each export
  impl_->worker.join();
  // A span whose on_end passed the stopping check just before it was set
  // may have been published after the worker's last drain: export it here.
  std::vector<std::unique_ptr<SpanData>> rest;
  impl_->drain(rest);
  return impl_->exporter->shutdown();
}

std::uint64_t BatchSpanProcessor::dropped() const { return impl_->dropped.load(); }
std::uint64_t BatchSpanProcessor::exported() const { return impl_->exported.load(); }

}  // namespace vigil
