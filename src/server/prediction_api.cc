#include "server/prediction_api.h"

#include <chrono>
#include <cmath>
#include <ctime>
#include <nlohmann/json.hpp>

namespace vigil::server {
namespace {

using nlohmann::json;

// Splits the body into JSON documents: one object, an array of objects, or
// one object per line (NDJSON). Returns (line number, object) pairs.
std::vector<std::pair<std::size_t, json>> documents(std::string_view body) {
  std::vector<std::pair<std::size_t, json>> out;
  std::size_t first = body.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) throw PayloadError("line 1: empty body");
  auto parse_one = [](std::string_view text, std::size_t line) {
    try {
      return json::parse(text);
    } catch (const json::exception& e) {
      throw PayloadError("line " + std::to_string(line) + ": invalid JSON: " + e.what());
    }
  };
  if (body[first] == '[') {
    json arr = parse_one(body, 1);
    std::size_t i = 0;
    for (auto& e : arr) out.emplace_back(++i, std::move(e));
    return out;
  }
  // One object per line; a single (possibly multi-line) object is accepted too.
  std::size_t line_no = 0, start = 0;
  bool ndjson = true;
  while (start <= body.size()) {
    std::size_t end = body.find('\n', start);
    if (end == std::string_view::npos) end = body.size();
    std::string_view line = body.substr(start, end - start);
    ++line_no;
    start = end + 1;
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    try {
      out.emplace_back(line_no, json::parse(line));
    } catch (const json::exception&) {
      ndjson = false;
      break;
    }
  }
  if (!ndjson) {
    out.clear();
    out.emplace_back(1, parse_one(body, 1));
  }
  return out;
}

[[noreturn]] void bad(std::size_t line, const std::string& what) {
  throw PayloadError("line " + std::to_string(line) + ": " + what);
}

std::string required_string(const json& o, const char* key, std::size_t line) {
  auto it = o.find(key);
  if (it == o.end() || !it->is_string() || it->get_ref<const std::string&>().empty())
    bad(line, std::string("'") + key + "' must be a non-empty string");
  return *it;
}

std::string optional_string(const json& o, const char* key, std::size_t line) {
  auto it = o.find(key);
  if (it == o.end() || it->is_null()) return "";
  if (!it->is_string()) bad(line, std::string("'") + key + "' must be a string");
  return *it;
}

double optional_number(const json& o, const char* key, std::size_t line, double fallback) {
  auto it = o.find(key);
  if (it == o.end() || it->is_null()) return fallback;
  if (!it->is_number()) bad(line, std::string("'") + key + "' must be a number");
  return it->get<double>();
}

OwnedValue value_of(const json& v, const std::string& what, std::size_t line) {
  if (v.is_null()) return std::monostate{};
  if (v.is_number()) return v.get<double>();
  if (v.is_boolean()) return v.get<bool>() ? std::string("true") : std::string("false");
  if (v.is_string()) return v.get<std::string>();
  bad(line, what + " must be a number, string, boolean or null");
}

// RFC 3339 ("2026-11-26T13:00:00.5Z", "+02:00" offsets) or Unix seconds.
std::uint64_t timestamp_of(const json& o, std::size_t line) {
  if (auto it = o.find("timestamp_ns"); it != o.end() && !it->is_null()) {
    if (!it->is_number_unsigned()) bad(line, "'timestamp_ns' must be a non-negative integer");
    return it->get<std::uint64_t>();
  }
  auto it = o.find("timestamp");
  if (it == o.end() || it->is_null()) return 0;
  if (it->is_number()) {
    double s = it->get<double>();
    if (!(s >= 0 && s < 1e11)) bad(line, "'timestamp' in Unix seconds is out of range");
    return static_cast<std::uint64_t>(s * 1e9);
  }
  if (!it->is_string()) bad(line, "'timestamp' must be RFC 3339 text or Unix seconds");
  const std::string& t = *it;
  std::tm tm{};
  int consumed = 0;
  if (std::sscanf(t.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min,
                  &tm.tm_sec, &consumed) != 6)
    bad(line, "'timestamp' \"" + t + "\" is not RFC 3339");
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  std::int64_t secs = timegm(&tm);
  std::size_t p = static_cast<std::size_t>(consumed);
  double frac = 0;
  if (p < t.size() && t[p] == '.') {
    std::size_t q = p + 1;
    while (q < t.size() && std::isdigit(static_cast<unsigned char>(t[q]))) ++q;
    frac = std::stod("0" + t.substr(p, q - p));
    p = q;
  }
  if (p < t.size() && (t[p] == '+' || t[p] == '-')) {
    int hh = 0, mm = 0;
    if (std::sscanf(t.c_str() + p + 1, "%2d:%2d", &hh, &mm) != 2) bad(line, "'timestamp' has a malformed offset");
    secs -= (t[p] == '+' ? 1 : -1) * (hh * 3600 + mm * 60);
  } else if (p >= t.size() || (t[p] != 'Z' && t[p] != 'z')) {
    bad(line, "'timestamp' \"" + t + "\" needs a zone (Z or an offset)");
  }
  if (secs < 0) bad(line, "'timestamp' before 1970");
  return static_cast<std::uint64_t>(secs) * 1'000'000'000ull + static_cast<std::uint64_t>(frac * 1e9);
}

MonitorValue view(const OwnedValue& v) {
  if (const auto* d = std::get_if<double>(&v)) return *d;
  if (const auto* s = std::get_if<std::string>(&v)) return std::string_view(*s);
  return std::monostate{};
}

}  // namespace

std::vector<PredictionRecord> parse_predictions(std::string_view body) {
  std::vector<PredictionRecord> out;
  for (auto& [line, o] : documents(body)) {
    if (!o.is_object()) bad(line, "each prediction must be a JSON object");
    PredictionRecord r;
    r.model = required_string(o, "model", line);
    r.version = optional_string(o, "version", line);
    r.request_id = optional_string(o, "request_id", line);
    r.error = optional_string(o, "error", line);
    r.time_ns = timestamp_of(o, line);
    if (auto it = o.find("features"); it != o.end() && !it->is_null()) {
      if (!it->is_object()) bad(line, "'features' must be an object of name: value");
      for (auto& [k, v] : it->items()) r.features.emplace_back(k, value_of(v, "feature '" + k + "'", line));
    }
    if (auto it = o.find("prediction"); it != o.end()) r.prediction = value_of(*it, "'prediction'", line);
    if (std::holds_alternative<std::monostate>(r.prediction) && r.error.empty())
      bad(line, "'prediction' is required unless 'error' is set");
    r.confidence = optional_number(o, "confidence", line, -1);
    if (r.confidence > 1 || (r.confidence < 0 && r.confidence != -1)) bad(line, "'confidence' must be in [0, 1]");
    double ms = optional_number(o, "latency_ms", line, -1);
    r.latency_seconds = ms >= 0 ? ms / 1000 : optional_number(o, "latency_seconds", line, -1);
    if (auto it = o.find("label"); it != o.end() && !it->is_null()) {
      if (r.request_id.empty()) bad(line, "'label' needs a 'request_id' to join on");
      r.label = value_of(*it, "'label'", line);
    }
    out.push_back(std::move(r));
  }
  return out;
}

std::vector<LabelRecord> parse_labels(std::string_view body) {
  std::vector<LabelRecord> out;
  for (auto& [line, o] : documents(body)) {
    if (!o.is_object()) bad(line, "each label must be a JSON object");
    LabelRecord r;
    r.model = required_string(o, "model", line);
    r.request_id = required_string(o, "request_id", line);
    auto it = o.find("label");
    if (it == o.end() || it->is_null()) bad(line, "'label' is required");
    r.label = value_of(*it, "'label'", line);
    out.push_back(std::move(r));
  }
  return out;
}

void apply(ModelMonitor& monitor, const PredictionRecord& r) {
  PredictionEvent e;
  e.model = r.model;
  e.version = r.version;
  e.request_id = r.request_id;
  e.error = r.error;
  e.prediction = view(r.prediction);
  e.confidence = r.confidence;
  e.latency_seconds = r.latency_seconds;
  e.time_unix_nano = r.time_ns;
  e.features.reserve(r.features.size());
  for (const auto& [k, v] : r.features) {
    if (const auto* d = std::get_if<double>(&v)) e.features.emplace_back(k, *d);
    else if (const auto* s = std::get_if<std::string>(&v)) e.features.emplace_back(k, std::string_view(*s));
    else e.features.emplace_back(k, std::monostate{});
  }
  monitor.record(e);
  if (r.label) monitor.record_label(r.model, r.request_id, view(*r.label));
}

}  // namespace vigil::server
