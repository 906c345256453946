// Sloth `prometheus/v1` SLO specs, parsed with yaml-cpp; every error names
// the file, the line and the field.
#include <yaml-cpp/yaml.h>

#include <cctype>
#include <fstream>
#include <sstream>

#include "common/yaml_guard.h"
#include "vigil/slo.h"

namespace vigil {
namespace {

struct Ctx {
  std::string file;
  [[noreturn]] void fail(const YAML::Node& node, const std::string& field, const std::string& why) const {
    int line = node.IsDefined() && node.Mark().line >= 0 ? node.Mark().line + 1 : 0;
    throw SpecError(file + ":" + std::to_string(line) + ": " + field + ": " + why);
  }
  std::string str(const YAML::Node& parent, const char* key, const std::string& path, bool required) const {
    YAML::Node n = parent[key];
    if (!n) {
      if (required) fail(parent, path + "." + key, "is required");
      return {};
    }
    if (!n.IsScalar()) fail(n, path + "." + key, "must be a string");
    return n.as<std::string>();
  }
  std::map<std::string, std::string> string_map(const YAML::Node& parent, const char* key, const std::string& path) const {
    std::map<std::string, std::string> out;
    YAML::Node n = parent[key];
    if (!n) return out;
    if (!n.IsMap()) fail(n, path + "." + key, "must be a map of strings");
    for (const auto& kv : n) {
      if (!kv.second.IsScalar()) fail(kv.second, path + "." + key + "." + kv.first.as<std::string>(), "must be a string");
      out[kv.first.as<std::string>()] = kv.second.as<std::string>();
    }
    return out;
  }
};

bool valid_name(const std::string& s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_')) return false;
  return true;
}

}  // namespace

namespace {

// A label selector as written in a spec: `model="ranker", status!="x"`;
// empty is fine. Joined with more matchers into one {...}.
std::string join_selector(const std::string& a, const std::string& b) {
  if (a.empty()) return b.empty() ? "" : "{" + b + "}";
  return "{" + a + (b.empty() ? "" : ", " + b) + "}";
}

// Sloth's `events` or one of vigil's native SLIs, turned into the
// error_query/total_query pair the rule generator works from:
//   availability:  {counter, error_selector, selector}  (also spelled error_rate)
//   latency:       {histogram, threshold_seconds (a bucket bound), selector}
//   model_quality: {gauge, selector, min}  a minute is bad while the gauge is below min
void native_sli(const Ctx& ctx, const YAML::Node& sli, const std::string& path, SloSpec& s) {
  if (YAML::Node plugin = sli["plugin"]) {
    std::string id = plugin.IsMap() && plugin["id"] && plugin["id"].IsScalar() ? plugin["id"].as<std::string>() : "";
    ctx.fail(plugin, path + ".plugin",
             "SLI plugins are not supported (plugin \"" + id +
                 "\"): write its queries as sli.events (error_query, total_query) or sli.raw (errorRatioQuery)");
  }
  if (YAML::Node raw = sli["raw"]) {
    if (!raw.IsMap()) ctx.fail(raw, path + ".raw", "must be a map (errorRatioQuery)");
    s.error_ratio_query = ctx.str(raw, "errorRatioQuery", path + ".raw", true);
    while (!s.error_ratio_query.empty() && std::isspace(static_cast<unsigned char>(s.error_ratio_query.back())))
      s.error_ratio_query.pop_back();  // a YAML block scalar's last newline
    return;
  }
  if (YAML::Node events = sli["events"]) {
    if (!events.IsMap()) ctx.fail(events, path + ".events", "must be a map (error_query and total_query)");
    s.error_query = ctx.str(events, "error_query", path + ".events", true);
    s.total_query = ctx.str(events, "total_query", path + ".events", true);
    return;
  }
  for (const char* kind : {"availability", "error_rate"})
    if (YAML::Node a = sli[kind]) {
      std::string p = path + "." + kind;
      std::string counter = ctx.str(a, "counter", p, true);
      std::string errors = ctx.str(a, "error_selector", p, true);
      std::string sel = ctx.str(a, "selector", p, false);
      s.error_query = "sum(rate(" + counter + join_selector(sel, errors) + "[{{.window}}]))";
      s.total_query = "sum(rate(" + counter + join_selector(sel, "") + "[{{.window}}]))";
      return;
    }
  if (YAML::Node l = sli["latency"]) {
    std::string p = path + ".latency";
    std::string h = ctx.str(l, "histogram", p, true);
    std::string threshold = ctx.str(l, "threshold_seconds", p, true);
    try {
      if (!(std::stod(threshold) > 0)) throw std::invalid_argument(threshold);
    } catch (const std::exception&) {
      ctx.fail(l["threshold_seconds"], p + ".threshold_seconds", "must be a positive number (a bucket bound of the histogram)");
    }
    std::string sel = ctx.str(l, "selector", p, false);
    s.error_query = "sum(rate(" + h + "_count" + join_selector(sel, "") + "[{{.window}}])) - sum(rate(" + h + "_bucket" +
                    join_selector(sel, "le=\"" + threshold + "\"") + "[{{.window}}]))";
    s.total_query = "sum(rate(" + h + "_count" + join_selector(sel, "") + "[{{.window}}]))";
    return;
  }
  if (YAML::Node q = sli["model_quality"]) {
    std::string p = path + ".model_quality";
    std::string gauge = ctx.str(q, "gauge", p, true);
    std::string min = ctx.str(q, "min", p, true);
    try {
      (void)std::stod(min);
    } catch (const std::exception&) {
      ctx.fail(q["min"], p + ".min", "must be a number");
    }
    std::string sel = join_selector(ctx.str(q, "selector", p, false), "");
    s.error_query = "sum_over_time((min(" + gauge + sel + ") < bool " + min + ")[{{.window}}:1m])";
    s.total_query = "count_over_time((min(" + gauge + sel + "))[{{.window}}:1m])";
    return;
  }
  ctx.fail(sli, path, "needs events or raw (Sloth), availability, error_rate, latency or model_quality");
}

void check_window_placeholders(const Ctx& ctx, const YAML::Node& sli, const std::string& path, const SloSpec& s) {
  for (const auto* q : {&s.error_query, &s.total_query, &s.error_ratio_query})
    if (!q->empty() && q->find("{{.window}}") == std::string::npos)
      ctx.fail(sli, path, "queries must use the {{.window}} placeholder in their range");
}

void read_objective(const Ctx& ctx, const YAML::Node& n, const std::string& path, SloSpec& s) {
  YAML::Node obj = n["objective"];
  if (!obj) ctx.fail(n, path + ".objective", "is required");
  try {
    s.objective_percent = obj.as<double>();
  } catch (const YAML::Exception&) {
    ctx.fail(obj, path + ".objective", "must be a number");
  }
  if (!(s.objective_percent > 0 && s.objective_percent < 100))
    ctx.fail(obj, path + ".objective", "must be a percentage between 0 and 100 (exclusive)");
}

void read_alerting(const Ctx& ctx, const YAML::Node& alerting, const std::string& apath, SloSpec& s) {
  s.alert_name = ctx.str(alerting, "name", apath, false);
  s.alert_labels = ctx.string_map(alerting, "labels", apath);
  s.alert_annotations = ctx.string_map(alerting, "annotations", apath);
  if (YAML::Node page = alerting["page_alert"]) {
    s.page_labels = ctx.string_map(page, "labels", apath + ".page_alert");
    if (page["disable"]) s.page_enabled = !page["disable"].as<bool>();
  }
  if (YAML::Node ticket = alerting["ticket_alert"]) {
    s.ticket_labels = ctx.string_map(ticket, "labels", apath + ".ticket_alert");
    if (ticket["disable"]) s.ticket_enabled = !ticket["disable"].as<bool>();
  }
}

SloSpec read_slo(const Ctx& ctx, const YAML::Node& n, const std::string& path, const SloServiceSpec& spec) {
  if (!n.IsMap()) ctx.fail(n, path, "must be a map");
  SloSpec s;
  s.name = ctx.str(n, "name", path, true);
  if (!valid_name(s.name)) ctx.fail(n["name"], path + ".name", "must be letters, digits, '-' or '_'");
  for (const auto& other : spec.slos)
    if (other.name == s.name) ctx.fail(n["name"], path + ".name", "duplicate SLO name \"" + s.name + "\"");
  s.description = ctx.str(n, "description", path, false);
  read_objective(ctx, n, path, s);
  s.labels = ctx.string_map(n, "labels", path);
  YAML::Node sli = n["sli"];
  if (!sli || !sli.IsMap())
    ctx.fail(sli ? sli : n, path + ".sli", "is required (events, availability, latency or model_quality)");
  native_sli(ctx, sli, path + ".sli", s);
  check_window_placeholders(ctx, sli, path + ".sli", s);
  if (YAML::Node alerting = n["alerting"]) read_alerting(ctx, alerting, path + ".alerting", s);
  if (s.alert_name.empty()) s.alert_name = "SLOErrorBudgetBurn";
  return s;
}

// One OpenSLO v1alpha `kind: SLO` document: its objectives, as SLOs of the spec.
void read_openslo(const Ctx& ctx, const YAML::Node& doc, SloServiceSpec& spec) {
  if (std::string kind = ctx.str(doc, "kind", "", true); kind != "SLO")
    ctx.fail(doc["kind"], "kind", "must be \"SLO\" (other OpenSLO kinds are not read), got \"" + kind + "\"");
  YAML::Node meta = doc["metadata"], body = doc["spec"];
  if (!meta || !meta.IsMap()) ctx.fail(doc, "metadata", "is required");
  if (!body || !body.IsMap()) ctx.fail(doc, "spec", "is required");
  std::string name = ctx.str(meta, "name", "metadata", true), service = ctx.str(body, "service", "spec", true);
  if (!spec.service.empty() && service != spec.service)
    ctx.fail(body["service"], "spec.service", "every SLO of a file must be of one service (\"" + spec.service + "\")");
  spec.service = service;
  if (std::string m = ctx.str(body, "budgetingMethod", "spec", false); !m.empty() && m != "Occurrences")
    ctx.fail(body["budgetingMethod"], "spec.budgetingMethod", "only Occurrences is supported, got \"" + m + "\"");
  if (YAML::Node windows = body["timeWindows"]) {
    bool thirty_days = windows.IsSequence() && windows.size() == 1 && windows[0]["count"] &&
                       windows[0]["count"].as<std::string>() == "30" && ctx.str(windows[0], "unit", "spec.timeWindows[0]", false) == "Day";
    if (!thirty_days) ctx.fail(windows, "spec.timeWindows", "only one window of 30 Day is supported");
  }
  YAML::Node objectives = body["objectives"];
  if (!objectives || !objectives.IsSequence() || objectives.size() == 0)
    ctx.fail(objectives ? objectives : body, "spec.objectives", "must be a non-empty list");
  for (std::size_t i = 0; i < objectives.size(); ++i) {
    std::string path = "spec.objectives[" + std::to_string(i) + "]";
    const YAML::Node& o = objectives[i];
    YAML::Node ratio = o["ratioMetrics"];
    if (!ratio || !ratio.IsMap()) ctx.fail(o, path + ".ratioMetrics", "is required (good and total queries)");
    SloSpec s;
    s.name = name + "-" + std::to_string(i);
    s.description = ctx.str(body, "description", "spec", false);
    std::string good = ctx.str(ratio["good"], "query", path + ".ratioMetrics.good", true);
    std::string total = ctx.str(ratio["total"], "query", path + ".ratioMetrics.total", true);
    s.error_ratio_query = "1 - ((" + good + ")\n/\n(" + total + "))";
    YAML::Node target = o["target"];
    if (!target) ctx.fail(o, path + ".target", "is required");
    s.objective_percent = target.as<double>() * 100;
    if (!(s.objective_percent > 0 && s.objective_percent < 100)) ctx.fail(target, path + ".target", "must be between 0 and 1");
    s.page_enabled = s.ticket_enabled = false;  // OpenSLO v1alpha defines no alerts
    s.alert_name = "SLOErrorBudgetBurn";
    check_window_placeholders(ctx, ratio, path + ".ratioMetrics", s);
    spec.slos.push_back(std::move(s));
  }
}

SloServiceSpec parse_openslo(const Ctx& ctx, std::string_view text) {
  SloServiceSpec spec;
  spec.spec_version = "openslo/v1alpha";
  for (const YAML::Node& doc : YAML::LoadAll(std::string(text))) {
    if (!doc.IsDefined() || doc.IsNull()) continue;
    if (!doc.IsMap()) ctx.fail(doc, "(document)", "must be a map");
    if (std::string v = ctx.str(doc, "apiVersion", "", true); v != "openslo/v1alpha")
      ctx.fail(doc["apiVersion"], "apiVersion", "must be \"openslo/v1alpha\", got \"" + v + "\"");
    read_openslo(ctx, doc, spec);
  }
  if (spec.slos.empty()) throw SpecError(ctx.file + ":1: (document): no SLO");
  return spec;
}

SloServiceSpec parse_slo_spec_unchecked(std::string_view text, std::string_view file_name) {
  Ctx ctx{std::string(file_name)};
  if (std::size_t line = detail::yaml_stray_comma_line(text))
    throw SpecError(ctx.file + ":" + std::to_string(line) + ": invalid YAML: a line cannot start with ','");
  YAML::Node root;
  try {
    if (text.find("openslo/") != std::string_view::npos) {
      auto docs = YAML::LoadAll(std::string(text));
      if (!docs.empty() && docs[0].IsMap() && docs[0]["apiVersion"]) return parse_openslo(ctx, text);
    }
    root = YAML::Load(std::string(text));
  } catch (const YAML::ParserException& e) {
    throw SpecError(ctx.file + ":" + std::to_string(e.mark.line + 1) + ": invalid YAML: " + e.msg);
  }
  if (!root.IsMap()) ctx.fail(root, "(document)", "must be a map");
  if (std::string v = ctx.str(root, "version", "", true); v != "prometheus/v1")
    ctx.fail(root["version"], "version", "must be \"prometheus/v1\", got \"" + v + "\"");
  SloServiceSpec spec;
  spec.service = ctx.str(root, "service", "", true);
  if (!valid_name(spec.service)) ctx.fail(root["service"], "service", "must be letters, digits, '-' or '_'");
  spec.labels = ctx.string_map(root, "labels", "");
  YAML::Node slos = root["slos"];
  if (!slos || !slos.IsSequence() || slos.size() == 0) ctx.fail(slos ? slos : root, "slos", "must be a non-empty list");
  for (std::size_t i = 0; i < slos.size(); ++i)
    spec.slos.push_back(read_slo(ctx, slos[i], "slos[" + std::to_string(i) + "]", spec));
  return spec;
}

}  // namespace

// yaml-cpp throws on shapes the checks above do not foresee (a key looked up
// in a scalar, a bool that is not one): those become SpecErrors with a line too.
SloServiceSpec parse_slo_spec(std::string_view text, std::string_view file_name) {
  try {
    return parse_slo_spec_unchecked(text, file_name);
  } catch (const YAML::Exception& e) {
    int line = e.mark.line >= 0 ? e.mark.line + 1 : 0;
    throw SpecError(std::string(file_name) + ":" + std::to_string(line) + ": malformed spec: " + e.msg);
  }
}

SloServiceSpec load_slo_spec_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw SpecError(path + ": cannot open file");
  std::stringstream ss;
  ss << in.rdbuf();
  return parse_slo_spec(ss.str(), path);
}

}  // namespace vigil
