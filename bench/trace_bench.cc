// Span start+end cost (sampled and unsampled) and OTLP encoding of a batch.
//   build/bench/vigil_bench_trace --benchmark_min_time=0.5
#include <benchmark/benchmark.h>

#include "vigil/metrics.h"
#include "vigil/otlp.h"
#include "vigil/trace.h"

namespace {

class NullExporter final : public vigil::SpanExporter {
 public:
  vigil::ExportResult export_spans(std::span<const std::unique_ptr<vigil::SpanData>>) override {
    return vigil::ExportResult::kSuccess;
  }
};

// Ends spans into nothing: measures the span itself.
class DiscardProcessor final : public vigil::SpanProcessor {
 public:
  void on_end(std::unique_ptr<vigil::SpanData>) override {}
  bool force_flush(std::chrono::milliseconds) override { return true; }
  bool shutdown(std::chrono::milliseconds) override { return true; }
};

void span_loop(benchmark::State& state, vigil::Tracer& tracer) {
  for (auto _ : state) {
    vigil::Span s = tracer.start_span("inference");
    s.set_attribute("model", "ranker");
    s.set_attribute("batch", 32);
    s.set_attribute("confidence", 0.93);
    s.set_attribute("cached", false);
  }
}

void BM_SpanSampled_4Attrs(benchmark::State& state) {
  static vigil::TracerProvider provider;
  static bool init = (provider.add_processor(std::make_unique<DiscardProcessor>()), true);
  (void)init;
  vigil::Tracer tracer = provider.tracer("bench");
  span_loop(state, tracer);
}
BENCHMARK(BM_SpanSampled_4Attrs);

void BM_SpanSampled_4Attrs_BatchProcessor(benchmark::State& state) {
  static vigil::TracerProvider provider;
  static bool init = (provider.add_processor(std::make_unique<vigil::BatchSpanProcessor>(
                          std::make_unique<NullExporter>(), vigil::BatchSpanProcessorOptions{.max_queue_size = 65536})),
                      true);
  (void)init;
  vigil::Tracer tracer = provider.tracer("bench");
  span_loop(state, tracer);
}
BENCHMARK(BM_SpanSampled_4Attrs_BatchProcessor);

void BM_SpanUnsampled_4Attrs(benchmark::State& state) {
  static vigil::TracerProvider provider({.sampler = vigil::always_off_sampler()});
  vigil::Tracer tracer = provider.tracer("bench");
  span_loop(state, tracer);
}
BENCHMARK(BM_SpanUnsampled_4Attrs);

std::vector<std::unique_ptr<vigil::SpanData>> make_batch(std::size_t n) {
  auto resource = std::make_shared<const vigil::Resource>(vigil::Resource::create({{"service.name", std::string("ranker")}}));
  auto scope = std::make_shared<const vigil::InstrumentationScope>(vigil::InstrumentationScope{"bench", "1"});
  std::vector<std::unique_ptr<vigil::SpanData>> spans;
  for (std::size_t i = 0; i < n; ++i) {
    auto s = std::make_unique<vigil::SpanData>();
    s->context.trace_id = vigil::TraceId::random();
    s->context.span_id = vigil::SpanId::random();
    s->context.flags = 1;
    s->parent_span_id = vigil::SpanId::random();
    s->name = "inference";
    s->start_unix_nano = 1700000000000000000ull + i;
    s->end_unix_nano = s->start_unix_nano + 1000;
    s->attributes = {{"model", std::string("ranker")}, {"batch", std::int64_t{32}}, {"confidence", 0.93},
                     {"cached", false}};
    s->resource = resource;
    s->scope = scope;
    spans.push_back(std::move(s));
  }
  return spans;
}

void BM_EncodeOtlpProtobuf_512(benchmark::State& state) {
  auto spans = make_batch(512);
  std::size_t bytes = 0;
  for (auto _ : state) bytes = vigil::encode_otlp_traces_protobuf(spans).size();
  state.counters["bytes"] = static_cast<double>(bytes);
}
BENCHMARK(BM_EncodeOtlpProtobuf_512)->Unit(benchmark::kMicrosecond);

void BM_EncodeOtlpJson_512(benchmark::State& state) {
  auto spans = make_batch(512);
  std::size_t bytes = 0;
  for (auto _ : state) bytes = vigil::encode_otlp_traces_json(spans).size();
  state.counters["bytes"] = static_cast<double>(bytes);
}
BENCHMARK(BM_EncodeOtlpJson_512)->Unit(benchmark::kMicrosecond);

void BM_HistogramObserve_InsideSampledSpan(benchmark::State& state) {
  static vigil::Registry registry;
  static vigil::Histogram& h = registry.histogram({.name = "bench_exemplar_seconds"}).labels({});
  static vigil::TracerProvider provider;
  vigil::Span span = provider.tracer("bench").start_span("request");
  vigil::Scope active(span);
  for (auto _ : state) h.observe(0.042);
}
BENCHMARK(BM_HistogramObserve_InsideSampledSpan);

}  // namespace
