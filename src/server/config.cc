#include "server/config.h"

#include "common/yaml_guard.h"

#include <yaml-cpp/yaml.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "common/duration.h"
#include "monitor/window_profile_poster.h"

namespace vigil::server {
namespace {

// Reads typed values out of YAML nodes; every failure names file:line and
// the option's full path.
class Reader {
 public:
  explicit Reader(std::string file) : file_(std::move(file)) {}

  [[noreturn]] void fail(const YAML::Node& n, const std::string& field, const std::string& what) const {
    int line = n.Mark().line >= 0 ? n.Mark().line + 1 : 1;
    throw ConfigError(file_ + ":" + std::to_string(line) + ": " + field + ": " + what);
  }
  std::string str(const YAML::Node& n, const std::string& field) const {
    if (!n.IsScalar()) fail(n, field, "expected a string");
    return n.as<std::string>();
  }
  double num(const YAML::Node& n, const std::string& field) const {
    try {
      if (!n.IsScalar()) throw std::invalid_argument("");
      return n.as<double>();
    } catch (const std::exception&) {
      fail(n, field, "expected a number");
    }
  }
  std::chrono::seconds seconds(const YAML::Node& n, const std::string& field) const {
    try {
      return detail::parse_duration_seconds(str(n, field));
    } catch (const std::invalid_argument&) {
      fail(n, field, "expected a duration like 30s, 5m, 2h, 7d");
    }
  }
  std::chrono::milliseconds millis(const YAML::Node& n, const std::string& field) const {
    try {
      auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(detail::parse_duration(str(n, field)));
      if (ms.count() > 0) return ms;
    } catch (const std::invalid_argument&) {
    }
    fail(n, field, "expected a positive duration like 500ms, 10s, 2m");
  }
  std::size_t count(const YAML::Node& n, const std::string& field) const {
    double v = num(n, field);
    if (!(v >= 1 && v <= 1e9) || v != static_cast<double>(static_cast<std::size_t>(v)))
      fail(n, field, "expected a whole number of at least 1");
    return static_cast<std::size_t>(v);
  }
  std::uint64_t size(const YAML::Node& n, const std::string& field) const {
    try {
      return detail::parse_size(str(n, field));
    } catch (const std::invalid_argument&) {
      fail(n, field, "expected a size like 1000, 64MiB, 2GB");
    }
  }
  std::string required(const YAML::Node& map, const char* key, const std::string& where) const {
    if (!map[key]) fail(map, where + "." + key, "required");
    return str(map[key], where + "." + key);
  }
  void known(const YAML::Node& map, const std::string& where, std::initializer_list<const char*> keys) const {
    if (!map.IsMap()) fail(map, where, "expected a mapping");
    for (const auto& kv : map) {
      std::string k = kv.first.as<std::string>();
      bool ok = false;
      for (const char* key : keys) ok |= k == key;
      if (!ok) fail(kv.first, where.empty() ? k : where + "." + k, "unknown option");
    }
  }
  // Calls read(item, "name[i]") for every item of a list.
  template <class F>
  void each(const YAML::Node& list, const std::string& name, F read) const {
    if (!list.IsSequence()) fail(list, name, "expected a list");
    for (std::size_t i = 0; i < list.size(); ++i) read(list[i], name + "[" + std::to_string(i) + "]");
  }

 private:
  std::string file_;
};

void read_address(const Reader& r, const YAML::Node& n, const std::string& where, std::string& host, int& port) {
  std::string l = r.str(n, where);
  auto colon = l.rfind(':');
  if (colon == std::string::npos) r.fail(n, where, "expected HOST:PORT");
  host = l.substr(0, colon);
  try {
    port = std::stoi(l.substr(colon + 1));
  } catch (const std::exception&) {
    r.fail(n, where, "port is not a number");
  }
  if (port < 0 || port > 65535) r.fail(n, where, "port out of range");
}

void read_http(const Reader& r, const YAML::Node& h, DaemonConfig& c) {
  r.known(h, "http", {"header_timeout", "body_timeout", "idle_timeout", "write_timeout", "max_connections",
                      "max_buffered_bytes", "io_threads", "workers", "read_workers", "max_queued_requests"});
  detail::HttpLimits& l = c.http;
  if (auto n = h["header_timeout"]) l.header_timeout = r.millis(n, "http.header_timeout");
  if (auto n = h["body_timeout"]) l.body_timeout = r.millis(n, "http.body_timeout");
  if (auto n = h["idle_timeout"]) l.idle_timeout = r.millis(n, "http.idle_timeout");
  if (auto n = h["write_timeout"]) l.write_timeout = r.millis(n, "http.write_timeout");
  if (auto n = h["max_connections"]) l.max_connections = r.count(n, "http.max_connections");
  if (auto n = h["max_buffered_bytes"]) l.max_buffered_bytes = r.size(n, "http.max_buffered_bytes");
  if (auto n = h["io_threads"]) c.http_io_threads = r.count(n, "http.io_threads");
  if (auto n = h["workers"]) c.http_workers = r.count(n, "http.workers");
  if (auto n = h["read_workers"]) c.http_read_workers = r.count(n, "http.read_workers");
  if (auto n = h["max_queued_requests"]) c.http_max_queued = r.count(n, "http.max_queued_requests");
}

void read_grpc(const Reader& r, const YAML::Node& g, DaemonConfig& c) {
  if (g.IsScalar() && (g.as<std::string>() == "off" || g.as<std::string>() == "false")) {
    c.grpc_port = -1;
    return;
  }
  r.known(g, "grpc", {"listen", "workers"});
  if (auto n = g["listen"]) read_address(r, n, "grpc.listen", c.grpc_host, c.grpc_port);
  if (auto n = g["workers"]) c.grpc_workers = r.count(n, "grpc.workers");
}

void read_store(const Reader& r, const YAML::Node& s, DaemonConfig& c) {
  store::StoreOptions& o = c.store;
  r.known(s, "store", {"path", "retention", "max_bytes", "max_queued_bytes", "acknowledge"});
  if (auto n = s["acknowledge"]) {
    std::string a = r.str(n, "store.acknowledge");
    if (a != "queued" && a != "committed") r.fail(n, "store.acknowledge", "expected queued or committed");
    c.acknowledge_committed = a == "committed";
  }
  if (auto n = s["path"]) o.path = r.str(n, "store.path");
  if (auto n = s["retention"]) o.retention = r.seconds(n, "store.retention");
  if (auto n = s["max_bytes"]) o.max_bytes = r.size(n, "store.max_bytes");
  if (auto n = s["max_queued_bytes"]) o.max_queued_bytes = r.size(n, "store.max_queued_bytes");
}

ModelConfig read_model(const Reader& r, const YAML::Node& n, const std::string& where) {
  r.known(n, where, {"name", "reference", "task", "target"});
  ModelConfig m;
  m.name = r.required(n, "name", where);
  if (auto v = n["reference"]) m.reference = r.str(v, where + ".reference");
  if (auto v = n["target"]) m.target = r.str(v, where + ".target");
  if (auto v = n["task"]) {
    std::string t = r.str(v, where + ".task");
    if (t == "classification") m.task = ModelTask::kClassification;
    else if (t == "regression") m.task = ModelTask::kRegression;
    else r.fail(v, where + ".task", "expected classification or regression");
  }
  return m;
}

alert::LogAlertRule read_log_alert(const Reader& r, const YAML::Node& n, const std::string& where) {
  r.known(n, where, {"name", "query", "window", "threshold", "for", "severity", "summary"});
  alert::LogAlertRule rule;
  rule.name = r.required(n, "name", where);
  rule.query = r.required(n, "query", where);
  try {
    (void)store::parse_log_query(rule.query);
  } catch (const store::QueryError& e) {
    r.fail(n["query"], where + ".query", e.what());
  }
  if (auto v = n["window"]) rule.window = r.seconds(v, where + ".window");
  if (auto v = n["threshold"]) rule.threshold = r.num(v, where + ".threshold");
  if (auto v = n["for"]) rule.for_duration = r.seconds(v, where + ".for");
  if (auto v = n["severity"]) rule.severity = r.str(v, where + ".severity");
  if (auto v = n["summary"]) rule.summary = r.str(v, where + ".summary");
  return rule;
}

alert::MetricAlertRule read_metric_alert(const Reader& r, const YAML::Node& n, const std::string& where) {
  r.known(n, where, {"name", "metric", "labels", "op", "threshold", "for", "severity", "summary"});
  alert::MetricAlertRule rule;
  rule.name = r.required(n, "name", where);
  rule.metric = r.required(n, "metric", where);
  if (auto l = n["labels"]) {
    if (!l.IsMap()) r.fail(l, where + ".labels", "expected a map of label: value");
    for (const auto& kv : l) rule.labels[kv.first.as<std::string>()] = r.str(kv.second, where + ".labels");
  }
  if (auto o = n["op"]) {
    auto op = alert::parse_comparison(r.str(o, where + ".op"));
    if (!op) r.fail(o, where + ".op", "expected >, >=, < or <=");
    rule.op = *op;
  }
  if (auto v = n["threshold"]) rule.threshold = r.num(v, where + ".threshold");
  if (auto v = n["for"]) rule.for_duration = r.seconds(v, where + ".for");
  if (auto v = n["severity"]) rule.severity = r.str(v, where + ".severity");
  if (auto v = n["summary"]) rule.summary = r.str(v, where + ".summary");
  return rule;
}

SloConfig read_slo(const Reader& r, const YAML::Node& n, const std::string& where) {
  r.known(n, where, {"model", "objective", "latency_threshold", "period"});
  SloConfig slo;
  slo.model = r.required(n, "model", where);
  if (auto o = n["objective"]) {
    slo.objective_percent = r.num(o, where + ".objective");
    if (!(slo.objective_percent > 0 && slo.objective_percent < 100))
      r.fail(o, where + ".objective", "must be a percentage between 0 and 100 (exclusive)");
  }
  if (auto l = n["latency_threshold"]) {
    try {
      slo.latency_threshold_seconds =
          std::chrono::duration<double>(detail::parse_duration(r.str(l, where + ".latency_threshold"))).count();
    } catch (const std::invalid_argument&) {
      r.fail(l, where + ".latency_threshold", "expected a duration like 250ms or 1s");
    }
  }
  if (auto p = n["period"]) slo.period = r.seconds(p, where + ".period");
  return slo;
}

void read_urls(const Reader& r, const YAML::Node& alerting, const char* key, std::vector<std::string>& out) {
  YAML::Node n = alerting[key];
  if (!n) return;
  std::string where = std::string("alerting.") + key;
  if (!n.IsSequence()) r.fail(n, where, "expected a list of URLs");
  for (std::size_t i = 0; i < n.size(); ++i) {
    std::string u = r.str(n[i], where);
    if (u.rfind("http://", 0) != 0 && u.rfind("https://", 0) != 0) r.fail(n[i], where, "expected an http:// or https:// URL");
    out.push_back(u);
  }
}

void read_root(const Reader& r, const YAML::Node& root, DaemonConfig& c) {
  r.known(root, "", {"listen", "grpc", "http", "auth_token", "allowed_hosts", "max_body_bytes", "max_clock_skew", "store",
                     "monitor", "log_alerts", "alert_interval", "alerting", "metric_alerts", "slos", "ui"});
  if (auto n = root["listen"]) read_address(r, n, "listen", c.host, c.port);
  if (auto n = root["http"]) read_http(r, n, c);
  if (auto n = root["grpc"]) read_grpc(r, n, c);
  if (auto n = root["auth_token"]) c.auth_token = r.str(n, "auth_token");
  if (auto n = root["allowed_hosts"])
    r.each(n, "allowed_hosts", [&](const YAML::Node& i, const std::string& w) { c.allowed_hosts.push_back(r.str(i, w)); });
  if (auto n = root["max_body_bytes"]) c.max_body_bytes = r.size(n, "max_body_bytes");
  if (auto n = root["max_clock_skew"]) c.max_clock_skew = r.seconds(n, "max_clock_skew");
  if (auto n = root["store"]) read_store(r, n, c);
  if (auto m = root["monitor"]) {
    r.known(m, "monitor", {"window", "min_window_rows", "models", "max_models", "max_features", "window_profiles",
                           "window_profiles_url", "window_profiles_token", "instance"});
    if (auto n = m["window"]) c.window = r.seconds(n, "monitor.window");
    if (auto n = m["window_profiles"]) c.window_profiles = r.str(n, "monitor.window_profiles");
    if (auto n = m["window_profiles_url"]) {
      c.window_profiles_url = r.str(n, "monitor.window_profiles_url");
      if (!detail::is_daemon_base_url(c.window_profiles_url))
        r.fail(n, "monitor.window_profiles_url", "expected http://host:port of the daemon that gathers the windows");
    }
    if (auto n = m["window_profiles_token"]) c.window_profiles_token = r.str(n, "monitor.window_profiles_token");
    if (auto n = m["instance"]) c.instance = r.str(n, "monitor.instance");
    if (auto n = m["min_window_rows"]) c.min_window_rows = r.count(n, "monitor.min_window_rows");
    if (auto n = m["max_models"]) c.max_models = r.count(n, "monitor.max_models");
    if (auto n = m["max_features"]) c.max_features = r.count(n, "monitor.max_features");
    if (auto n = m["models"])
      r.each(n, "monitor.models", [&](const YAML::Node& i, const std::string& w) { c.models.push_back(read_model(r, i, w)); });
  }
  if (auto n = root["log_alerts"])
    r.each(n, "log_alerts", [&](const YAML::Node& i, const std::string& w) { c.log_alerts.push_back(read_log_alert(r, i, w)); });
  if (auto n = root["alert_interval"]) c.alert_interval = r.seconds(n, "alert_interval");
  if (auto ui = root["ui"]) {
    r.known(ui, "ui", {"history_resolution", "history_keep"});
    if (auto n = ui["history_resolution"]) c.history_resolution = r.seconds(n, "ui.history_resolution");
    if (auto n = ui["history_keep"]) c.store.history_keep = r.seconds(n, "ui.history_keep");
  }
  if (auto n = root["metric_alerts"])
    r.each(n, "metric_alerts",
           [&](const YAML::Node& i, const std::string& w) { c.metric_alerts.push_back(read_metric_alert(r, i, w)); });
  if (auto n = root["slos"])
    r.each(n, "slos", [&](const YAML::Node& i, const std::string& w) { c.slos.push_back(read_slo(r, i, w)); });
  if (auto al = root["alerting"]) {
    r.known(al, "alerting", {"alertmanagers", "webhooks"});
    read_urls(r, al, "alertmanagers", c.alertmanager_urls);
    read_urls(r, al, "webhooks", c.webhook_urls);
  }
}

}  // namespace

DaemonConfig parse_config(const std::string& text, const std::string& file) {
  DaemonConfig c;
  if (const char* env = std::getenv("VIGIL_AUTH_TOKEN"); env && *env) c.auth_token = env;
  if (std::size_t line = detail::yaml_stray_comma_line(text))
    throw ConfigError(file + ":" + std::to_string(line) + ": a line cannot start with ','");
  try {
    YAML::Node root = YAML::Load(text);
    if (root && !root.IsNull()) read_root(Reader(file), root, c);
  } catch (const YAML::ParserException& e) {
    throw ConfigError(file + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
  } catch (const YAML::Exception& e) {
    int line = e.mark.line >= 0 ? e.mark.line + 1 : 0;
    throw ConfigError(file + ":" + std::to_string(line) + ": malformed configuration: " + e.msg);
  }
  return c;
}

DaemonConfig load_config(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) throw ConfigError("cannot read config " + path.string());
  std::stringstream ss;
  ss << in.rdbuf();
  return parse_config(ss.str(), path.string());
}

}  // namespace vigil::server
