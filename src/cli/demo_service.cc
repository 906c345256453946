#include "cli/demo_service.h"

#include <nlohmann/json.hpp>


namespace vigil::cli {
namespace {

using nlohmann::json;

Resource service_resource(const char* name) {
  return Resource::create({{"service.name", std::string(name)}, {"service.version", std::string("1.4.0")}});
}

std::string base_url(const std::string& host, int port) { return "http://" + host + ":" + std::to_string(port); }

}  // namespace

DemoService::DemoService(const std::string& host, int port, Registry& registry)
    : traces_({.resource = service_resource("credit-scorer")}),
      tracer_(traces_.tracer("credit-scorer", "1.4.0")),
      model_server_traces_({.resource = service_resource("credit-model-server")}),
      model_server_(model_server_traces_.tracer("credit-model-server", "1.4.0")),
      logs_({.sinks = {otlp_log_sink({.http = {.endpoint = base_url(host, port) + "/v1/logs"},
                                      .schedule_delay = std::chrono::milliseconds(500),
                                      .resource = Resource::create({{"service.name", std::string("credit-scorer")}}),
                                      .registry = &registry})},
             .level = Level::kInfo,
             .async = true,
             .sampling = LogSampling{.first = 50, .thereafter = 10},
             .registry = &registry}),
      log_(logs_.logger("credit.api").bind("model_id", "credit").bind("model_version", "1.4")),
      families_(service_metric_families(registry)),
      ok_(families_.requests.labels({"credit", "1.4", "ok"})),
      failed_(families_.requests.labels({"credit", "1.4", "error"})),
      latency_(families_.latency.labels({"credit", "1.4"})),
      slo_({.name = "credit-availability", .objective = 0.99, .period = std::chrono::hours(1),
            .resolution = std::chrono::seconds(10), .registry = &registry}),
      api_(host, port) {
  for (TracerProvider* provider : {&traces_, &model_server_traces_})
    provider->add_processor(std::make_unique<BatchSpanProcessor>(
        std::make_unique<OtlpHttpSpanExporter>(OtlpHttpOptions{.endpoint = base_url(host, port) + "/v1/traces"}),
        BatchSpanProcessorOptions{.schedule_delay = std::chrono::milliseconds(500), .registry = &registry}));
  api_.set_keep_alive(true);
  api_.set_tcp_nodelay(true);
}

RequestOutcome DemoService::serve(World& world, const Applicant& a, bool burst) {
  std::string id = "req-" + std::to_string(++requests_);
  // Simulated stage times become the spans' timestamps, so the waterfall
  // shows the service's latency, not the simulator's.
  const std::uint64_t t_ns = unix_nanos();
  const double pre_ms = world.stage_ms(2, 0.3), inf_ms = world.stage_ms(burst ? 45 : 14, 0.4),
               post_ms = world.stage_ms(3, 0.3);
  auto at = [t_ns](double ms) { return t_ns + static_cast<std::uint64_t>(ms * 1e6); };
  Span request = tracer_.start_span("POST /score", {.kind = SpanKind::kServer, .start_unix_nano = t_ns});
  request.set_attribute("http.route", std::string("/score")).set_attribute("request.id", id);
  RequestOutcome out;
  {
    Scope scope(request);
    Logger rlog = log_.bind("request_id", id).bind("channel", a.channel);
    tracer_.start_span("preprocess", {.start_unix_nano = t_ns}).end(at(pre_ms));
    out.latency_ms = pre_ms;
    {
      Span inf = tracer_.start_span("inference", {.kind = SpanKind::kClient, .start_unix_nano = at(out.latency_ms)});
      inf.set_attribute("model.name", std::string("credit")).set_attribute("batch.size", 1);
      {  // the model server's side of the call: a second service in the trace (and the service graph)
        Scope call(inf);
        model_server_.start_span("predict", {.kind = SpanKind::kServer, .start_unix_nano = at(out.latency_ms + 0.2)})
            .end(at(out.latency_ms + inf_ms - 0.2));
      }
      out.latency_ms += inf_ms;
      if (world.chance(burst ? 0.25 : 0.004)) {
        out.error = true;
        try {
          throw std::runtime_error(burst ? "GPU out of memory" : "feature store timeout");
        } catch (const std::exception& e) {
          inf.record_exception(e);
          inf.set_status(StatusCode::kError, e.what());
          rlog.error("inference failed", e, {{"stage", "inference"}});
        }
      }
      inf.end(at(out.latency_ms));
    }
    if (!out.error) {
      tracer_.start_span("postprocess", {.start_unix_nano = at(out.latency_ms)}).end(at(out.latency_ms + post_ms));
      out.latency_ms += post_ms;
      rlog.info("prediction served", {{"score", World::score(a)}, {"latency_ms", out.latency_ms}});
    }
    queue_prediction(id, a, out);
    if (!out.error) queue_label(world, id, a);
    // Inside the request's scope, so the histogram's exemplar carries its
    // trace id: a latency spike in Grafana links to the trace behind it.
    (out.error ? failed_ : ok_).inc();
    latency_.observe(out.latency_ms / 1000);
  }
  if (out.error) request.set_status(StatusCode::kError, "inference failed");
  request.end(at(out.latency_ms));
  slo_.record_request(!out.error, out.latency_ms / 1000);
  return out;
}

void DemoService::queue_prediction(const std::string& id, const Applicant& a, const RequestOutcome& outcome) {
  json event = {{"model", "credit"}, {"version", "1.4"}, {"request_id", id}, {"latency_ms", outcome.latency_ms}};
  if (outcome.error) {
    event["error"] = "inference";
  } else {
    double p = World::score(a);
    event["features"] = {{"age", a.age}, {"income", a.income}, {"debt_ratio", a.debt_ratio},
                         {"employment", a.employment}, {"channel", a.channel}};
    event["prediction"] = p > 0.5 ? "default" : "repay";
    event["confidence"] = p > 0.5 ? p : 1 - p;
  }
  predictions_ += event.dump() + "\n";
}

void DemoService::queue_label(World& world, const std::string& id, const Applicant& a) {
  json label = {{"model", "credit"}, {"request_id", id}, {"label", world.defaulted(a) ? "default" : "repay"}};
  labels_.emplace_back(std::chrono::steady_clock::now() + std::chrono::seconds(15), label.dump() + "\n");
}

void DemoService::send_events(std::chrono::steady_clock::time_point now) {
  if (!predictions_.empty()) api_.Post("/api/v1/predictions", predictions_, "application/x-ndjson");
  predictions_.clear();
  std::string due;
  while (!labels_.empty() && labels_.front().first <= now) {
    due += labels_.front().second;
    labels_.pop_front();
  }
  if (!due.empty()) api_.Post("/api/v1/labels", due, "application/x-ndjson");
}

void DemoService::flush() {
  if (!predictions_.empty()) api_.Post("/api/v1/predictions", predictions_, "application/x-ndjson");
  predictions_.clear();
  traces_.force_flush(std::chrono::seconds(5));
  model_server_traces_.force_flush(std::chrono::seconds(5));
  logs_.flush();
}

}  // namespace vigil::cli
