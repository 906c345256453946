// The store's writer alone: batches of 500 decoded spans (the shape the OTLP
// receiver produces: hex ids, JSON attributes and resource) enqueued and
// committed, measured until everything is on disk. Each iteration writes
// 200 000 spans into a database that already holds the previous ones, so the
// figure is the sustained rate, not the rate of filling the queue.
//   build/bench/vigil_bench_store --benchmark_min_time=1
#include <benchmark/benchmark.h>

#include <filesystem>
#include <random>

#include "store/store.h"

namespace {

std::string hex(std::mt19937_64& rng, int bytes) {
  static const char* digits = "0123456789abcdef";
  std::string s;
  for (int i = 0; i < bytes; ++i) {
    auto b = static_cast<unsigned>(rng() & 0xff);
    s += digits[b >> 4];
    s += digits[b & 15];
  }
  return s;
}

vigil::store::Batch make_batch(std::mt19937_64& rng, std::int64_t t0) {
  vigil::store::Batch b;
  for (int t = 0; t < 100; ++t) {
    std::string trace = hex(rng, 16), root = hex(rng, 8);
    for (int s = 0; s < 5; ++s) {
      vigil::store::SpanRow r;
      r.trace_id = trace;
      r.span_id = s == 0 ? root : hex(rng, 8);
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

}  // namespace
