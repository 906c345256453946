// Sends a few log records through vigil's OTLP/HTTP log sink, one inside a
// span and one with an exception, then prints the span's ids as JSON for
// otlp_logs_interop_test.py to compare with what the receiver decoded.
//   log_emitter <endpoint> <protobuf|json>
#include <iostream>
#include <stdexcept>
#include <string>

#include "vigil/log.h"
#include "vigil/otlp.h"
#include "vigil/trace.h"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: log_emitter <endpoint> <protobuf|json>\n";
    return 2;
  }
  std::string proto = argv[2];
  vigil::TracerProvider traces;
  vigil::Tracer tracer = traces.tracer("emitter");
  std::string trace_id, span_id;
  {
    vigil::LogProvider logs({.sinks = {vigil::otlp_log_sink(
                                 {.http = {.endpoint = argv[1],
                                           .protocol = proto == "json" ? vigil::OtlpProtocol::kHttpJson
                                                                       : vigil::OtlpProtocol::kHttpProtobuf,
                                           .gzip = proto == "json"},
                                  .resource = vigil::Resource::create({{"service.name", std::string("ranker")}})})},
                             .level = vigil::Level::kDebug,
                             .async = true});
    vigil::Logger log = logs.logger("ranker.api").bind("model_id", "resnet-v2");
    log.debug("warming up", {{"batch", 32}});
    {
      vigil::Span span = tracer.start_span("predict");
      vigil::Scope scope(span);
      trace_id = span.context().trace_id.hex();
      span_id = span.context().span_id.hex();
      log.info("prediction served", {{"latency_ms", 12.5}, {"cached", true}, {"user_id", "u-42"}});
    }
    try {
      throw std::out_of_range("class index 7");
    } catch (const std::exception& e) {
      log.error("postprocess failed", e);
    }
    logs.flush();
  }
  std::cout << "{\"trace_id\":\"" << trace_id << "\",\"span_id\":\"" << span_id << "\"}" << std::endl;
  return 0;
}
