// A simulated inference service feeding a registry, for `vigil serve
// --demo-metrics` until the full `vigil demo` exists.
#pragma once

#include <atomic>
#include <cstdint>
#include <thread>

#include "vigil/metrics.h"

namespace vigil::cli {

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
