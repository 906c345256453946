// `vigil serve`: the collector daemon (OTLP and prediction receivers,
// embedded store, query API, alerts, metrics), configured by YAML with
// command-line overrides, optionally fed a simulated workload.
#include <iostream>
#include <memory>
#include <stdexcept>
#include <string>

#include "cli/commands.h"
#include "cli/demo_metrics.h"
#include "cli/signals.h"
#include "server/config.h"
#include "server/daemon.h"
#include "vigil/metrics.h"

namespace vigil::cli {
namespace {

struct ServeOptions {
  std::string config;
  std::string listen;
  std::string data_dir;
  bool demo_metrics = false;
  double qps = 50;
  std::uint64_t seed = 1;
  double duration_s = 0;
};

int run_serve(const ServeOptions& o) {
  block_stop_signals();
  server::DaemonConfig config = o.config.empty() ? server::parse_config("", "<defaults>") : server::load_config(o.config);
  if (!o.listen.empty()) {
    auto colon = o.listen.rfind(':');
    if (colon == std::string::npos) throw std::invalid_argument("--listen must be HOST:PORT, got \"" + o.listen + "\"");
    config.host = o.listen.substr(0, colon);
    try {
      config.port = std::stoi(o.listen.substr(colon + 1));
    } catch (const std::exception&) {
      throw std::invalid_argument("--listen port is not a number: \"" + o.listen + "\"");
    }
    if (config.port < 0 || config.port > 65535) throw std::invalid_argument("--listen port out of range: " + o.listen);
  }
  if (!o.data_dir.empty()) config.store.path = std::filesystem::path(o.data_dir) / "vigil.db";
  Registry& registry = default_registry();
  server::Daemon daemon(config, registry);
  std::unique_ptr<DemoMetricsProducer> demo;
  if (o.demo_metrics) demo = std::make_unique<DemoMetricsProducer>(registry, o.qps, o.seed);
  std::string base = "http://" + config.host + ":" + std::to_string(daemon.port());
  std::cout << "vigil serve: listening on " << base << " (OTLP /v1/traces /v1/logs, /api/v1/..., metrics on "
            << base << "/metrics)" << std::endl;
  std::cout << "vigil serve: store " << config.store.path.string() << std::endl;
  int sig = wait_for_stop_signal(std::chrono::milliseconds(static_cast<long>(o.duration_s * 1000)));
  std::cout << "vigil serve: stopping" << (sig ? " on signal" : " after --duration") << std::endl;
  demo.reset();
  daemon.stop();
  std::cout << "vigil serve: stopped; everything accepted is stored" << std::endl;
  return 0;
}

}  // namespace

void add_serve_command(CLI::App& app) {
  auto opts = std::make_shared<ServeOptions>();
  CLI::App* cmd = app.add_subcommand("serve", "Run the vigil daemon: OTLP and prediction receivers, store, query API, alerts");
  cmd->add_option("-c,--config", opts->config, "YAML configuration (every option has a default)");
  cmd->add_option("--listen", opts->listen, "HOST:PORT to listen on (default 127.0.0.1:4318)");
  cmd->add_option("--data", opts->data_dir, "Directory of the store (default ./vigil-data)");
  cmd->add_flag("--demo-metrics", opts->demo_metrics, "Feed a simulated inference workload into the metrics");
  cmd->add_option("--qps", opts->qps, "Simulated requests per second with --demo-metrics")->check(CLI::PositiveNumber);
  cmd->add_option("--seed", opts->seed, "Random seed of the simulation");
  cmd->add_option("--duration", opts->duration_s, "Stop after this many seconds (0 = until SIGINT/SIGTERM)")
      ->check(CLI::NonNegativeNumber);
  cmd->callback([opts] { std::exit(run_serve(*opts)); });
}

}  // namespace vigil::cli
