// SloMonitor::record_request cost, at 1 and 2 threads.
//   build/bench/vigil_bench_slo --benchmark_min_time=0.5
#include <benchmark/benchmark.h>

#include "vigil/slo.h"

namespace {

void BM_SloRecordRequest(benchmark::State& state) {
  static vigil::SloMonitor slo({.name = "bench", .background_ticker = false});
  std::uint32_t i = 0;
  for (auto _ : state) slo.record_request((++i & 1023) != 0);
}
BENCHMARK(BM_SloRecordRequest)->Threads(1)->Threads(2);

void BM_SloRecordRequestWithLatency(benchmark::State& state) {
  static vigil::SloMonitor slo({.name = "bench_latency", .latency_threshold_seconds = 0.2, .background_ticker = false});
  double latency = 0.01;
  for (auto _ : state) {
    slo.record_request(true, latency);
    latency = latency > 0.3 ? 0.01 : latency + 0.001;
  }
}
BENCHMARK(BM_SloRecordRequestWithLatency);

void BM_SloStatus30dAt1m(benchmark::State& state) {
  static vigil::SloMonitor slo({.name = "status", .background_ticker = false});
  static bool filled = [] {
    for (int m = 1; m <= 43200; ++m) {
      for (int k = 0; k < 10; ++k) slo.record_request(k != 0);
      slo.tick(std::chrono::minutes(m));
    }
    return true;
  }();
  (void)filled;
  for (auto _ : state) benchmark::DoNotOptimize(slo.status());
}
BENCHMARK(BM_SloStatus30dAt1m)->Unit(benchmark::kMicrosecond);

}  // namespace
