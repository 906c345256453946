#include "cli/demo_metrics.h"

#include <chrono>
#include <cmath>
#include <random>
#include <string>

namespace vigil::cli {

DemoMetricsProducer::DemoMetricsProducer(Registry& registry, double qps, std::uint64_t seed)
    : thread_([this, &registry, qps, seed] { run(registry, qps, seed); }) {}

DemoMetricsProducer::~DemoMetricsProducer() {
  stop_ = true;
  thread_.join();
}

ServiceMetricFamilies service_metric_families(Registry& registry) {
  return {registry.counter({.name = "inference_requests_total",
                            .help = "Inference requests by model, version and outcome.",
                            .labels = {"model", "version", "status"}}),
          registry.histogram({.name = "inference_latency_seconds",
                              .help = "End-to-end inference latency.",
                              .labels = {"model", "version"},
                              .unit = "seconds",
                              .buckets = exponential_buckets(0.001, 2, 14)})};
}

void DemoMetricsProducer::run(Registry& registry, double qps, std::uint64_t seed) {
  auto [requests, latency] = service_metric_families(registry);
  auto& confidence = registry.histogram({.name = "inference_confidence",
                                         .help = "Confidence score of predictions.",
                                         .labels = {"model"},
                                         .buckets = linear_buckets(0.1, 0.1, 9)});
  auto& in_flight = registry.gauge({.name = "inference_in_flight", .help = "Requests being processed."});
  Gauge& busy = in_flight.labels({});

  struct Model {
    std::string name, version;
    double median_s, error_rate;
  };
  const Model models[] = {{"ranker", "v1", 0.020, 0.01}, {"ranker", "v2", 0.012, 0.02}, {"fraud", "v7", 0.045, 0.005}};
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> unit(0, 1);
  auto period = std::chrono::duration<double>(1.0 / std::max(qps, 1.0));
  auto next = std::chrono::steady_clock::now();
  for (std::uint64_t i = 0; !stop_; ++i) {
    const Model& m = models[i % 3];
    std::lognormal_distribution<double> lat(std::log(m.median_s), 0.5);
    busy.set(std::floor(unit(rng) * 8));
    bool failed = unit(rng) < m.error_rate;
    requests.labels({m.name, m.version, failed ? "error" : "ok"}).inc();
    latency.labels({m.name, m.version}).observe(lat(rng));
    confidence.labels({m.name}).observe(std::clamp(0.55 + 0.45 * unit(rng) * unit(rng) + 0.2 * unit(rng), 0.0, 1.0));
    next += std::chrono::duration_cast<std::chrono::steady_clock::duration>(period);
    std::this_thread::sleep_until(next);
  }
}

}  // namespace vigil::cli
