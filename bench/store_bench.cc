// The store's writer alone: batches of 500 decoded spans (the shape the OTLP
// receiver produces: hex ids, JSON attributes and resource) enqueued and
// committed, measured until everything is on disk. Each iteration writes
// 200 000 spans into a database that already holds the previous ones, so the
// figure is the sustained rate, not the rate of filling the queue.
// The queries then run on a store of 1M spans. Last, retention: how long a
// commit waits while a pass deletes 1M expired spans a chunk at a time, and
// the single DELETE that stalled the writer before chunking.
//   build/bench/vigil_bench_store
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <random>

#include "random_hex.h"
#include "store/sqlite.h"
#include "store/store.h"

namespace {

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
      r.service = "ranker";
      r.name = s == 0 ? "POST /predict" : "stage" + std::to_string(s);
      r.scope = "bench";
      r.kind = s == 0 ? 2 : 1;
      r.start_ns = t0 + t * 1000 + s * 10;
      r.end_ns = r.start_ns + 500'000;
      r.attributes = R"({"model":"resnet","batch":8,"gpu":true,"score":0.5})";
      r.resource = R"({"service.name":"ranker","host.name":"node-7","service.version":"1.4.2"})";
      b.spans.push_back(std::move(r));
    }
  }
  return b;
}

void BM_StoreWriteSpans(benchmark::State& state) {
  auto dir = std::filesystem::temp_directory_path() / ("vigil-store-bench-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  {
    vigil::store::Store store({.path = dir / "vigil.db", .max_queued_bytes = 1ull << 30});
    std::mt19937_64 rng(1);
    std::int64_t t0 = 1'800'000'000'000'000'000;
    constexpr int kBatches = 400;
    std::vector<vigil::store::Batch> batches;
    for (auto _ : state) {
      state.PauseTiming();
      batches.clear();
      for (int i = 0; i < kBatches; ++i) batches.push_back(make_batch(rng, t0 += 1'000'000));
      state.ResumeTiming();
      for (auto& b : batches) store.enqueue(std::move(b));
      store.flush();
    }
    state.SetItemsProcessed(state.iterations() * kBatches * 500);
    state.counters["db_MB"] = static_cast<double>(store.stats().bytes) / 1e6;
  }
  std::filesystem::remove_all(dir);
}
BENCHMARK(BM_StoreWriteSpans)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(5);

// Queries on a store holding 1M spans (200k traces of 5) in 2000 blocks.
struct Filled {
  std::filesystem::path dir = std::filesystem::temp_directory_path() / ("vigil-store-query-" + std::to_string(::getpid()));
  std::unique_ptr<vigil::store::Store> store;
  std::vector<std::string> trace_ids;
  std::int64_t t0 = 1'800'000'000'000'000'000, t_end = 0;
  Filled() {
    std::filesystem::remove_all(dir);
    store = std::make_unique<vigil::store::Store>(
        vigil::store::StoreOptions{.path = dir / "vigil.db", .max_queued_bytes = 1ull << 30});
    std::mt19937_64 rng(2);
    std::int64_t t = t0;
    for (int i = 0; i < 2000; ++i) {
      auto b = make_batch(rng, t += 1'000'000);
      for (std::size_t k = 0; k < b.spans.size(); k += 50) trace_ids.push_back(b.spans[k].trace_id);
      store->enqueue(std::move(b));
    }
    t_end = t;
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

void BM_StoreTraceById(benchmark::State& state) {
  Filled& f = filled();
  std::size_t i = 0, spans = 0;
  for (auto _ : state) spans += f.store->trace(f.trace_ids[i++ % f.trace_ids.size()]).size();
  if (spans != 5 * state.iterations()) state.SkipWithError("wrong trace size");
}
BENCHMARK(BM_StoreTraceById)->Unit(benchmark::kMicrosecond);

void BM_StoreSearchLatest20(benchmark::State& state) {
  Filled& f = filled();
  vigil::store::TraceQuery q;
  q.service = "ranker";
  q.attributes = {{"model", "resnet"}};
  for (auto _ : state)
    if (f.store->search_traces(q).size() != 20) state.SkipWithError("expected 20 traces");
}
BENCHMARK(BM_StoreSearchLatest20)->Unit(benchmark::kMicrosecond);

void BM_StoreSearchSlowTraces(benchmark::State& state) {
  Filled& f = filled();
  vigil::store::TraceQuery q;  // none is slower than 500 µs: every block is read
  q.min_duration_ns = 600'000;
  for (auto _ : state)
    if (!f.store->search_traces(q).empty()) state.SkipWithError("expected no trace");
  state.SetItemsProcessed(state.iterations() * 1'000'000);  // spans examined
}
BENCHMARK(BM_StoreSearchSlowTraces)->Unit(benchmark::kMillisecond)->Iterations(2);

void BM_StoreOperationLatencyLastMinute(benchmark::State& state) {
  Filled& f = filled();  // 2000 batches 1 ms apart: the last 60 ms hold 30k spans
  for (auto _ : state)
    if (f.store->operation_latency("ranker", f.t_end - 60'000'000, 0).size() != 5) state.SkipWithError("5 ops");
}
BENCHMARK(BM_StoreOperationLatencyLastMinute)->Unit(benchmark::kMillisecond);

// 1M spans (2000 batches of 500) stamped two hours ago, in a store without
// retention, at `dir`.
void fill_expired(const std::filesystem::path& dir) {
  std::filesystem::remove_all(dir);
  vigil::store::Store store({.path = dir / "vigil.db", .retention = std::chrono::seconds(0), .max_bytes = 0,
                             .max_queued_bytes = 1ull << 30});
  std::mt19937_64 rng(3);
  std::int64_t t = std::chrono::duration_cast<std::chrono::nanoseconds>(
                       std::chrono::system_clock::now().time_since_epoch() - std::chrono::hours(2))
                       .count();
  for (int i = 0; i < 2000; ++i) store.enqueue(make_batch(rng, t += 1'000'000));
  store.flush();
}

double ms_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t).count();
}

// Fresh 500-span batches, each submitted once the last is committed, while
// the writer's own retention pass (every 50 ms here) deletes the 1M expired
// spans: the commit wait a receiver sees during a pass.
void BM_CommitDuringRetention(benchmark::State& state) {
  auto dir = std::filesystem::temp_directory_path() / ("vigil-store-retention-" + std::to_string(::getpid()));
  std::vector<double> waits;
  double pass_ms = 0;
  for (auto _ : state) {
    state.PauseTiming();
    fill_expired(dir);
    state.ResumeTiming();
    // range(0) = 0: the same commits with retention off, for comparison.
    bool retain = state.range(0) != 0;
    vigil::store::Store store({.path = dir / "vigil.db",
                               .retention = retain ? std::chrono::seconds(3600) : std::chrono::seconds(0),
                               .max_bytes = 0,
                               .max_queued_bytes = 1ull << 30,
                               .retention_interval = std::chrono::milliseconds(50)});
    std::mt19937_64 rng(4);
    auto start = std::chrono::steady_clock::now();
    std::int64_t fresh = 0;
    while (retain ? store.stats().spans > fresh : waits.size() < 50) {
      auto t = std::chrono::steady_clock::now();
      auto batch = make_batch(rng, std::chrono::duration_cast<std::chrono::nanoseconds>(
                                       std::chrono::system_clock::now().time_since_epoch()).count());
      fresh += static_cast<std::int64_t>(batch.spans.size());
      if (!store.await_commit(store.submit(std::move(batch)))) state.SkipWithError("commit refused");
      waits.push_back(ms_since(t));
    }
    pass_ms = ms_since(start);
  }
  std::sort(waits.begin(), waits.end());
  state.counters["pass_ms"] = pass_ms;
  state.counters["commits"] = static_cast<double>(waits.size());
  state.counters["commit_p50_ms"] = waits[waits.size() / 2];
  state.counters["commit_p99_ms"] = waits[waits.size() * 99 / 100];
  state.counters["commit_max_ms"] = waits.back();
  std::filesystem::remove_all(dir);
}
BENCHMARK(BM_CommitDuringRetention)->Arg(1)->Arg(0)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(1);

// What the writer ran before chunking: one DELETE of every expired block,
// during which nothing could commit.
void BM_RetentionOneStatement(benchmark::State& state) {
  auto dir = std::filesystem::temp_directory_path() / ("vigil-store-retention1-" + std::to_string(::getpid()));
  for (auto _ : state) {
    state.PauseTiming();
    fill_expired(dir);
    vigil::store::Db db((dir / "vigil.db").string());
    std::int64_t cutoff = std::chrono::duration_cast<std::chrono::nanoseconds>(
                              std::chrono::system_clock::now().time_since_epoch() - std::chrono::hours(1))
                              .count();
    state.ResumeTiming();
    vigil::store::Stmt drop(db, "DELETE FROM span_blocks WHERE max_start_ns < ?");
    drop.bind(1, cutoff).run();
  }
  std::filesystem::remove_all(dir);
}
BENCHMARK(BM_RetentionOneStatement)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(1);

}  // namespace
