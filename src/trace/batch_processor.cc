// Batch span processor: a bounded queue filled by the ending threads and
// drained by one exporter thread, on a timer, when a batch is full, or on
// flush/shutdown. A full queue drops the span and counts it; the caller
// never waits for an export.
#include <condition_variable>
#include <deque>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "vigil/metrics.h"
#include "vigil/trace.h"

namespace vigil {

struct BatchSpanProcessor::Impl {
  BatchSpanProcessorOptions options;
  std::unique_ptr<SpanExporter> exporter;

  std::mutex mu;
  std::condition_variable wake;       // the worker: work, flush or stop
  std::condition_variable flushed;    // flushers: a flush round finished
  std::deque<std::unique_ptr<SpanData>> queue;
  std::uint64_t flush_requested = 0;  // generations, so concurrent flushes all finish
  std::uint64_t flush_done = 0;
  bool stopping = false;
  std::thread worker;

  std::atomic<std::uint64_t> dropped{0};
  std::atomic<std::uint64_t> exported{0};
  Counter* queued_metric = nullptr;
  Counter* exported_metric = nullptr;
  Counter* dropped_metric = nullptr;
  Counter* failed_metric = nullptr;
  Gauge* depth_metric = nullptr;

  void export_batch(std::vector<std::unique_ptr<SpanData>>& batch) {
    if (batch.empty()) return;
    ExportResult r = exporter->export_spans(batch);
    if (r == ExportResult::kSuccess) {
      exported += batch.size();
      if (exported_metric) exported_metric->inc(static_cast<double>(batch.size()));
    } else if (failed_metric) {
      failed_metric->inc(static_cast<double>(batch.size()));
    }
    batch.clear();
  }

  void run() {
    std::unique_lock lock(mu);
    while (true) {
      wake.wait_for(lock, options.schedule_delay, [&] {
        return stopping || flush_requested != flush_done || queue.size() >= options.max_export_batch_size;
      });
      std::uint64_t flush_target = flush_requested;
      bool drain_all = stopping || flush_target != flush_done;
      // Export at least one batch per wake-up (timer or full batch); on
      // flush/stop, everything that was queued.
      do {
        std::vector<std::unique_ptr<SpanData>> batch;
        while (!queue.empty() && batch.size() < options.max_export_batch_size) {
          batch.push_back(std::move(queue.front()));
          queue.pop_front();
        }
        if (depth_metric) depth_metric->set(static_cast<double>(queue.size()));
        lock.unlock();
        export_batch(batch);
        lock.lock();
      } while (drain_all && !queue.empty());
      if (flush_target != flush_done) {
        flush_done = flush_target;
        flushed.notify_all();
      }
      if (stopping && queue.empty()) return;
    }
  }
};

BatchSpanProcessor::BatchSpanProcessor(std::unique_ptr<SpanExporter> exporter, BatchSpanProcessorOptions options)
    : impl_(std::make_unique<Impl>()) {
  if (options.max_queue_size == 0 || options.max_export_batch_size == 0 ||
      options.max_export_batch_size > options.max_queue_size)
    throw std::invalid_argument("vigil: batch processor needs 0 < max_export_batch_size <= max_queue_size");
  impl_->options = options;
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
  bool wake = false;
  {
    std::lock_guard lock(impl_->mu);
    if (impl_->stopping || impl_->queue.size() >= impl_->options.max_queue_size) {
      ++impl_->dropped;
      if (impl_->dropped_metric) impl_->dropped_metric->inc();
      return;
    }
    impl_->queue.push_back(std::move(span));
    wake = impl_->queue.size() == impl_->options.max_export_batch_size;
  }
  if (impl_->queued_metric) impl_->queued_metric->inc();
  if (wake) impl_->wake.notify_one();
}

bool BatchSpanProcessor::force_flush(std::chrono::milliseconds timeout) {
  std::unique_lock lock(impl_->mu);
  if (!impl_->worker.joinable()) return true;
  std::uint64_t target = ++impl_->flush_requested;
  impl_->wake.notify_one();
  return impl_->flushed.wait_for(lock, timeout, [&] { return impl_->flush_done >= target; });
}

bool BatchSpanProcessor::shutdown(std::chrono::milliseconds timeout) {
  {
    std::lock_guard lock(impl_->mu);
    if (impl_->stopping) return true;  // a concurrent or earlier shutdown owns the join
    impl_->stopping = true;
    impl_->wake.notify_one();
  }
  (void)timeout;  // the exporter's own timeout bounds each export
  impl_->worker.join();
  return impl_->exporter->shutdown();
}

std::uint64_t BatchSpanProcessor::dropped() const { return impl_->dropped.load(); }
std::uint64_t BatchSpanProcessor::exported() const { return impl_->exported.load(); }

}  // namespace vigil
