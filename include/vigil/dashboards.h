// Generated configuration for the Prometheus ecosystem: a Grafana dashboard
// for an ML inference service, Prometheus recording and alerting rules, and
// a sample Alertmanager configuration (what `vigil gen` writes).
#pragma once

#include <string>

namespace vigil {

// Names of the service's own metrics the panels and rules query (the
// library's examples and `vigil demo` use these).
struct ServiceMetrics {
  std::string requests = "inference_requests_total";    // counter with a status label ("error" = failed)
  std::string latency = "inference_latency_seconds";    // histogram
  std::string error_selector = "status=\"error\"";
};

struct DashboardOptions {
  std::string title = "vigil — ML inference service";
  std::string uid = "vigil-ml-service";
  ServiceMetrics metrics;
};

// Grafana dashboard JSON (schemaVersion 39): the data source is a template
// variable, as are model, version and instance; panels for request rate,
// error rate, P50/P95/P99 latency, accuracy over time, prediction classes,
// confidence, feature drift, data quality, CPU, memory, SLO compliance,
// error budget and burn rates.
std::string generate_grafana_dashboard(const DashboardOptions& options = {});
// The same dashboard restricted to SLO panels (compliance, budget, burn per window, alerts).
std::string generate_slo_dashboard(const DashboardOptions& options = {});

struct DatasourceOptions {
  std::string vigil_url = "http://127.0.0.1:4318";       // `vigil serve`
  std::string prometheus_url = "http://127.0.0.1:9090";  // the Prometheus that scrapes it
  // The data sources send "Authorization: Bearer $VIGIL_TOKEN" (Grafana
  // reads the variable from its environment when provisioning).
  bool bearer_token = true;
};

// Grafana data source provisioning (YAML): Prometheus, whose exemplars
// link to traces, and the daemon as a Jaeger, a Tempo and a Loki data
// source, with trace -> logs links (by trace id) and logs -> trace links
// (a derived field on the trace_id label).
std::string generate_grafana_datasources(const DatasourceOptions& options = {});

struct RulesOptions {
  ServiceMetrics metrics;
  double error_rate_threshold = 0.05;   // share of failed requests
  double p99_latency_seconds = 0.5;
  std::string for_duration;             // overrides every alert's `for` (e.g. "0s" in tests); empty = defaults
  std::string rate_window = "5m";       // range of the recorded rates and quantiles
  std::string runbook_base = "https://github.com/vigil/vigil/blob/main/docs/runbooks/";
};

// Recording rules (request/error rates, latency quantiles) and alerts
// (HighErrorRate, HighP99Latency, ModelDriftDetected, DataQualityBreach,
// ModelAccuracyDrop, LogAlertFiring) with severity labels, runbook
// annotations and `for` durations. SLO burn alerts come from
// generate_slo_rules() (vigil/slo.h).
std::string generate_alert_rules(const RulesOptions& options = {});

struct AlertmanagerOptions {
  std::string webhook_url = "http://127.0.0.1:5001/alerts";  // where every alert also goes
  std::string page_webhook_url;                              // a separate receiver for severity=page/critical
};
std::string generate_alertmanager_config(const AlertmanagerOptions& options = {});

}  // namespace vigil
