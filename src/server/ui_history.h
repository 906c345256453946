// The series the web UI draws, sampled from the daemon's registry at a
// fixed resolution and kept in the store (StoreOptions::history_keep), so a
// page opened during an incident shows what led up to it (GET
// /api/v1/history) instead of only what it polled since it loaded. The
// figures are the ones the UI computes from /metrics:
//
//   rate, errors (%), p50, p95, p99 (ms)   from the request counter and latency
//                                          histogram (inference_*, OpenTelemetry's
//                                          http_server_*, or the model monitor's)
//   accuracy (%), cpu (%), rss (MiB)
//   slo:<name>:budget, slo:<name>:compliance (%), slo:<name>:burn:<window>
//   drift:<model>:<feature>                the drift score
//
// The series are bounded by what the registry holds: the SLOs configured,
// and models x features, which the monitor already bounds.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "store/store.h"

namespace vigil {
class Registry;
}

namespace vigil::server {

struct UiHistoryOptions {
  std::chrono::seconds resolution{15};
};

// Counters and histogram buckets summed over their series at one moment,
// for rates between two samples.
struct UiSnapshot {
  double requests = 0, errors = 0, cpu_seconds = 0;
  std::vector<std::pair<double, double>> buckets;  // (upper bound, cumulative count), +Inf last
  std::map<std::string, double> gauges;            // series name -> value, for the gauges drawn as they are
};

// Reads what the UI draws from the registry's families.
UiSnapshot ui_snapshot(Registry& registry);
// The points between two snapshots `seconds` apart, at time t_ns.
std::vector<store::HistoryPoint> ui_points(const UiSnapshot& before, const UiSnapshot& now, double seconds,
                                           std::int64_t t_ns);

class UiHistory {
 public:
  // Borrows both; they must outlive it. Starts sampling every
  // options.resolution (the first sample is the baseline for rates).
  UiHistory(Registry& registry, store::Store& store, UiHistoryOptions options);
  ~UiHistory();  // stops the sampler
  UiHistory(const UiHistory&) = delete;
  UiHistory& operator=(const UiHistory&) = delete;

  // One sample now (the sampler's ticks; tests).
  void sample(std::int64_t now_ns);

 private:
  void run();

  Registry& registry_;
  store::Store& store_;
  UiHistoryOptions options_;
  std::optional<UiSnapshot> last_;
  std::int64_t last_ns_ = 0;
  std::mutex mu_;
  std::condition_variable wake_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace vigil::server
