// LogProvider and Logger: level checks, sampling, building the record and
// handing it to the sinks, directly (sync) or through the ring (async).
#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "common/fast_clock.h"
#include "common/stacktrace.h"
#include "log/record_ring.h"
#include "log/repeat_sampler.h"
#include "vigil/metrics.h"
#include "vigil/trace.h"

namespace vigil {

namespace {

void assign(OwnedValue& out, const FieldValue& in) {
  std::visit(
      [&](const auto& x) {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, std::string_view>) out.emplace<std::string>(x);
        else out = x;
      },
      in.get());
}

}  // namespace

struct LogProvider::Impl {
  std::vector<std::shared_ptr<Sink>> sinks;
  std::atomic<std::uint8_t> level;
  std::atomic<std::uint64_t> level_generation{1};
  std::mutex levels_mu;
  std::vector<std::pair<std::string, Level>> overrides;  // by name prefix

  std::optional<detail::RepeatSampler> sampler;
  std::atomic<std::uint64_t> sampled_out{0};
  std::atomic<std::uint64_t> dropped{0};
  std::atomic<std::uint64_t> queue_waits{0};
  bool block_when_full = false;
  Counter* queue_waits_metric = nullptr;
  Counter* records_metric[7] = {};
  Counter* dropped_full_metric = nullptr;
  Counter* dropped_sampled_metric = nullptr;
  Gauge* depth_metric = nullptr;

  // Sync mode: callers take turns at the sinks.
  std::mutex sink_mu;

  // Async mode.
  std::unique_ptr<detail::RecordRing> ring;
  std::mutex wake_mu;
  std::condition_variable wake, flushed;
  std::atomic<bool> worker_sleeping{false};
  std::size_t wake_depth = 1;  // ring depth at which producers wake the worker
  static constexpr std::chrono::milliseconds kIdleWait{10};
  std::uint64_t flush_requested = 0, flush_done = 0;
  std::size_t flush_target = 0;
  bool stopping = false;
  std::thread worker;

  Level effective_level(const LoggerContext& ctx) {
    std::uint64_t gen = level_generation.load(std::memory_order_acquire);
    std::uint64_t cached = ctx.level_cache.load(std::memory_order_relaxed);
    if ((cached >> 8) == gen) return static_cast<Level>(cached & 0xff);
    Level l;
    {
      std::lock_guard lock(levels_mu);
      gen = level_generation.load(std::memory_order_acquire);
      l = static_cast<Level>(level.load());
      std::size_t best = 0;
      for (const auto& [prefix, lv] : overrides) {
        bool match = ctx.name() == prefix ||
                     (ctx.name().size() > prefix.size() && ctx.name().starts_with(prefix) && ctx.name()[prefix.size()] == '.');
        if (match && prefix.size() + 1 > best) {
          best = prefix.size() + 1;
          l = lv;
        }
      }
    }
    ctx.level_cache.store((gen << 8) | static_cast<std::uint64_t>(l), std::memory_order_relaxed);
    return l;
  }

  void dispatch(const LogRecord& r) {
    for (auto& s : sinks)
      if (r.level >= s->min_level) s->write(r);
    if (r.level == Level::kFatal)
      for (auto& s : sinks) s->flush();
  }

  void run() {
    LogRecord record;
    std::vector<Field> fields;
    while (true) {
      bool did_work = false;
      while (ring->front(record, fields)) {
        dispatch(record);
        ring->pop();
        did_work = true;
      }
      if (depth_metric) depth_metric->set(static_cast<double>(ring->depth()));
      std::unique_lock lock(wake_mu);
      if (flush_requested != flush_done && ring->consumed() >= flush_target) {
        lock.unlock();
        for (auto& s : sinks) s->flush();
        lock.lock();
        flush_done = flush_requested;
        flushed.notify_all();
        continue;
      }
      if (stopping && ring->consumed() >= ring->claimed()) break;
      if (did_work) continue;
      // Sleep until a producer or flusher wakes us; the timeout bounds the
      // delay of a wake-up lost between the flag and the wait.
      worker_sleeping.store(true, std::memory_order_seq_cst);
      if (ring->depth() == 0 && !stopping && flush_requested == flush_done) wake.wait_for(lock, kIdleWait);
      worker_sleeping.store(false, std::memory_order_relaxed);
    }
    for (auto& s : sinks) s->flush();
  }

  void submit(Level level, const LoggerContext& ctx, std::string_view message, std::span<const Field> fields,
              const std::exception* e) {
    std::uint64_t now = detail::fast_unix_nanos();
    if (!admit(level, message, now)) return;
    LogRecord r = make_record(level, ctx, message, fields, now);
    if (e) [[unlikely]] return deliver_with_exception(r, *e);
    deliver(r);
  }

  void submit(Level level, const LoggerContext& ctx, std::string_view message, std::span<const Field> fields,
              const ExceptionInfo& exception) {
    std::uint64_t now = detail::fast_unix_nanos();
    if (!admit(level, message, now)) return;
    LogRecord r = make_record(level, ctx, message, fields, now);
    r.exception_type = exception.type;
    r.exception_message = exception.message;
    r.exception_stacktrace = exception.stacktrace;
    deliver(r);
  }

  // Kept out of the common path: its strings would cost every call.
  [[gnu::noinline]] void deliver_with_exception(LogRecord& r, const std::exception& e) {
    std::string type = detail::demangled_type_name(e), what = e.what(), stack = detail::caller_stacktrace();
    r.exception_type = type;
    r.exception_message = what;
    r.exception_stacktrace = stack;
    deliver(r);
  }

  // Sampling and the per-level count; false when the record is sampled out.
  bool admit(Level level, std::string_view message, std::uint64_t now) {
    if (sampler && !sampler->keep(level, message, now)) {
      sampled_out.fetch_add(1, std::memory_order_relaxed);
      if (dropped_sampled_metric) dropped_sampled_metric->inc();
      return false;
    }
    if (auto* m = records_metric[static_cast<int>(level)]) m->inc();
    return true;
  }

  static LogRecord make_record(Level level, const LoggerContext& ctx, std::string_view message,
                               std::span<const Field> fields, std::uint64_t now) {
    LogRecord r;
    r.time_unix_nano = now;
    r.level = level;
    r.logger = ctx.name();
    r.bound = ctx.fields();
    r.message = message;
    r.fields = fields;
    const SpanContext& span = current_span_context();
    r.trace_id = span.trace_id;
    r.span_id = span.span_id;
    r.trace_flags = span.flags;
    return r;
  }

  void deliver(const LogRecord& r) {
    if (ring) {
      if (!ring->push(r) && !(block_when_full && push_when_room(r))) {
        dropped.fetch_add(1, std::memory_order_relaxed);
        if (dropped_full_metric) dropped_full_metric->inc();
        return;
      }
      // Waking the worker costs a syscall, so producers do it only when the
      // ring is filling; otherwise its next timed wake-up (kIdleWait)
      // collects the records.
      // The producer that clears the flag is the one that wakes it: the
      // others do not queue behind the lock while the worker gets going.
      if (worker_sleeping.load(std::memory_order_relaxed) && ring->depth() >= wake_depth &&
          worker_sleeping.exchange(false, std::memory_order_relaxed)) {
        std::lock_guard lock(wake_mu);
        wake.notify_one();
      }
      return;
    }
    // Sync: the sinks read the caller's own strings; nothing is copied.
    std::lock_guard lock(sink_mu);
    dispatch(r);
  }

  // block_when_full: waits until the worker has made room, waking it if it
  // sleeps. False (the record is dropped) on the worker's own thread, which
  // would otherwise wait for itself.
  [[gnu::noinline]] bool push_when_room(const LogRecord& r) {
    if (std::this_thread::get_id() == worker.get_id()) return false;
    queue_waits.fetch_add(1, std::memory_order_relaxed);
    if (queue_waits_metric) queue_waits_metric->inc();
    for (int attempt = 0;; ++attempt) {
      if (worker_sleeping.exchange(false, std::memory_order_relaxed)) {
        std::lock_guard lock(wake_mu);
        wake.notify_one();
      }
      // Yield while the worker drains; past a few hundred tries it is a
      // slow sink, so sleep rather than burn a core the worker may need.
      if (attempt < 256) std::this_thread::yield();
      else std::this_thread::sleep_for(std::chrono::microseconds(50));
      if (ring->push(r)) return true;
    }
  }

  void flush() {
    if (!ring) {
      std::lock_guard lock(sink_mu);
      for (auto& s : sinks) s->flush();
      return;
    }
    std::unique_lock lock(wake_mu);
    std::uint64_t target = ++flush_requested;
    flush_target = std::max(flush_target, ring->claimed());
    wake.notify_one();
    flushed.wait(lock, [&] { return flush_done >= target; });
  }
};

LogProvider::LogProvider(LogProviderOptions options) : impl_(std::make_unique<Impl>()) {
  impl_->sinks = std::move(options.sinks);
  if (impl_->sinks.empty()) impl_->sinks.push_back(stdout_sink(options.format));
  impl_->level.store(static_cast<std::uint8_t>(options.level));
  if (!options.level_spec.empty() && !set_levels(options.level_spec))
    throw std::invalid_argument("invalid log level spec '" + options.level_spec +
                                "' (expected e.g. 'info' or 'warn,ranker=debug')");
  if (options.sampling) impl_->sampler.emplace(*options.sampling);
  if (Registry* r = options.registry) {
    auto& records = r->counter({.name = "vigil_log_records_total",
                                .help = "Log records accepted, by level.",
                                .labels = {"level"}});
    for (int l = 0; l < 6; ++l) impl_->records_metric[l] = &records.labels({std::string(level_name(Level(l)))});
    auto& dropped = r->counter({.name = "vigil_log_dropped_total",
                                .help = "Log records dropped: queue_full (async queue) or sampled (rate limit).",
                                .labels = {"reason"}});
    impl_->dropped_full_metric = &dropped.labels({"queue_full"});
    impl_->dropped_sampled_metric = &dropped.labels({"sampled"});
    if (options.async && options.block_when_full)
      impl_->queue_waits_metric =
          &r->counter({.name = "vigil_log_queue_waits_total",
                       .help = "Log records whose caller waited for room in the full async queue."})
               .labels({});
    if (options.async)
      impl_->depth_metric =
          &r->gauge({.name = "vigil_log_queue_depth", .help = "Records waiting in the async log queue."}).labels({});
  }
  impl_->block_when_full = options.block_when_full;
  if (options.async) {
    impl_->ring = std::make_unique<detail::RecordRing>(options.queue_capacity);
    impl_->wake_depth = std::max<std::size_t>(1, std::min<std::size_t>(options.queue_capacity / 8, 256));
    impl_->worker = std::thread([this] { impl_->run(); });
  }
}

LogProvider::~LogProvider() {
  if (impl_->ring) {
    {
      std::lock_guard lock(impl_->wake_mu);
      impl_->stopping = true;
    }
    impl_->wake.notify_one();
    impl_->worker.join();
  } else {
    impl_->flush();
  }
}

Logger LogProvider::logger(std::string_view name) {
  return Logger(impl_.get(), std::make_shared<const LoggerContext>(std::string(name), std::vector<LogField>{}));
}

void LogProvider::set_level(Level level) {
  impl_->level.store(static_cast<std::uint8_t>(level));
  impl_->level_generation.fetch_add(1, std::memory_order_acq_rel);
}
Level LogProvider::level() const { return static_cast<Level>(impl_->level.load()); }

void LogProvider::set_logger_level(std::string_view name_prefix, Level level) {
  {
    std::lock_guard lock(impl_->levels_mu);
    auto& ov = impl_->overrides;
    auto it = std::find_if(ov.begin(), ov.end(), [&](const auto& p) { return p.first == name_prefix; });
    if (it != ov.end()) it->second = level;
    else ov.emplace_back(std::string(name_prefix), level);
  }
  impl_->level_generation.fetch_add(1, std::memory_order_acq_rel);
}

bool LogProvider::set_levels(std::string_view spec) {
  auto parsed = parse_level_spec(spec);
  if (!parsed) return false;
  if (parsed->base) set_level(*parsed->base);
  for (const auto& [name, l] : parsed->overrides) set_logger_level(name, l);
  return true;
}

void LogProvider::flush() { impl_->flush(); }
std::uint64_t LogProvider::dropped() const { return impl_->dropped.load(); }
std::uint64_t LogProvider::queue_waits() const { return impl_->queue_waits.load(); }
std::uint64_t LogProvider::sampled_out() const { return impl_->sampled_out.load(); }

// ---- Logger ---------------------------------------------------------------------

LoggerContext::LoggerContext(std::string name, std::vector<LogField> owned)
    : name_(std::move(name)), owned_(std::move(owned)) {
  fields_.reserve(owned_.size());
  for (const LogField& f : owned_)
    fields_.push_back({f.key, std::visit([](const auto& x) { return FieldValue(x); }, f.value)});
}

Logger Logger::bind(std::string_view key, FieldValue value) const {
  std::vector<LogField> owned = context_->owned_fields();
  LogField& f = owned.emplace_back();
  f.key = std::string(key);
  assign(f.value, value);
  return Logger(provider_, std::make_shared<const LoggerContext>(context_->name(), std::move(owned)));
}

Logger Logger::child(std::string_view name) const {
  std::string full = context_->name().empty() ? std::string(name) : context_->name() + "." + std::string(name);
  return Logger(provider_, std::make_shared<const LoggerContext>(std::move(full), context_->owned_fields()));
}

bool Logger::enabled(Level level) const {
  return provider_ != nullptr && level != Level::kOff && level >= provider_->effective_level(*context_);
}

void Logger::log(Level level, std::string_view message, std::initializer_list<Field> fields) const {
  if (enabled(level)) emit(level, message, std::span<const Field>(fields.begin(), fields.size()), nullptr);
}
void Logger::log(Level level, std::string_view message, std::span<const Field> fields) const {
  if (enabled(level)) emit(level, message, fields, nullptr);
}
void Logger::log(Level level, std::string_view message, const std::exception& e,
                 std::initializer_list<Field> fields) const {
  if (enabled(level)) emit(level, message, std::span<const Field>(fields.begin(), fields.size()), &e);
}

void Logger::log(Level level, std::string_view message, const ExceptionInfo& exception,
                 std::span<const Field> fields) const {
  if (enabled(level)) provider_->submit(level, *context_, message, fields, exception);
}

void Logger::emit(Level level, std::string_view message, std::span<const Field> fields,
                  const std::exception* e) const {
  provider_->submit(level, *context_, message, fields, e);
}

}  // namespace vigil
