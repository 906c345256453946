// Exercise 4: structured logging for an inference service. Each request
// gets a logger bound to its request_id/user_id/model_id; lines written
// inside the request's span carry its trace_id and span_id; a failed
// request logs the exception with its stack trace. JSON lines go to stdout
// (what a log shipper reads), a readable copy to stderr.
//   example_04_logging [requests]
#include <iostream>
#include <random>
#include <stdexcept>
#include <string>

#include "vigil/log.h"
#include "vigil/trace.h"

namespace {

struct Request {
  std::string id;
  std::string user;
  std::vector<double> features;
};

double run_model(const std::vector<double>& features) {
  if (features.empty()) throw std::invalid_argument("empty feature vector");
  double score = 0;
  for (double f : features) score += f;
  return 1.0 / (1.0 + std::exp(-score));
}

}  // namespace

int main(int argc, char** argv) {
  int requests = argc > 1 ? std::stoi(argv[1]) : 5;
  // Level and format can be changed with VIGIL_LOG_LEVEL / VIGIL_LOG_FORMAT.
  auto stderr_copy = vigil::stderr_sink(vigil::LogFormat::kConsole);
  vigil::LogProvider logs(vigil::log_options_from_env(
      {.sinks = {vigil::stdout_sink(vigil::LogFormat::kJson), stderr_copy}, .async = true}));
  vigil::TracerProvider traces;
  vigil::Tracer tracer = traces.tracer("example.logging");
  vigil::Logger service = logs.logger("inference").bind("model_id", "fraud-v3").bind("model_version", "3.1.0");

  std::mt19937 rng(7);
  std::normal_distribution<double> feature(0.0, 1.0);
  for (int i = 0; i < requests; ++i) {
    Request req{"req-" + std::to_string(1000 + i), "user-" + std::to_string(42 + i % 3), {}};
    // Every third request arrives without features and fails.
    if (i % 3 != 2)
      for (int k = 0; k < 4; ++k) req.features.push_back(feature(rng));

    vigil::Span span = tracer.start_span("predict", {.kind = vigil::SpanKind::kServer});
    vigil::Scope scope(span);
    vigil::Logger log = service.bind("request_id", req.id).bind("user_id", req.user);
    log.debug("request received", {{"features", req.features.size()}});
    try {
      double score = run_model(req.features);
      log.info("prediction served", {{"score", score}, {"fraud", score > 0.5}, {"latency_ms", 3.2 + i}});
    } catch (const std::exception& e) {
      span.set_status(vigil::StatusCode::kError, e.what());
      log.error("prediction failed", e, {{"stage", "inference"}});
    }
  }
  logs.flush();
  std::cerr << "logged " << requests << " requests\n";
  return 0;
}
