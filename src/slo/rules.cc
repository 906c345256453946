// Prometheus recording and alerting rules for SLOs, in the shape Sloth
// generates (slo:sli_error:ratio_rate<window> and friends), so existing
// Sloth dashboards work on them.
#include <yaml-cpp/yaml.h>

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

}  // namespace

std::string generate_slo_rules(const SloServiceSpec& spec, const std::vector<BurnRateWindow>& windows) {
  using namespace std::chrono;
  YAML::Emitter out;
  out << YAML::BeginMap << YAML::Key << "groups" << YAML::Value << YAML::BeginSeq;
  for (const SloSpec& s : spec.slos) {
    SloIds ids{spec.service + "-" + s.name, spec.service, s.name};
    double budget = 1 - s.objective_percent / 100;
    std::map<std::string, std::string> base = spec.labels;
    for (const auto& [k, v] : s.labels) base[k] = v;
    base["sloth_id"] = ids.id;
    base["sloth_service"] = ids.service;
    base["sloth_slo"] = ids.slo;

    // SLI error ratios over every window an alert or the period needs.
    std::vector<seconds> sli_windows = {minutes(5), minutes(30), hours(1), hours(2), hours(6), hours(24), hours(72)};
    for (const auto& w : windows)
      for (seconds x : {w.long_window, w.short_window})
        if (std::find(sli_windows.begin(), sli_windows.end(), x) == sli_windows.end()) sli_windows.push_back(x);
    std::sort(sli_windows.begin(), sli_windows.end());
    out << YAML::BeginMap << YAML::Key << "name" << YAML::Value << "vigil-slo-sli-recordings-" + ids.id;
    out << YAML::Key << "rules" << YAML::Value << YAML::BeginSeq;
    for (seconds w : sli_windows) {
      std::string win = prom_duration(w);
      std::map<std::string, std::string> labels = base;
      labels["sloth_window"] = win;
      out << YAML::BeginMap << YAML::Key << "record" << YAML::Value << "slo:sli_error:ratio_rate" + win;
      out << YAML::Key << "expr" << YAML::Value << YAML::Literal
          << "(" + replace_window(s.error_query, win) + ")\n/\n(" + replace_window(s.total_query, win) + ")\n";
      emit_labels(out, labels);
      out << YAML::EndMap;
    }
    // The period ratio averages the 5m ratio, as Sloth does, so it needs no
    // 30-day range query over raw counters.
    {
      std::map<std::string, std::string> labels = base;
      labels["sloth_window"] = "30d";
      out << YAML::BeginMap << YAML::Key << "record" << YAML::Value << "slo:sli_error:ratio_rate30d";
      out << YAML::Key << "expr" << YAML::Value << YAML::Literal
          << "sum_over_time(slo:sli_error:ratio_rate5m" + ids.selector() + "[30d])\n/ ignoring (sloth_window)\ncount_over_time(slo:sli_error:ratio_rate5m" +
                 ids.selector() + "[30d])\n";
      emit_labels(out, labels);
      out << YAML::EndMap;
    }
    out << YAML::EndSeq << YAML::EndMap;

    // Objective, budget, burn rates and the budget left.
    out << YAML::BeginMap << YAML::Key << "name" << YAML::Value << "vigil-slo-meta-recordings-" + ids.id;
    out << YAML::Key << "rules" << YAML::Value << YAML::BeginSeq;
    auto meta = [&](const std::string& record, const std::string& expr) {
      out << YAML::BeginMap << YAML::Key << "record" << YAML::Value << record;
      out << YAML::Key << "expr" << YAML::Value << expr;
      emit_labels(out, base);
      out << YAML::EndMap;
    };
    meta("slo:objective:ratio", "vector(" + promql_number(s.objective_percent / 100) + ")");
    meta("slo:error_budget:ratio", "vector(1 - " + promql_number(s.objective_percent / 100) + ")");
    meta("slo:time_period:days", "vector(30)");
    meta("slo:current_burn_rate:ratio",
         "slo:sli_error:ratio_rate5m" + ids.selector() + "\n/ on(sloth_id, sloth_slo, sloth_service) group_left\nslo:error_budget:ratio" + ids.selector());
    meta("slo:period_burn_rate:ratio",
         "slo:sli_error:ratio_rate30d" + ids.selector() + "\n/ on(sloth_id, sloth_slo, sloth_service) group_left\nslo:error_budget:ratio" + ids.selector());
    meta("slo:period_error_budget_remaining:ratio", "1 - slo:period_burn_rate:ratio" + ids.selector());
    out << YAML::EndSeq << YAML::EndMap;

    // Multi-window multi-burn-rate alerts, one per severity.
    out << YAML::BeginMap << YAML::Key << "name" << YAML::Value << "vigil-slo-alerts-" + ids.id;
    out << YAML::Key << "rules" << YAML::Value << YAML::BeginSeq;
    for (std::string severity : {"page", "ticket"}) {
      if ((severity == "page" && !s.page_enabled) || (severity == "ticket" && !s.ticket_enabled)) continue;
      std::string expr;
      for (const auto& w : windows) {
        if (w.severity != severity) continue;
        std::string threshold = "(" + promql_number(w.factor) + " * " + promql_number(budget) + ")";
        if (!expr.empty()) expr += "or\n";
        expr += "(\n  max(slo:sli_error:ratio_rate" + prom_duration(w.long_window) + ids.selector() + " > " + threshold +
                ") without (sloth_window)\n  and\n  max(slo:sli_error:ratio_rate" + prom_duration(w.short_window) +
                ids.selector() + " > " + threshold + ") without (sloth_window)\n)\n";
      }
      if (expr.empty()) continue;
      std::map<std::string, std::string> labels = s.alert_labels;
      for (const auto& [k, v] : severity == "page" ? s.page_labels : s.ticket_labels) labels[k] = v;
      labels["sloth_severity"] = severity;
      if (!labels.count("severity")) labels["severity"] = severity == "page" ? "critical" : "warning";
      std::map<std::string, std::string> annotations = s.alert_annotations;
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
    out << YAML::EndSeq << YAML::EndMap;
  }
  out << YAML::EndSeq << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

}  // namespace vigil
