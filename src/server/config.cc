#include "server/config.h"

#include <yaml-cpp/yaml.h>

#include <cctype>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace vigil::server {
namespace {

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
  std::chrono::seconds duration(const YAML::Node& n, const std::string& field) const {
    try {
      return parse_duration(str(n, field));
    } catch (const std::invalid_argument&) {
      fail(n, field, "expected a duration like 30s, 5m, 2h, 7d");
    }
  }
  std::uint64_t size(const YAML::Node& n, const std::string& field) const {
    try {
      return parse_size(str(n, field));
    } catch (const std::invalid_argument&) {
      fail(n, field, "expected a size like 1000, 64MiB, 2GB");
    }
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

 private:
  std::string file_;
};

}  // namespace

std::chrono::seconds parse_duration(const std::string& t) {
  if (t.empty()) throw std::invalid_argument("empty");
  std::size_t i = 0;
  long long total = 0;
  while (i < t.size()) {
    std::size_t start = i;
    while (i < t.size() && std::isdigit(static_cast<unsigned char>(t[i]))) ++i;
    if (start == i || i == t.size()) throw std::invalid_argument(t);
    if (i - start > 9) throw std::invalid_argument(t);  // no overflow: 999999999w is plenty
    long long v = std::stoll(t.substr(start, i - start));
    char u = t[i++];
    long long mult = u == 's' ? 1 : u == 'm' ? 60 : u == 'h' ? 3600 : u == 'd' ? 86400 : u == 'w' ? 604800 : -1;
    if (mult < 0) throw std::invalid_argument(t);
    total += v * mult;
  }
  return std::chrono::seconds(total);
}

std::uint64_t parse_size(const std::string& t) {
  std::size_t i = 0;
  while (i < t.size() && std::isdigit(static_cast<unsigned char>(t[i]))) ++i;
  if (i == 0 || i > 15) throw std::invalid_argument(t);
  std::uint64_t v = std::stoull(t.substr(0, i));
  std::string unit = t.substr(i);
  while (!unit.empty() && unit.front() == ' ') unit.erase(0, 1);
  static const std::pair<const char*, std::uint64_t> units[] = {
      {"", 1}, {"B", 1}, {"KB", 1000}, {"MB", 1000000}, {"GB", 1000000000},
      {"KiB", 1024}, {"MiB", 1024 * 1024}, {"GiB", 1024ull * 1024 * 1024}};
  for (auto [name, mult] : units)
    if (unit == name) return v * mult;
  throw std::invalid_argument(t);
}

namespace {
DaemonConfig parse_config_unchecked(const std::string& text, const std::string& file) {
  DaemonConfig c;
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::ParserException& e) {
    throw ConfigError(file + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
  if (const char* env = std::getenv("VIGIL_AUTH_TOKEN"); env && *env) c.auth_token = env;
  if (!root || root.IsNull()) return c;
  Reader r(file);
  r.known(root, "", {"listen", "auth_token", "max_body_bytes", "store", "monitor", "log_alerts", "alert_interval",
                     "alerting", "metric_alerts", "slos"});
  if (auto n = root["listen"]) {
    std::string l = r.str(n, "listen");
    auto colon = l.rfind(':');
    if (colon == std::string::npos) r.fail(n, "listen", "expected HOST:PORT");
    c.host = l.substr(0, colon);
    try {
      c.port = std::stoi(l.substr(colon + 1));
    } catch (const std::exception&) {
      r.fail(n, "listen", "port is not a number");
    }
    if (c.port < 0 || c.port > 65535) r.fail(n, "listen", "port out of range");
  }
  if (auto n = root["auth_token"]) c.auth_token = r.str(n, "auth_token");
  if (auto n = root["max_body_bytes"]) c.max_body_bytes = r.size(n, "max_body_bytes");
  if (auto s = root["store"]) {
    r.known(s, "store", {"path", "retention", "max_bytes", "max_queued_bytes"});
    if (auto n = s["path"]) c.store.path = r.str(n, "store.path");
    if (auto n = s["retention"]) c.store.retention = r.duration(n, "store.retention");
    if (auto n = s["max_bytes"]) c.store.max_bytes = r.size(n, "store.max_bytes");
    if (auto n = s["max_queued_bytes"]) c.store.max_queued_bytes = r.size(n, "store.max_queued_bytes");
  }
  if (auto m = root["monitor"]) {
    r.known(m, "monitor", {"window", "models"});
    if (auto n = m["window"]) c.window = r.duration(n, "monitor.window");
    if (auto models = m["models"]) {
      if (!models.IsSequence()) r.fail(models, "monitor.models", "expected a list");
      for (std::size_t i = 0; i < models.size(); ++i) {
        const auto& mn = models[i];
        std::string where = "monitor.models[" + std::to_string(i) + "]";
        r.known(mn, where, {"name", "reference", "task", "target"});
        ModelConfig mc;
        if (!mn["name"]) r.fail(mn, where + ".name", "required");
        mc.name = r.str(mn["name"], where + ".name");
        if (auto n = mn["reference"]) mc.reference = r.str(n, where + ".reference");
        if (auto n = mn["target"]) mc.target = r.str(n, where + ".target");
        if (auto n = mn["task"]) {
          std::string t = r.str(n, where + ".task");
          if (t == "classification") mc.task = ModelTask::kClassification;
          else if (t == "regression") mc.task = ModelTask::kRegression;
          else r.fail(n, where + ".task", "expected classification or regression");
        }
        c.models.push_back(std::move(mc));
      }
    }
  }
  if (auto a = root["log_alerts"]) {
    if (!a.IsSequence()) r.fail(a, "log_alerts", "expected a list");
    for (std::size_t i = 0; i < a.size(); ++i) {
      const auto& an = a[i];
      std::string where = "log_alerts[" + std::to_string(i) + "]";
      r.known(an, where, {"name", "query", "window", "threshold", "for", "severity", "summary"});
      alert::LogAlertRule rule;
      if (!an["name"]) r.fail(an, where + ".name", "required");
      if (!an["query"]) r.fail(an, where + ".query", "required");
      rule.name = r.str(an["name"], where + ".name");
      rule.query = r.str(an["query"], where + ".query");
      try {
        (void)store::parse_log_query(rule.query);
      } catch (const store::QueryError& e) {
        r.fail(an["query"], where + ".query", e.what());
      }
      if (auto n = an["window"]) rule.window = r.duration(n, where + ".window");
      if (auto n = an["threshold"]) rule.threshold = r.num(n, where + ".threshold");
      if (auto n = an["for"]) rule.for_duration = r.duration(n, where + ".for");
      if (auto n = an["severity"]) rule.severity = r.str(n, where + ".severity");
      if (auto n = an["summary"]) rule.summary = r.str(n, where + ".summary");
      c.log_alerts.push_back(std::move(rule));
    }
  }
  if (auto n = root["alert_interval"]) c.alert_interval = r.duration(n, "alert_interval");
  if (auto ma = root["metric_alerts"]) {
    if (!ma.IsSequence()) r.fail(ma, "metric_alerts", "expected a list");
    for (std::size_t i = 0; i < ma.size(); ++i) {
      const auto& n = ma[i];
      std::string where = "metric_alerts[" + std::to_string(i) + "]";
      r.known(n, where, {"name", "metric", "labels", "op", "threshold", "for", "severity", "summary"});
      MetricAlertRule rule;
      if (!n["name"]) r.fail(n, where + ".name", "required");
      if (!n["metric"]) r.fail(n, where + ".metric", "required");
      rule.name = r.str(n["name"], where + ".name");
      rule.metric = r.str(n["metric"], where + ".metric");
      if (auto l = n["labels"]) {
        if (!l.IsMap()) r.fail(l, where + ".labels", "expected a map of label: value");
        for (const auto& kv : l) rule.labels[kv.first.as<std::string>()] = r.str(kv.second, where + ".labels");
      }
      if (auto o = n["op"]) {
        rule.op = r.str(o, where + ".op");
        if (rule.op != ">" && rule.op != ">=" && rule.op != "<" && rule.op != "<=") r.fail(o, where + ".op", "expected >, >=, < or <=");
      }
      if (auto t = n["threshold"]) rule.threshold = r.num(t, where + ".threshold");
      if (auto f = n["for"]) rule.for_duration = r.duration(f, where + ".for");
      if (auto sv = n["severity"]) rule.severity = r.str(sv, where + ".severity");
      if (auto sm = n["summary"]) rule.summary = r.str(sm, where + ".summary");
      c.metric_alerts.push_back(std::move(rule));
    }
  }
  if (auto sl = root["slos"]) {
    if (!sl.IsSequence()) r.fail(sl, "slos", "expected a list");
    for (std::size_t i = 0; i < sl.size(); ++i) {
      const auto& n = sl[i];
      std::string where = "slos[" + std::to_string(i) + "]";
      r.known(n, where, {"model", "objective", "latency_threshold", "period"});
      SloConfig slo;
      if (!n["model"]) r.fail(n, where + ".model", "required");
      slo.model = r.str(n["model"], where + ".model");
      if (auto o = n["objective"]) {
        slo.objective_percent = r.num(o, where + ".objective");
        if (!(slo.objective_percent > 0 && slo.objective_percent < 100))
          r.fail(o, where + ".objective", "must be a percentage between 0 and 100 (exclusive)");
      }
      if (auto l = n["latency_threshold"]) {
        std::string t = r.str(l, where + ".latency_threshold");
        try {
          if (t.size() > 2 && t.ends_with("ms")) slo.latency_threshold_seconds = std::stod(t.substr(0, t.size() - 2)) / 1000;
          else slo.latency_threshold_seconds = static_cast<double>(parse_duration(t).count());
        } catch (const std::exception&) {
          r.fail(l, where + ".latency_threshold", "expected a duration like 250ms or 1s");
        }
      }
      if (auto p = n["period"]) slo.period = r.duration(p, where + ".period");
      c.slos.push_back(std::move(slo));
    }
  }
  if (auto al = root["alerting"]) {
    r.known(al, "alerting", {"alertmanagers", "webhooks"});
    auto urls = [&](const char* key, std::vector<std::string>& out) {
      YAML::Node n = al[key];
      if (!n) return;
      if (!n.IsSequence()) r.fail(n, std::string("alerting.") + key, "expected a list of URLs");
      for (std::size_t i = 0; i < n.size(); ++i) {
        std::string u = r.str(n[i], std::string("alerting.") + key);
        if (u.rfind("http://", 0) != 0 && u.rfind("https://", 0) != 0)
          r.fail(n[i], std::string("alerting.") + key, "expected an http:// or https:// URL");
        out.push_back(u);
      }
    };
    urls("alertmanagers", c.alertmanager_urls);
    urls("webhooks", c.webhook_urls);
  }
  return c;
}

}  // namespace

DaemonConfig parse_config(const std::string& text, const std::string& file) {
  try {
    return parse_config_unchecked(text, file);
  } catch (const YAML::Exception& e) {
    int line = e.mark.line >= 0 ? e.mark.line + 1 : 0;
    throw ConfigError(file + ":" + std::to_string(line) + ": malformed configuration: " + e.msg);
  }
}

DaemonConfig load_config(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) throw ConfigError("cannot read config " + path.string());
  std::stringstream ss;
  ss << in.rdbuf();
  return parse_config(ss.str(), path.string());
}

}  // namespace vigil::server
