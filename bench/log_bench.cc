// A log line with 5 fields, vigil beside spdlog in the same run.
//   build/bench/vigil_bench_log --benchmark_min_time=0.5
//
// Pairs compared:
//  - sync, null sink: the call and record building, nothing written.
//  - sync, formatted: vigil's full JSON line vs spdlog's pattern-formatted
//    line (both formatted into memory and discarded).
//  - async enqueue: the caller's cost of handing the record to the
//    background thread (vigil's ring vs spdlog's async_logger queue).
//  - the 10-field JSON line: vigil's formatter, spdlog's pattern formatter
//    with a JSON pattern, and a hand-written floor (the formatter's own
//    primitives, the only part of this file that is not public API).
#include <benchmark/benchmark.h>
#include <spdlog/async.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/null_sink.h>
#include <spdlog/pattern_formatter.h>
#include <spdlog/spdlog.h>

#include <bit>
#include <charconv>
#include <cstring>
#include <map>
#include <mutex>
#include <thread>

#include "log/field_walk.h"
#include "log/json_writer.h"
#include "trace/hex.h"
#include "vigil/log.h"

namespace {

// ---- vigil ------------------------------------------------------------------------

void vigil_line(const vigil::Logger& log, std::int64_t i) {
  log.info("prediction served", {{"model", "resnet-v2"},
                                 {"latency_ms", 12.5},
                                 {"class", "cat"},
                                 {"confidence", 0.93},
                                 {"request_id", i}});
}

void BM_Vigil_Sync_NullSink(benchmark::State& state) {
  vigil::LogProvider provider({.sinks = {vigil::null_sink(false)}});
  vigil::Logger log = provider.logger("ranker");
  std::int64_t i = 0;
  for (auto _ : state) vigil_line(log, ++i);
}
BENCHMARK(BM_Vigil_Sync_NullSink);

void BM_Vigil_Sync_JsonFormatted(benchmark::State& state) {
  vigil::LogProvider provider({.sinks = {vigil::null_sink(true)}});
  vigil::Logger log = provider.logger("ranker");
  std::int64_t i = 0;
  for (auto _ : state) vigil_line(log, ++i);
}
BENCHMARK(BM_Vigil_Sync_JsonFormatted);

// One provider per run, shared by the run's threads. Google Benchmark has
// no barrier before the loop, so every thread looks it up under a lock.
vigil::LogProvider& async_provider(std::size_t capacity, int threads) {
  static std::mutex mu;
  static std::map<std::pair<std::size_t, int>, std::unique_ptr<vigil::LogProvider>> providers;
  std::lock_guard lock(mu);
  auto& p = providers[{capacity, threads}];
  if (!p) p = std::make_unique<vigil::LogProvider>(
              vigil::LogProviderOptions{.sinks = {vigil::null_sink(false)}, .async = true, .queue_capacity = capacity});
  return *p;
}

void BM_Vigil_Async_Enqueue(benchmark::State& state) {
  vigil::LogProvider& provider = async_provider(static_cast<std::size_t>(state.range(0)), state.threads());
  vigil::Logger log = provider.logger("ranker");
  std::int64_t i = 0;
  for (auto _ : state) vigil_line(log, ++i);
  if (state.thread_index() == 0) state.counters["dropped"] = static_cast<double>(provider.dropped());
}
BENCHMARK(BM_Vigil_Async_Enqueue)->Arg(8192)->Threads(1)->Threads(2)->UseRealTime();

// The caller's cost in bursts, as a service logs: 256 records into a
// drained queue, then (untimed) the background thread catches up. This is
// the enqueue latency a request thread sees; the sustained runs above also
// include competing with the background thread for the same cache lines,
// which on this 2-vCPU VM dominates.
void BM_Vigil_Async_EnqueueBurst(benchmark::State& state) {
  vigil::LogProvider provider(
      {.sinks = {vigil::null_sink(false)}, .async = true, .queue_capacity = static_cast<std::size_t>(state.range(0))});
  vigil::Logger log = provider.logger("ranker");
  std::int64_t i = 0;
  while (state.KeepRunningBatch(256)) {
    for (int k = 0; k < 256; ++k) vigil_line(log, ++i);
    state.PauseTiming();
    provider.flush();
    state.ResumeTiming();
  }
  state.counters["dropped"] = static_cast<double>(provider.dropped());
}
BENCHMARK(BM_Vigil_Async_EnqueueBurst)->Arg(512)->Arg(8192);

// Sustained async logging with the JSON formatter behind the queue: each
// producer sends 1M records as fast as it can, and the clock stops when
// the background thread has formatted everything it accepted. Reports the
// records formatted per second and how many the full queue dropped. With
// block_when_full the producers wait for room instead of dropping: the
// rate is then the lossless one (`dropped` must be 0), and `waits` says how
// often the formatter thread held them back.
void sustained(benchmark::State& state, bool block_when_full) {
  const int producers = static_cast<int>(state.range(0));
  constexpr std::int64_t kPerProducer = 1'000'000;
  std::uint64_t dropped = 0, waits = 0;
  for (auto _ : state) {
    vigil::LogProvider provider({.sinks = {vigil::null_sink(true)},
                                 .async = true,
                                 .queue_capacity = 65536,
                                 .block_when_full = block_when_full});
    std::vector<std::thread> threads;
    for (int t = 0; t < producers; ++t)
      threads.emplace_back([&provider] {
        vigil::Logger log = provider.logger("ranker");
        for (std::int64_t i = 0; i < kPerProducer; ++i) vigil_line(log, i);
      });
    for (auto& t : threads) t.join();
    provider.flush();
    dropped += provider.dropped();
    waits += provider.queue_waits();
  }
  const double sent = static_cast<double>(state.iterations()) * producers * kPerProducer;
  state.counters["formatted_per_s"] =
      benchmark::Counter(sent - static_cast<double>(dropped), benchmark::Counter::kIsRate);
  state.counters["dropped"] = static_cast<double>(dropped) / static_cast<double>(state.iterations());
  state.counters["waits"] = static_cast<double>(waits) / static_cast<double>(state.iterations());
}
void BM_Vigil_Async_SustainedFormatted(benchmark::State& state) { sustained(state, false); }
void BM_Vigil_Async_SustainedLossless(benchmark::State& state) { sustained(state, true); }
BENCHMARK(BM_Vigil_Async_SustainedFormatted)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(3);
BENCHMARK(BM_Vigil_Async_SustainedLossless)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(3);

// The formatter alone, on one prepared record: 10 fields (strings, an
// integer, doubles, a bool), trace and span ids, a timestamp; the line is
// written into a buffer reused across calls, as the async pipeline does.
const vigil::Field kTenFields[] = {
    {"model", "resnet-v2"},      {"version", "1.4.2"},   {"latency_ms", 12.5},  {"class", "cat"},
    {"confidence", 0.93},        {"request_id", std::int64_t{1234567}}, {"batch", std::int64_t{8}},
    {"gpu", true},               {"region", "eu-west-1"}, {"user", "u-4821"}};

vigil::LogRecord ten_field_record() {
  vigil::LogRecord r;
  r.time_unix_nano = 1'796'000'000'123'456'789ull;
  r.logger = "ranker";
  r.message = "prediction served";
  r.fields = kTenFields;
  for (int i = 0; i < 16; ++i) r.trace_id.bytes[i] = static_cast<std::uint8_t>(0x4b + i);
  for (int i = 0; i < 8; ++i) r.span_id.bytes[i] = static_cast<std::uint8_t>(0x11 * (i + 1));
  return r;
}

void BM_Vigil_FormatJson_10Fields(benchmark::State& state) {
  vigil::JsonFormatter formatter;
  vigil::LogRecord r = ten_field_record();
  std::string line;
  for (auto _ : state) {
    line.clear();
    formatter.format(r, line);
    benchmark::DoNotOptimize(line.data());
  }
  state.counters["bytes"] = static_cast<double>(line.size());
}
BENCHMARK(BM_Vigil_FormatJson_10Fields);

// The least that line can cost, to show where the formatter stands: the
// same 341 bytes with every key and punctuation a constant (no walk over
// fields, no escaping or checking), the values written by the formatter's
// own primitives. The gap to BM_Vigil_FormatJson_10Fields is what a
// general formatter pays for taking any record.
char* put_constant(char* p, std::string_view s) {
  std::memcpy(p, s.data(), s.size());
  return p + s.size();
}

void BM_Floor_HandWrittenLine(benchmark::State& state) {
  const vigil::LogRecord r = ten_field_record();
  std::string line;
  for (auto _ : state) {
    char buf[1024];
    char* p = put_constant(buf, "{\"ts\":\"");
    p = vigil::write_rfc3339_nanos(p, r.time_unix_nano);
    p = put_constant(p, "\",\"level\":\"info\",\"logger\":\"ranker\",\"msg\":\"prediction served\",\"trace_id\":\"");
    vigil::detail::write_hex(r.trace_id.bytes.data(), 16, p);
    p = put_constant(p + 32, "\",\"span_id\":\"");
    vigil::detail::write_hex(r.span_id.bytes.data(), 8, p);
    p = put_constant(p + 16, "\",\"model\":\"resnet-v2\",\"version\":\"1.4.2\",\"latency_ms\":");
    p = vigil::detail::fixed_shortest(p, std::bit_cast<double>(r.fields[2].value.word()));
    p = put_constant(p, ",\"class\":\"cat\",\"confidence\":");
    p = vigil::detail::fixed_shortest(p, std::bit_cast<double>(r.fields[4].value.word()));
    p = put_constant(p, ",\"request_id\":");
    p = std::to_chars(p, p + 24, static_cast<std::int64_t>(r.fields[5].value.word())).ptr;
    p = put_constant(p, ",\"batch\":");
    p = std::to_chars(p, p + 24, static_cast<std::int64_t>(r.fields[6].value.word())).ptr;
    p = put_constant(p, ",\"gpu\":true,\"region\":\"eu-west-1\",\"user\":\"u-4821\"}\n");
    line.clear();
    line.append(buf, p);
    benchmark::DoNotOptimize(line.data());
  }
  state.counters["bytes"] = static_cast<double>(line.size());
}
BENCHMARK(BM_Floor_HandWrittenLine);

// ---- spdlog -----------------------------------------------------------------------

// Runs spdlog's pattern formatter on every message, discarding the result.
class FormattingNullSink final : public spdlog::sinks::base_sink<spdlog::details::null_mutex> {
 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    spdlog::memory_buf_t buf;
    formatter_->format(msg, buf);
    benchmark::DoNotOptimize(buf.data());
  }
  void flush_() override {}
};

void spdlog_line(spdlog::logger& log, std::int64_t i) {
  log.info("prediction served model={} latency_ms={} class={} confidence={} request_id={}", "resnet-v2", 12.5, "cat",
           0.93, i);
}

void BM_Spdlog_Sync_NullSink(benchmark::State& state) {
  spdlog::logger log("ranker", std::make_shared<spdlog::sinks::null_sink_mt>());
  std::int64_t i = 0;
  for (auto _ : state) spdlog_line(log, ++i);
}
BENCHMARK(BM_Spdlog_Sync_NullSink);

void BM_Spdlog_Sync_Formatted(benchmark::State& state) {
  spdlog::logger log("ranker", std::make_shared<FormattingNullSink>());
  std::int64_t i = 0;
  for (auto _ : state) spdlog_line(log, ++i);
}
BENCHMARK(BM_Spdlog_Sync_Formatted);

// The same record through spdlog's pattern formatter with an equivalent JSON
// pattern (timestamp, level, logger, message, then the fields and ids as
// the payload, formatted by fmt from the same values), into a reused
// buffer. spdlog does not escape the payload: its line is valid JSON only
// for well-behaved strings, which vigil's escaping checks on every field.
void BM_Spdlog_FormatJson_10Fields(benchmark::State& state) {
  spdlog::pattern_formatter formatter(R"({"ts":"%Y-%m-%dT%H:%M:%S.%FZ","level":"%l","logger":"%n",%v})",
                                      spdlog::pattern_time_type::utc);
  auto payload = fmt::format(
      R"("msg":"{}","trace_id":"{}","span_id":"{}","model":"{}","version":"{}","latency_ms":{},"class":"{}",)"
      R"("confidence":{},"request_id":{},"batch":{},"gpu":{},"region":"{}","user":"{}")",
      "prediction served", "4b4c4d4e4f505152535455565758595a", "1122334455667788", "resnet-v2", "1.4.2", 12.5, "cat",
      0.93, 1234567, 8, true, "eu-west-1", "u-4821");
  spdlog::details::log_msg msg("ranker", spdlog::level::info, payload);
  spdlog::memory_buf_t buf;
  for (auto _ : state) {
    buf.clear();
    formatter.format(msg, buf);
    benchmark::DoNotOptimize(buf.data());
  }
  state.counters["bytes"] = static_cast<double>(buf.size());
}
BENCHMARK(BM_Spdlog_FormatJson_10Fields);

// spdlog's whole formatted path for that line: fmt formats the 10 values
// into the payload, then the JSON pattern; what a spdlog user pays per
// line against vigil's formatter.
void BM_Spdlog_FmtAndFormatJson_10Fields(benchmark::State& state) {
  spdlog::pattern_formatter formatter(R"({"ts":"%Y-%m-%dT%H:%M:%S.%FZ","level":"%l","logger":"%n",%v})",
                                      spdlog::pattern_time_type::utc);
  spdlog::memory_buf_t payload, buf;
  for (auto _ : state) {
    payload.clear();
    fmt::format_to(std::back_inserter(payload),
                   R"("msg":"{}","trace_id":"{}","span_id":"{}","model":"{}","version":"{}","latency_ms":{},)"
                   R"("class":"{}","confidence":{},"request_id":{},"batch":{},"gpu":{},"region":"{}","user":"{}")",
                   "prediction served", "4b4c4d4e4f505152535455565758595a", "1122334455667788", "resnet-v2", "1.4.2",
                   12.5, "cat", 0.93, 1234567, 8, true, "eu-west-1", "u-4821");
    spdlog::details::log_msg msg("ranker", spdlog::level::info, spdlog::string_view_t(payload.data(), payload.size()));
    buf.clear();
    formatter.format(msg, buf);
    benchmark::DoNotOptimize(buf.data());
  }
}
BENCHMARK(BM_Spdlog_FmtAndFormatJson_10Fields);

std::shared_ptr<spdlog::details::thread_pool> spdlog_pool;
std::shared_ptr<spdlog::async_logger> spdlog_async;
void BM_Spdlog_Async_Enqueue(benchmark::State& state) {
  if (state.thread_index() == 0) {
    spdlog_pool = std::make_shared<spdlog::details::thread_pool>(1 << 16, 1);
    // overrun_oldest: never blocks the caller, like vigil's drop policy.
    spdlog_async = std::make_shared<spdlog::async_logger>(
        "ranker", std::make_shared<spdlog::sinks::null_sink_mt>(), spdlog_pool, spdlog::async_overflow_policy::overrun_oldest);
  }
  std::int64_t i = 0;
  for (auto _ : state) spdlog_line(*spdlog_async, ++i);
  if (state.thread_index() == 0) {
    state.counters["dropped"] = static_cast<double>(spdlog_pool->overrun_counter());
    spdlog_async.reset();
    spdlog_pool.reset();
  }
}
BENCHMARK(BM_Spdlog_Async_Enqueue)->Threads(1)->Threads(2)->UseRealTime();

void BM_Spdlog_Async_EnqueueBurst(benchmark::State& state) {
  auto pool = std::make_shared<spdlog::details::thread_pool>(8192, 1);
  auto log = std::make_shared<spdlog::async_logger>("ranker", std::make_shared<spdlog::sinks::null_sink_mt>(), pool,
                                                    spdlog::async_overflow_policy::overrun_oldest);
  std::int64_t i = 0;
  while (state.KeepRunningBatch(256)) {
    for (int k = 0; k < 256; ++k) spdlog_line(*log, ++i);
    state.PauseTiming();
    while (pool->queue_size() > 0) std::this_thread::yield();
    state.ResumeTiming();
  }
}
BENCHMARK(BM_Spdlog_Async_EnqueueBurst);

}  // namespace
