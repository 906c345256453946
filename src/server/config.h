// `vigil serve` configuration (YAML). Every option has a default, so an
// empty file or no file at all gives a working loopback daemon.
//
//   listen: 127.0.0.1:4318
//   grpc: {listen: 127.0.0.1:4317, workers: 4}   # OTLP/gRPC; `grpc: off` disables it
//   http:                           # what one client may cost the HTTP server
//     header_timeout: 10s           # first byte of a request to the end of its headers
//     body_timeout: 30s             # end of headers to end of body
//     idle_timeout: 60s             # keep-alive wait between requests
//     write_timeout: 30s            # a response to a client that reads slowly
//     max_connections: 4096         # at the cap the longest-idle connection is closed
//     max_buffered_bytes: 256MiB    # request bodies held at once; past it 503 + Retry-After
//     io_threads: 2                 # threads reading and writing every connection
//     workers: 8                    # threads running writes (OTLP, predictions, labels)
//     read_workers: 4               # threads running GET/HEAD (health, UI, /metrics, queries)
//     max_queued_requests: 1024     # requests waiting for a worker; past it 503
//   auth_token: change-me          # or env VIGIL_AUTH_TOKEN; required on /v1 and /api when set
//   allowed_hosts: [vigil.internal] # Host names besides IP addresses and localhost
//   max_body_bytes: 16MiB
//   max_clock_skew: 1h             # spans/logs stamped further in the future are refused
//   store: {path: vigil-data/vigil.db, retention: 7d, max_bytes: 2GiB, max_queued_bytes: 64MiB,
//           acknowledge: queued}    # or committed: 200 only once on disk
//   monitor:
//     window: 5m
//     window_profiles: /shared/vigil-windows   # fleet-wide drift: `vigil merge` one window's files
//     window_profiles_url: http://vigil-central:9464  # or send them to the daemon that gathers them
//     window_profiles_token: change-me         # that daemon's auth_token, if it has one
//     instance: web-3                          # this replica's name in them (default host-pid)
//     models:
//       - {name: fraud, reference: fraud-reference.json, task: classification, target: label}
//   log_alerts:
//     - name: TimeoutStorm
//       query: '{service="ranker", level="error"} |= "timeout"'
//       window: 5m
//       threshold: 10
//       for: 1m
//       severity: page
//   alert_interval: 15s
//   metric_alerts:
//     - {name: LowAccuracy, metric: vigil_model_quality, labels: {metric: accuracy}, op: "<", threshold: 0.8, for: 5m}
//   slos:
//     - {model: fraud, objective: 99.5, latency_threshold: 250ms, period: 30d}
//   alerting:
//     alertmanagers: [http://127.0.0.1:9093]
//     webhooks: [http://127.0.0.1:5001/alerts]
#pragma once

#include <chrono>
#include <filesystem>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "alert/log_alerts.h"
#include "alert/metric_alerts.h"
#include "server/http_server.h"
#include "store/store.h"
#include "vigil/monitor.h"

namespace vigil::server {

struct ModelConfig {
  std::string name;
  std::filesystem::path reference;  // a saved profile (JSON); empty = first window
  ModelTask task = ModelTask::kClassification;
  std::string target;  // the reference's label column: neither a drift feature nor a missing input
};

// An SLO kept in the daemon from a model's prediction events: a prediction
// is good when it has no error and (if set) is faster than the threshold.
// Burn-rate alerts (SRE workbook windows) go to the notifier.
struct SloConfig {
  std::string model;
  double objective_percent = 99.9;
  double latency_threshold_seconds = 0;  // 0 = availability only
  std::chrono::seconds period{30 * 24 * 3600};
};

struct DaemonConfig {
  std::string host = "127.0.0.1";
  int port = 4318;
  std::string grpc_host = "127.0.0.1";
  int grpc_port = 4317;  // -1: no gRPC receiver (`grpc: off`); 0: any free port
  std::size_t grpc_workers = 4;
  detail::HttpLimits http;  // max_body_bytes below is applied to it
  std::size_t http_io_threads = 2;    // threads reading and writing every connection
  std::size_t http_workers = 8;       // writes (OTLP, predictions, labels, admin)
  std::size_t http_read_workers = 4;  // GET and HEAD: health, UI, /metrics, queries
  std::size_t http_max_queued = 1024;
  std::string auth_token;
  // Host names clients may use besides IP addresses and localhost: a
  // request with any other Host header is refused (DNS rebinding).
  std::vector<std::string> allowed_hosts;
  std::size_t max_body_bytes = 16 * 1024 * 1024;
  std::chrono::seconds max_clock_skew{3600};  // spans and logs stamped further ahead are refused
  store::StoreOptions store;
  bool acknowledge_committed = false;  // store.acknowledge: queued (false) or committed
  std::chrono::seconds window{300};
  std::size_t min_window_rows = 0;        // monitor.min_window_rows: smaller windows are profiled, not judged
  std::filesystem::path window_profiles;  // monitor.window_profiles: each closed window's profile saved here
  std::string instance;                   // monitor.instance: this replica's name in those files
  std::string window_profiles_url;        // monitor.window_profiles_url: or POST them to this daemon
  std::string window_profiles_token;      // monitor.window_profiles_token: its bearer token
  std::size_t max_models = 100;    // monitor.max_models: predictions for more models get 422
  std::size_t max_features = 200;  // monitor.max_features: per model; further features are not profiled
  std::vector<ModelConfig> models;
  std::vector<alert::LogAlertRule> log_alerts;
  std::chrono::seconds alert_interval{15};
  // The web UI's history (ui_history.h): a sample every `resolution`, kept
  // `keep` (YAML ui: {history_resolution: 15s, history_keep: 24h}).
  std::chrono::seconds history_resolution{15};
  std::vector<std::string> alertmanager_urls;  // alerting.alertmanagers
  std::vector<std::string> webhook_urls;       // alerting.webhooks
  std::vector<alert::MetricAlertRule> metric_alerts;  // metric_alerts
  std::vector<SloConfig> slos;                 // slos
};

// "vigil.yaml:7: store.retention: expected a duration like 30s, 5m, 2h, 7d"
class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Both throw ConfigError naming the file, the line and the option.
DaemonConfig load_config(const std::filesystem::path& path);
DaemonConfig parse_config(const std::string& yaml, const std::string& name);

}  // namespace vigil::server
