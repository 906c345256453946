// Prometheus recording and alerting rules for SLOs, in the shape Sloth
// generates (slo:sli_error:ratio_rate<window> and friends), so existing
// Sloth dashboards work on them.
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <sstream>

#include "common/promql_number.h"
#include "vigil/slo.h"

namespace vigil {
namespace {

std::string prom_duration(std::chrono::seconds s) {
  long v = static_cast<long>(s.count());
  if (v % 86400 == 0) return std::to_string(v / 86400) + "d";
  if (v % 3600 == 0) return std::to_string(v / 3600) + "h";
  if (v % 60 == 0) return std::to_string(v / 60) + "m";
  return std::to_string(v) + "s";
}

using detail::promql_number;

std::string replace_window(std::string q, const std::string& window) {
  const std::string placeholder = "{{.window}}";
  for (std::size_t pos; (pos = q.find(placeholder)) != std::string::npos;) q.replace(pos, placeholder.size(), window);
  return q;
}

struct SloIds {
  std::string id, service, slo;
  std::string selector() const {
    return "{sloth_id=\"" + id + "\", sloth_service=\"" + service + "\", sloth_slo=\"" + slo + "\"}";
  }
};

void emit_labels(YAML::Emitter& out, const std::map<std::string, std::string>& labels) {
  out << YAML::Key << "labels" << YAML::Value << YAML::BeginMap;
  for (const auto& [k, v] : labels) out << YAML::Key << k << YAML::Value << YAML::DoubleQuoted << v;
  out << YAML::EndMap;
}

using Labels = std::map<std::string, std::string>;

// One SLO of a service, with what every rule of it shares.
struct SloRules {
  const SloSpec& slo;
  SloIds ids;
  Labels base;  // the spec's and the SLO's labels plus the sloth_* ids
  const std::vector<BurnRateWindow>& windows;
  std::string spec_version;  // sloth_slo_info's sloth_spec
};

void begin_group(YAML::Emitter& out, const std::string& name) {
  out << YAML::BeginMap << YAML::Key << "name" << YAML::Value << name;
  out << YAML::Key << "rules" << YAML::Value << YAML::BeginSeq;
}
void end_group(YAML::Emitter& out) { out << YAML::EndSeq << YAML::EndMap; }

void emit_recording(YAML::Emitter& out, const std::string& record, const std::string& expr, const Labels& labels,
                    bool literal) {
  out << YAML::BeginMap << YAML::Key << "record" << YAML::Value << record;
  out << YAML::Key << "expr" << YAML::Value;
  if (literal) out << YAML::Literal;
  out << expr;
  emit_labels(out, labels);
  out << YAML::EndMap;
}

// Every window an alert or the status needs, shortest first.
std::vector<std::chrono::seconds> sli_windows(const std::vector<BurnRateWindow>& windows) {
  using namespace std::chrono;
  std::vector<seconds> out = {minutes(5), minutes(30), hours(1), hours(2), hours(6), hours(24), hours(72)};
  for (const auto& w : windows)
    for (seconds x : {w.long_window, w.short_window})
      if (std::find(out.begin(), out.end(), x) == out.end()) out.push_back(x);
  std::sort(out.begin(), out.end());
  return out;
}

// SLI error ratios over every window; the period ratio averages the 5m
// ratio, as Sloth does, so it needs no 30-day range query over raw counters.
void emit_sli_group(YAML::Emitter& out, const SloRules& r) {
  begin_group(out, "vigil-slo-sli-recordings-" + r.ids.id);
  for (std::chrono::seconds w : sli_windows(r.windows)) {
    std::string win = prom_duration(w);
    Labels labels = r.base;
    labels["sloth_window"] = win;
    std::string expr = r.slo.error_ratio_query.empty()
                           ? "(" + replace_window(r.slo.error_query, win) + ")\n/\n(" +
                                 replace_window(r.slo.total_query, win) + ")\n"
                           : "(" + replace_window(r.slo.error_ratio_query, win) + ")\n";
    emit_recording(out, "slo:sli_error:ratio_rate" + win, expr, labels, true);
  }
  Labels labels = r.base;
  labels["sloth_window"] = "30d";
  std::string sel = r.ids.selector();
  emit_recording(out, "slo:sli_error:ratio_rate30d",
                 "sum_over_time(slo:sli_error:ratio_rate5m" + sel + "[30d])\n/ ignoring (sloth_window)\n"
                 "count_over_time(slo:sli_error:ratio_rate5m" + sel + "[30d])\n",
                 labels, true);
  end_group(out);
}

// Objective, budget, burn rates and the budget left.
void emit_meta_group(YAML::Emitter& out, const SloRules& r) {
  begin_group(out, "vigil-slo-meta-recordings-" + r.ids.id);
  std::string sel = r.ids.selector(), objective = promql_number(r.slo.objective_percent / 100);
  auto meta = [&](const std::string& record, const std::string& expr) { emit_recording(out, record, expr, r.base, false); };
  meta("slo:objective:ratio", "vector(" + objective + ")");
  meta("slo:error_budget:ratio", "vector(1 - " + objective + ")");
  meta("slo:time_period:days", "vector(30)");
  meta("slo:current_burn_rate:ratio",
       "slo:sli_error:ratio_rate5m" + sel + "\n/ on(sloth_id, sloth_slo, sloth_service) group_left\nslo:error_budget:ratio" + sel);
  meta("slo:period_burn_rate:ratio",
       "slo:sli_error:ratio_rate30d" + sel + "\n/ on(sloth_id, sloth_slo, sloth_service) group_left\nslo:error_budget:ratio" + sel);
  meta("slo:period_error_budget_remaining:ratio", "1 - slo:period_burn_rate:ratio" + sel);
  // What Sloth's dashboards list SLOs by: the objective as the spec wrote it,
  // and where the rules came from.
  Labels info = r.base;
  char objective_text[32];
  info["sloth_objective"] = std::string(objective_text,
      std::to_chars(objective_text, objective_text + sizeof objective_text, r.slo.objective_percent).ptr);
  info["sloth_spec"] = r.spec_version;
  info["sloth_mode"] = r.spec_version == "prometheus/v1" ? "cli-gen-prom" : "cli-gen-openslo";
  info["sloth_version"] = "vigil-0.1.0";
  emit_recording(out, "sloth_slo_info", "vector(1)", info, false);
  end_group(out);
}

// Both windows of every pair of `severity` above factor x budget, in
// Sloth's form: the short window first, joined `and ignoring (sloth_window)`,
// pairs joined `or ignoring (sloth_window)`. The alert then carries the
// short window of the first pair that fires as sloth_window, as Sloth's
// alerts do (routes and silences written for Sloth match these).
std::string alert_expr(const SloRules& r, const std::string& severity) {
  double budget = 1 - r.slo.objective_percent / 100;
  std::string expr;
  for (const auto& w : r.windows) {
    if (w.severity != severity) continue;
    std::string threshold = "(" + promql_number(w.factor) + " * " + promql_number(budget) + ")";
    if (!expr.empty()) expr += "or ignoring (sloth_window)\n";
    expr += "(\n  (slo:sli_error:ratio_rate" + prom_duration(w.short_window) + r.ids.selector() + " > " + threshold +
            ")\n  and ignoring (sloth_window)\n  (slo:sli_error:ratio_rate" + prom_duration(w.long_window) +
            r.ids.selector() + " > " + threshold + ")\n)\n";
  }
  return expr;
}

void emit_alert(YAML::Emitter& out, const SloRules& r, const std::string& severity, const std::string& expr) {
  const SloSpec& s = r.slo;
  Labels labels = s.alert_labels;
  for (const auto& [k, v] : severity == "page" ? s.page_labels : s.ticket_labels) labels[k] = v;
  labels["sloth_severity"] = severity;
  if (!labels.count("severity")) labels["severity"] = severity == "page" ? "critical" : "warning";
  Labels annotations = s.alert_annotations;
  if (!annotations.count("summary"))
    annotations["summary"] = "{{$labels.sloth_service}} {{$labels.sloth_slo}} SLO error budget burn rate is too fast.";
  if (!annotations.count("title"))
    annotations["title"] = "(" + severity + ") {{$labels.sloth_service}} {{$labels.sloth_slo}} SLO error budget burn rate is too fast.";
  if (!annotations.count("runbook_url")) annotations["runbook_url"] = "docs/runbooks/slo-burn-rate.md";
  out << YAML::BeginMap << YAML::Key << "alert" << YAML::Value << s.alert_name;
  out << YAML::Key << "expr" << YAML::Value << YAML::Literal << expr;
  emit_labels(out, labels);
  out << YAML::Key << "annotations" << YAML::Value << YAML::BeginMap;
  for (const auto& [k, v] : annotations) out << YAML::Key << k << YAML::Value << YAML::DoubleQuoted << v;
  out << YAML::EndMap << YAML::EndMap;
}

// Multi-window multi-burn-rate alerts, one per enabled severity.
void emit_alert_group(YAML::Emitter& out, const SloRules& r) {
  if (!r.slo.page_enabled && !r.slo.ticket_enabled) return;  // as Sloth: no empty group
  begin_group(out, "vigil-slo-alerts-" + r.ids.id);
  for (std::string severity : {"page", "ticket"}) {
    if ((severity == "page" && !r.slo.page_enabled) || (severity == "ticket" && !r.slo.ticket_enabled)) continue;
    std::string expr = alert_expr(r, severity);
    if (!expr.empty()) emit_alert(out, r, severity, expr);
  }
  end_group(out);
}

}  // namespace

std::string generate_slo_rules(const SloServiceSpec& spec, const std::vector<BurnRateWindow>& windows) {
  YAML::Emitter out;
  out << YAML::BeginMap << YAML::Key << "groups" << YAML::Value << YAML::BeginSeq;
  for (const SloSpec& s : spec.slos) {
    SloRules r{s, {spec.service + "-" + s.name, spec.service, s.name}, spec.labels, windows, spec.spec_version};
    for (const auto& [k, v] : s.labels) r.base[k] = v;
    r.base["sloth_id"] = r.ids.id;
    r.base["sloth_service"] = r.ids.service;
    r.base["sloth_slo"] = r.ids.slo;
    emit_sli_group(out, r);
    emit_meta_group(out, r);
    emit_alert_group(out, r);
  }
  out << YAML::EndSeq << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

}  // namespace vigil
