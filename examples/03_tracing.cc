// Exercise 3: trace an inference pipeline (preprocess -> inference ->
// postprocess) end to end and find the slow stage.
//
//   ./example_03_tracing                          prints a waterfall per request
//   ./example_03_tracing http://127.0.0.1:4318/v1/traces   also exports OTLP (Jaeger, Tempo, vigil serve)
#include <chrono>
#include <iomanip>
#include <iostream>
#include <mutex>
#include <random>
#include <string>
#include <thread>

#include "vigil/otlp.h"
#include "vigil/trace.h"

namespace {

// Keeps finished spans so the program can draw them; a real service would
// only export.
class WaterfallExporter final : public vigil::SpanExporter {
 public:
  vigil::ExportResult export_spans(std::span<const std::unique_ptr<vigil::SpanData>> spans) override {
    std::lock_guard lock(mu_);
    for (const auto& s : spans) spans_.push_back(*s);
    return vigil::ExportResult::kSuccess;
  }
  void print_trace(const vigil::TraceId& trace) {
    std::lock_guard lock(mu_);
    std::uint64_t t0 = UINT64_MAX, t1 = 0;
    for (const auto& s : spans_)
      if (s.context.trace_id == trace) t0 = std::min(t0, s.start_unix_nano), t1 = std::max(t1, s.end_unix_nano);
    std::cout << "trace " << trace.hex() << "\n";
    const vigil::SpanData* slowest = nullptr;
    for (const auto& s : spans_) {
      if (s.context.trace_id != trace) continue;
      double total = static_cast<double>(t1 - t0);
      int offset = static_cast<int>(40 * static_cast<double>(s.start_unix_nano - t0) / total);
      int width = std::max(1, static_cast<int>(40 * static_cast<double>(s.end_unix_nano - s.start_unix_nano) / total));
      double ms = static_cast<double>(s.end_unix_nano - s.start_unix_nano) / 1e6;
      std::cout << "  " << std::left << std::setw(14) << s.name << std::string(offset, ' ') << std::string(width, '#')
                << std::string(41 - offset - width, ' ') << std::fixed << std::setprecision(1) << ms << " ms\n";
      if (s.kind != vigil::SpanKind::kServer && (!slowest || s.end_unix_nano - s.start_unix_nano >
                                                       slowest->end_unix_nano - slowest->start_unix_nano))
        slowest = &s;
    }
    if (slowest) std::cout << "  slowest stage: " << slowest->name << "\n";
  }

 private:
  std::mutex mu_;
  std::vector<vigil::SpanData> spans_;
};

void sleep_ms(double ms) { std::this_thread::sleep_for(std::chrono::duration<double, std::milli>(ms)); }

}  // namespace

int main(int argc, char** argv) {
  vigil::TracerProvider provider({.resource = vigil::Resource::create({{"service.name", std::string("churn-model")}})});
  auto waterfall = std::make_unique<WaterfallExporter>();
  WaterfallExporter* view = waterfall.get();
  provider.add_processor(std::make_unique<vigil::SimpleSpanProcessor>(std::move(waterfall)));
  if (argc > 1)
    provider.add_processor(std::make_unique<vigil::BatchSpanProcessor>(
        std::make_unique<vigil::OtlpHttpSpanExporter>(vigil::OtlpHttpOptions{.endpoint = argv[1]})));
  vigil::Tracer tracer = provider.tracer("examples.tracing");

  std::mt19937 rng(3);
  std::uniform_real_distribution<double> jitter(0.8, 1.2);
  for (int request = 0; request < 3; ++request) {
    // An incoming request may carry a W3C traceparent; here the first does.
    vigil::HeaderMap headers;
    if (request == 0) headers["traceparent"] = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    vigil::Span root = tracer.start_span("POST /predict", {.kind = vigil::SpanKind::kServer,
                                                           .parent = vigil::extract_trace_context(headers)});
    vigil::Scope active(root);
    {
      vigil::Span s = tracer.start_span("preprocess");
      s.set_attribute("features", 42);
      sleep_ms(3 * jitter(rng));
    }
    {
      vigil::Span s = tracer.start_span("inference");
      s.set_attribute("model.version", "v2");
      sleep_ms(25 * jitter(rng));  // the slow stage
      s.add_event("batch_complete", {{"batch.size", std::int64_t{16}}});
    }
    {
      vigil::Span s = tracer.start_span("postprocess");
      sleep_ms(2 * jitter(rng));
      if (request == 2) s.record_exception(std::runtime_error("unknown label 7"));
    }
    vigil::TraceId trace = root.context().trace_id;
    root.end();
    view->print_trace(trace);
  }
  provider.shutdown();
}
