// OTLP (OpenTelemetry protocol) encoding and OTLP/HTTP export of spans and
// of log records (a log sink).
#pragma once

#include <chrono>
#include <iosfwd>
#include <memory>
#include <span>
#include <string>

#include "vigil/log.h"
#include "vigil/trace.h"

namespace vigil {

enum class OtlpProtocol { kHttpProtobuf, kHttpJson };

// ExportTraceServiceRequest bodies, spans grouped by resource and scope.
std::string encode_otlp_traces_protobuf(std::span<const std::unique_ptr<SpanData>> spans);
// OTLP/JSON: protobuf JSON mapping with hex trace/span ids and integer enums.
std::string encode_otlp_traces_json(std::span<const std::unique_ptr<SpanData>> spans);

struct OtlpHttpOptions {
  std::string endpoint = "http://127.0.0.1:4318/v1/traces";
  OtlpProtocol protocol = OtlpProtocol::kHttpProtobuf;
  HeaderMap headers;  // e.g. {"authorization", "Bearer ..."}
  bool gzip = false;  // compress request bodies
  std::chrono::milliseconds timeout{10000};  // per attempt
  // Retries on 429, 502, 503, 504 and connection errors with exponential
  // backoff (jittered), honouring Retry-After; other 4xx fail at once.
  int max_attempts = 5;
  std::chrono::milliseconds initial_backoff{500};
  std::chrono::milliseconds max_backoff{5000};
};

class OtlpHttpSpanExporter final : public SpanExporter {
 public:
  explicit OtlpHttpSpanExporter(OtlpHttpOptions options = {});
  ~OtlpHttpSpanExporter() override;
  ExportResult export_spans(std::span<const std::unique_ptr<SpanData>> spans) override;
  bool shutdown() override;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Writes each batch as one line of OTLP/JSON: for debugging and piping.
class OStreamSpanExporter final : public SpanExporter {
 public:
  explicit OStreamSpanExporter(std::ostream& out);
  ExportResult export_spans(std::span<const std::unique_ptr<SpanData>> spans) override;

 private:
  std::ostream& out_;
};

// ---- logs ------------------------------------------------------------------

// OTLP/HTTP logs export (protobuf or JSON) with its own batching thread:
// bounded queue (drops counted), batches of max_batch_size or every
// schedule_delay, retries per OtlpHttpOptions, drained on flush/destruction.
struct OtlpLogSinkOptions {
  OtlpHttpOptions http{.endpoint = "http://127.0.0.1:4318/v1/logs"};
  std::size_t max_queue_size = 8192;
  std::size_t max_batch_size = 512;
  std::chrono::milliseconds schedule_delay{1000};
  Resource resource = Resource::create();
  // vigil_log_export_records_total{outcome="exported|dropped|failed"}; null = none.
  Registry* registry = nullptr;
};
std::shared_ptr<Sink> otlp_log_sink(OtlpLogSinkOptions options = {});

// ExportLogsServiceRequest bodies: records grouped by scope (logger name).
std::string encode_otlp_logs_protobuf(std::span<const LogRecord* const> records, const Resource& resource);
std::string encode_otlp_logs_json(std::span<const LogRecord* const> records, const Resource& resource);

}  // namespace vigil
