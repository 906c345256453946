// Exercise 1: instrument an inference endpoint with request counts, latency
// and in-flight gauge, and expose them on /metrics for Prometheus.
//
//   ./example_01_metrics [seconds] [port]   then: curl 127.0.0.1:9464/metrics
#include <chrono>
#include <iostream>
#include <random>
#include <string>
#include <thread>

#include "vigil/metrics_server.h"

int main(int argc, char** argv) {
  double seconds = argc > 1 ? std::stod(argv[1]) : 30;
  int port = argc > 2 ? std::stoi(argv[2]) : 9464;
  vigil::Registry& registry = vigil::default_registry();  // carries process_* metrics
  auto& requests = registry.counter(
      {.name = "predictions_total", .help = "Predictions served.", .labels = {"model", "status"}});
  auto& latency = registry.histogram({.name = "prediction_latency_seconds",
                                      .help = "Prediction latency.",
                                      .labels = {"model"},
                                      .unit = "seconds",
                                      .buckets = vigil::exponential_buckets(0.001, 2, 12)});
  vigil::Gauge& in_flight = registry.gauge({.name = "predictions_in_flight", .help = "Busy workers."}).labels({});

  // Handles are looked up once and kept: the hot path is a plain add.
  vigil::Counter& ok = requests.labels({"churn", "ok"});
  vigil::Counter& failed = requests.labels({"churn", "error"});
  vigil::Histogram& churn_latency = latency.labels({"churn"});

  vigil::MetricsServer server(registry, {.port = port});
  std::cout << "serving http://127.0.0.1:" << server.port() << "/metrics for " << seconds << " s\n";

  std::mt19937 rng(1);
  std::lognormal_distribution<double> model_time(std::log(0.02), 0.4);
  auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  while (std::chrono::steady_clock::now() < end) {
    in_flight.inc();
    double t = model_time(rng);
    std::this_thread::sleep_for(std::chrono::duration<double>(t / 10));  // a tenth, to keep it brisk
    churn_latency.observe(t);
    (t > 0.05 ? failed : ok).inc();  // pretend slow calls time out
    in_flight.dec();
  }
  std::cout << "served " << ok.value() + failed.value() << " predictions\n";
}
