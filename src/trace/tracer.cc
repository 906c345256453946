// Span lifecycle: sampling at start, recording within limits, hand-off to
// processors at end; the thread's active context; providers and tracers.
#include <algorithm>
#include <cstring>
#include <mutex>

#include "common/stacktrace.h"
#include "trace/hex.h"
#include "trace/random_ids.h"
#include "trace/span_pool.h"
#include "vigil/metrics.h"
#include "vigil/trace.h"

namespace vigil {

namespace detail {

struct TracerState {
  using ProcessorList = std::vector<SpanProcessor*>;

  std::shared_ptr<const Resource> resource;
  std::shared_ptr<Sampler> sampler;
  SpanLimits limits;
  std::mutex mu;  // guards changes to the processor set
  std::vector<std::unique_ptr<SpanProcessor>> processors;
  // Spans read the processor set with one atomic load and no lock; every
  // version stays alive until the provider goes (processors are added at
  // start-up, so there are only a few).
  std::atomic<const ProcessorList*> active{nullptr};
  std::vector<std::unique_ptr<const ProcessorList>> versions;
  std::atomic<bool> shut_down{false};

  const ProcessorList* current() const { return active.load(std::memory_order_acquire); }

  void add(std::unique_ptr<SpanProcessor> p) {
    std::lock_guard lock(mu);
    processors.push_back(std::move(p));
    auto next = std::make_unique<ProcessorList>();
    for (auto& q : processors) next->push_back(q.get());
    active.store(next.get(), std::memory_order_release);
    versions.push_back(std::move(next));
  }

  void end_span(std::unique_ptr<SpanData> data) {
    const ProcessorList* list = current();
    if (list == nullptr || list->empty() || shut_down.load(std::memory_order_relaxed)) return;
    // Every processor but the last gets a copy; the last takes the original.
    for (std::size_t i = 0; i + 1 < list->size(); ++i) (*list)[i]->on_end(std::make_unique<SpanData>(*data));
    list->back()->on_end(std::move(data));
  }
};

}  // namespace detail

namespace {

thread_local SpanContext tls_current_context;
const Attributes kNoAttributes;  // the sampler's view of a span started without options

void truncate(AttributeValue& v, std::uint32_t max_len) {
  if (auto* s = std::get_if<std::string>(&v); s && s->size() > max_len) s->resize(max_len);
  if (auto* vs = std::get_if<std::vector<std::string>>(&v))
    for (auto& s : *vs)
      if (s.size() > max_len) s.resize(max_len);
}

}  // namespace

// Appends an attribute named `key` and returns its value slot, still the
// default `false`, for the caller to construct over: its destruction would
// do nothing, so it is skipped ([basic.life]/5). The key and value are built
// where they live, with no temporary string or variant to move in (a short
// string's move is a memcpy call) and destroy, and no variant dispatch.
// Inlined by force: as a call it measurably slowed every sampled span
// (docs/benchmarks.md, tracing).
[[gnu::always_inline]] static inline AttributeValue& new_attribute(Attributes& attrs, std::string_view key) {
  Attribute& slot = attrs.emplace_back();
  std::construct_at(&slot.key, key);
  return slot.value;
}

static Attribute* find_attribute(Attributes& attrs, std::string_view key) {
  for (auto& a : attrs)
    if (a.key.size() == key.size() && std::memcmp(a.key.data(), key.data(), key.size()) == 0) return &a;
  return nullptr;
}

// Whether one more attribute fits the limit; one that does not is counted.
static bool room_for_attribute(SpanData& data, const SpanLimits& limits) {
  if (data.attributes.size() < limits.max_attributes) return true;
  ++data.dropped_attributes;
  return false;
}

// Sets `key` to a value of alternative T built from `args`, in place: an
// existing attribute of that name is overwritten, a new one is constructed
// at the end of the vector, and one past the limit is counted and dropped.
template <typename T, typename... Args>
static void set_in_place(SpanData& data, const SpanLimits& limits, std::string_view key, Args&&... args) {
  if (Attribute* a = find_attribute(data.attributes, key)) {
    a->value.emplace<T>(std::forward<Args>(args)...);
  } else if (room_for_attribute(data, limits)) {
    std::construct_at(&new_attribute(data.attributes, key), std::in_place_type<T>, std::forward<Args>(args)...);
  }
}

// ---- Span ------------------------------------------------------------------

Span::Span(Span&& other) noexcept = default;

Span& Span::operator=(Span&& other) noexcept {
  if (this != &other) {
    end();
    context_ = std::move(other.context_);
    data_ = std::move(other.data_);
    state_ = std::move(other.state_);
  }
  return *this;
}

void Span::put_attribute(std::string_view key, AttributeValue value) {
  truncate(value, state_->limits.max_attribute_length);
  if (Attribute* a = find_attribute(data_->attributes, key)) a->value = std::move(value);
  else if (room_for_attribute(*data_, state_->limits)) std::construct_at(&new_attribute(data_->attributes, key), std::move(value));
}

void Span::put_bool(std::string_view key, bool value) {
  set_in_place<bool>(*data_, state_->limits, key, value);
}

void Span::put_int(std::string_view key, std::int64_t value) {
  set_in_place<std::int64_t>(*data_, state_->limits, key, value);
}

void Span::put_double(std::string_view key, double value) {
  set_in_place<double>(*data_, state_->limits, key, value);
}

void Span::put_string(std::string_view key, std::string_view value) {
  value = value.substr(0, state_->limits.max_attribute_length);
  set_in_place<std::string>(*data_, state_->limits, key, value.data(), value.size());
}

Span& Span::add_event(std::string_view name, Attributes attributes, std::uint64_t time_unix_nano) {
  if (!data_) return *this;
  if (data_->events.size() >= state_->limits.max_events) {
    ++data_->dropped_events;
    return *this;
  }
  for (auto& a : attributes) truncate(a.value, state_->limits.max_attribute_length);
  data_->events.push_back({std::string(name), time_unix_nano ? time_unix_nano : unix_nanos(), std::move(attributes)});
  return *this;
}

Span& Span::add_link(const SpanContext& context, Attributes attributes) {
  if (!data_ || !context.valid()) return *this;
  if (data_->links.size() >= state_->limits.max_links) {
    ++data_->dropped_links;
    return *this;
  }
  data_->links.push_back({context, std::move(attributes)});
  return *this;
}

Span& Span::record_exception(const std::exception& e) {
  if (!data_) return *this;
  return record_exception(detail::demangled_type_name(e), e.what(), detail::caller_stacktrace());
}

Span& Span::record_exception(std::string_view type, std::string_view message, std::string_view stacktrace) {
  if (!data_) return *this;
  add_event("exception", {{"exception.type", std::string(type)},
                          {"exception.message", std::string(message)},
                          {"exception.stacktrace", std::string(stacktrace)}});
  return set_status(StatusCode::kError, message);
}

Span& Span::set_status(StatusCode code, std::string_view message) {
  if (!data_) return *this;
  // Ok is final; Unset never overrides; a description only goes with Error.
  if (data_->status == StatusCode::kOk || code == StatusCode::kUnset) return *this;
  data_->status = code;
  data_->status_message = code == StatusCode::kError ? std::string(message) : std::string();
  return *this;
}

Span& Span::update_name(std::string_view name) {
  if (data_) data_->name = name;
  return *this;
}

void Span::finish(std::uint64_t end_unix_nano) {
  data_->end_unix_nano = std::max(end_unix_nano ? end_unix_nano : unix_nanos(), data_->start_unix_nano);
  std::unique_ptr<SpanData> data = std::move(data_);
  // Record-only spans (sampler said kRecordOnly) are not exported.
  if (data->context.sampled()) state_->end_span(std::move(data));
}

// ---- Scope -----------------------------------------------------------------

struct Scope::Saved {
  SpanContext previous;
  const detail::TraceExemplarContext* previous_exemplar;
  detail::TraceExemplarContext exemplar;
};

Scope::Scope(const SpanContext& context) : saved_(std::make_unique<Saved>()) {
  saved_->previous = std::move(tls_current_context);
  saved_->previous_exemplar = detail::tls_trace_exemplar;
  tls_current_context = context;
  if (context.valid() && context.sampled()) {
    detail::write_hex(context.trace_id.bytes.data(), 16, saved_->exemplar.trace_id);
    detail::write_hex(context.span_id.bytes.data(), 8, saved_->exemplar.span_id);
    detail::tls_trace_exemplar = &saved_->exemplar;
  } else {
    detail::tls_trace_exemplar = nullptr;
  }
}

Scope::~Scope() {
  tls_current_context = std::move(saved_->previous);
  detail::tls_trace_exemplar = saved_->previous_exemplar;
}

const SpanContext& current_span_context() { return tls_current_context; }

// ---- Tracer ----------------------------------------------------------------

Span Tracer::start_span(std::string_view name) const { return start(name, nullptr); }

Span Tracer::start_span(std::string_view name, SpanOptions options) const { return start(name, &options); }

Span Tracer::start(std::string_view name, SpanOptions* options) const {
  Span span;
  const SpanContext* parent = nullptr;
  if (options && options->parent) parent = &*options->parent;
  else if (!(options && options->root) && tls_current_context.valid()) parent = &tls_current_context;
  if (parent && !parent->valid()) parent = nullptr;

  if (parent) {
    span.context_.trace_id = parent->trace_id;
    span.context_.span_id = detail::random_span_id();
    span.context_.trace_state = parent->trace_state;
  } else {
    span.context_.trace_id = detail::random_trace_id();
    span.context_.span_id = detail::random_span_id();
  }
  if (!state_ || state_->shut_down.load(std::memory_order_relaxed)) return span;  // valid context, no recording

  const SpanKind kind = options ? options->kind : SpanKind::kInternal;
  SamplingDecision decision = state_->sampler->should_sample(SamplingParameters{
      parent, span.context_.trace_id, name, kind, options ? options->attributes : kNoAttributes});
  if (decision == SamplingDecision::kRecordAndSample) span.context_.flags |= kTraceFlagSampled;
  if (decision == SamplingDecision::kDrop) return span;

  std::unique_ptr<SpanData> data(detail::take_span_data());  // recycled: see span_pool.h
  // Field by field: a recycled record's trace_state is empty, and copying
  // an empty string is still a call.
  data->context.trace_id = span.context_.trace_id;
  data->context.span_id = span.context_.span_id;
  data->context.flags = span.context_.flags;
  data->context.remote = false;
  if (!span.context_.trace_state.empty()) data->context.trace_state = span.context_.trace_state;
  data->parent_span_id = parent ? parent->span_id : SpanId{};
  data->name.assign(name);
  data->kind = kind;
  data->start_unix_nano = options && options->start_unix_nano ? options->start_unix_nano : unix_nanos();
  data->end_unix_nano = 0;
  if (data->resource != state_->resource) data->resource = state_->resource;  // a recycled record's usually match
  if (data->scope != scope_) data->scope = scope_;
  if (data->attributes.capacity() < 8) data->attributes.reserve(8);  // most spans carry a handful
  span.state_ = state_;
  span.data_ = std::move(data);
  if (options) {
    for (auto& a : options->attributes) span.put_attribute(a.key, std::move(a.value));
    for (auto& l : options->links) span.add_link(l.context, std::move(l.attributes));
  }
  if (const auto* list = state_->current())
    for (SpanProcessor* p : *list) p->on_start(*span.data_);
  return span;
}

// ---- TracerProvider --------------------------------------------------------

TracerProvider::TracerProvider(TracerProviderOptions options) : state_(std::make_shared<detail::TracerState>()) {
  state_->resource = std::make_shared<const Resource>(std::move(options.resource));
  state_->sampler = options.sampler ? options.sampler : parent_based_sampler(always_on_sampler());
  state_->limits = options.limits;
}

TracerProvider::~TracerProvider() { shutdown(); }

void TracerProvider::add_processor(std::unique_ptr<SpanProcessor> processor) {
  state_->add(std::move(processor));
}

Tracer TracerProvider::tracer(std::string_view name, std::string_view version) {
  Tracer t;
  t.state_ = state_;
  t.scope_ = std::make_shared<const InstrumentationScope>(InstrumentationScope{std::string(name), std::string(version)});
  return t;
}

bool TracerProvider::force_flush(std::chrono::milliseconds timeout) {
  std::lock_guard lock(state_->mu);
  bool ok = true;
  for (auto& p : state_->processors) ok = p->force_flush(timeout) && ok;
  return ok;
}

bool TracerProvider::shutdown(std::chrono::milliseconds timeout) {
  if (state_->shut_down.exchange(true)) return true;
  std::lock_guard lock(state_->mu);
  bool ok = true;
  for (auto& p : state_->processors) ok = p->shutdown(timeout) && ok;
  return ok;
}

TracerProvider& default_tracer_provider() {
  static TracerProvider* provider = new TracerProvider();  // leaked: spans may end during exit
  return *provider;
}

}  // namespace vigil
