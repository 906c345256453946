// `vigil demo`'s simulated credit-scoring service, instrumented with the
// whole library: each request is a trace (preprocess -> inference ->
// postprocess), logs with the trace's ids, service metrics, an SLO, and a
// prediction event for the daemon's model monitor, whose ground truth
// follows 15 s later.
#pragma once

#include <httplib.h>

#include <chrono>
#include <deque>
#include <string>

#include "cli/demo_metrics.h"
#include "cli/demo_world.h"
#include "vigil/log.h"
#include "vigil/metrics.h"
#include "vigil/otlp.h"
#include "vigil/slo.h"
#include "vigil/trace.h"

namespace vigil::cli {

struct RequestOutcome {
  bool error = false;
  double latency_ms = 0;
};

class DemoService {
 public:
  // Exports traces and logs over OTLP/HTTP to the daemon at host:port;
  // metrics go to `registry` (which the daemon serves).
  DemoService(const std::string& host, int port, Registry& registry);

  // Serves one simulated request; `burst` raises the error rate and latency.
  RequestOutcome serve(World& world, const Applicant& applicant, bool burst);
  // Posts the batched prediction events, and the labels that are due.
  void send_events(std::chrono::steady_clock::time_point now);
  // Sends what is still buffered (traces, logs, predictions).
  void flush();

  const SloMonitor& slo() const { return slo_; }
  httplib::Client& api() { return api_; }

 private:
  void queue_prediction(const std::string& id, const Applicant& a, const RequestOutcome& outcome);
  void queue_label(World& world, const std::string& id, const Applicant& a);

  TracerProvider traces_;
  Tracer tracer_;
  TracerProvider model_server_traces_;  // a second service, called by the inference span
  Tracer model_server_;
  LogProvider logs_;
  Logger log_;
  ServiceMetricFamilies families_;
  Counter& ok_;
  Counter& failed_;
  Histogram& latency_;
  SloMonitor slo_;
  httplib::Client api_;
  std::string predictions_;  // NDJSON, posted once a second
  std::deque<std::pair<std::chrono::steady_clock::time_point, std::string>> labels_;  // (due, NDJSON line)
  std::uint64_t requests_ = 0;
};

}  // namespace vigil::cli
