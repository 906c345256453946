// `vigil serve`: the collector daemon (OTLP and prediction receivers,
// embedded store, query API, alerts, metrics), configured by YAML with
// command-line overrides, optionally fed a simulated workload.
#include <sys/resource.h>

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
  std::string grpc_listen;
  std::string data_dir;
  bool demo_metrics = false;
  double qps = 50;
  std::uint64_t seed = 1;
  double duration_s = 0;
};

int parse_port(const std::string& text, const char* option) {
  int port = -1;
  try {
    port = std::stoi(text);
  } catch (const std::exception&) {
    throw std::invalid_argument(std::string(option) + " port is not a number: \"" + text + "\"");
  }
  if (port < 0 || port > 65535) throw std::invalid_argument(std::string(option) + " port out of range: " + text);
  return port;
}

// Each connection is a file descriptor: the soft limit (often 1024) would
// cap the daemon far below http.max_connections, so it is raised to the
// hard limit the system allows.
void raise_open_file_limit(std::size_t max_connections) {
  rlimit lim{};
  if (getrlimit(RLIMIT_NOFILE, &lim) != 0) return;
  if (lim.rlim_cur < lim.rlim_max) {
    lim.rlim_cur = lim.rlim_max;
    (void)setrlimit(RLIMIT_NOFILE, &lim);
  }
  if (lim.rlim_cur < max_connections + 256)
    std::cerr << "vigil serve: warning: the open-file limit (" << lim.rlim_cur << ") is below http.max_connections ("
              << max_connections << ") plus the store's files; raise it (ulimit -n, LimitNOFILE=) or lower the cap"
              << std::endl;
}

int run_serve(const ServeOptions& o) {
  block_stop_signals();
  server::DaemonConfig config = o.config.empty() ? server::parse_config("", "<defaults>") : server::load_config(o.config);
  if (!o.listen.empty()) {
    auto colon = o.listen.rfind(':');
    if (colon == std::string::npos) throw std::invalid_argument("--listen must be HOST:PORT, got \"" + o.listen + "\"");
    config.host = o.listen.substr(0, colon);
    config.port = parse_port(o.listen.substr(colon + 1), "--listen");
  }
  if (o.grpc_listen == "off") {
    config.grpc_port = -1;
  } else if (!o.grpc_listen.empty()) {
    auto colon = o.grpc_listen.rfind(':');
    if (colon == std::string::npos) throw std::invalid_argument("--grpc-listen must be HOST:PORT or off");
    config.grpc_host = o.grpc_listen.substr(0, colon);
    config.grpc_port = parse_port(o.grpc_listen.substr(colon + 1), "--grpc-listen");
  }
  raise_open_file_limit(config.http.max_connections);
  if (!o.data_dir.empty()) config.store.path = std::filesystem::path(o.data_dir) / "vigil.db";
  Registry& registry = default_registry();
  server::Daemon daemon(config, registry);
  std::unique_ptr<DemoMetricsProducer> demo;
  if (o.demo_metrics) demo = std::make_unique<DemoMetricsProducer>(registry, o.qps, o.seed);
  std::string base = "http://" + config.host + ":" + std::to_string(daemon.port());
  std::cout << "vigil serve: listening on " << base << " (OTLP /v1/traces /v1/logs, /api/v1/..., metrics on "
            << base << "/metrics)" << std::endl;
  if (daemon.grpc_port() >= 0)
    std::cout << "vigil serve: OTLP/gRPC on " << config.grpc_host << ":" << daemon.grpc_port() << std::endl;
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
  cmd->add_option("--grpc-listen", opts->grpc_listen, "HOST:PORT for OTLP/gRPC, or off (default 127.0.0.1:4317)");
  cmd->add_option("--data", opts->data_dir, "Directory of the store (default ./vigil-data)");
  cmd->add_flag("--demo-metrics", opts->demo_metrics, "Feed a simulated inference workload into the metrics");
  cmd->add_option("--qps", opts->qps, "Simulated requests per second with --demo-metrics")->check(CLI::PositiveNumber);
  cmd->add_option("--seed", opts->seed, "Random seed of the simulation");
  cmd->add_option("--duration", opts->duration_s, "Stop after this many seconds (0 = until SIGINT/SIGTERM)")
      ->check(CLI::NonNegativeNumber);
  cmd->callback([opts] { std::exit(run_serve(*opts)); });
}

}  // namespace vigil::cli
