#include "server/jaeger_api.h"

#include <cctype>
#include <charconv>
#include <chrono>
#include <climits>
#include <cmath>
#include <nlohmann/json.hpp>

#include "common/clock.h"
#include "server/http_util.h"
#include "server/jaeger_json.h"
#include "store/store.h"

namespace vigil::server {

using nlohmann::json;

namespace {

constexpr std::int64_t kDefaultLookbackNs = 48LL * 3600 * 1'000'000'000;
constexpr std::int64_t kMaxLimit = 1000;

void send_data(Response& res, json data) {
  std::size_t n = data.is_array() ? data.size() : 0;
  send_json(res, 200, {{"data", std::move(data)}, {"total", n}, {"limit", 0}, {"offset", 0}, {"errors", nullptr}});
}

void send_jaeger_error(Response& res, int code, const std::string& msg) {
  send_json(res, code, {{"data", nullptr}, {"total", 0}, {"limit", 0}, {"offset", 0},
                        {"errors", json::array({{{"code", code}, {"msg", msg}}})}});
}

// Runs a handler, answering bad input in Jaeger's error format rather than
// the route table's.
template <class Fn>
void answer(Exchange& x, Fn fn) {
  try {
    fn();
  } catch (const std::invalid_argument& e) {
    send_jaeger_error(x.res, 400, e.what());
  }
}

std::int64_t int_or(const Request& req, const char* name, std::int64_t fallback) {
  if (!req.has_param(name) || req.get_param_value(name).empty()) return fallback;
  return int_param(req, name, fallback);
}

// 16 or 32 hex digits; a 64-bit id is the low half of a 128-bit one.
std::string trace_id_param(const std::string& id) {
  bool hex = !id.empty() && std::all_of(id.begin(), id.end(), [](unsigned char c) { return std::isxdigit(c); });
  if (!hex || (id.size() != 16 && id.size() != 32))
    throw std::invalid_argument("trace ID '" + id + "' is not 16 or 32 hex digits");
  std::string out = id.size() == 16 ? std::string(16, '0') + id : id;
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// `tags` as Jaeger's UI sends it ({"key":"value"} JSON), or repeated
// `tag=key:value` as older clients do.
std::vector<std::pair<std::string, std::string>> tag_params(const Request& req) {
  std::vector<std::pair<std::string, std::string>> out;
  if (req.has_param("tags")) {
    json tags = json::parse(req.get_param_value("tags"), nullptr, false);
    if (!tags.is_object()) throw std::invalid_argument("parameter 'tags' must be a JSON object of key: value");
    for (const auto& [k, v] : tags.items()) out.emplace_back(k, v.is_string() ? v.get<std::string>() : v.dump());
  }
  for (std::size_t i = 0; i < req.get_param_value_count("tag"); ++i) {
    std::string t = req.get_param_value("tag", i);
    auto colon = t.find(':');
    if (colon == std::string::npos) throw std::invalid_argument("parameter 'tag' must be key:value, got '" + t + "'");
    out.emplace_back(t.substr(0, colon), t.substr(colon + 1));
  }
  return out;
}

store::TraceQuery search_query(const Request& req) {
  store::TraceQuery q;
  q.service = req.get_param_value("service");
  if (q.service.empty()) throw std::invalid_argument("parameter 'service' is required");
  q.operation = req.get_param_value("operation");
  q.attributes = tag_params(req);
  // As in Jaeger, the durations bound a matching span's, with the other
  // conditions on that same span (not the whole trace's duration).
  std::int64_t min_ns = req.has_param("minDuration") ? parse_go_duration(req.get_param_value("minDuration"), "minDuration") : 0;
  std::int64_t max_ns =
      req.has_param("maxDuration") ? parse_go_duration(req.get_param_value("maxDuration"), "maxDuration") : INT64_MAX;
  if (min_ns > 0 || max_ns < INT64_MAX)
    q.span_matches = [min_ns, max_ns](const store::SpanRow& s) {
      return s.end_ns - s.start_ns >= min_ns && s.end_ns - s.start_ns <= max_ns;
    };
  std::int64_t now_us = detail::unix_now_ns() / 1000;
  std::int64_t end_us = int_or(req, "end", now_us);
  std::int64_t lookback_ns =
      req.has_param("lookback") && req.get_param_value("lookback") != "custom"
          ? parse_go_duration(req.get_param_value("lookback"), "lookback")
          : kDefaultLookbackNs;
  std::int64_t start_us = int_or(req, "start", end_us - lookback_ns / 1000);
  if (start_us > end_us) throw std::invalid_argument("start (" + std::to_string(start_us) + ") is after end (" +
                                                     std::to_string(end_us) + ")");
  q.start_ns = start_us * 1000;
  q.end_ns = end_us * 1000;
  std::int64_t limit = int_or(req, "limit", 20);
  if (limit < 0 || limit > kMaxLimit)
    throw std::invalid_argument("parameter 'limit' must be between 0 and " + std::to_string(kMaxLimit));
  q.limit = static_cast<std::size_t>(limit ? limit : 20);
  return q;
}

}  // namespace

void JaegerApi::services(Exchange& x) {
  answer(x, [&] {
    json names = store_.services(0);
    send_data(x.res, names);
  });
}

void JaegerApi::service_operations(Exchange& x) {
  answer(x, [&] {
    json names = json::array();
    std::string last;
    for (const auto& op : store_.operations(x.req.matches[1], 0))
      if (names.empty() || op.name != last) names.push_back(last = op.name);  // sorted: one per name
    send_data(x.res, names);
  });
}

void JaegerApi::operations(Exchange& x) {
  answer(x, [&] {
    std::string service = x.req.get_param_value("service");
    if (service.empty()) throw std::invalid_argument("parameter 'service' is required");
    send_data(x.res, jaeger_operations(store_.operations(service, 0), x.req.get_param_value("spanKind")));
  });
}

void JaegerApi::traces(Exchange& x) {
  answer(x, [&] {
    json data = json::array();
    for (const auto& t : store_.search_traces(search_query(x.req))) {
      auto spans = store_.trace(t.trace_id);
      if (!spans.empty()) data.push_back(jaeger_trace(spans));
    }
    send_data(x.res, data);
  });
}

void JaegerApi::dependencies(Exchange& x) {
  answer(x, [&] {
    std::int64_t end_ms = int_or(x.req, "endTs", detail::unix_now_ns() / 1'000'000);
    std::int64_t lookback_ms = int_or(x.req, "lookback", 24 * 3600 * 1000);
    if (end_ms <= 0 || lookback_ms <= 0) throw std::invalid_argument("endTs and lookback must be positive milliseconds");
    json out = json::array();
    for (const auto& c : store_.service_calls((end_ms - lookback_ms) * 1'000'000, end_ms * 1'000'000))
      out.push_back({{"parent", c.parent}, {"child", c.child}, {"callCount", c.calls}});
    send_data(x.res, out);
  });
}

void JaegerApi::trace(Exchange& x) {
  answer(x, [&] {
    auto spans = store_.trace(trace_id_param(x.req.matches[1]));
    if (spans.empty()) return send_jaeger_error(x.res, 404, "trace not found");
    send_data(x.res, json::array({jaeger_trace(spans)}));
  });
}

}  // namespace vigil::server
