// The Grafana-facing query APIs through their handlers (parameters parsed,
// store queried, JSON written), on a store holding 1M spans (200k traces
// of 5, two services) and 1M log lines (1 % of them timeouts, levels info,
// warn and error): Jaeger trace search, Tempo's TraceQL search, Loki's
// query_range with a line filter, and Loki's log-volume query. No peer runs
// here (Jaeger, Tempo and Loki are not packaged in Debian 12), so the
// figures stand alone.
//   build/bench/vigil_bench_query_api
#include <benchmark/benchmark.h>

#include <filesystem>
#include <random>

#include "random_hex.h"
#include "server/jaeger_api.h"
#include "server/loki_api.h"
#include "server/tempo_api.h"
#include "store/store.h"

namespace {

using vigil::detail::Request;
using vigil::detail::Response;

constexpr std::int64_t kT0 = 1'800'000'000'000'000'000;
constexpr std::int64_t kSecond = 1'000'000'000;
constexpr int kBatches = 2000;  // each: 100 traces of 5 spans, 500 log lines, 50 ms apart

using vigil_bench::random_hex;

vigil::store::Batch make_batch(std::mt19937_64& rng, std::int64_t t0) {
  vigil::store::Batch b;
  for (int t = 0; t < 100; ++t) {
    std::string trace = random_hex(rng, 16), root = random_hex(rng, 8);
    for (int s = 0; s < 5; ++s) {
      vigil::store::SpanRow r;
      r.trace_id = trace;
      r.span_id = s == 0 ? root : random_hex(rng, 8);
      r.parent_span_id = s == 0 ? "" : root;
      r.service = s == 4 ? "model-server" : "ranker";
      r.name = s == 0 ? "POST /predict" : "stage" + std::to_string(s);
      r.kind = s == 0 ? 2 : 1;
      r.start_ns = t0 + t * 100'000 + s * 10;
      r.end_ns = r.start_ns + 200'000 + static_cast<std::int64_t>(rng() % 600'000);
      r.attributes = R"({"model":"resnet","batch":)" + std::to_string(rng() % 16) + R"(,"gpu":true})";
      r.resource = R"({"service.name":")" + r.service + R"(","host.name":"node-7"})";
      b.spans.push_back(std::move(r));
    }
  }
  static const char* levels[] = {"info", "info", "info", "warn", "error"};
  for (int i = 0; i < 500; ++i) {
    vigil::store::LogRow l;
    l.time_ns = t0 + i * 100'000;
    bool timeout = rng() % 100 == 0;
    l.level = timeout ? "error" : levels[rng() % 5];
    l.service = "ranker";
    l.logger = "ranker.api";
    l.body = timeout ? "gpu timeout on worker " + std::to_string(rng() % 8) : "prediction served in 12.5 ms";
    l.attributes = R"({"user_id":")" + std::to_string(rng() % 1000) + R"(","latency_ms":12.5})";
    l.trace_id = b.spans[static_cast<std::size_t>(i)].trace_id;
    b.logs.push_back(std::move(l));
  }
  return b;
}

struct Filled {
  std::filesystem::path dir = std::filesystem::temp_directory_path() / ("vigil-query-api-" + std::to_string(::getpid()));
  std::unique_ptr<vigil::store::Store> store;
  Filled() {
    std::filesystem::remove_all(dir);
    store = std::make_unique<vigil::store::Store>(
        vigil::store::StoreOptions{.path = dir / "vigil.db", .max_queued_bytes = 1ull << 30});
    std::mt19937_64 rng(3);
    for (int i = 0; i < kBatches; ++i) store->enqueue(make_batch(rng, kT0 + i * 50'000'000LL));
    store->flush();
  }
  ~Filled() {
    store.reset();
    std::filesystem::remove_all(dir);
  }
};
Filled& filled() {
  static Filled f;
  return f;
}

// Calls a handler with query parameters; fails the benchmark on a non-200.
template <class Api>
void run(benchmark::State& state, Api& api, void (Api::*handler)(vigil::server::Exchange&),
         std::multimap<std::string, std::string> params, std::size_t min_body = 0) {
  Request req;
  req.method = "GET";
  req.params = std::move(params);
  std::size_t bytes = 0;
  for (auto _ : state) {
    Response res;
    vigil::server::Exchange x{req, res};
    (api.*handler)(x);
    if (res.status != 200 || res.body.size() < min_body) {
      state.SkipWithError(("status " + std::to_string(res.status) + ": " + res.body.substr(0, 200)).c_str());
      return;
    }
    bytes += res.body.size();
  }
  state.counters["response_KB"] = static_cast<double>(bytes) / 1e3 / static_cast<double>(state.iterations());
}

std::string us(std::int64_t ns) { return std::to_string(ns / 1000); }
std::string ns(std::int64_t v) { return std::to_string(v); }
const std::int64_t kEnd = kT0 + kBatches * 50'000'000LL;

void BM_JaegerSearchByTag(benchmark::State& state) {
  vigil::server::JaegerApi api(*filled().store);
  run(state, api, &vigil::server::JaegerApi::traces,
      {{"service", "ranker"}, {"tags", R"({"batch":"15"})"}, {"limit", "20"}, {"start", us(kT0)}, {"end", us(kEnd)}}, 1000);
}
BENCHMARK(BM_JaegerSearchByTag)->Unit(benchmark::kMillisecond);

void BM_JaegerSearchNothingMatches(benchmark::State& state) {  // every block of 1M spans is read
  vigil::server::JaegerApi api(*filled().store);
  run(state, api, &vigil::server::JaegerApi::traces,
      {{"service", "ranker"}, {"minDuration", "10s"}, {"start", us(kT0)}, {"end", us(kEnd)}});
  state.SetItemsProcessed(state.iterations() * 1'000'000);
}
BENCHMARK(BM_JaegerSearchNothingMatches)->Unit(benchmark::kMillisecond)->Iterations(3);

void BM_TempoTraceqlSearch(benchmark::State& state) {
  vigil::server::TempoApi api(*filled().store);
  run(state, api, &vigil::server::TempoApi::search,
      {{"q", R"({ resource.service.name = "model-server" && span.batch >= 14 && duration > 700us })"},
       {"limit", "20"}, {"start", std::to_string(kT0 / kSecond)}, {"end", std::to_string(kEnd / kSecond + 1)}},
      1000);
}
BENCHMARK(BM_TempoTraceqlSearch)->Unit(benchmark::kMillisecond);

void BM_LokiQueryRangeLineFilter(benchmark::State& state) {  // 1 % of lines match: 100 found in the newest 10k
  vigil::server::LokiApi api(*filled().store);
  run(state, api, &vigil::server::LokiApi::query_range,
      {{"query", R"({service="ranker"} |= "timeout")"}, {"limit", "100"}, {"start", ns(kT0)}, {"end", ns(kEnd)}}, 5000);
}
BENCHMARK(BM_LokiQueryRangeLineFilter)->Unit(benchmark::kMillisecond);

void BM_LokiQueryRangeNothingMatches(benchmark::State& state) {  // every one of 1M lines is read
  vigil::server::LokiApi api(*filled().store);
  run(state, api, &vigil::server::LokiApi::query_range,
      {{"query", R"({service="ranker"} |= "no such text")"}, {"limit", "100"}, {"start", ns(kT0)}, {"end", ns(kEnd)}});
  state.SetItemsProcessed(state.iterations() * 1'000'000);
}
BENCHMARK(BM_LokiQueryRangeNothingMatches)->Unit(benchmark::kMillisecond)->Iterations(3);

void BM_LokiLogVolume(benchmark::State& state) {  // Explore's histogram over all 1M lines, 100 s in 1 s steps
  vigil::server::LokiApi api(*filled().store);
  run(state, api, &vigil::server::LokiApi::query_range,
      {{"query", R"(sum by (level) (count_over_time({service="ranker"} [1s])))"}, {"step", "1s"},
       {"start", ns(kT0)}, {"end", ns(kEnd)}}, 1000);
  state.SetItemsProcessed(state.iterations() * 1'000'000);
}
BENCHMARK(BM_LokiLogVolume)->Unit(benchmark::kMillisecond)->Iterations(3);

}  // namespace
