// `vigil demo`: the daemon (store, receivers, alerts, UI) plus a simulated
// inference service instrumented with the whole library, end to end:
// requests go preprocess -> inference -> postprocess with traces, logs and
// metrics; predictions with features go to the prediction API and their
// ground truth follows late; after a while income drifts and an error burst
// burns the SLO budget, so drift, log and SLO alerts fire. A terminal
// summary shows it live; Ctrl-C stops everything cleanly.
#include <atomic>
#include <cmath>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <iostream>
#include <memory>
#include <mutex>
#include <random>
#include <sstream>
#include <thread>

#include <httplib.h>

#include "cli/commands.h"
#include "cli/demo_metrics.h"
#include "cli/signals.h"
#include "server/daemon.h"
#include "vigil/drift_report.h"
#include "vigil/log.h"
#include "vigil/metrics.h"
#include "vigil/otlp.h"
#include "vigil/quantile_sketch.h"
#include "vigil/slo.h"
#include "vigil/trace.h"

namespace vigil::cli {
namespace {

struct DemoOptions {
  std::string listen = "127.0.0.1:4318";
  std::string data_dir = "vigil-demo-data";
  double qps = 40;
  std::uint64_t seed = 42;
  double duration_s = 0;
  double drift_at_s = 60;
  double burst_at_s = 90;
  double burst_len_s = 30;
  int window_s = 30;
  bool quiet = false;
};

struct Applicant {
  double age, income, debt_ratio;
  const char* employment;
  const char* channel;
};

// The simulated world: applicants, the model, ground truth.
class World {
 public:
  explicit World(std::uint64_t seed) : rng_(seed) {}
  Applicant draw(bool drifted) {
    static const char* kinds[] = {"salaried", "self-employed", "unemployed"};
    static const char* channels[] = {"web", "ios", "android", "partner"};
    return {age_(rng_), income_(rng_) * (drifted ? 0.55 : 1.0), std::clamp(debt_(rng_), 0.0, 1.0),
            kinds[employment_(rng_)], channels[channel_(rng_)]};
  }
  static double score(const Applicant& a) {
    return 1 / (1 + std::exp(-(2.3 * a.debt_ratio - 0.000028 * a.income + (a.employment[0] == 'u' ? 0.9 : 0.0) - 0.45)));
  }
  bool truth(const Applicant& a) {
    double risk = 2.5 * a.debt_ratio - 0.00003 * a.income + (a.employment[0] == 'u' ? 1.0 : 0.0);
    return std::bernoulli_distribution(1 / (1 + std::exp(-(risk - 0.5))))(rng_);
  }
  double stage_ms(double median, double sigma) { return std::lognormal_distribution<double>(std::log(median), sigma)(rng_); }
  bool chance(double p) { return std::bernoulli_distribution(p)(rng_); }

 private:
  std::mt19937_64 rng_;
  std::normal_distribution<double> age_{41, 11}, debt_{0.35, 0.15};
  std::lognormal_distribution<double> income_{10.6, 0.45};
  std::discrete_distribution<int> employment_{7, 2, 1};
  std::discrete_distribution<int> channel_{5, 3, 3, 1};
};

DatasetProfile training_reference(World& world) {
  std::ostringstream csv;
  csv << "age,income,debt_ratio,employment,channel\n";
  for (int i = 0; i < 20000; ++i) {
    Applicant a = world.draw(false);
    csv << a.age << ',' << a.income << ',' << a.debt_ratio << ',' << a.employment << ',' << a.channel << '\n';
  }
  return profile_table(parse_csv(csv.str(), "training.csv"));
}

int run_demo(const DemoOptions& o) {
  block_stop_signals();
  std::filesystem::create_directories(o.data_dir);
  World world(o.seed);
  // The model's reference profile, as `vigil drift --save-profile` would write it.
  std::filesystem::path reference = std::filesystem::path(o.data_dir) / "credit-reference.json";
  training_reference(world).save(reference);

  server::DaemonConfig config = server::parse_config(R"(
monitor:
  window: 30s
alert_interval: 5s
log_alerts:
  - name: InferenceErrorBurst
    query: '{service="credit-scorer", level="error"} |= "inference failed"'
    window: 1m
    threshold: 20
    severity: page
    summary: More than 20 inference failures a minute
)", "<demo>");
  auto colon = o.listen.rfind(':');
  if (colon == std::string::npos) throw std::invalid_argument("--listen must be HOST:PORT");
  config.host = o.listen.substr(0, colon);
  config.port = std::stoi(o.listen.substr(colon + 1));
  config.store.path = std::filesystem::path(o.data_dir) / "vigil.db";
  config.window = std::chrono::seconds(o.window_s);
  config.alert_interval = std::chrono::seconds(std::max(1, std::min(5, o.window_s / 2)));
  config.models.push_back({"credit", reference, ModelTask::kClassification, ""});
  Registry& registry = default_registry();
  server::Daemon daemon(config, registry);
  std::string base = "http://" + config.host + ":" + std::to_string(daemon.port());

  // The service's instrumentation: traces and logs over OTLP to the daemon,
  // metrics in the registry the daemon serves on /metrics.
  TracerProvider traces({.resource = Resource::create({{"service.name", std::string("credit-scorer")},
                                                       {"service.version", std::string("1.4.0")}})});
  traces.add_processor(std::make_unique<BatchSpanProcessor>(
      std::make_unique<OtlpHttpSpanExporter>(OtlpHttpOptions{.endpoint = base + "/v1/traces"}),
      BatchSpanProcessorOptions{.schedule_delay = std::chrono::milliseconds(500), .registry = &registry}));
  Tracer tracer = traces.tracer("credit-scorer", "1.4.0");
  LogProvider logs({.sinks = {otlp_log_sink({.http = {.endpoint = base + "/v1/logs"},
                                             .schedule_delay = std::chrono::milliseconds(500),
                                             .resource = Resource::create({{"service.name", std::string("credit-scorer")}}),
                                             .registry = &registry})},
                    .level = Level::kInfo,
                    .async = true,
                    .sampling = LogSampling{.first = 50, .thereafter = 10},
                    .registry = &registry});
  Logger log = logs.logger("credit.api").bind("model_id", "credit").bind("model_version", "1.4");
  auto [requests, latency] = service_metric_families(registry);
  Counter& ok_count = requests.labels({"credit", "1.4", "ok"});
  Counter& err_count = requests.labels({"credit", "1.4", "error"});
  Histogram& lat = latency.labels({"credit", "1.4"});
  SloMonitor slo({.name = "credit-availability", .objective = 0.99, .period = std::chrono::hours(1),
                  .resolution = std::chrono::seconds(10), .registry = &registry});

  httplib::Client api(config.host, daemon.port());
  api.set_keep_alive(true);
  api.set_tcp_nodelay(true);
  std::string pending_predictions;
  std::deque<std::pair<std::chrono::steady_clock::time_point, std::string>> pending_labels;
  std::size_t served = 0, failed = 0;
  QuantileSketch recent_latency;  // since the last summary line

  std::cout << "vigil demo: UI and API on " << base << "   (Ctrl-C stops)\n"
            << "  traces:  " << base << "/api/v1/traces?service=credit-scorer\n"
            << "  logs:    " << base << "/api/v1/logs?query=%7Bservice%3D%22credit-scorer%22%7D\n"
            << "  drift:   " << base << "/api/v1/models/credit/drift\n"
            << "  alerts:  " << base << "/api/v1/alerts     metrics: " << base << "/metrics\n"
            << "  income drifts at " << o.drift_at_s << " s; an error burst runs from " << o.burst_at_s << " s for "
            << o.burst_len_s << " s\n"
            << std::flush;

  auto start = std::chrono::steady_clock::now();
  auto next_summary = start + std::chrono::seconds(2);
  auto next_flush = start + std::chrono::seconds(1);
  std::uint64_t n = 0;
  const auto interval = std::chrono::duration<double>(1.0 / o.qps);
  int sig = 0;
  while (true) {
    auto now = std::chrono::steady_clock::now();
    double t = std::chrono::duration<double>(now - start).count();
    if (o.duration_s > 0 && t >= o.duration_s) break;
    if ((sig = poll_stop_signal()) != 0) break;
    bool drifted = t >= o.drift_at_s;
    bool burst = t >= o.burst_at_s && t < o.burst_at_s + o.burst_len_s;

    // One request through the pipeline.
    Applicant a = world.draw(drifted);
    std::string id = "req-" + std::to_string(++n);
    // Simulated stage times become the spans' timestamps, so the waterfall
    // shows the service's latency, not the simulator's.
    const std::uint64_t t_ns = unix_nanos();
    const double pre_ms = world.stage_ms(2, 0.3), inf_ms = world.stage_ms(burst ? 45 : 14, 0.4),
                 post_ms = world.stage_ms(3, 0.3);
    auto at = [t_ns](double ms) { return t_ns + static_cast<std::uint64_t>(ms * 1e6); };
    Span request = tracer.start_span("POST /score", {.kind = SpanKind::kServer, .start_unix_nano = t_ns});
    request.set_attribute("http.route", std::string("/score")).set_attribute("request.id", id);
    bool error = false;
    double total_ms = 0;
    {
      Scope scope(request);
      Logger rlog = log.bind("request_id", id).bind("channel", a.channel);
      tracer.start_span("preprocess", {.start_unix_nano = t_ns}).end(at(pre_ms));
      total_ms = pre_ms;
      {
        Span inf = tracer.start_span("inference", {.kind = SpanKind::kClient, .start_unix_nano = at(total_ms)});
        inf.set_attribute("model.name", std::string("credit")).set_attribute("batch.size", 1);
        total_ms += inf_ms;
        if (world.chance(burst ? 0.25 : 0.004)) {
          error = true;
          try {
            throw std::runtime_error(burst ? "GPU out of memory" : "feature store timeout");
          } catch (const std::exception& e) {
            inf.record_exception(e);
            inf.set_status(StatusCode::kError, e.what());
            rlog.error("inference failed", e, {{"stage", "inference"}});
          }
        }
        inf.end(at(total_ms));
      }
      if (!error) {
        tracer.start_span("postprocess", {.start_unix_nano = at(total_ms)}).end(at(total_ms + post_ms));
        total_ms += post_ms;
      }
      double p = World::score(a);
      if (!error) rlog.info("prediction served", {{"score", p}, {"latency_ms", total_ms}});
      // The prediction event (batched to the API once a second).
      char line[512];
      if (error)
        std::snprintf(line, sizeof line,
                      "{\"model\":\"credit\",\"version\":\"1.4\",\"request_id\":\"%s\",\"error\":\"inference\","
                      "\"latency_ms\":%.2f}\n",
                      id.c_str(), total_ms);
      else
        std::snprintf(line, sizeof line,
                      "{\"model\":\"credit\",\"version\":\"1.4\",\"request_id\":\"%s\",\"features\":{\"age\":%.1f,"
                      "\"income\":%.0f,\"debt_ratio\":%.3f,\"employment\":\"%s\",\"channel\":\"%s\"},"
                      "\"prediction\":\"%s\",\"confidence\":%.3f,\"latency_ms\":%.2f}\n",
                      id.c_str(), a.age, a.income, a.debt_ratio, a.employment, a.channel, p > 0.5 ? "default" : "repay",
                      p > 0.5 ? p : 1 - p, total_ms);
      pending_predictions += line;
      if (!error)
        pending_labels.emplace_back(now + std::chrono::seconds(15),
                                    "{\"model\":\"credit\",\"request_id\":\"" + id + "\",\"label\":\"" +
                                        (world.truth(a) ? "default" : "repay") + "\"}\n");
    }
    if (error) request.set_status(StatusCode::kError, "inference failed");
    request.end(at(total_ms));
    (error ? err_count : ok_count).inc();
    lat.observe(total_ms / 1000);
    recent_latency.add(total_ms);
    slo.record_request(!error, total_ms / 1000);
    ++served;
    failed += error;

    if (now >= next_flush) {
      next_flush = now + std::chrono::seconds(1);
      if (!pending_predictions.empty()) api.Post("/api/v1/predictions", pending_predictions, "application/x-ndjson");
      pending_predictions.clear();
      std::string labels;
      while (!pending_labels.empty() && pending_labels.front().first <= now) {
        labels += pending_labels.front().second;
        pending_labels.pop_front();
      }
      if (!labels.empty()) api.Post("/api/v1/labels", labels, "application/x-ndjson");
    }
    if (!o.quiet && now >= next_summary) {
      next_summary = now + std::chrono::seconds(2);
      SloStatus st = slo.status();
      std::string drift = "-", alerts;
      if (auto res = api.Get("/api/v1/alerts")) {
        auto pos = std::string::npos;
        for (const char* name : {"FeatureDriftDetected", "ModelDriftDetected", "DataQualityBreach", "InferenceErrorBurst"}) {
          pos = res->body.find(std::string("\"name\":\"") + name);
          if (pos != std::string::npos) {
            auto state = res->body.find("\"state\":\"firing\"", pos);
            auto next = res->body.find("{\"", pos + 1);
            if (state != std::string::npos && (next == std::string::npos || state < next)) alerts += std::string(" ") + name;
          }
        }
      }
      if (auto res = api.Get("/api/v1/models/credit/drift?limit=1"); res && res->body.find("window_start_ns") != std::string::npos)
        drift = alerts.find("FeatureDriftDetected") != std::string::npos ? "DRIFT" : "ok";
      std::printf("t=%4.0fs  requests %6zu  errors %5.2f%%  p99 %6.1f ms  drift %-5s  SLO budget %6.1f%%%s%s\n", t,
                  served, served ? 100.0 * static_cast<double>(failed) / static_cast<double>(served) : 0.0,
                  recent_latency.count() ? recent_latency.quantile(0.99) : 0.0, drift.c_str(), 100 * st.budget_remaining,
                  st.page() ? "  SLO-PAGE" : (st.ticket() ? "  SLO-TICKET" : ""),
                  alerts.empty() ? "" : ("  alerts:" + alerts).c_str());
      std::fflush(stdout);
      recent_latency.clear();
    }
    std::this_thread::sleep_until(now + std::chrono::duration_cast<std::chrono::steady_clock::duration>(interval));
  }
  std::cout << "vigil demo: stopping" << (sig ? " on signal" : " after --duration") << std::endl;
  if (!pending_predictions.empty()) api.Post("/api/v1/predictions", pending_predictions, "application/x-ndjson");
  traces.force_flush(std::chrono::seconds(5));
  logs.flush();
  daemon.stop();
  std::cout << "vigil demo: served " << served << " requests (" << failed << " failed); data kept in " << o.data_dir
            << std::endl;
  return 0;
}

}  // namespace

void add_demo_command(CLI::App& app) {
  auto o = std::make_shared<DemoOptions>();
  CLI::App* cmd = app.add_subcommand(
      "demo", "Run the daemon with a simulated, fully instrumented ML service: traces, logs, metrics, drift, SLO alerts");
  cmd->add_option("--listen", o->listen, "HOST:PORT of the daemon (default 127.0.0.1:4318)");
  cmd->add_option("--data", o->data_dir, "Directory for the store and the reference profile");
  cmd->add_option("--qps", o->qps, "Simulated requests per second")->check(CLI::Range(1.0, 5000.0));
  cmd->add_option("--seed", o->seed, "Random seed of the simulation");
  cmd->add_option("--duration", o->duration_s, "Stop after this many seconds (0 = until Ctrl-C)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--drift-at", o->drift_at_s, "Seconds until the income feature drifts");
  cmd->add_option("--burst-at", o->burst_at_s, "Seconds until the error burst");
  cmd->add_option("--burst-length", o->burst_len_s, "Length of the error burst in seconds");
  cmd->add_option("--window", o->window_s, "Drift evaluation window in seconds")->check(CLI::Range(2, 3600));
  cmd->add_flag("--quiet", o->quiet, "No live terminal summary");
  cmd->callback([o] { std::exit(run_demo(*o)); });
}

}  // namespace vigil::cli
