// Ships prediction events and ground-truth labels from a service to
// `vigil serve` (POST /api/v1/predictions and /api/v1/labels), where the
// daemon keeps drift windows, quality, SLOs and their history.
//
//   vigil::PredictionExporter shipper({.endpoint = "http://127.0.0.1:4318"});
//   shipper.export_prediction({.model = "fraud", .request_id = id, .features = {{"amount", 120.5}},
//                              .prediction = "legit", .latency_seconds = 0.004});
//   shipper.export_label("fraud", id, "fraud");
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "vigil/monitor.h"
#include "vigil/trace_context.h"

namespace vigil {

class Registry;

struct PredictionExporterOptions {
  std::string endpoint = "http://127.0.0.1:4318";  // the daemon's base URL
  HeaderMap headers;                                // e.g. {"authorization", "Bearer ..."}
  // Events and labels waiting to be sent; past this, new ones are dropped
  // and counted, never blocking the caller.
  std::size_t max_queue_size = 20000;
  std::size_t max_batch_size = 1000;                // per request
  std::chrono::milliseconds schedule_delay{1000};   // a partial batch waits at most this long
  std::chrono::milliseconds timeout{10000};         // per attempt
  int max_attempts = 5;  // retries on 429/502/503/504 and connection errors, as the OTLP exporters do
  // vigil_prediction_export_total{kind="prediction|label", outcome="exported|dropped|failed"}; null = none.
  Registry* registry = nullptr;
};

// A bounded queue and one background thread that posts JSON batches.
// Every method is safe from any thread.
class PredictionExporter {
 public:
  // Throws std::invalid_argument when the endpoint is not an http(s) URL.
  explicit PredictionExporter(PredictionExporterOptions options = {});
  ~PredictionExporter();  // sends what is queued (bounded by the timeout), then stops
  PredictionExporter(const PredictionExporter&) = delete;
  PredictionExporter& operator=(const PredictionExporter&) = delete;

  // Copies the event into the queue; false when the queue is full (dropped).
  bool export_prediction(const PredictionEvent& event);
  bool export_label(std::string_view model, std::string_view request_id, const MonitorValue& label);
  // Waits until everything queued before the call was sent (or failed);
  // false on timeout.
  bool flush(std::chrono::milliseconds timeout = std::chrono::seconds(30));
  std::uint64_t dropped() const;
  std::uint64_t failed() const;  // events in batches the daemon did not accept

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace vigil
