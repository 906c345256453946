// `vigil serve` configuration: every option read, and every error naming
// the file, the line and the option.
#include <gtest/gtest.h>

#include "common/yaml_guard.h"
#include "server/config.h"

namespace {

using vigil::server::ConfigError;
using vigil::server::DaemonConfig;
using vigil::server::parse_config;

// The message parse_config throws for `yaml`, or "" when it parses.
std::string config_error_of(const std::string& yaml) {
  try {
    parse_config(yaml, "vigil.yaml");
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

TEST(Config, EmptyFileGivesTheLoopbackDefaults) {
  DaemonConfig c = parse_config("", "vigil.yaml");
  EXPECT_EQ(c.host, "127.0.0.1");
  EXPECT_EQ(c.port, 4318);
  EXPECT_EQ(c.window.count(), 300);
  EXPECT_EQ(c.max_body_bytes, 16u * 1024 * 1024);
  EXPECT_EQ(c.grpc_host, "127.0.0.1");
  EXPECT_EQ(c.grpc_port, 4317);
  EXPECT_FALSE(c.acknowledge_committed);  // queued: the fast default; committed is opt-in
}

TEST(Config, ReadsTheFrontDoorLimitsAndGrpc) {
  DaemonConfig c = parse_config(R"(
grpc: {listen: 0.0.0.0:14317, workers: 2}
http:
  header_timeout: 2s
  body_timeout: 1500ms
  idle_timeout: 1m
  write_timeout: 5s
  max_connections: 2000
  max_buffered_bytes: 32MiB
  workers: 3
  max_queued_requests: 50
)", "vigil.yaml");
  EXPECT_EQ(c.grpc_host, "0.0.0.0");
  EXPECT_EQ(c.grpc_port, 14317);
  EXPECT_EQ(c.grpc_workers, 2u);
  EXPECT_EQ(c.http.header_timeout.count(), 2000);
  EXPECT_EQ(c.http.body_timeout.count(), 1500);
  EXPECT_EQ(c.http.idle_timeout.count(), 60000);
  EXPECT_EQ(c.http.write_timeout.count(), 5000);
  EXPECT_EQ(c.http.max_connections, 2000u);
  EXPECT_EQ(c.http.max_buffered_bytes, 32u * 1024 * 1024);
  EXPECT_EQ(c.http_workers, 3u);
  EXPECT_EQ(c.http_max_queued, 50u);
  EXPECT_EQ(parse_config("grpc: off", "v.yaml").grpc_port, -1);
  EXPECT_EQ(config_error_of("http:\n  idle_timeout: soon\n"),
            "vigil.yaml:2: http.idle_timeout: expected a positive duration like 500ms, 10s, 2m");
  EXPECT_EQ(config_error_of("http: {max_conections: 5}\n"), "vigil.yaml:1: http.max_conections: unknown option");
}

TEST(Config, ReadsEverySection) {
  DaemonConfig c = parse_config(R"(
listen: 0.0.0.0:9000
allowed_hosts: [vigil.internal]
max_body_bytes: 1MiB
max_clock_skew: 10m
store: {path: /tmp/x.db, retention: 2d, max_bytes: 1GB, max_queued_bytes: 8MiB, acknowledge: committed}
monitor:
  window: 1m
  max_models: 10
  max_features: 50
  min_window_rows: 300
  window_profiles_url: http://vigil-central:9464
  window_profiles_token: s3cret
  models:
    - {name: fraud, reference: ref.json, task: regression, target: label}
log_alerts:
  - {name: Timeouts, query: '{level="error"} |= "timeout"', window: 5m, threshold: 3, for: 1m, severity: page}
alert_interval: 10s
ui:
  history_resolution: 5s
  history_keep: 2h
metric_alerts:
  - {name: LowAccuracy, metric: vigil_model_quality, labels: {metric: accuracy}, op: "<=", threshold: 0.8, for: 5m}
slos:
  - {model: fraud, objective: 99.5, latency_threshold: 250ms, period: 7d}
alerting: {alertmanagers: [http://127.0.0.1:9093], webhooks: [https://hooks.example/x]}
)", "vigil.yaml");
  EXPECT_EQ(c.host, "0.0.0.0");
  EXPECT_EQ(c.port, 9000);
  EXPECT_EQ(c.max_body_bytes, 1024u * 1024);
  EXPECT_EQ(c.allowed_hosts, std::vector<std::string>{"vigil.internal"});
  EXPECT_EQ(c.max_clock_skew.count(), 600);
  EXPECT_EQ(c.max_models, 10u);
  EXPECT_EQ(c.max_features, 50u);
  EXPECT_EQ(c.min_window_rows, 300u);
  EXPECT_EQ(c.store.retention.count(), 2 * 86400);
  EXPECT_EQ(c.store.max_bytes, 1'000'000'000u);
  EXPECT_TRUE(c.acknowledge_committed);
  EXPECT_EQ(c.window.count(), 60);
  EXPECT_EQ(c.window_profiles_url, "http://vigil-central:9464");
  EXPECT_EQ(c.window_profiles_token, "s3cret");
  ASSERT_EQ(c.models.size(), 1u);
  EXPECT_EQ(c.models[0].task, vigil::ModelTask::kRegression);
  EXPECT_EQ(c.models[0].target, "label");
  ASSERT_EQ(c.log_alerts.size(), 1u);
  EXPECT_EQ(c.log_alerts[0].for_duration.count(), 60);
  EXPECT_EQ(c.alert_interval.count(), 10);
  EXPECT_EQ(c.history_resolution.count(), 5);
  EXPECT_EQ(c.store.history_keep.count(), 7200);
  ASSERT_EQ(c.metric_alerts.size(), 1u);
  EXPECT_EQ(c.metric_alerts[0].op, vigil::alert::Comparison::kLessEqual);
  EXPECT_EQ(c.metric_alerts[0].labels.at("metric"), "accuracy");
  ASSERT_EQ(c.slos.size(), 1u);
  EXPECT_DOUBLE_EQ(c.slos[0].latency_threshold_seconds, 0.25);
  EXPECT_EQ(c.slos[0].period.count(), 7 * 86400);
  EXPECT_EQ(c.webhook_urls.at(0), "https://hooks.example/x");
}

TEST(Config, ErrorsNameFileLineAndOption) {
  EXPECT_EQ(config_error_of("listen: nonsense"), "vigil.yaml:1: listen: expected HOST:PORT");
  EXPECT_EQ(config_error_of("listen: a:99999"), "vigil.yaml:1: listen: port out of range");
  EXPECT_EQ(config_error_of("store:\n  retention: soon"),
            "vigil.yaml:2: store.retention: expected a duration like 30s, 5m, 2h, 7d");
  EXPECT_EQ(config_error_of("monitor:\n  window: 500ms"), "vigil.yaml:2: monitor.window: expected a duration like 30s, 5m, 2h, 7d");
  EXPECT_EQ(config_error_of("max_body_bytes: lots"), "vigil.yaml:1: max_body_bytes: expected a size like 1000, 64MiB, 2GB");
  EXPECT_EQ(config_error_of("colour: blue"), "vigil.yaml:1: colour: unknown option");
  EXPECT_EQ(config_error_of("monitor:\n  max_models: 0"), "vigil.yaml:2: monitor.max_models: expected a whole number of at least 1");
  EXPECT_EQ(config_error_of("allowed_hosts: vigil.internal"), "vigil.yaml:1: allowed_hosts: expected a list");
  EXPECT_EQ(config_error_of("store: {acknowledge: never}"), "vigil.yaml:1: store.acknowledge: expected queued or committed");
  EXPECT_EQ(config_error_of("store:\n  pth: x"), "vigil.yaml:2: store.pth: unknown option");
  EXPECT_EQ(config_error_of("monitor:\n  models:\n    - {reference: r.json}"), "vigil.yaml:3: monitor.models[0].name: required");
  EXPECT_EQ(config_error_of("monitor:\n  models:\n    - {name: m, task: ranking}"),
            "vigil.yaml:3: monitor.models[0].task: expected classification or regression");
  EXPECT_EQ(config_error_of("metric_alerts:\n  - {name: a, metric: m, op: \"!=\"}"),
            "vigil.yaml:2: metric_alerts[0].op: expected >, >=, < or <=");
  EXPECT_EQ(config_error_of("slos:\n  - {model: m, objective: 100}"),
            "vigil.yaml:2: slos[0].objective: must be a percentage between 0 and 100 (exclusive)");
  EXPECT_EQ(config_error_of("slos:\n  - {model: m, latency_threshold: fast}"),
            "vigil.yaml:2: slos[0].latency_threshold: expected a duration like 250ms or 1s");
  EXPECT_EQ(config_error_of("alerting:\n  webhooks: [ftp://x]"), "vigil.yaml:2: alerting.webhooks: expected an http:// or https:// URL");
  EXPECT_EQ(config_error_of("log_alerts: {name: x}"), "vigil.yaml:1: log_alerts: expected a list");
  EXPECT_EQ(config_error_of("monitor:\n  window_profiles_url: http://central:9464/api/v1"),
            "vigil.yaml:2: monitor.window_profiles_url: expected http://host:port of the daemon that gathers the windows");
  EXPECT_NE(config_error_of("log_alerts:\n  - {name: x, query: '{level='}").find("vigil.yaml:2: log_alerts[0].query: "),
            std::string::npos);
  EXPECT_EQ(config_error_of("listen: [unclosed").rfind("vigil.yaml:1: ", 0), 0u);
}

}  // namespace

// Found by the yaml fuzzer: Debian's yaml-cpp 0.7 loops forever on a ','
// where a document's node should start. Refused, named by line, before it
// parses; a ',' at the start of a line inside a flow list or a block scalar
// is still fine.
TEST(Config, StrayCommaIsRefusedNotLooped) {
  for (const char* text : {",", "  ,", "# c\n,", "a: 1\n---\n,", "&a ,", "'x'\n,", "[a]\n,"}) {
    try {
      vigil::server::parse_config(text, "v.yaml");
      ADD_FAILURE() << "accepted: " << text;
    } catch (const vigil::server::ConfigError& e) {
      EXPECT_NE(std::string(e.what()).find("a line cannot start with ','"), std::string::npos) << e.what();
    }
  }
  EXPECT_EQ(vigil::detail::yaml_stray_comma_line("allowed_hosts: [a\n  , b]\n"), 0u);
  EXPECT_EQ(vigil::detail::yaml_stray_comma_line("q: |\n  sum(x\n  , y)\nb: 1\n"), 0u);
  EXPECT_EQ(vigil::detail::yaml_stray_comma_line("q: |\n  sum(x)\n,\n"), 3u);
}
