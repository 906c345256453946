#include "vigil/prediction_export.h"

#include <nlohmann/json.hpp>

#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <variant>

#include "trace/otlp_http_sender.h"
#include "vigil/metrics.h"

namespace vigil {
namespace {

nlohmann::json json_value(const MonitorValue& v) {
  if (const double* d = std::get_if<double>(&v)) return *d;
  if (const std::string_view* s = std::get_if<std::string_view>(&v)) return std::string(*s);
  return nullptr;
}

std::string event_json(const PredictionEvent& e) {
  nlohmann::json j = {{"model", e.model}};
  if (!e.version.empty()) j["version"] = e.version;
  if (!e.request_id.empty()) j["request_id"] = e.request_id;
  if (e.time_unix_nano) j["timestamp_ns"] = e.time_unix_nano;
  nlohmann::json features = nlohmann::json::object();
  for (const auto& f : e.features) features[std::string(f.name)] = json_value(f.value);
  j["features"] = std::move(features);
  if (!std::holds_alternative<std::monostate>(e.prediction)) j["prediction"] = json_value(e.prediction);
  if (e.confidence >= 0) j["confidence"] = e.confidence;
  if (e.latency_seconds >= 0) j["latency_seconds"] = e.latency_seconds;
  if (!e.error.empty()) j["error"] = e.error;
  // Invalid UTF-8 in a client's strings becomes U+FFFD rather than an exception.
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// One kind of record (predictions or labels): its queue and its sender.
struct Channel {
  Channel(const PredictionExporterOptions& o, const char* path)
      : sender({.endpoint = o.endpoint + path, .protocol = OtlpProtocol::kHttpJson, .headers = o.headers,
                .timeout = o.timeout, .max_attempts = o.max_attempts}) {}
  detail::OtlpHttpSender sender;
  std::deque<std::string> queue;
  Counter* exported = nullptr;
  Counter* dropped = nullptr;
  Counter* failed = nullptr;
};

}  // namespace

struct PredictionExporter::Impl {
  explicit Impl(PredictionExporterOptions o)
      : options(std::move(o)), predictions(options, "/api/v1/predictions"), labels(options, "/api/v1/labels") {
    if (Registry* r = options.registry) {
      auto& family = r->counter({.name = "vigil_prediction_export_total",
                                 .help = "Prediction events and labels sent to vigil serve, by outcome.",
                                 .labels = {"kind", "outcome"}});
      for (auto [channel, kind] : {std::pair{&predictions, "prediction"}, std::pair{&labels, "label"}}) {
        channel->exported = &family.labels({kind, "exported"});
        channel->dropped = &family.labels({kind, "dropped"});
        channel->failed = &family.labels({kind, "failed"});
      }
    }
    worker = std::thread([this] { run(); });
  }

  ~Impl() {
    {
      std::lock_guard lock(mu);
      stopping = true;
    }
    wake.notify_all();
    worker.join();
  }

  bool enqueue(Channel& c, std::string record) {
    std::unique_lock lock(mu);
    if (predictions.queue.size() + labels.queue.size() >= options.max_queue_size) {
      ++dropped_total;
      lock.unlock();
      if (c.dropped) c.dropped->inc();
      return false;
    }
    c.queue.push_back(std::move(record));
    ++enqueued;
    if (c.queue.size() >= options.max_batch_size) wake.notify_one();
    return true;
  }

  void run() {
    std::unique_lock lock(mu);
    while (true) {
      wake.wait_for(lock, options.schedule_delay, [this] {
        return stopping || flush_target > sent || predictions.queue.size() >= options.max_batch_size ||
               labels.queue.size() >= options.max_batch_size;
      });
      // Predictions first: a label joins only a prediction the daemon has.
      bool stop = stopping;
      while (!predictions.queue.empty() || !labels.queue.empty()) {
        Channel& c = predictions.queue.empty() ? labels : predictions;
        send_batch(c, lock);
      }
      done.notify_all();
      if (stop) return;
    }
  }

  // Sends up to one batch of `c`, without the lock while on the network.
  void send_batch(Channel& c, std::unique_lock<std::mutex>& lock) {
    std::size_t n = std::min(c.queue.size(), options.max_batch_size);
    std::string body = "[";
    for (std::size_t i = 0; i < n; ++i) {
      if (i) body += ',';
      body += c.queue.front();
      c.queue.pop_front();
    }
    body += ']';
    lock.unlock();
    bool ok = c.sender.send(std::move(body));
    if (Counter* m = ok ? c.exported : c.failed) m->inc(static_cast<double>(n));
    lock.lock();
    if (!ok) failed_total += n;
    sent += n;
  }

  PredictionExporterOptions options;
  Channel predictions, labels;
  std::mutex mu;
  std::condition_variable wake, done;
  std::uint64_t enqueued = 0, sent = 0, flush_target = 0, dropped_total = 0, failed_total = 0;
  bool stopping = false;
  std::thread worker;
};

PredictionExporter::PredictionExporter(PredictionExporterOptions options)
    : impl_(std::make_unique<Impl>(std::move(options))) {}

PredictionExporter::~PredictionExporter() = default;

bool PredictionExporter::export_prediction(const PredictionEvent& event) {
  return impl_->enqueue(impl_->predictions, event_json(event));
}

bool PredictionExporter::export_label(std::string_view model, std::string_view request_id, const MonitorValue& label) {
  nlohmann::json j = {{"model", model}, {"request_id", request_id}, {"label", json_value(label)}};
  return impl_->enqueue(impl_->labels, j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

bool PredictionExporter::flush(std::chrono::milliseconds timeout) {
  std::unique_lock lock(impl_->mu);
  std::uint64_t target = impl_->enqueued;
  impl_->flush_target = std::max(impl_->flush_target, target);
  impl_->wake.notify_all();
  return impl_->done.wait_for(lock, timeout, [&] { return impl_->sent >= target; });
}

std::uint64_t PredictionExporter::dropped() const {
  std::lock_guard lock(impl_->mu);
  return impl_->dropped_total;
}

std::uint64_t PredictionExporter::failed() const {
  std::lock_guard lock(impl_->mu);
  return impl_->failed_total;
}

}  // namespace vigil
