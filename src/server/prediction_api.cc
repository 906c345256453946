#include "server/prediction_api.h"

#include <chrono>
#include <cmath>
#include <ctime>
#include <algorithm>
#include <nlohmann/json.hpp>
#include <simdjson.h>

#include "common/monitor_value.h"
#include "common/rfc3339.h"

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



OwnedValue value_of(const json& v, const std::string& what, std::size_t line) {
  if (v.is_null()) return nullptr;
  if (v.is_number()) return v.get<double>();
  if (v.is_boolean()) return v.get<bool>();
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
  auto ns = detail::parse_rfc3339_ns(t);
  if (!ns) bad(line, "'timestamp' \"" + t + "\" is not RFC 3339 with a zone (Z or an offset), between 1970 and 2262");
  return static_cast<std::uint64_t>(*ns);
}

}  // namespace

// Predictions are the high-volume path, so they are parsed with simdjson
// (documents of an NDJSON body streamed in place, no DOM of nlohmann
// objects); the rules and messages match parse_labels'.
namespace {

namespace sj = simdjson;

std::size_t line_at(std::string_view body, std::size_t offset) {
  return 1 + static_cast<std::size_t>(std::count(body.begin(), body.begin() + static_cast<std::ptrdiff_t>(std::min(offset, body.size())), '\n'));
}

std::string sj_string(sj::dom::object o, const char* key, std::size_t line, bool required) {
  sj::dom::element e;
  if (o[key].get(e) != sj::SUCCESS || e.is_null()) {
    if (required) bad(line, std::string("'") + key + "' must be a non-empty string");
    return "";
  }
  std::string_view v;
  if (e.get(v) != sj::SUCCESS || (required && v.empty()))
    bad(line, std::string("'") + key + (required ? "' must be a non-empty string" : "' must be a string"));
  return std::string(v);
}

double sj_number(sj::dom::object o, const char* key, std::size_t line, double fallback) {
  sj::dom::element e;
  if (o[key].get(e) != sj::SUCCESS || e.is_null()) return fallback;
  double v;
  if (e.get(v) != sj::SUCCESS) bad(line, std::string("'") + key + "' must be a number");
  return v;
}

OwnedValue sj_value(sj::dom::element v, const std::string& what, std::size_t line) {
  switch (v.type()) {
    case sj::dom::element_type::NULL_VALUE: return nullptr;
    case sj::dom::element_type::INT64:
    case sj::dom::element_type::UINT64:
    case sj::dom::element_type::DOUBLE: return double(v.get_double().value_unsafe());
    case sj::dom::element_type::BOOL: return v.get_bool().value_unsafe();
    case sj::dom::element_type::STRING: return std::string(v.get_string().value_unsafe());
    default: bad(line, what + " must be a number, string, boolean or null");
  }
}

std::uint64_t sj_timestamp(sj::dom::object o, std::size_t line) {
  sj::dom::element e;
  if (o["timestamp_ns"].get(e) == sj::SUCCESS && !e.is_null()) {
    std::uint64_t ns;
    if (e.get(ns) != sj::SUCCESS) bad(line, "'timestamp_ns' must be a non-negative integer");
    return ns;
  }
  if (o["timestamp"].get(e) != sj::SUCCESS || e.is_null()) return 0;
  // Reuse the nlohmann-based reader for the textual forms.
  json j = json::object();
  if (e.is_number()) j["timestamp"] = double(e.get_double().value_unsafe());
  else if (e.is_string()) j["timestamp"] = std::string(e.get_string().value_unsafe());
  else bad(line, "'timestamp' must be RFC 3339 text or Unix seconds");
  return timestamp_of(j, line);
}

PredictionRecord prediction_of(sj::dom::element doc, std::size_t line) {
  sj::dom::object o;
  if (doc.get(o) != sj::SUCCESS) bad(line, "each prediction must be a JSON object");
  PredictionRecord r;
  r.model = sj_string(o, "model", line, true);
  r.version = sj_string(o, "version", line, false);
  r.request_id = sj_string(o, "request_id", line, false);
  r.error = sj_string(o, "error", line, false);
  r.time_ns = sj_timestamp(o, line);
  sj::dom::element features;
  if (o["features"].get(features) == sj::SUCCESS && !features.is_null()) {
    sj::dom::object fo;
    if (features.get(fo) != sj::SUCCESS) bad(line, "'features' must be an object of name: value");
    for (auto [k, v] : fo) r.features.emplace_back(std::string(k), sj_value(v, "feature '" + std::string(k) + "'", line));
  }
  sj::dom::element pred;
  if (o["prediction"].get(pred) == sj::SUCCESS) r.prediction = sj_value(pred, "'prediction'", line);
  if (std::holds_alternative<std::nullptr_t>(r.prediction) && r.error.empty())
    bad(line, "'prediction' is required unless 'error' is set");
  r.confidence = sj_number(o, "confidence", line, -1);
  if (r.confidence > 1 || (r.confidence < 0 && r.confidence != -1)) bad(line, "'confidence' must be in [0, 1]");
  double ms = sj_number(o, "latency_ms", line, -1);
  r.latency_seconds = ms >= 0 ? ms / 1000 : sj_number(o, "latency_seconds", line, -1);
  sj::dom::element label;
  if (o["label"].get(label) == sj::SUCCESS && !label.is_null()) {
    if (r.request_id.empty()) bad(line, "'label' needs a 'request_id' to join on");
    r.label = sj_value(label, "'label'", line);
  }
  return r;
}

}  // namespace

std::vector<PredictionRecord> parse_predictions(std::string_view body) {
  std::size_t first = body.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) throw PayloadError("line 1: empty body");
  thread_local sj::dom::parser parser;
  sj::padded_string padded(body);
  std::vector<PredictionRecord> out;
  if (body[first] == '[') {
    sj::dom::element doc;
    if (auto err = parser.parse(padded).get(doc)) bad(1, std::string("invalid JSON: ") + sj::error_message(err));
    sj::dom::array arr;
    if (doc.get(arr) != sj::SUCCESS) bad(1, "expected an array of predictions");
    std::size_t i = 0;
    for (sj::dom::element e : arr) out.push_back(prediction_of(e, ++i));
    return out;
  }
  sj::dom::document_stream stream;
  if (auto err = parser.parse_many(padded, std::max<std::size_t>(body.size() + 64, 1 << 16)).get(stream))
    bad(1, std::string("invalid JSON: ") + sj::error_message(err));
  std::size_t line = 1, counted_to = 0;  // newlines are counted once, as documents advance
  for (auto it = stream.begin(); it != stream.end(); ++it) {
    std::size_t at = std::min(it.current_index(), body.size());
    line += static_cast<std::size_t>(std::count(body.begin() + static_cast<std::ptrdiff_t>(counted_to),
                                                body.begin() + static_cast<std::ptrdiff_t>(at), '\n'));
    counted_to = at;
    sj::dom::element doc;
    if (auto err = (*it).get(doc)) bad(line, std::string("invalid JSON: ") + sj::error_message(err));
    out.push_back(prediction_of(doc, line));
  }
  if (stream.truncated_bytes() > 0) bad(line_at(body, body.size() - stream.truncated_bytes()), "invalid JSON: truncated document");
  if (out.empty()) bad(1, "no predictions in the body");
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
  e.prediction = detail::monitor_view(r.prediction);
  e.confidence = r.confidence;
  e.latency_seconds = r.latency_seconds;
  e.time_unix_nano = r.time_ns;
  e.features.reserve(r.features.size());
  for (const auto& [k, v] : r.features) {
    FeatureValue& f = e.features.emplace_back(k, std::monostate{});
    f.value = detail::monitor_view(v);
  }
  monitor.record(e);
  if (r.label) monitor.record_label(r.model, r.request_id, detail::monitor_view(*r.label));
}

}  // namespace vigil::server
