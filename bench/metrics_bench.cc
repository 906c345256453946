// Metrics hot paths and scrape cost, with prometheus-cpp (Debian's
// prometheus-cpp-dev) measured side by side in the same run when present.
//
//   build/bench/vigil_bench_metrics --benchmark_min_time=0.5
#include <benchmark/benchmark.h>

#include <string>

#include "vigil/exposition.h"
#include "vigil/metrics.h"

#ifdef VIGIL_HAVE_PROMETHEUS_CPP
#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>
#endif

namespace {

vigil::Registry& bench_registry() {
  static vigil::Registry r;
  return r;
}

void BM_Vigil_CounterInc(benchmark::State& state) {
  static vigil::Counter& c =
      bench_registry().counter({.name = "bench_counter_total", .labels = {"a"}}).labels({"x"});
  for (auto _ : state) c.inc();
  benchmark::DoNotOptimize(&c);
}
BENCHMARK(BM_Vigil_CounterInc)->Threads(1)->Threads(2);

void BM_Vigil_HistogramObserve(benchmark::State& state) {
  static vigil::Histogram& h =
      bench_registry().histogram({.name = "bench_histogram_seconds"}).labels({});  // 11 default buckets
  double v = 0.0001;
  for (auto _ : state) {
    h.observe(v);
    v = v < 20 ? v * 1.7 : 0.0001;  // walk across all buckets
  }
}
BENCHMARK(BM_Vigil_HistogramObserve)->Threads(1)->Threads(2);

void BM_Vigil_GaugeSet(benchmark::State& state) {
  static vigil::Gauge& g = bench_registry().gauge({.name = "bench_gauge"}).labels({});
  double v = 0;
  for (auto _ : state) g.set(v += 1);
}
BENCHMARK(BM_Vigil_GaugeSet)->Threads(1)->Threads(2);

void BM_Vigil_LabelLookup(benchmark::State& state) {
  static auto& fam = bench_registry().counter({.name = "bench_lookup_total", .labels = {"model", "version"}});
  for (auto _ : state) fam.labels({"ranker", "v2"}).inc();
}
BENCHMARK(BM_Vigil_LabelLookup);

// Series count in `range(0)`: a counter family and a histogram family with
// series split 90/10, labels shaped like real ones. The scrape is the
// /metrics handler's: snapshot into storage kept between scrapes, encode.
void BM_Vigil_Scrape(benchmark::State& state) {
  vigil::Registry r;
  auto& c = r.counter({.name = "req_total", .labels = {"model", "instance", "code"}, .max_series = 1000000});
  auto& h = r.histogram({.name = "lat_seconds", .labels = {"model", "instance"}, .max_series = 1000000});
  const auto n = static_cast<int>(state.range(0));
  for (int i = 0; i < n; ++i) {
    if (i % 10 == 9) h.labels({"model" + std::to_string(i % 50), "inst" + std::to_string(i)}).observe(0.1);
    else c.labels({"model" + std::to_string(i % 50), "inst" + std::to_string(i), "200"}).inc(i);
  }
  std::size_t bytes = 0;
  vigil::ScrapeBuffer buffer;  // what the /metrics handler keeps between scrapes
  for (auto _ : state) {
    std::string out = buffer.scrape(r, vigil::ExpositionFormat::kPrometheusText);
    bytes = out.size();
    benchmark::DoNotOptimize(out);
  }
  state.counters["bytes"] = static_cast<double>(bytes);
}
BENCHMARK(BM_Vigil_Scrape)->Arg(1000)->Arg(100000)->Unit(benchmark::kMillisecond);

// The two halves of a scrape, timed apart: snapshotting the registry, and
// encoding a snapshot taken once.
void fill_scrape_registry(vigil::Registry& r, int n) {
  auto& c = r.counter({.name = "req_total", .labels = {"model", "instance", "code"}, .max_series = 1000000});
  auto& h = r.histogram({.name = "lat_seconds", .labels = {"model", "instance"}, .max_series = 1000000});
  for (int i = 0; i < n; ++i) {
    if (i % 10 == 9) h.labels({"model" + std::to_string(i % 50), "inst" + std::to_string(i)}).observe(0.1);
    else c.labels({"model" + std::to_string(i % 50), "inst" + std::to_string(i), "200"}).inc(i);
  }
}
// The same scrape with fresh snapshots every time (gather() then encode()),
// which is what ScrapeBuffer saves.
void BM_Vigil_ScrapeFreshSnapshots(benchmark::State& state) {
  vigil::Registry r;
  fill_scrape_registry(r, static_cast<int>(state.range(0)));
  for (auto _ : state) benchmark::DoNotOptimize(vigil::encode(r.gather(), vigil::ExpositionFormat::kPrometheusText));
}
BENCHMARK(BM_Vigil_ScrapeFreshSnapshots)->Arg(100000)->Unit(benchmark::kMillisecond);
void BM_Vigil_ScrapeGatherOnly(benchmark::State& state) {
  vigil::Registry r;
  fill_scrape_registry(r, static_cast<int>(state.range(0)));
  for (auto _ : state) benchmark::DoNotOptimize(r.gather());
}
BENCHMARK(BM_Vigil_ScrapeGatherOnly)->Arg(100000)->Unit(benchmark::kMillisecond);
void BM_Vigil_ScrapeEncodeOnly(benchmark::State& state) {
  vigil::Registry r;
  fill_scrape_registry(r, static_cast<int>(state.range(0)));
  auto snapshot = r.gather();
  for (auto _ : state) benchmark::DoNotOptimize(vigil::encode(snapshot, vigil::ExpositionFormat::kPrometheusText));
}
BENCHMARK(BM_Vigil_ScrapeEncodeOnly)->Arg(100000)->Unit(benchmark::kMillisecond);

#ifdef VIGIL_HAVE_PROMETHEUS_CPP
prometheus::Registry& pcpp_registry() {
  static prometheus::Registry r;
  return r;
}

void BM_PrometheusCpp_CounterInc(benchmark::State& state) {
  static prometheus::Counter& c =
      prometheus::BuildCounter().Name("bench_counter_total").Register(pcpp_registry()).Add({{"a", "x"}});
  for (auto _ : state) c.Increment();
}
BENCHMARK(BM_PrometheusCpp_CounterInc)->Threads(1)->Threads(2);

void BM_PrometheusCpp_HistogramObserve(benchmark::State& state) {
  static prometheus::Histogram& h = prometheus::BuildHistogram()
                                        .Name("bench_histogram_seconds")
                                        .Register(pcpp_registry())
                                        .Add({}, prometheus::Histogram::BucketBoundaries{
                                                     0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10});
  double v = 0.0001;
  for (auto _ : state) {
    h.Observe(v);
    v = v < 20 ? v * 1.7 : 0.0001;
  }
}
BENCHMARK(BM_PrometheusCpp_HistogramObserve)->Threads(1)->Threads(2);

void BM_PrometheusCpp_GaugeSet(benchmark::State& state) {
  static prometheus::Gauge& g = prometheus::BuildGauge().Name("bench_gauge").Register(pcpp_registry()).Add({});
  double v = 0;
  for (auto _ : state) g.Set(v += 1);
}
BENCHMARK(BM_PrometheusCpp_GaugeSet)->Threads(1)->Threads(2);

void BM_PrometheusCpp_Scrape(benchmark::State& state) {
  prometheus::Registry r;
  auto& c = prometheus::BuildCounter().Name("req_total").Register(r);
  auto& h = prometheus::BuildHistogram().Name("lat_seconds").Register(r);
  const auto n = static_cast<int>(state.range(0));
  prometheus::Histogram::BucketBoundaries b{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
  for (int i = 0; i < n; ++i) {
    if (i % 10 == 9)
      h.Add({{"model", "model" + std::to_string(i % 50)}, {"instance", "inst" + std::to_string(i)}}, b).Observe(0.1);
    else
      c.Add({{"model", "model" + std::to_string(i % 50)}, {"instance", "inst" + std::to_string(i)}, {"code", "200"}})
          .Increment(i);
  }
  prometheus::TextSerializer serializer;
  for (auto _ : state) {
    std::string out = serializer.Serialize(r.Collect());
    benchmark::DoNotOptimize(out);
  }
}
BENCHMARK(BM_PrometheusCpp_Scrape)->Arg(1000)->Arg(100000)->Unit(benchmark::kMillisecond);
#endif

}  // namespace
