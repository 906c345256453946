// `vigil gen ...`: generated configuration for the Prometheus ecosystem.
#include <fstream>
#include <iostream>
#include <memory>

#include "cli/commands.h"
#include "vigil/dashboards.h"
#include "vigil/slo.h"

namespace vigil::cli {
namespace {

void write_output(const std::string& text, const std::string& path) {
  if (path.empty() || path == "-") {
    std::cout << text;
    return;
  }
  std::ofstream out(path);
  if (!(out << text)) throw std::runtime_error("cannot write " + path);
}

}  // namespace

namespace {

void add_slo_rules(CLI::App* gen) {
  struct SloRulesOptions {
    std::string spec;
    std::string output;
  };
  auto o = std::make_shared<SloRulesOptions>();
  CLI::App* slo = gen->add_subcommand(
      "slo-rules", "Recording rules and multi-window multi-burn-rate alerts from a Sloth prometheus/v1 SLO spec");
  slo->add_option("spec", o->spec, "SLO spec (YAML)")->required();
  slo->add_option("-o,--output", o->output, "Write the rules here instead of stdout");
  slo->callback([o] { write_output(generate_slo_rules(load_slo_spec_file(o->spec)), o->output); });
}

void add_grafana(CLI::App* gen) {
  struct DashOptions {
    std::string output;
    bool slo_only = false;
    DashboardOptions dashboard;
  };
  auto d = std::make_shared<DashOptions>();
  CLI::App* grafana = gen->add_subcommand("grafana", "Grafana dashboard JSON for an ML inference service");
  grafana->add_option("-o,--output", d->output, "Write the dashboard here instead of stdout");
  grafana->add_flag("--slo", d->slo_only, "Only the SLO dashboard (compliance, error budget, burn rates, alerts)");
  grafana->add_option("--title", d->dashboard.title, "Dashboard title");
  grafana->add_option("--uid", d->dashboard.uid, "Dashboard uid");
  grafana->add_option("--requests-metric", d->dashboard.metrics.requests, "Request counter (with a status label)");
  grafana->add_option("--latency-metric", d->dashboard.metrics.latency, "Latency histogram (seconds)");
  grafana->callback([d] {
    write_output(d->slo_only ? generate_slo_dashboard(d->dashboard) : generate_grafana_dashboard(d->dashboard) + "\n",
                 d->output);
  });
}

void add_datasources(CLI::App* gen) {
  struct DatasourceCmdOptions {
    std::string output;
    bool no_token = false;
    DatasourceOptions sources;
  };
  auto o = std::make_shared<DatasourceCmdOptions>();
  CLI::App* cmd = gen->add_subcommand(
      "datasources", "Grafana data source provisioning: Prometheus with exemplar links, and vigil serve as Jaeger, "
                     "Tempo and Loki, linked to each other by trace id");
  cmd->add_option("-o,--output", o->output, "Write the YAML here instead of stdout");
  cmd->add_option("--vigil-url", o->sources.vigil_url, "URL of vigil serve, as Grafana reaches it");
  cmd->add_option("--prometheus-url", o->sources.prometheus_url, "URL of Prometheus, as Grafana reaches it");
  cmd->add_flag("--no-token", o->no_token, "The daemon has no auth_token: send no Authorization header");
  cmd->callback([o] {
    o->sources.bearer_token = !o->no_token;
    write_output(generate_grafana_datasources(o->sources), o->output);
  });
}

void add_rules(CLI::App* gen) {
  struct RuleCmdOptions {
    std::string output;
    RulesOptions rules;
  };
  auto r = std::make_shared<RuleCmdOptions>();
  CLI::App* rules = gen->add_subcommand(
      "rules", "Prometheus recording and alerting rules: error rate, latency, drift, data quality, concept drift, log alerts");
  rules->add_option("-o,--output", r->output, "Write the rules here instead of stdout");
  rules->add_option("--error-rate", r->rules.error_rate_threshold, "HighErrorRate threshold (share of requests)")
      ->check(CLI::Range(0.0, 1.0));
  rules->add_option("--p99-latency", r->rules.p99_latency_seconds, "HighP99Latency threshold (seconds)")
      ->check(CLI::PositiveNumber);
  rules->add_option("--for", r->rules.for_duration, "Override every alert's `for` duration (e.g. 0s for a test setup)");
  rules->add_option("--runbook-base", r->rules.runbook_base, "URL prefix of the runbook annotations");
  rules->add_option("--rate-window", r->rules.rate_window, "Range of the recorded rates (default 5m)");
  rules->add_option("--requests-metric", r->rules.metrics.requests, "Request counter (with a status label)");
  rules->add_option("--latency-metric", r->rules.metrics.latency, "Latency histogram (seconds)");
  rules->callback([r] { write_output(generate_alert_rules(r->rules), r->output); });
}

void add_alertmanager(CLI::App* gen) {
  struct AmOptions {
    std::string output;
    AlertmanagerOptions am;
  };
  auto a = std::make_shared<AmOptions>();
  CLI::App* am = gen->add_subcommand("alertmanager", "A sample Alertmanager configuration routing by severity");
  am->add_option("-o,--output", a->output, "Write the configuration here instead of stdout");
  am->add_option("--webhook", a->am.webhook_url, "Webhook every alert goes to");
  am->add_option("--page-webhook", a->am.page_webhook_url, "A separate webhook for critical/page alerts");
  am->callback([a] { write_output(generate_alertmanager_config(a->am), a->output); });
}

}  // namespace

void add_gen_command(CLI::App& app) {
  CLI::App* gen = app.add_subcommand("gen", "Generate Prometheus rules and other configuration");
  gen->require_subcommand(1);
  add_slo_rules(gen);
  add_grafana(gen);
  add_datasources(gen);
  add_rules(gen);
  add_alertmanager(gen);
}

}  // namespace vigil::cli
