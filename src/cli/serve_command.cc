// `vigil serve`: for now the metrics endpoint (own + process metrics) with an
// optional simulated workload; the full collector daemon grows here (#5).
#include <iostream>
#include <memory>
#include <stdexcept>
#include <string>

#include "cli/commands.h"
#include "cli/demo_metrics.h"
#include "cli/signals.h"
#include "vigil/metrics_server.h"

namespace vigil::cli {
namespace {

struct ServeOptions {
  std::string listen = "127.0.0.1:9464";
  bool demo_metrics = false;
  double qps = 50;
  std::uint64_t seed = 1;
  double duration_s = 0;
};

std::pair<std::string, int> split_host_port(const std::string& s) {
  auto colon = s.rfind(':');
  if (colon == std::string::npos) throw std::invalid_argument("--listen must be HOST:PORT, got \"" + s + "\"");
  int port = std::stoi(s.substr(colon + 1));
  if (port < 0 || port > 65535) throw std::invalid_argument("--listen port out of range: " + s);
  return {s.substr(0, colon), port};
}

int run_serve(const ServeOptions& o) {
  block_stop_signals();
  auto [host, port] = split_host_port(o.listen);
  Registry& registry = default_registry();
  MetricsServer server(registry, {.host = host, .port = port});
  std::unique_ptr<DemoMetricsProducer> demo;
  if (o.demo_metrics) demo = std::make_unique<DemoMetricsProducer>(registry, o.qps, o.seed);
  std::cout << "vigil serve: metrics on http://" << host << ":" << server.port() << "/metrics" << std::endl;
  int sig = wait_for_stop_signal(std::chrono::milliseconds(static_cast<long>(o.duration_s * 1000)));
  std::cout << "vigil serve: stopping" << (sig ? " on signal" : " after --duration") << std::endl;
  demo.reset();
  server.stop();
  return 0;
}

}  // namespace

void add_serve_command(CLI::App& app) {
  auto opts = std::make_shared<ServeOptions>();
  CLI::App* cmd = app.add_subcommand("serve", "Run the vigil daemon (metrics endpoint; collector to come)");
  cmd->add_option("--listen", opts->listen, "HOST:PORT for HTTP (default 127.0.0.1:9464)");
  cmd->add_flag("--demo-metrics", opts->demo_metrics, "Feed a simulated inference workload into the metrics");
  cmd->add_option("--qps", opts->qps, "Simulated requests per second with --demo-metrics")->check(CLI::PositiveNumber);
  cmd->add_option("--seed", opts->seed, "Random seed of the simulation");
  cmd->add_option("--duration", opts->duration_s, "Stop after this many seconds (0 = until SIGINT/SIGTERM)")
      ->check(CLI::NonNegativeNumber);
  cmd->callback([opts] { std::exit(run_serve(*opts)); });
}

}  // namespace vigil::cli
