// Structured logging: exact JSON, hostile strings, context inheritance,
// trace ids, rotation, exceptions, rate limiting, async delivery, levels and
// OTLP encoding. Every JSON line is checked with a strict parser.
#include <gtest/gtest.h>

#include <charconv>
#include <random>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <iostream>
#include <sstream>
#include <thread>

#include "opentelemetry/proto/collector/logs/v1/logs_service.pb.h"
#include "log/field_walk.h"
#include "vigil/log.h"
#include "vigil/otlp.h"
#include "vigil/exposition.h"
#include "vigil/metrics.h"
#include "vigil/trace.h"

namespace {

using nlohmann::json;
using vigil::Level;
using vigil::LogRecord;

// A sink that keeps formatted JSON lines.
class CaptureSink final : public vigil::Sink {
 public:
  void write(const LogRecord& r) override {
    std::string line;
    formatter.format(r, line);
    lines.push_back(line);
  }
  void flush() override { ++flushes; }
  std::vector<json> parsed() const {
    std::vector<json> out;
    for (const auto& l : lines) {
      EXPECT_EQ(l.back(), '\n');
      out.push_back(json::parse(l));  // strict: throws on any invalid JSON or UTF-8
    }
    return out;
  }
  vigil::JsonFormatter formatter;
  std::vector<std::string> lines;
  int flushes = 0;
};

LogRecord fixed_record(const std::shared_ptr<vigil::LoggerContext>& ctx) {
  LogRecord r;
  r.time_unix_nano = 1700000000123456789ull;
  r.level = Level::kWarn;
  r.logger = ctx->name();
  r.bound = ctx->fields();
  r.message = "slow inference";
  return r;
}

std::shared_ptr<vigil::LoggerContext> context(std::string name, std::vector<vigil::LogField> fields = {}) {
  return std::make_shared<vigil::LoggerContext>(std::move(name), std::move(fields));
}

TEST(LogText, Rfc3339Nanos) {
  std::string s;
  vigil::append_rfc3339_nanos(s, 0);
  EXPECT_EQ(s, "1970-01-01T00:00:00.000000000Z");
  s.clear();
  vigil::append_rfc3339_nanos(s, 1700000000123456789ull);
  EXPECT_EQ(s, "2023-11-14T22:13:20.123456789Z");
  s.clear();
  vigil::append_rfc3339_nanos(s, 1709164800000000001ull);  // leap day
  EXPECT_EQ(s, "2024-02-29T00:00:00.000000001Z");
  s.clear();
  vigil::append_rfc3339_nanos(s, 4102444799999999999ull);
  EXPECT_EQ(s, "2099-12-31T23:59:59.999999999Z");
}

TEST(LogText, JsonEscapesHostileStrings) {
  auto esc = [](std::string_view in) {
    std::string out;
    vigil::append_json_string(out, in);
    return out;
  };
  EXPECT_EQ(esc("plain"), "\"plain\"");
  EXPECT_EQ(esc("say \"hi\"\\"), R"("say \"hi\"\\")");
  EXPECT_EQ(esc("a\nb\tc\rd\be\ff"), R"("a\nb\tc\rd\be\ff")");
  EXPECT_EQ(esc(std::string_view("\x00\x01\x1f\x7f", 4)), R"("\u0000\u0001\u001f\u007f")");
  EXPECT_EQ(esc("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"), "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"");  // valid kept
  EXPECT_EQ(esc("\xff"), R"("\ufffd")");
  EXPECT_EQ(esc("a\xc3"), R"("a\ufffd")");                 // truncated sequence
  EXPECT_EQ(esc("\xc0\xaf"), R"("\ufffd\ufffd")");         // overlong '/'
  EXPECT_EQ(esc("\xed\xa0\x80"), R"("\ufffd\ufffd\ufffd")");  // UTF-16 surrogate
  EXPECT_EQ(esc("\xf4\x90\x80\x80"), R"("\ufffd\ufffd\ufffd\ufffd")");  // > U+10FFFF
  // Every byte value, alone and in a run, yields strictly parseable JSON.
  std::string all;
  for (int b = 0; b < 256; ++b) all.push_back(static_cast<char>(b));
  { json parsed; EXPECT_NO_THROW(parsed = json::parse(esc(all))); }
  EXPECT_EQ(json::parse(esc("x\"\n\x01")).get<std::string>(), "x\"\n\x01");
}

TEST(LogText, ShortStringsAtEveryLengthAndPosition) {
  // Strings up to 32 bytes are checked as two overlapping words or vectors,
  // longer ones word by word with a padded tail: a byte needing an escape at
  // any position of any length is still escaped, and plain ones (the
  // bytes at the edges of what needs escaping included) are copied as they are.
  for (std::size_t len = 0; len <= 40; ++len) {
    std::string plain(len, 'k');
    for (std::size_t at = 0; at < len; ++at) plain[at] = " ~!\x7e#"[at % 5];
    std::string quoted;
    vigil::append_json_string(quoted, plain);
    EXPECT_EQ(quoted, '"' + plain + '"') << len;
    for (std::size_t at = 0; at < len; ++at)
      for (char bad : {'"', '\\', '\n', '\x01', '\x1f', '\x7f', '\x80', '\xff'}) {
        std::string in(len, 'k');
        in[at] = bad;
        std::string out;
        vigil::append_json_string(out, in);
        json parsed;
        ASSERT_NO_THROW(parsed = json::parse(out)) << len << " " << at;
        std::string want = in;
        if (bad == '\xff' || bad == '\x80') want.replace(at, 1, "\xef\xbf\xbd");  // U+FFFD
        EXPECT_EQ(parsed.get<std::string>(), want) << len << " " << at;
      }
  }
}

TEST(LogText, NumbersAreToCharsShortest) {
  // The fixed-notation fast path writes exactly what std::to_chars writes.
  auto via_to_chars = [](double v) {
    char buf[32];
    return std::string(buf, std::to_chars(buf, buf + sizeof buf, v).ptr);
  };
  auto via_formatter = [](double v) {
    std::string out;
    vigil::detail::append_number(out, v);
    return out;
  };
  std::mt19937_64 rng(11);
  std::uniform_real_distribution<double> wide(-2e4, 2e4), small(-2, 2);
  for (int i = 0; i < 200000; ++i) {
    double decimals = std::round(wide(rng) * 1000) / 1000;  // 3 decimals, as latencies are logged
    double cents = std::round(small(rng) * 100) / 100;
    for (double v : {wide(rng), small(rng), decimals, cents, decimals / 7, cents * 1e-3})
      ASSERT_EQ(via_formatter(v), via_to_chars(v)) << v;
  }
  for (double v : {0.0, -0.0, 1e-3, 9999.9999999, 1e4, 0.1, 0.2, 0.3, 12.5, 0.93, 1234.5678, 5e-324, 1e300})
    EXPECT_EQ(via_formatter(v), via_to_chars(v)) << v;
}

TEST(LogJson, ExactLineForEveryFieldType) {
  auto ctx = context("ranker", {{"model_id", std::string("resnet")}, {"replica", std::int64_t{3}}});
  LogRecord r = fixed_record(ctx);
  vigil::Field fields[] = {{"latency_ms", 12.5}, {"ok", true}, {"rows", std::uint64_t{18446744073709551615ull}},
                           {"delta", std::int64_t{-7}}, {"none", nullptr}, {"nan", std::nan("")},
                           {"inf", -HUGE_VAL}, {"replica", std::int64_t{4}}, {"msg", "shadowed"}};
  r.fields = fields;
  std::string line;
  vigil::JsonFormatter().format(r, line);
  EXPECT_EQ(line,
            R"({"ts":"2023-11-14T22:13:20.123456789Z","level":"warn","logger":"ranker","msg":"slow inference",)"
            R"("model_id":"resnet","latency_ms":12.5,"ok":true,"rows":18446744073709551615,"delta":-7,)"
            R"("none":null,"nan":"NaN","inf":"-Inf","replica":4,"fields.msg":"shadowed"})"
            "\n");
  { json parsed; EXPECT_NO_THROW(parsed = json::parse(line)); }
}

TEST(LogJson, TraceIdsAndException) {
  auto ctx = context("api");
  LogRecord r = fixed_record(ctx);
  r.trace_id = *vigil::TraceId::from_hex("4bf92f3577b34da6a3ce929d0e0e4736");
  r.span_id = *vigil::SpanId::from_hex("00f067aa0ba902b7");
  r.exception_type = "std::out_of_range";
  r.exception_message = "class \"7\"";
  r.exception_stacktrace = "#0 f()\n#1 main";
  std::string line;
  vigil::JsonFormatter().format(r, line);
  EXPECT_EQ(line,
            R"({"ts":"2023-11-14T22:13:20.123456789Z","level":"warn","logger":"api","msg":"slow inference",)"
            R"("trace_id":"4bf92f3577b34da6a3ce929d0e0e4736","span_id":"00f067aa0ba902b7",)"
            R"("exception.type":"std::out_of_range","exception.message":"class \"7\"",)"
            R"("exception.stacktrace":"#0 f()\n#1 main"})"
            "\n");
}

TEST(LogConsole, ReadableLine) {
  auto ctx = context("ranker", {{"user", std::string("ann lee")}});
  LogRecord r = fixed_record(ctx);
  vigil::Field fields[] = {{"latency_ms", 12.5}, {"class", "cat"}};
  r.fields = fields;
  std::string line;
  vigil::ConsoleFormatter().format(r, line);
  EXPECT_EQ(line, "2023-11-14T22:13:20.123Z WARN  ranker: slow inference user=\"ann lee\" latency_ms=12.5 class=cat\n");
}

struct Harness {
  std::shared_ptr<CaptureSink> sink = std::make_shared<CaptureSink>();
  vigil::Registry registry;
  std::unique_ptr<vigil::LogProvider> provider;
  explicit Harness(vigil::LogProviderOptions o = {}) {
    o.sinks = {sink};
    o.registry = &registry;
    provider = std::make_unique<vigil::LogProvider>(std::move(o));
  }
};

TEST(Logger, BoundContextIsInheritedAndImmutable) {
  Harness h;
  vigil::Logger base = h.provider->logger("svc");
  vigil::Logger user = base.bind("user_id", "42");
  vigil::Logger model = user.bind("model_id", "resnet").child("ranker");
  base.info("base");
  user.info("user");
  model.info("model", {{"user_id", "override"}, {"score", 0.5}});
  auto lines = h.sink->parsed();
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_FALSE(lines[0].contains("user_id"));
  EXPECT_EQ(lines[1]["user_id"], "42");
  EXPECT_FALSE(lines[1].contains("model_id"));
  EXPECT_EQ(lines[2]["logger"], "svc.ranker");
  EXPECT_EQ(lines[2]["model_id"], "resnet");
  EXPECT_EQ(lines[2]["user_id"], "override");  // call site wins
  EXPECT_EQ(lines[2]["score"], 0.5);
  EXPECT_EQ(h.sink->lines[2].find("\"42\""), std::string::npos);  // key written once
}

TEST(Logger, TraceIdsInsideSpansOnly) {
  Harness h;
  vigil::TracerProvider tp;
  vigil::Tracer tracer = tp.tracer("t");
  vigil::Logger log = h.provider->logger("svc");
  log.info("before");
  std::string trace_hex, span_hex;
  {
    vigil::Span span = tracer.start_span("predict");
    vigil::Scope scope(span);
    trace_hex = span.context().trace_id.hex();
    span_hex = span.context().span_id.hex();
    log.info("inside");
  }
  log.info("after");
  auto lines = h.sink->parsed();
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_FALSE(lines[0].contains("trace_id"));
  EXPECT_EQ(lines[1]["trace_id"], trace_hex);
  EXPECT_EQ(lines[1]["span_id"], span_hex);
  EXPECT_FALSE(lines[2].contains("trace_id"));
}

[[gnu::noinline]] void load_weights() { throw std::runtime_error("weights file truncated"); }

TEST(Logger, ExceptionsCarryTypeMessageAndStack) {
  Harness h;
  vigil::Logger log = h.provider->logger("loader");
  try {
    load_weights();
  } catch (const std::exception& e) {
    log.error("model load failed", e, {{"path", "/models/a.onnx"}});
  }
  auto lines = h.sink->parsed();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0]["level"], "error");
  EXPECT_EQ(lines[0]["exception.type"], "std::runtime_error");
  EXPECT_EQ(lines[0]["exception.message"], "weights file truncated");
  std::string stack = lines[0]["exception.stacktrace"];
  // Starts at the caller (not inside vigil) and names internal-linkage
  // functions, with a source line where DWARF has one.
  EXPECT_EQ(stack.find("  at (anonymous namespace)::Logger_ExceptionsCarryTypeMessageAndStack_Test::TestBody()"), 0u)
      << stack;
  EXPECT_NE(stack.find(".h:"), std::string::npos) << stack;  // file:line (here the inlined log.h wrapper)
  EXPECT_EQ(lines[0]["path"], "/models/a.onnx");
}

TEST(Logger, LevelsChangeAtRunTime) {
  Harness h({.level = Level::kWarn});
  vigil::Logger api = h.provider->logger("api");
  vigil::Logger db = h.provider->logger("api.db");
  api.info("dropped");
  EXPECT_FALSE(api.enabled(Level::kInfo));
  ASSERT_TRUE(h.provider->set_levels("error,api.db=debug"));
  EXPECT_TRUE(db.enabled(Level::kDebug));
  EXPECT_FALSE(api.enabled(Level::kWarn));
  db.debug("kept");
  api.warn("dropped too");
  h.provider->set_level(Level::kTrace);
  api.trace("kept too");
  EXPECT_FALSE(h.provider->set_levels("info,api=loud"));
  auto lines = h.sink->parsed();
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0]["msg"], "kept");
  EXPECT_EQ(lines[1]["msg"], "kept too");
}

TEST(Logger, EnvironmentConfiguration) {
  ::setenv("VIGIL_LOG_LEVEL", "debug,noisy=error", 1);
  ::setenv("VIGIL_LOG_FORMAT", "console", 1);
  auto o = vigil::log_options_from_env();
  EXPECT_EQ(o.format, vigil::LogFormat::kConsole);
  EXPECT_EQ(o.level_spec, "debug,noisy=error");
  ::setenv("VIGIL_LOG_FORMAT", "xml", 1);
  EXPECT_THROW(vigil::log_options_from_env(), std::invalid_argument);
  ::setenv("VIGIL_LOG_FORMAT", "json", 1);
  ::setenv("VIGIL_LOG_LEVEL", "chatty", 1);
  EXPECT_THROW(vigil::log_options_from_env(), std::invalid_argument);
  ::unsetenv("VIGIL_LOG_LEVEL");
  ::unsetenv("VIGIL_LOG_FORMAT");
  EXPECT_THROW(vigil::LogProvider({.sinks = {vigil::null_sink()}, .level_spec = "x=y"}), std::invalid_argument);
}

TEST(Logger, RepeatedMessagesAreSampled) {
  Harness h({.sampling = vigil::LogSampling{.first = 3, .thereafter = 5, .tick = std::chrono::hours(1)}});
  vigil::Logger log = h.provider->logger("svc");
  for (int i = 0; i < 23; ++i) log.error("gpu timeout", {{"i", i}});
  log.error("different message");
  auto lines = h.sink->parsed();
  // 3 first, then the 5th, 10th, 15th and 20th repeats after them.
  ASSERT_EQ(lines.size(), 8u);
  std::vector<int> kept;
  for (std::size_t k = 0; k < 7; ++k) kept.push_back(lines[k]["i"]);
  EXPECT_EQ(kept, (std::vector<int>{0, 1, 2, 7, 12, 17, 22}));
  EXPECT_EQ(h.provider->sampled_out(), 16u);
  std::string text = vigil::encode(h.registry.gather(), vigil::ExpositionFormat::kPrometheusText);
  EXPECT_NE(text.find("vigil_log_dropped_total{reason=\"sampled\"} 16"), std::string::npos) << text;
  EXPECT_NE(text.find("vigil_log_records_total{level=\"error\"} 8"), std::string::npos);
}

TEST(Logger, AsyncDeliversEverythingFromManyThreads) {
  Harness h({.async = true, .queue_capacity = 1 << 16});
  vigil::Logger log = h.provider->logger("svc").bind("k", "v");
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < 5000; ++i) log.info("work", {{"t", t}, {"i", i}, {"payload", std::string(40, 'x')}});
    });
  for (auto& th : threads) th.join();
  h.provider->flush();
  auto lines = h.sink->parsed();
  ASSERT_EQ(lines.size(), 20000u);
  std::vector<int> next(4, 0);
  for (const auto& l : lines) {  // per-thread order is kept
    int t = l["t"], i = l["i"];
    EXPECT_EQ(i, next[t]++);
    EXPECT_EQ(l["k"], "v");
  }
  EXPECT_EQ(h.provider->dropped(), 0u);
  EXPECT_GE(h.sink->flushes, 1);
}

// A sink that blocks until released, so the async queue fills.
class GateSink final : public vigil::Sink {
 public:
  void write(const LogRecord&) override {
    std::unique_lock lock(mu);
    cv.wait(lock, [&] { return open; });
    ++written;
  }
  void release() {
    std::lock_guard lock(mu);
    open = true;
    cv.notify_all();
  }
  std::mutex mu;
  std::condition_variable cv;
  bool open = false;
  int written = 0;
};

TEST(Logger, AsyncQueueFullDropsAndCountsWithoutBlocking) {
  auto gate = std::make_shared<GateSink>();
  vigil::Registry registry;
  {
    vigil::LogProvider provider({.sinks = {gate}, .async = true, .queue_capacity = 8, .registry = &registry});
    vigil::Logger log = provider.logger("svc");
    for (int i = 0; i < 100; ++i) log.info("flood");  // returns although the sink is stuck
    EXPECT_GE(provider.dropped(), 100u - 9u);  // ring of 8 plus the one being written
    EXPECT_LE(provider.dropped(), 100u - 8u);
    gate->release();
    provider.flush();
    EXPECT_EQ(static_cast<std::uint64_t>(gate->written) + provider.dropped(), 100u);
    std::string text = vigil::encode(registry.gather(), vigil::ExpositionFormat::kPrometheusText);
    EXPECT_NE(text.find("vigil_log_dropped_total{reason=\"queue_full\"} " + std::to_string(provider.dropped())),
              std::string::npos)
        << text;
  }
}

// block_when_full: the callers wait for the stuck sink instead of dropping,
// and every record arrives, in each caller's order.
TEST(Logger, AsyncBlockWhenFullLosesNothing) {
  auto gate = std::make_shared<GateSink>();
  vigil::Registry registry;
  vigil::LogProvider provider(
      {.sinks = {gate}, .async = true, .queue_capacity = 8, .block_when_full = true, .registry = &registry});
  std::vector<std::thread> callers;
  for (int t = 0; t < 2; ++t)
    callers.emplace_back([&provider] {
      vigil::Logger log = provider.logger("svc");
      for (int i = 0; i < 100; ++i) log.info("flood");
    });
  while (provider.queue_waits() == 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  gate->release();
  for (auto& c : callers) c.join();
  provider.flush();
  EXPECT_EQ(gate->written, 200);
  EXPECT_EQ(provider.dropped(), 0u);
  std::string text = vigil::encode(registry.gather(), vigil::ExpositionFormat::kPrometheusText);
  EXPECT_NE(text.find("vigil_log_queue_waits_total " + std::to_string(provider.queue_waits())), std::string::npos)
      << text;
}

// The async queue packs each record into its slot (or, when larger, the
// slot's overflow buffer) and the worker unpacks it: what the sinks see must
// be exactly what a synchronous provider shows, for every field type, bound
// fields, hostile bytes, exceptions, and sizes on both sides of the slot's
// inline capacity.
TEST(Logger, AsyncRecordsMatchSyncOnes) {
  auto emit_all = [](vigil::LogProvider& provider) {
    vigil::Logger log = provider.logger("svc").bind("model_id", "m\x01").bind("replica", 2);
    for (int n = 0; n <= 320; ++n) {
      std::string blob(static_cast<std::size_t>(n), 'q');
      if (n > 2) blob[static_cast<std::size_t>(n / 2)] = '"';
      log.warn("size", {{"n", n},
                        {"blob", blob},
                        {std::string_view("k\0ey", 4), "v\xff"},
                        {"f", -0.5},
                        {"u", std::uint64_t{1} << 63},
                        {"b", false},
                        {"z", nullptr}});
    }
    log.info(std::string(70000, 'm'), {{"huge", std::string(100000, 'h')}});
    log.error("failed", std::runtime_error("boom \"x\""), {{"n", -1}});
  };
  Harness sync_h, async_h({.async = true, .queue_capacity = 1024});
  emit_all(*sync_h.provider);
  emit_all(*async_h.provider);
  async_h.provider->flush();
  auto sync_lines = sync_h.sink->parsed(), async_lines = async_h.sink->parsed();
  ASSERT_EQ(sync_lines.size(), 323u);
  ASSERT_EQ(async_lines.size(), sync_lines.size());
  EXPECT_EQ(async_h.provider->dropped(), 0u);
  for (std::size_t i = 0; i < sync_lines.size(); ++i) {
    for (json* line : {&sync_lines[i], &async_lines[i]}) {
      line->erase("ts");
      if (line->contains("exception.stacktrace")) {  // captured at different call sites
        EXPECT_NE((*line)["exception.stacktrace"], "");
        line->erase("exception.stacktrace");
      }
    }
    EXPECT_EQ(async_lines[i], sync_lines[i]) << "record " << i;
  }
  EXPECT_EQ(async_lines[322]["exception.type"], "std::runtime_error");
  EXPECT_EQ(async_lines[320]["blob"].get<std::string>().size(), 320u);
}

TEST(Logger, DestructionDrainsAsyncQueue) {
  auto sink = std::make_shared<CaptureSink>();
  {
    vigil::LogProvider provider({.sinks = {sink}, .async = true});
    vigil::Logger log = provider.logger("svc");
    for (int i = 0; i < 1000; ++i) log.info("bye", {{"i", i}});
  }
  EXPECT_EQ(sink->lines.size(), 1000u);
}

TEST(FileSink, RotatesBySizeAndKeepsMaxFiles) {
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / ("vigil_log_rot_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  fs::path path = dir / "app.log";
  {
    vigil::LogProvider provider(
        {.sinks = {vigil::file_sink({.path = path, .max_bytes = 1000, .max_files = 3})}, .level = Level::kInfo});
    vigil::Logger log = provider.logger("svc");
    for (int i = 0; i < 100; ++i) log.info("rotating", {{"i", i}, {"pad", std::string(50, 'p')}});
  }
  EXPECT_TRUE(fs::exists(path));
  EXPECT_TRUE(fs::exists(dir / "app.log.1"));
  EXPECT_TRUE(fs::exists(dir / "app.log.3"));
  EXPECT_FALSE(fs::exists(dir / "app.log.4"));
  // The oldest lines went with the deleted fourth file; what is kept is
  // contiguous, oldest file first, ending with the last line written.
  int last_i = -1, lines = 0;
  for (const char* name : {"app.log.3", "app.log.2", "app.log.1", "app.log"}) {
    EXPECT_LE(fs::file_size(dir / name), 1000u) << name;
    std::ifstream in(dir / name);
    std::string line;
    while (std::getline(in, line)) {
      json j = json::parse(line);
      int i = j["i"];
      if (last_i >= 0) {
        EXPECT_EQ(i, last_i + 1) << name;
      }
      last_i = i;
      ++lines;
    }
  }
  EXPECT_EQ(last_i, 99);
  EXPECT_GE(lines, 16);  // four files of ~6 lines of ~160 bytes
  EXPECT_LT(lines, 100);
  EXPECT_THROW(vigil::file_sink({.path = dir / "missing" / "x.log"}), std::system_error);
  fs::remove_all(dir);
}

TEST(FileSink, RotatesByTime) {
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / ("vigil_log_time_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  {
    vigil::LogProvider provider({.sinks = {vigil::file_sink({.path = dir / "t.log", .interval = std::chrono::seconds(1)})}});
    vigil::Logger log = provider.logger("svc");
    log.info("first");
    std::this_thread::sleep_for(std::chrono::milliseconds(1100));
    log.info("second");
  }
  std::ifstream old(dir / "t.log.1"), cur(dir / "t.log");
  std::string a, b;
  std::getline(old, a);
  std::getline(cur, b);
  EXPECT_EQ(json::parse(a)["msg"], "first");
  EXPECT_EQ(json::parse(b)["msg"], "second");
  fs::remove_all(dir);
}

TEST(OtlpLogs, ProtobufAndJsonEncoding) {
  auto ctx = context("ranker", {{"model_id", std::string("resnet")}});
  LogRecord r = fixed_record(ctx);
  vigil::Field fields[] = {{"latency_ms", 12.5}, {"n", 3}};
  r.fields = fields;
  r.trace_id = *vigil::TraceId::from_hex("4bf92f3577b34da6a3ce929d0e0e4736");
  r.span_id = *vigil::SpanId::from_hex("00f067aa0ba902b7");
  r.trace_flags = 1;
  const LogRecord* recs[] = {&r};
  auto resource = vigil::Resource::create({{"service.name", std::string("ranker")}});

  opentelemetry::proto::collector::logs::v1::ExportLogsServiceRequest req;
  ASSERT_TRUE(req.ParseFromString(vigil::encode_otlp_logs_protobuf(recs, resource)));
  const auto& sl = req.resource_logs(0).scope_logs(0);
  EXPECT_EQ(sl.scope().name(), "ranker");
  const auto& lr = sl.log_records(0);
  EXPECT_EQ(lr.time_unix_nano(), 1700000000123456789ull);
  EXPECT_EQ(lr.severity_number(), 13);
  EXPECT_EQ(lr.severity_text(), "warn");
  EXPECT_EQ(lr.body().string_value(), "slow inference");
  ASSERT_EQ(lr.attributes_size(), 3);
  EXPECT_EQ(lr.attributes(0).key(), "model_id");
  EXPECT_EQ(lr.attributes(1).value().double_value(), 12.5);
  EXPECT_EQ(lr.attributes(2).value().int_value(), 3);
  EXPECT_EQ(lr.trace_id().size(), 16u);
  EXPECT_EQ(lr.flags(), 1u);

  json j = json::parse(vigil::encode_otlp_logs_json(recs, resource));
  const json& rec = j["resourceLogs"][0]["scopeLogs"][0]["logRecords"][0];
  EXPECT_EQ(rec["traceId"], "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(rec["timeUnixNano"], "1700000000123456789");
  EXPECT_EQ(rec["severityNumber"], 13);
  EXPECT_EQ(rec["attributes"][2]["value"]["intValue"], "3");
}

}  // namespace

namespace {

TEST(OtlpLogSink, BoundedQueueDropsAndCountsFailures) {
  vigil::Registry registry;
  {
    // Nothing listens on port 9 of loopback: every send fails at once.
    auto sink = vigil::otlp_log_sink({.http = {.endpoint = "http://127.0.0.1:9/v1/logs", .max_attempts = 1},
                                      .max_queue_size = 2,
                                      .max_batch_size = 100,
                                      .schedule_delay = std::chrono::seconds(30),
                                      .registry = &registry});
    vigil::LogProvider provider({.sinks = {sink}});
    vigil::Logger log = provider.logger("svc");
    for (int i = 0; i < 5; ++i) log.info("queued", {{"i", i}});
  }  // destruction drains: the two queued records are sent and fail
  std::string text = vigil::encode(registry.gather(), vigil::ExpositionFormat::kPrometheusText);
  EXPECT_NE(text.find("vigil_log_export_records_total{outcome=\"dropped\"} 3"), std::string::npos) << text;
  EXPECT_NE(text.find("vigil_log_export_records_total{outcome=\"failed\"} 2"), std::string::npos) << text;
  EXPECT_NE(text.find("vigil_log_export_records_total{outcome=\"exported\"} 0"), std::string::npos) << text;
}

}  // namespace
