// Exercise 2: a monitoring dashboard for an ML service. The program
// instruments a simulated fraud model (request rate, errors, latency
// histogram, model monitor, process CPU/memory), serves /metrics, and writes
// what Grafana, Prometheus and Alertmanager need to show and alert on it:
//
//   out/dashboard.json      Grafana dashboard (import it, or drop it in deploy/grafana/dashboards)
//   out/slo-dashboard.json  SLO dashboard
//   out/rules.yml           Prometheus recording + alerting rules (promtool check rules out/rules.yml)
//   out/alertmanager.yml    Alertmanager routing by severity
//
// Then it checks the dashboard against its own scrape: every metric a panel
// queries must be exposed, or the panel would be empty.
//
//   example_02_dashboard [out-dir] [seconds] [port]
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>
#include <regex>
#include <set>
#include <string>
#include <thread>

#include "vigil/dashboards.h"
#include "vigil/exposition.h"
#include "vigil/metrics_server.h"
#include "vigil/monitor.h"

namespace {

void write(const std::filesystem::path& path, const std::string& text) {
  std::ofstream(path) << text;
  std::cout << "wrote " << path.string() << " (" << text.size() << " bytes)\n";
}

// Metric names in the dashboard's PromQL: identifiers directly followed by a
// selector, e.g. rate(inference_latency_seconds_bucket{model=~"$model"}[5m]).
std::set<std::string> queried_metrics(const std::string& dashboard_json) {
  std::set<std::string> names;
  std::regex metric(R"(([a-zA-Z_:][a-zA-Z0-9_:]*)\{)");
  for (std::sregex_iterator it(dashboard_json.begin(), dashboard_json.end(), metric), end; it != end; ++it)
    names.insert((*it)[1]);
  return names;
}

// The family a sample name belongs to in the exposition (histogram and
// counter suffixes).
bool exposed(const std::string& text, std::string name) {
  return text.find("\n" + name + "{") != std::string::npos || text.find("\n" + name + " ") != std::string::npos;
}

}  // namespace

int main(int argc, char** argv) {
  std::filesystem::path out = argc > 1 ? argv[1] : "dashboard-out";
  double seconds = argc > 2 ? std::stod(argv[2]) : 30;
  int port = argc > 3 ? std::stoi(argv[3]) : 9464;
  std::filesystem::create_directories(out);

  // 1. The service's metrics, named as the dashboard expects (ServiceMetrics).
  vigil::Registry& registry = vigil::default_registry();  // with process_* for the CPU/memory panels
  auto& requests = registry.counter({.name = "inference_requests_total", .help = "Inference requests.",
                                     .labels = {"model", "version", "status"}});
  auto& latency = registry.histogram({.name = "inference_latency_seconds", .help = "Inference latency.",
                                      .labels = {"model", "version"}, .unit = "seconds",
                                      .buckets = vigil::exponential_buckets(0.002, 2, 10)});
  vigil::Counter& ok = requests.labels({"fraud", "3", "ok"});
  vigil::Counter& failed = requests.labels({"fraud", "3", "error"});
  vigil::Histogram& fraud_latency = latency.labels({"fraud", "3"});
  // Model-quality panels (accuracy, classes, confidence, drift, data quality,
  // errors by category) read the monitor's vigil_model_* metrics.
  vigil::ModelMonitor monitor({.registry = &registry, .window = std::chrono::seconds(1)});

  // 2. What the dashboards, rules and Alertmanager need.
  vigil::DashboardOptions dash{.title = "Fraud model", .uid = "fraud-model"};
  std::string dashboard = vigil::generate_grafana_dashboard(dash);
  write(out / "dashboard.json", dashboard);
  write(out / "slo-dashboard.json", vigil::generate_slo_dashboard(dash));
  write(out / "rules.yml", vigil::generate_alert_rules({.error_rate_threshold = 0.02, .p99_latency_seconds = 0.25}));
  write(out / "alertmanager.yml", vigil::generate_alertmanager_config());

  // 3. Serve traffic: lognormal latency, 1 % errors, late ground truth.
  vigil::MetricsServer server(registry, {.port = port});
  std::cout << "serving http://127.0.0.1:" << server.port() << "/metrics for " << seconds << " s\n";
  std::mt19937_64 rng(7);
  std::lognormal_distribution<double> model_time(std::log(0.02), 0.5), amount(4, 1);
  std::bernoulli_distribution error(0.01), fraud(0.05), wrong(0.06);  // the model is wrong 6 % of the time
  auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  for (int n = 0; std::chrono::steady_clock::now() < end; ++n) {
    double t = model_time(rng);
    bool is_error = error(rng), is_fraud = fraud(rng);
    std::string id = "tx-" + std::to_string(n);
    fraud_latency.observe(t);
    (is_error ? failed : ok).inc();
    monitor.record({.model = "fraud", .version = "3", .request_id = id,
                    .features = {{"amount", amount(rng)}, {"country", n % 3 ? "NO" : "SE"}},
                    .prediction = is_fraud ? "fraud" : "legit", .confidence = 0.9,
                    .latency_seconds = t, .error = is_error ? "timeout" : ""});
    bool truth = wrong(rng) ? !is_fraud : is_fraud;
    if (!is_error) monitor.record_label("fraud", id, truth ? "fraud" : "legit");
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  monitor.evaluate(static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch()).count()) +
      2'000'000'000ull);

  // 4. Every metric a panel queries is in the scrape. The SLO panels read
  //    recording rules (slo:*) and ALERTS, which Prometheus itself produces.
  std::string text = "\n" + vigil::encode(registry.gather(), vigil::ExpositionFormat::kPrometheusText);
  std::set<std::string> names = queried_metrics(dashboard);
  int missing = 0, checked = 0;
  for (const auto& name : names) {
    if (name.rfind("slo:", 0) == 0 || name == "ALERTS") continue;
    ++checked;
    if (!exposed(text, name)) {
      std::cout << "MISSING: the dashboard queries " << name << " but the service does not expose it\n";
      ++missing;
    }
  }
  std::cout << "served " << ok.value() + failed.value() << " requests; accuracy "
            << monitor.quality("fraud").accuracy << "\n";
  if (missing) return 1;
  std::cout << "every metric the dashboard queries is exposed (" << checked << " names)\n";
  return 0;
}
