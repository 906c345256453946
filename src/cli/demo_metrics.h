// A simulated inference service feeding a registry, for `vigil serve
// --demo-metrics` until the full `vigil demo` exists.
#pragma once

#include <atomic>
#include <cstdint>
#include <thread>

#include "vigil/metrics.h"

namespace vigil::cli {

// The simulated service's own metric families, under the names the
// generated dashboards and rules query (vigil::ServiceMetrics): shared by
// `vigil serve --demo-metrics` and `vigil demo`.
struct ServiceMetricFamilies {
  Family<Counter>& requests;    // inference_requests_total{model, version, status}
  Family<Histogram>& latency;   // inference_latency_seconds{model, version}
};
ServiceMetricFamilies service_metric_families(Registry& registry);

class DemoMetricsProducer {
 public:
  DemoMetricsProducer(Registry& registry, double qps, std::uint64_t seed);
  ~DemoMetricsProducer();  // stops and joins

 private:
  void run(Registry& registry, double qps, std::uint64_t seed);
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace vigil::cli
