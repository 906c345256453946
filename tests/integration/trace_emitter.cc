// Emits the exercise-3 pipeline trace (request -> preprocess -> inference ->
// postprocess) to an OTLP/HTTP endpoint through the batch processor, then
// prints the ids it used as JSON for the interop test to compare against.
//   trace_emitter <endpoint> <protobuf|json>
#include <iostream>
#include <string>

#include "vigil/otlp.h"
#include "vigil/trace.h"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: trace_emitter <endpoint> <protobuf|json>\n";
    return 2;
  }
  std::string proto = argv[2];
  vigil::TracerProvider provider({.resource = vigil::Resource::create(
                                      {{"service.name", std::string("ranker")},
                                       {"service.version", std::string("2.1.0")}})});
  provider.add_processor(std::make_unique<vigil::BatchSpanProcessor>(std::make_unique<vigil::OtlpHttpSpanExporter>(
      vigil::OtlpHttpOptions{.endpoint = argv[1],
                             .protocol = proto == "json" ? vigil::OtlpProtocol::kHttpJson
                                                         : vigil::OtlpProtocol::kHttpProtobuf,
                             .gzip = proto == "json"})));
  vigil::Tracer tracer = provider.tracer("vigil.interop", "0.1.0");
  auto remote = vigil::parse_traceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "vendor=abc");

  std::string ids = "{";
  auto note = [&ids](const char* name, const vigil::Span& s) {
    ids += std::string(ids.size() > 1 ? "," : "") + "\"" + name + "\":\"" + s.context().span_id.hex() + "\"";
  };
  {
    vigil::Span request = tracer.start_span("POST /predict", {.kind = vigil::SpanKind::kServer, .parent = remote});
    request.set_attribute("http.route", std::string("/predict")).set_attribute("batch.size", 8);
    note("request", request);
    vigil::Scope active(request);
    {
      vigil::Span pre = tracer.start_span("preprocess");
      pre.set_attribute("features", std::vector<std::string>{"age", "income"});
      pre.add_event("normalized", {{"rows", std::int64_t{8}}});
      note("preprocess", pre);
    }
    {
      vigil::Span inf = tracer.start_span("inference", {.kind = vigil::SpanKind::kClient});
      inf.set_attribute("model.confidence", 0.93).set_attribute("gpu", false);
      inf.add_link(*remote, {{"link.kind", std::string("batch")}});
      note("inference", inf);
    }
    {
      vigil::Span post = tracer.start_span("postprocess");
      try {
        throw std::runtime_error("label map missing class 7");
      } catch (const std::exception& e) {
        post.record_exception(e);
      }
      note("postprocess", post);
    }
  }
  bool flushed = provider.force_flush(std::chrono::seconds(10));
  std::cout << ids << ",\"trace_id\":\"4bf92f3577b34da6a3ce929d0e0e4736\"}" << std::endl;
  return flushed ? 0 : 1;
}
