// Structured logging: levels, typed fields, bound context, trace ids.
//
//   vigil::LogProvider logs({.sinks = {vigil::stdout_sink()}, .async = true});
//   vigil::Logger log = logs.logger("ranker").bind("model_id", "resnet-v2");
//   log.info("prediction served", {{"latency_ms", 12.5}, {"class", "cat"}});
//   try { ... } catch (const std::exception& e) { log.error("inference failed", e); }
//
// Inside a vigil::Scope the active span's trace_id/span_id are added to each
// record. Every record is one JSON object per line (JsonFormatter) or a
// readable line for a terminal (ConsoleFormatter). Sinks (spdlog's term)
// receive whole records; the async mode hands records to one background
// thread through a bounded queue that drops, and counts, when full.
#pragma once

#include <atomic>
#include <bit>
#include <chrono>
#include <concepts>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <initializer_list>
#include <iosfwd>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "vigil/owned_value.h"
#include "vigil/trace_context.h"

namespace vigil {

class Registry;

enum class Level : std::uint8_t { kTrace, kDebug, kInfo, kWarn, kError, kFatal, kOff };

std::string_view level_name(Level level);                  // "info"
std::optional<Level> parse_level(std::string_view name);   // case-insensitive; "warning" too
// A level spec: "info" or "warn,ranker=debug,io.http=error" (a base level
// and per-logger-prefix overrides); nullopt if any part is invalid.
struct LevelSpec {
  std::optional<Level> base;
  std::vector<std::pair<std::string, Level>> overrides;
};
std::optional<LevelSpec> parse_level_spec(std::string_view spec);
// OTLP SeverityNumber: TRACE=1, DEBUG=5, INFO=9, WARN=13, ERROR=17, FATAL=21.
int otlp_severity_number(Level level);

// A field value as passed at the call site: strings are views, copied only
// when the record is kept (queued or bound). Stored as a kind tag and one
// 8-byte word (a scalar's bits, or a string's length beside its pointer),
// so the async queue copies any scalar with one 8-byte store.
class FieldValue {
 public:
  using Variant = std::variant<std::nullptr_t, bool, std::int64_t, std::uint64_t, double, std::string_view>;
  enum class Kind : std::uint8_t { kNull, kBool, kInt, kUint, kDouble, kString };  // = Variant's index

  FieldValue(std::nullptr_t = nullptr) {}
  FieldValue(bool b) : word_(b ? 1 : 0), kind_(Kind::kBool) {}
  template <std::signed_integral T>
    requires(!std::same_as<T, bool>)
  FieldValue(T i) : word_(static_cast<std::uint64_t>(static_cast<std::int64_t>(i))), kind_(Kind::kInt) {}
  template <std::unsigned_integral T>
    requires(!std::same_as<T, bool>)
  FieldValue(T u) : word_(static_cast<std::uint64_t>(u)), kind_(Kind::kUint) {}
  FieldValue(double d) : word_(std::bit_cast<std::uint64_t>(d)), kind_(Kind::kDouble) {}
  FieldValue(float f) : FieldValue(static_cast<double>(f)) {}
  FieldValue(std::string_view s) : data_(s.data()), word_(s.size()), kind_(Kind::kString) {}
  FieldValue(const char* s) : FieldValue(std::string_view(s)) {}
  FieldValue(const std::string& s) : FieldValue(std::string_view(s)) {}

  Kind kind() const { return kind_; }
  // The value as a variant, for std::visit.
  Variant get() const {
    switch (kind_) {
      case Kind::kBool: return word_ != 0;
      case Kind::kInt: return static_cast<std::int64_t>(word_);
      case Kind::kUint: return word_;
      case Kind::kDouble: return std::bit_cast<double>(word_);
      case Kind::kString: return std::string_view(data_, word_);
      case Kind::kNull: break;
    }
    return nullptr;
  }

  // The raw form, for code that copies values in bulk: a scalar's 8-byte
  // word (0 for null) or a string's length, and rebuilding a scalar from it.
  std::uint64_t word() const { return word_; }
  const char* string_data() const { return data_; }
  static FieldValue from_word(Kind kind, std::uint64_t word) {
    FieldValue v;
    v.kind_ = kind == Kind::kString ? Kind::kNull : kind;
    v.word_ = word;
    return v;
  }

 private:
  const char* data_ = nullptr;
  std::uint64_t word_ = 0;
  Kind kind_ = Kind::kNull;
};

struct Field {
  std::string_view key;
  FieldValue value;
};

// Owned form, kept in bound contexts.
struct LogField {
  std::string key;
  OwnedValue value;
};

// A logger's immutable identity: its name and bound fields, shared by the
// loggers copied from it. `fields` views `owned`; neither changes after
// construction.
class LoggerContext {
 public:
  LoggerContext(std::string name, std::vector<LogField> owned);
  LoggerContext(const LoggerContext&) = delete;
  LoggerContext& operator=(const LoggerContext&) = delete;

  const std::string& name() const { return name_; }
  const std::vector<LogField>& owned_fields() const { return owned_; }
  std::span<const Field> fields() const { return fields_; }

  // The effective level and the provider's level generation it was computed
  // for ((generation << 8) | level), so per-logger overrides cost one load.
  mutable std::atomic<std::uint64_t> level_cache{0};

 private:
  std::string name_;
  std::vector<LogField> owned_;
  std::vector<Field> fields_;
};

// One log event as sinks see it: views only. In sync mode they are the
// caller's own strings (nothing is copied); in async mode the queue slot
// holds a packed copy until every sink has seen it. A sink that keeps a
// record past write() must copy it.
struct LogRecord {
  std::uint64_t time_unix_nano = 0;
  Level level = Level::kInfo;
  std::string_view logger;
  std::string_view message;
  std::span<const Field> bound;   // the logger's bound fields
  std::span<const Field> fields;  // call-site fields; they win over bound ones with the same key
  TraceId trace_id;               // invalid outside a span
  SpanId span_id;
  std::uint8_t trace_flags = 0;
  // Set when an exception was logged (OpenTelemetry's exception.* names).
  std::string_view exception_type;
  std::string_view exception_message;
  std::string_view exception_stacktrace;
};

// An exception as a log record carries it (OpenTelemetry's exception.*).
struct ExceptionInfo {
  std::string_view type;
  std::string_view message;
  std::string_view stacktrace;
};

// ---- formatting ---------------------------------------------------------------

class Formatter {
 public:
  virtual ~Formatter() = default;
  // Appends one complete line (with its trailing newline) to `out`.
  virtual void format(const LogRecord& record, std::string& out) const = 0;
};

// One JSON object per line:
//   {"ts":"2026-11-26T13:39:04.123456789Z","level":"info","logger":"ranker",
//    "msg":"...","trace_id":"...","span_id":"...",<fields>,
//    "exception.type":"...","exception.message":"...","exception.stacktrace":"..."}
// Fields are flattened at the top level, the last value of a repeated key
// wins, and a field named like a reserved key is written as "fields.<key>".
// Strings are escaped per RFC 8259; bytes that are not valid UTF-8 become
// U+FFFD, so every line parses with a strict JSON parser.
class JsonFormatter final : public Formatter {
 public:
  void format(const LogRecord& record, std::string& out) const override;
};

// "2026-11-26T13:39:04.123Z INFO  ranker  prediction served  latency_ms=12.5 class=cat"
class ConsoleFormatter final : public Formatter {
 public:
  explicit ConsoleFormatter(bool color = false) : color_(color) {}
  void format(const LogRecord& record, std::string& out) const override;

 private:
  bool color_;
};

enum class LogFormat { kJson, kConsole };
std::unique_ptr<Formatter> make_formatter(LogFormat format, bool color = false);

// Appends `s` as a JSON string literal (with quotes), escaping as above.
void append_json_string(std::string& out, std::string_view s);
// RFC 3339 UTC with nanoseconds: 2026-11-26T13:39:04.000000001Z
void append_rfc3339_nanos(std::string& out, std::uint64_t unix_nano);

// ---- sinks --------------------------------------------------------------------

// Receives whole records. Sinks are called from one thread at a time by the
// provider (the async worker, or the caller under the provider's lock), so
// they need no locking of their own.
class Sink {
 public:
  virtual ~Sink() = default;
  virtual void write(const LogRecord& record) = 0;
  virtual void flush() {}
  // Minimum level this sink wants (records below it are skipped).
  Level min_level = Level::kTrace;
};

// stdout/stderr or any FILE*: formatted lines, flushed on flush().
std::shared_ptr<Sink> stdout_sink(LogFormat format = LogFormat::kJson);
std::shared_ptr<Sink> stderr_sink(LogFormat format = LogFormat::kJson);
std::shared_ptr<Sink> ostream_sink(std::ostream& out, LogFormat format = LogFormat::kJson);
// Discards every record; formats first when `format` is set (for measuring).
std::shared_ptr<Sink> null_sink(bool format_json = false);

struct FileSinkOptions {
  std::filesystem::path path;
  LogFormat format = LogFormat::kJson;
  // Rotation: when the file would pass max_bytes, or when `interval` has
  // passed since it was opened, path -> path.1 -> ... -> path.<max_files>
  // (the oldest is deleted). 0 disables each trigger.
  std::uint64_t max_bytes = 0;
  std::chrono::seconds interval{0};
  int max_files = 5;
};
// Throws std::system_error naming the path when it cannot be opened.
std::shared_ptr<Sink> file_sink(FileSinkOptions options);

// ---- provider and loggers -----------------------------------------------------

// Rate limiting of repeated messages (zap's sampler): per message and level,
// the first `first` records in each `tick` are kept, then every
// `thereafter`-th; the rest are counted as sampled out.
struct LogSampling {
  std::uint32_t first = 100;
  std::uint32_t thereafter = 100;  // 0 = drop all after `first`
  std::chrono::milliseconds tick{1000};
};

struct LogProviderOptions {
  std::vector<std::shared_ptr<Sink>> sinks;  // empty: one stdout sink in `format`
  LogFormat format = LogFormat::kJson;
  Level level = Level::kInfo;
  std::string level_spec;  // applied after `level`, e.g. "warn,ranker=debug"; invalid throws
  bool async = false;                 // hand records to a background thread
  std::size_t queue_capacity = 8192;  // async: rounded up to a power of two
  // Async, queue full: false drops the record and counts it (the caller
  // never waits on a slow sink); true makes the caller wait for room, so
  // nothing is lost but a sink slower than the service slows the service
  // (spdlog's `block` policy). A sink that logs into its own provider from
  // the background thread is never made to wait: its records are dropped.
  bool block_when_full = false;
  std::optional<LogSampling> sampling;
  // vigil_log_records_total{level}, vigil_log_dropped_total{reason}
  // ("queue_full", "sampled"), vigil_log_queue_waits_total (block_when_full)
  // and vigil_log_queue_depth; null = none.
  Registry* registry = nullptr;
};

class Logger;

// Owns the sinks, the level and (in async mode) the queue and its thread.
// Loggers must not outlive their provider.
class LogProvider {
 public:
  explicit LogProvider(LogProviderOptions options = {});
  ~LogProvider();  // drains the queue and flushes every sink
  LogProvider(const LogProvider&) = delete;
  LogProvider& operator=(const LogProvider&) = delete;

  Logger logger(std::string_view name);

  void set_level(Level level);  // at run time, from any thread
  Level level() const;
  // Per-logger overrides: a logger named "a.b" uses the longest matching
  // prefix ("a.b", then "a"), else the provider level.
  void set_logger_level(std::string_view name_prefix, Level level);
  // "info" or "warn,ranker=debug,io.http=error"; false (nothing changed) if
  // any part is invalid.
  bool set_levels(std::string_view spec);

  // Blocks until every record enqueued so far reached the sinks, then
  // flushes them.
  void flush();
  std::uint64_t dropped() const;      // async queue full
  std::uint64_t queue_waits() const;  // records that waited for room (block_when_full)
  std::uint64_t sampled_out() const;  // rate limited


 private:
  friend class Logger;  // a logger submits to its provider's queue directly
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Reads VIGIL_LOG_LEVEL (a set_levels spec), VIGIL_LOG_FORMAT (json|console)
// and VIGIL_LOG_ASYNC (0|1) over `base`; unknown values throw
// std::invalid_argument naming the variable.
LogProviderOptions log_options_from_env(LogProviderOptions base = {});

// A cheap handle (two pointers): a name plus bound fields, shared by copies.
class Logger {
 public:
  Logger() = default;  // discards everything

  // A logger with one more bound field; this one is unchanged.
  Logger bind(std::string_view key, FieldValue value) const;
  // A child "parent.name" that inherits the bound fields.
  Logger child(std::string_view name) const;
  const LoggerContext& context() const { return *context_; }

  bool enabled(Level level) const;
  void log(Level level, std::string_view message, std::initializer_list<Field> fields = {}) const;
  void log(Level level, std::string_view message, std::span<const Field> fields) const;
  // Records the exception's type, message and the current stack trace.
  void log(Level level, std::string_view message, const std::exception& e,
           std::initializer_list<Field> fields = {}) const;
  // Records an exception described by the caller: for errors raised outside
  // C++ (a Python traceback), whose stack this process cannot walk.
  void log(Level level, std::string_view message, const ExceptionInfo& exception,
           std::span<const Field> fields = {}) const;

  void trace(std::string_view m, std::initializer_list<Field> f = {}) const { log(Level::kTrace, m, f); }
  void debug(std::string_view m, std::initializer_list<Field> f = {}) const { log(Level::kDebug, m, f); }
  void info(std::string_view m, std::initializer_list<Field> f = {}) const { log(Level::kInfo, m, f); }
  void warn(std::string_view m, std::initializer_list<Field> f = {}) const { log(Level::kWarn, m, f); }
  void error(std::string_view m, std::initializer_list<Field> f = {}) const { log(Level::kError, m, f); }
  void error(std::string_view m, const std::exception& e, std::initializer_list<Field> f = {}) const {
    log(Level::kError, m, e, f);
  }
  void fatal(std::string_view m, std::initializer_list<Field> f = {}) const { log(Level::kFatal, m, f); }

 private:
  friend class LogProvider;
  Logger(LogProvider::Impl* provider, std::shared_ptr<const LoggerContext> context)
      : provider_(provider), context_(std::move(context)) {}
  void emit(Level level, std::string_view message, std::span<const Field> fields, const std::exception* e) const;

  LogProvider::Impl* provider_ = nullptr;
  std::shared_ptr<const LoggerContext> context_ = std::make_shared<const LoggerContext>(std::string(), std::vector<LogField>{});
};

}  // namespace vigil
