// Sloth `prometheus/v1` SLO specs, parsed with yaml-cpp; every error names
// the file, the line and the field.
#include <yaml-cpp/yaml.h>

#include <fstream>
#include <sstream>

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
  ctx.fail(sli, path, "needs events (Sloth), availability, error_rate, latency or model_quality");
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
  for (const auto* q : {&s.error_query, &s.total_query})
    if (q->find("{{.window}}") == std::string::npos)
      ctx.fail(sli, path + ".sli", "queries must use the {{.window}} placeholder in their range");
  if (YAML::Node alerting = n["alerting"]) read_alerting(ctx, alerting, path + ".alerting", s);
  if (s.alert_name.empty()) s.alert_name = "SLOErrorBudgetBurn";
  return s;
}

SloServiceSpec parse_slo_spec_unchecked(std::string_view text, std::string_view file_name) {
  Ctx ctx{std::string(file_name)};
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
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
