// Serves metrics with values known in advance, for the real-Prometheus test:
//   fixture_requests_total{model="ranker"}  42
//   fixture_queue_depth                     3.5
//   fixture_latency_seconds  100 observations: 10 in (0,0.1], 40 in (0.1,0.2],
//                            40 in (0.2,0.4], 10 in (0.4,0.8]
// so histogram_quantile(0.5) = 0.2 + (50-50)/40*0.2 = 0.2 and
//    histogram_quantile(0.9) = 0.2 + (90-50)/40*0.2 = 0.4.
#include <sys/resource.h>

#include <iostream>
#include <string>

#include "vigil/metrics_server.h"

int main(int argc, char** argv) {
  int port = argc > 1 ? std::stoi(argv[1]) : 0;
  vigil::Registry registry;
  registry.register_collector(vigil::make_process_collector());
  registry.counter({.name = "fixture_requests_total", .help = "Requests.", .labels = {"model"}})
      .labels({"ranker"})
      .inc(42);
  registry.gauge({.name = "fixture_queue_depth", .help = "Queue depth."}).labels({}).set(3.5);
  auto& h = registry
                .histogram({.name = "fixture_latency_seconds", .help = "Latency.", .unit = "seconds",
                            .buckets = {0.1, 0.2, 0.4, 0.8}})
                .labels({});
  for (int i = 0; i < 10; ++i) h.observe(0.05);
  for (int i = 0; i < 40; ++i) h.observe(0.15);
  for (int i = 0; i < 40; ++i) h.observe(0.3);
  for (int i = 0; i < 9; ++i) h.observe(0.6);
  h.observe(0.6, {{"trace_id", "4bf92f3577b34da6a3ce929d0e0e4736"}});
  // Optional: a connection cap and deadlines in ms (the front-door test
  // uses short ones), with the server's own connection metrics.
  vigil::MetricsServerOptions options{.port = port, .self_metrics = &registry};
  if (argc > 2) options.max_connections = std::stoul(argv[2]);
  if (argc > 3) options.header_timeout = options.body_timeout = std::chrono::milliseconds(std::stol(argv[3]));
  rlimit lim{};
  if (getrlimit(RLIMIT_NOFILE, &lim) == 0) {  // one descriptor per connection
    lim.rlim_cur = lim.rlim_max;
    setrlimit(RLIMIT_NOFILE, &lim);
  }
  vigil::MetricsServer server(registry, options);
  std::cout << server.port() << std::endl;  // the test reads the port from here
  std::string line;
  std::getline(std::cin, line);  // runs until stdin closes
  return 0;
}
