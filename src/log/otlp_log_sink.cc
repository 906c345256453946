// OTLP/HTTP log export. write() copies the record into a bounded queue (a
// full queue drops and counts); one thread sends batches when a batch is
// full, on a timer, and on flush/destruction, with the retry rules of
// OtlpHttpSender.
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include "log/record_codec.h"
#include "trace/otlp_http_sender.h"
#include "vigil/log.h"
#include "vigil/otlp.h"
#include "vigil/metrics.h"

namespace vigil {
namespace {

class OtlpLogSink final : public Sink {
 public:
  explicit OtlpLogSink(OtlpLogSinkOptions options)
      : options_(std::move(options)), sender_(options_.http) {
    if (Registry* r = options_.registry) {
      auto& f = r->counter({.name = "vigil_log_export_records_total",
                            .help = "Log records handled by the OTLP log sink, by outcome.",
                            .labels = {"outcome"}});
      exported_metric_ = &f.labels({"exported"});
      dropped_metric_ = &f.labels({"dropped"});
      failed_metric_ = &f.labels({"failed"});
    }
    worker_ = std::thread([this] { run(); });
  }

  ~OtlpLogSink() override {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
    }
    wake_.notify_all();
    worker_.join();
  }

  void write(const LogRecord& r) override {
    std::lock_guard lock(mu_);
    if (queue_.size() >= options_.max_queue_size) {
      if (dropped_metric_) dropped_metric_->inc();
      return;
    }
    queue_.emplace_back(r);
    if (queue_.size() >= options_.max_batch_size) wake_.notify_one();
  }

  // Sends everything queued so far before returning.
  void flush() override {
    std::unique_lock lock(mu_);
    std::uint64_t target = ++flush_requested_;
    wake_.notify_one();
    flushed_.wait(lock, [&] { return flush_done_ >= target; });
  }

 private:
  void run() {
    std::unique_lock lock(mu_);
    while (true) {
      wake_.wait_for(lock, options_.schedule_delay, [&] {
        return stopping_ || flush_requested_ != flush_done_ || queue_.size() >= options_.max_batch_size;
      });
      std::uint64_t flush_target = flush_requested_;
      bool drain = stopping_ || flush_target != flush_done_;
      do {
        std::vector<detail::OwnedRecord> batch;
        while (!queue_.empty() && batch.size() < options_.max_batch_size) {
          batch.push_back(std::move(queue_.front()));
          queue_.pop_front();
        }
        lock.unlock();
        send(batch);
        lock.lock();
      } while (drain && !queue_.empty());
      if (flush_target != flush_done_) {
        flush_done_ = flush_target;
        flushed_.notify_all();
      }
      if (stopping_ && queue_.empty()) return;
    }
  }

  void send(const std::vector<detail::OwnedRecord>& batch) {
    if (batch.empty()) return;
    std::vector<const LogRecord*> ptrs;
    ptrs.reserve(batch.size());
    for (const auto& r : batch) ptrs.push_back(&r.record());
    std::string body = options_.http.protocol == OtlpProtocol::kHttpJson
                           ? encode_otlp_logs_json(ptrs, options_.resource)
                           : encode_otlp_logs_protobuf(ptrs, options_.resource);
    auto n = static_cast<double>(batch.size());
    bool ok = sender_.send(std::move(body));
    if (Counter* c = ok ? exported_metric_ : failed_metric_) c->inc(n);
  }

  OtlpLogSinkOptions options_;
  detail::OtlpHttpSender sender_;
  std::mutex mu_;
  std::condition_variable wake_, flushed_;
  std::deque<detail::OwnedRecord> queue_;
  std::uint64_t flush_requested_ = 0, flush_done_ = 0;
  bool stopping_ = false;
  Counter* exported_metric_ = nullptr;
  Counter* dropped_metric_ = nullptr;
  Counter* failed_metric_ = nullptr;
  std::thread worker_;  // started last, once everything it uses exists
};

}  // namespace

std::shared_ptr<Sink> otlp_log_sink(OtlpLogSinkOptions options) {
  return std::make_shared<OtlpLogSink>(std::move(options));
}

}  // namespace vigil
