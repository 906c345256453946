// `vigil demo`: the daemon (store, receivers, alerts, UI) plus a simulated
// inference service instrumented with the whole library, end to end
// (demo_service.h): after a while income drifts and an error burst burns
// the SLO budget, so drift, log and SLO alerts fire. A terminal line shows
// it live; Ctrl-C stops everything cleanly.
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <thread>

#include "cli/commands.h"
#include "cli/demo_service.h"
#include "cli/signals.h"
#include "server/daemon.h"
#include "vigil/quantile_sketch.h"

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
  int history_resolution_s = 15;
  bool quiet = false;
};

// The daemon's configuration: the credit model with its reference, and a
// log alert on inference failures.
server::DaemonConfig demo_config(const DemoOptions& o, const std::filesystem::path& reference) {
  server::DaemonConfig config = server::parse_config(R"(
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
  config.grpc_port = -1;  // the demo's traffic is OTLP/HTTP; 4317 stays free
  config.store.path = std::filesystem::path(o.data_dir) / "vigil.db";
  config.window = std::chrono::seconds(o.window_s);
  // Windows start at multiples of their length, so the first one after the
  // demo starts is partial: judged on a few hundred rows it can flag drift
  // by noise before any is injected. Half a full window's traffic is enough.
  config.min_window_rows = static_cast<std::size_t>(std::max(1.0, o.qps * o.window_s / 2));
  config.history_resolution = std::chrono::seconds(o.history_resolution_s);
  config.alert_interval = std::chrono::seconds(std::max(1, std::min(5, o.window_s / 2)));
  config.models.push_back({.name = "credit", .reference = reference});
  return config;
}

void print_urls(const std::string& base, const DemoOptions& o) {
  std::cout << "vigil demo: UI and API on " << base << "   (Ctrl-C stops)\n"
            << "  traces:  " << base << "/api/v1/traces?service=credit-scorer\n"
            << "  logs:    " << base << "/api/v1/logs?query=%7Bservice%3D%22credit-scorer%22%7D\n"
            << "  drift:   " << base << "/api/v1/models/credit/drift\n"
            << "  alerts:  " << base << "/api/v1/alerts     metrics: " << base << "/metrics\n"
            << "  income drifts at " << o.drift_at_s << " s; an error burst runs from " << o.burst_at_s << " s for "
            << o.burst_len_s << " s\n"
            << std::flush;
}

// The demo's alerts that fire now, read from the daemon's alert API.
std::string firing_alerts(httplib::Client& api) {
  std::string out;
  auto res = api.Get("/api/v1/alerts");
  if (!res || res->status != 200) return out;
  nlohmann::json body = nlohmann::json::parse(res->body, nullptr, false);
  if (body.is_discarded()) return out;
  for (const char* name : {"FeatureDriftDetected", "ModelDriftDetected", "DataQualityBreach", "InferenceErrorBurst"})
    for (const auto& a : body.value("alerts", nlohmann::json::array()))
      if (a.value("name", "") == name && a.value("state", "") == "firing") {
        out += std::string(" ") + name;
        break;
      }
  return out;
}

// Whether the daemon has evaluated a window of the model yet.
bool has_evaluation(httplib::Client& api) {
  auto res = api.Get("/api/v1/models/credit/drift?limit=1");
  if (!res || res->status != 200) return false;
  nlohmann::json body = nlohmann::json::parse(res->body, nullptr, false);
  return !body.is_discarded() && !body.value("evaluations", nlohmann::json::array()).empty();
}

// Requests served and failed in all, and the errors and latency since the
// last line (a cumulative error share would hide a burst's end for minutes).
struct Tally {
  std::size_t served = 0, failed = 0;
  std::size_t recent_served = 0, recent_failed = 0;
  QuantileSketch recent_latency;
  void add(const RequestOutcome& r) {
    ++served;
    failed += r.error;
    ++recent_served;
    recent_failed += r.error;
    recent_latency.add(r.latency_ms);
  }
  void start_interval() {
    recent_served = recent_failed = 0;
    recent_latency.clear();
  }
};

void print_live_line(double t, Tally& tally, DemoService& service) {
  SloStatus st = service.slo().status();
  std::string alerts = firing_alerts(service.api());
  std::string drift = !has_evaluation(service.api()) ? "-"
                      : alerts.find("FeatureDriftDetected") != std::string::npos ? "DRIFT" : "ok";
  double error_pct = tally.recent_served ? 100.0 * static_cast<double>(tally.recent_failed) /
                                                static_cast<double>(tally.recent_served)
                                          : 0.0;
  std::printf("t=%4.0fs  requests %6zu  errors(2s) %5.2f%%  p99(2s) %6.1f ms  drift %-5s  SLO budget %6.1f%%%s%s\n", t,
              tally.served, error_pct, tally.recent_latency.count() ? tally.recent_latency.quantile(0.99) : 0.0,
              drift.c_str(), 100 * st.budget_remaining, st.page() ? "  SLO-PAGE" : (st.ticket() ? "  SLO-TICKET" : ""),
              alerts.empty() ? "" : ("  alerts:" + alerts).c_str());
  std::fflush(stdout);
  tally.start_interval();
}

// Runs the simulated service at o.qps until --duration or a stop signal;
// returns the signal (0 = duration).
int run_traffic(const DemoOptions& o, World& world, DemoService& service, Tally& tally) {
  const auto start = std::chrono::steady_clock::now();
  const auto interval = std::chrono::duration_cast<std::chrono::steady_clock::duration>(
      std::chrono::duration<double>(1.0 / o.qps));
  auto next_summary = start + std::chrono::seconds(2), next_send = start + std::chrono::seconds(1);
  while (true) {
    auto now = std::chrono::steady_clock::now();
    double t = std::chrono::duration<double>(now - start).count();
    if (o.duration_s > 0 && t >= o.duration_s) return 0;
    if (int sig = poll_stop_signal()) return sig;
    bool burst = t >= o.burst_at_s && t < o.burst_at_s + o.burst_len_s;
    tally.add(service.serve(world, world.draw(t >= o.drift_at_s), burst));
    if (now >= next_send) {
      next_send = now + std::chrono::seconds(1);
      service.send_events(now);
    }
    if (!o.quiet && now >= next_summary) {
      next_summary = now + std::chrono::seconds(2);
      print_live_line(t, tally, service);
    }
    std::this_thread::sleep_until(now + interval);
  }
}

int run_demo(const DemoOptions& o) {
  block_stop_signals();
  std::filesystem::create_directories(o.data_dir);
  World world(o.seed);
  // The model's reference profile, as `vigil drift --save-profile` would write it.
  std::filesystem::path reference = std::filesystem::path(o.data_dir) / "credit-reference.json";
  world.training_reference().save(reference);
  server::DaemonConfig config = demo_config(o, reference);
  Registry& registry = default_registry();
  server::Daemon daemon(config, registry);
  print_urls("http://" + config.host + ":" + std::to_string(daemon.port()), o);

  DemoService service(config.host, daemon.port(), registry);
  Tally tally;
  int sig = run_traffic(o, world, service, tally);
  std::cout << "vigil demo: stopping" << (sig ? " on signal" : " after --duration") << std::endl;
  service.flush();
  daemon.stop();
  std::cout << "vigil demo: served " << tally.served << " requests (" << tally.failed << " failed); data kept in "
            << o.data_dir << std::endl;
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
  cmd->add_option("--history-resolution", o->history_resolution_s, "Seconds between samples of the UI's history")
      ->check(CLI::Range(1, 3600));
  cmd->callback([o] { std::exit(run_demo(*o)); });
}

}  // namespace vigil::cli
