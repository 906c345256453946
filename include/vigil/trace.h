// vigil tracing: spans in the OpenTelemetry model, W3C Trace Context
// propagation, samplers and span processors. Exporters live in
// vigil/otlp.h.
//
//   vigil::TracerProvider provider({.resource = vigil::Resource::create({{"service.name", "ranker"}})});
//   provider.add_processor(std::make_unique<vigil::BatchSpanProcessor>(
//       std::make_unique<vigil::OtlpHttpSpanExporter>()));
//   vigil::Tracer tracer = provider.tracer("ranker.server", "1.4.0");
//
//   vigil::Span request = tracer.start_span("predict", {.kind = vigil::SpanKind::kServer});
//   vigil::Scope active(request);                    // children nest under it
//   {
//     vigil::Span pre = tracer.start_span("preprocess");  // parent: "predict"
//     pre.set_attribute("rows", 32);
//   }                                                 // ended by its destructor
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <exception>
#include <map>
#include <memory>
#include <new>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>
#include <vector>

#include "vigil/trace_context.h"

namespace vigil {

class Registry;

// ---- span data ----------------------------------------------------------------

using AttributeValue = std::variant<bool, std::int64_t, double, std::string, std::vector<bool>,
                                    std::vector<std::int64_t>, std::vector<double>, std::vector<std::string>>;
struct Attribute {
  std::string key;
  AttributeValue value;
};
using Attributes = std::vector<Attribute>;

enum class SpanKind : std::uint8_t { kInternal = 1, kServer = 2, kClient = 3, kProducer = 4, kConsumer = 5 };
enum class StatusCode : std::uint8_t { kUnset = 0, kOk = 1, kError = 2 };

struct SpanEvent {
  std::string name;
  std::uint64_t time_unix_nano = 0;
  Attributes attributes;
};

struct SpanLink {
  SpanContext context;
  Attributes attributes;
};

// Who produced the telemetry: service.name, service.version, host.name, ...
struct Resource {
  Attributes attributes;
  // The SDK's defaults (service.name "unknown_service", host.name,
  // telemetry.sdk.*) overlaid by `attributes`.
  static Resource create(Attributes attributes = {});
  const AttributeValue* find(std::string_view key) const;
};

struct InstrumentationScope {
  std::string name;
  std::string version;
};

struct SpanData {
  SpanContext context;
  SpanId parent_span_id;  // invalid for a root span
  std::string name;
  SpanKind kind = SpanKind::kInternal;
  std::uint64_t start_unix_nano = 0;
  std::uint64_t end_unix_nano = 0;
  Attributes attributes;
  std::vector<SpanEvent> events;
  std::vector<SpanLink> links;
  StatusCode status = StatusCode::kUnset;
  std::string status_message;
  std::uint32_t dropped_attributes = 0;
  std::uint32_t dropped_events = 0;
  std::uint32_t dropped_links = 0;
  std::shared_ptr<const Resource> resource;
  std::shared_ptr<const InstrumentationScope> scope;

  // Deleting a record returns it, cleared and with its attribute capacity,
  // to a small pool of the deleting thread, where the next span started
  // there takes it: a sampled span costs no malloc or free in steady state.
  // new/delete and std::unique_ptr<SpanData> work as usual.
  static void* operator new(std::size_t size);
  static void operator delete(void* p);  // for a throwing constructor
  static void operator delete(SpanData* p, std::destroying_delete_t);
};

struct SpanLimits {
  std::uint32_t max_attributes = 128;
  std::uint32_t max_events = 128;
  std::uint32_t max_links = 128;
  std::uint32_t max_attribute_length = 4096;  // longer strings are truncated
};

// ---- sampling -----------------------------------------------------------------

enum class SamplingDecision { kDrop, kRecordOnly, kRecordAndSample };

struct SamplingParameters {
  const SpanContext* parent;  // null or invalid for a root span
  const TraceId& trace_id;
  std::string_view name;
  SpanKind kind;
  const Attributes& attributes;
};

class Sampler {
 public:
  virtual ~Sampler() = default;
  virtual SamplingDecision should_sample(const SamplingParameters& params) const = 0;
  virtual std::string description() const = 0;
};

std::shared_ptr<Sampler> always_on_sampler();
std::shared_ptr<Sampler> always_off_sampler();
// Samples a fraction of traces, decided by the trace id alone so every
// service agrees: the low 8 bytes (big-endian) >> 1 below ratio * 2^63.
std::shared_ptr<Sampler> trace_id_ratio_sampler(double ratio);
// Follows the parent's sampled flag when there is a parent; `root` decides
// for root spans.
std::shared_ptr<Sampler> parent_based_sampler(std::shared_ptr<Sampler> root);

// ---- processors and exporters -------------------------------------------------

enum class ExportResult { kSuccess, kFailure };

class SpanExporter {
 public:
  virtual ~SpanExporter() = default;
  virtual ExportResult export_spans(std::span<const std::unique_ptr<SpanData>> spans) = 0;
  virtual bool shutdown() { return true; }
};

class SpanProcessor {
 public:
  virtual ~SpanProcessor() = default;
  virtual void on_start(SpanData& /*span*/) {}
  // Called for sampled spans only.
  virtual void on_end(std::unique_ptr<SpanData> span) = 0;
  virtual bool force_flush(std::chrono::milliseconds timeout) = 0;
  virtual bool shutdown(std::chrono::milliseconds timeout) = 0;
};

// Exports each span synchronously as it ends: for tests and debugging.
class SimpleSpanProcessor final : public SpanProcessor {
 public:
  explicit SimpleSpanProcessor(std::unique_ptr<SpanExporter> exporter);
  ~SimpleSpanProcessor() override;
  void on_end(std::unique_ptr<SpanData> span) override;
  bool force_flush(std::chrono::milliseconds timeout) override;
  bool shutdown(std::chrono::milliseconds timeout) override;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

struct BatchSpanProcessorOptions {
  std::size_t max_queue_size = 2048;
  std::size_t max_export_batch_size = 512;
  std::chrono::milliseconds schedule_delay{5000};
  std::chrono::milliseconds export_timeout{30000};
  // Where vigil_trace_spans_{queued,exported,dropped}_total and the queue
  // depth are counted; null to count nowhere.
  Registry* registry = nullptr;
};

// Queues ended spans (bounded; a full queue drops and counts, never blocks
// the caller) and exports them in batches from one background thread.
class BatchSpanProcessor final : public SpanProcessor {
 public:
  explicit BatchSpanProcessor(std::unique_ptr<SpanExporter> exporter, BatchSpanProcessorOptions options = {});
  ~BatchSpanProcessor() override;  // shutdown: exports what is queued
  void on_end(std::unique_ptr<SpanData> span) override;
  bool force_flush(std::chrono::milliseconds timeout) override;
  bool shutdown(std::chrono::milliseconds timeout) override;

  std::uint64_t dropped() const;
  std::uint64_t exported() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// ---- spans, scopes, tracers -----------------------------------------------------

namespace detail {
struct TracerState;
}

struct SpanOptions {
  SpanKind kind = SpanKind::kInternal;
  // Explicit parent (e.g. extracted from a request, or handed to a worker
  // thread); when unset the thread's active span is the parent.
  std::optional<SpanContext> parent;
  bool root = false;  // ignore the active span and start a new trace
  Attributes attributes;
  std::vector<SpanLink> links;
  std::uint64_t start_unix_nano = 0;  // 0 = now
};

// A span being recorded. Ends on destruction if end() was not called.
// Movable, not copyable. Non-sampled spans still carry a valid context (so
// it propagates) but record nothing and cost almost nothing.
class Span {
 public:
  Span() = default;
  Span(Span&& other) noexcept;
  Span& operator=(Span&& other) noexcept;
  ~Span() { end(); }

  const SpanContext& context() const { return context_; }
  bool recording() const { return data_ != nullptr; }

  // Builds the value only when recording: free on unsampled spans. Scalars
  // and strings are written straight into the span's attribute slot (no
  // temporary variant); arrays go through AttributeValue.
  template <typename T>
  Span& set_attribute(std::string_view key, T&& value) {
    if (!data_) return *this;
    using V = std::remove_cvref_t<T>;
    if constexpr (std::is_same_v<V, bool>) put_bool(key, value);
    else if constexpr (std::is_integral_v<V>) put_int(key, static_cast<std::int64_t>(value));
    else if constexpr (std::is_floating_point_v<V>) put_double(key, static_cast<double>(value));
    else if constexpr (std::is_convertible_v<const V&, std::string_view>) put_string(key, std::string_view(value));
    else put_attribute(key, AttributeValue(std::forward<T>(value)));
    return *this;
  }
  Span& add_event(std::string_view name, Attributes attributes = {}, std::uint64_t time_unix_nano = 0);
  Span& add_link(const SpanContext& context, Attributes attributes = {});
  // An "exception" event with exception.type, exception.message and
  // exception.stacktrace (the stack where this is called), status Error.
  Span& record_exception(const std::exception& e);
  Span& record_exception(std::string_view type, std::string_view message, std::string_view stacktrace);
  Span& set_status(StatusCode code, std::string_view message = {});
  Span& update_name(std::string_view name);
  void end(std::uint64_t end_unix_nano = 0) {
    if (data_) finish(end_unix_nano);
  }

 private:
  friend class Tracer;
  void put_attribute(std::string_view key, AttributeValue value);
  void put_bool(std::string_view key, bool value);
  void put_int(std::string_view key, std::int64_t value);
  void put_double(std::string_view key, double value);
  void put_string(std::string_view key, std::string_view value);
  void finish(std::uint64_t end_unix_nano);
  SpanContext context_;
  std::unique_ptr<SpanData> data_;  // null when not recording or ended
  std::shared_ptr<detail::TracerState> state_;
};

// Makes a span (or context) the thread's active one until destroyed, so
// spans started meanwhile become its children and metrics pick up its ids
// as exemplars. Scopes nest; destroy them in reverse order.
class Scope {
 public:
  explicit Scope(const Span& span) : Scope(span.context()) {}
  explicit Scope(const SpanContext& context);
  ~Scope();
  Scope(const Scope&) = delete;
  Scope& operator=(const Scope&) = delete;

 private:
  struct Saved;
  std::unique_ptr<Saved> saved_;
};

// The thread's active span context; invalid when there is none.
const SpanContext& current_span_context();

class Tracer {
 public:
  // The common case (child of the active span, internal kind) without
  // building a SpanOptions.
  Span start_span(std::string_view name) const;
  Span start_span(std::string_view name, SpanOptions options) const;
  const InstrumentationScope& scope() const { return *scope_; }

 private:
  friend class TracerProvider;
  Span start(std::string_view name, SpanOptions* options) const;  // options may be null
  std::shared_ptr<detail::TracerState> state_;
  std::shared_ptr<const InstrumentationScope> scope_;
};

struct TracerProviderOptions {
  Resource resource = Resource::create();
  std::shared_ptr<Sampler> sampler;  // default: parent-based always-on
  SpanLimits limits;
};

class TracerProvider {
 public:
  explicit TracerProvider(TracerProviderOptions options = {});
  ~TracerProvider();  // shutdown
  TracerProvider(const TracerProvider&) = delete;
  TracerProvider& operator=(const TracerProvider&) = delete;

  void add_processor(std::unique_ptr<SpanProcessor> processor);
  Tracer tracer(std::string_view name, std::string_view version = {});
  bool force_flush(std::chrono::milliseconds timeout = std::chrono::seconds(30));
  bool shutdown(std::chrono::milliseconds timeout = std::chrono::seconds(30));

 private:
  std::shared_ptr<detail::TracerState> state_;
};

// The explicit process-wide provider (no processors until you add one).
TracerProvider& default_tracer_provider();

// Now, in nanoseconds since the unix epoch.
std::uint64_t unix_nanos();

}  // namespace vigil
