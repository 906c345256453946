#include "server/loki_api.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>

#include "common/clock.h"
#include "common/promql_number.h"
#include "common/rfc3339.h"
#include "server/http_util.h"
#include "server/logql.h"
#include "store/store.h"

namespace vigil::server {

using nlohmann::json;

namespace {

constexpr std::int64_t kLokiSecond = 1'000'000'000;
constexpr std::int64_t kMaxEntries = 5000;  // Loki's max_entries_limit_per_query
constexpr std::int64_t kMaxPoints = 11'000;  // Loki's (and Prometheus') resolution limit
const std::vector<std::string> kStreamLabels = {"service", "level", "logger"};

// Loki answers bad input with the message as plain text.
struct BadRequest : std::invalid_argument {
  using std::invalid_argument::invalid_argument;
};

template <class Fn>
void answer_as_loki(Exchange& x, Fn fn) {
  try {
    fn();
  } catch (const std::invalid_argument& e) {  // BadRequest, store::QueryError, a parameter's
    x.res.status = 400;
    x.res.set_content(e.what(), "text/plain; charset=utf-8");
  }
}

void send_success(Response& res, json data) {
  send_json(res, 200, {{"status", "success"}, {"data", std::move(data)}});
}

// Loki's rule: text with a '.' is unix seconds, an integer of up to 10
// digits is seconds and a longer one nanoseconds, else RFC 3339.
std::int64_t time_param(const Request& req, const char* name, std::int64_t fallback) {
  std::string v = req.get_param_value(name);
  if (v.empty()) return fallback;
  if (v.find('.') != std::string::npos) {
    double s = 0;
    auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), s);
    if (ec == std::errc() && end == v.data() + v.size()) return static_cast<std::int64_t>(std::llround(s * 1e9));
  }
  std::int64_t n = 0;
  auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (ec == std::errc() && end == v.data() + v.size()) return v.size() <= 10 ? n * kLokiSecond : n;
  if (auto ns = detail::parse_rfc3339_ns(v)) return *ns;
  throw BadRequest(std::string("invalid parameter \"") + name + "\": cannot parse \"" + v +
                   "\" as unix seconds, nanoseconds or RFC 3339");
}

struct TimeRange {
  std::int64_t start_ns = 0, end_ns = 0;
};

TimeRange range_params(const Request& req) {
  std::int64_t end = time_param(req, "end", detail::unix_now_ns());
  std::int64_t since = req.has_param("since") ? parse_go_duration(req.get_param_value("since"), "since") : 3600 * kLokiSecond;
  std::int64_t start = time_param(req, "start", end - since);
  if (end < start) throw BadRequest("end timestamp must not be before or equal to start time");
  return {start, end};
}

// A duration ("15s") or a number of seconds ("15", "0.5").
std::int64_t step_param(const Request& req, const TimeRange& r) {
  std::string v = req.get_param_value("step");
  std::int64_t step = 0;
  if (v.empty()) {  // Loki's default: about 250 points, at least a second
    step = std::max<std::int64_t>(1, static_cast<std::int64_t>(std::ceil((r.end_ns - r.start_ns) / 1e9 / 250))) * kLokiSecond;
  } else {
    double s = 0;
    auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), s);
    step = ec == std::errc() && end == v.data() + v.size() ? static_cast<std::int64_t>(s * 1e9)
                                                             : parse_go_duration(v, "step");
  }
  if (step <= 0) throw BadRequest("zero or negative query resolution step widths are not accepted. Try a positive integer");
  if ((r.end_ns - r.start_ns) / step > kMaxPoints)
    throw BadRequest("exceeded maximum resolution of 11,000 points per timeseries. Try increasing the value of the step "
                     "parameter");
  return step;
}

LogqlQuery query_param(const Request& req) {
  std::string q = req.get_param_value("query");
  if (q.empty()) throw BadRequest("query is required");
  return parse_logql(q);
}

// A record's stream labels: service, level, logger, trace_id and span_id
// where set, and with `| json` its fields.
json stream_of(const store::LogRow& r, bool fields) {
  json s = json::object();
  if (fields) {
    json attrs = parse_or(r.attributes, json::object());
    for (auto& [k, v] : attrs.items()) s[k] = v.is_string() ? v.get<std::string>() : v.dump();
  }
  for (const auto& [k, v] : {std::pair{"service", &r.service}, {"level", &r.level}, {"logger", &r.logger},
                             {"trace_id", &r.trace_id}, {"span_id", &r.span_id}})
    if (!v->empty()) s[k] = *v;
  return s;
}

json streams_json(const std::vector<store::LogRow>& rows, bool fields) {
  std::map<std::string, std::pair<json, json>> streams;  // by the labels' text: stream, values
  for (const auto& r : rows) {
    json labels = stream_of(r, fields);
    auto& [stream, values] = streams[labels.dump()];
    if (stream.is_null()) stream = std::move(labels), values = json::array();
    values.push_back({std::to_string(r.time_ns), r.body});
  }
  json out = json::array();
  for (auto& [key, s] : streams) out.push_back({{"stream", std::move(s.first)}, {"values", std::move(s.second)}});
  return out;
}

double unix_seconds(std::int64_t ns) { return static_cast<double>(ns) / 1e9; }

// The labels a metric query's series are by: sum by (...) names them, sum
// without (...) removes them from the stream labels, plain sum has none.
std::vector<std::string> series_labels(const LogqlQuery& q) {
  if (!q.sum) return kStreamLabels;
  if (!q.without) return q.grouping;
  std::vector<std::string> by;
  for (const auto& l : kStreamLabels)
    if (std::find(q.grouping.begin(), q.grouping.end(), l) == q.grouping.end()) by.push_back(l);
  return by;
}

json metric_of(const std::vector<std::string>& by, const std::vector<std::string>& values) {
  json m = json::object();
  for (std::size_t i = 0; i < by.size(); ++i)
    if (!values[i].empty()) m[by[i]] = values[i];  // an empty label is no label, as in Prometheus
  return m;
}

std::vector<store::LogSeries> evaluate(store::Store& store, const LogqlQuery& q, std::int64_t start_ns,
                                       std::int64_t end_ns, std::int64_t step_ns, std::vector<std::string>& by) {
  by = series_labels(q);
  auto series = store.log_volume(
      {.logs = q.logs, .start_ns = start_ns, .end_ns = end_ns, .step_ns = step_ns, .range_ns = q.range_ns, .by = by,
       .bytes = q.bytes()});
  if (q.per_second())
    for (auto& s : series)
      for (auto& p : s.points) p.second /= static_cast<double>(q.range_ns) / 1e9;
  return series;
}

json result(std::string type, json result) {
  return {{"resultType", std::move(type)},
          {"result", std::move(result)},
          {"stats", {{"summary", {{"execTime", 0}, {"queueTime", 0}}}}}};
}

// One series over a whole time range: what series, labels and stats read.
std::vector<store::LogSeries> over_range(store::Store& store, const store::LogQuery& logs, const TimeRange& r,
                                         std::vector<std::string> by, bool bytes = false) {
  std::int64_t width = r.end_ns - r.start_ns + 1;
  return store.log_volume(
      {.logs = logs, .start_ns = r.end_ns, .end_ns = r.end_ns, .step_ns = width, .range_ns = width, .by = by, .bytes = bytes});
}

}  // namespace

void LokiApi::query_range(Exchange& x) {
  answer_as_loki(x, [&] {
    LogqlQuery q = query_param(x.req);
    TimeRange r = range_params(x.req);
    if (q.kind == LogqlQuery::Kind::kLogs) {
      std::int64_t limit = int_param(x.req, "limit", 100);
      if (limit <= 0 || limit > kMaxEntries)
        throw BadRequest("max entries limit per query exceeded, limit > max_entries_limit (" + std::to_string(limit) +
                         " > " + std::to_string(kMaxEntries) + ")");
      std::string direction = x.req.get_param_value("direction");
      if (!direction.empty() && direction != "backward" && direction != "forward")
        throw BadRequest("invalid direction \"" + direction + "\": use forward or backward");
      auto page = store_.query_logs(q.logs, r.start_ns, r.end_ns, static_cast<std::size_t>(limit), "",
                                    direction == "forward");
      return send_success(x.res, result("streams", streams_json(page.rows, q.logs.json)));
    }
    std::int64_t step = step_param(x.req, r);
    json out = json::array();
    if (q.kind == LogqlQuery::Kind::kConstant) {
      json values = json::array();
      for (std::int64_t t = r.start_ns; t <= r.end_ns; t += step)
        values.push_back({unix_seconds(t), detail::promql_number(q.constant)});
      out.push_back({{"metric", json::object()}, {"values", values}});
      return send_success(x.res, result("matrix", out));
    }
    std::vector<std::string> by;
    for (const auto& s : evaluate(store_, q, r.start_ns, r.end_ns, step, by)) {
      json values = json::array();
      for (const auto& [t, v] : s.points) values.push_back({unix_seconds(t), detail::promql_number(v)});
      out.push_back({{"metric", metric_of(by, s.labels)}, {"values", values}});
    }
    send_success(x.res, result("matrix", out));
  });
}

void LokiApi::query(Exchange& x) {
  answer_as_loki(x, [&] {
    LogqlQuery q = query_param(x.req);
    std::int64_t t = time_param(x.req, "time", detail::unix_now_ns());
    json out = json::array();
    if (q.kind == LogqlQuery::Kind::kLogs)
      throw BadRequest("log queries are not supported as an instant query type, please change your query to a range "
                       "query type");
    if (q.kind == LogqlQuery::Kind::kConstant) {
      out.push_back({{"metric", json::object()}, {"value", {unix_seconds(t), detail::promql_number(q.constant)}}});
      return send_success(x.res, result("vector", out));
    }
    std::vector<std::string> by;
    for (const auto& s : evaluate(store_, q, t, t, kLokiSecond, by))
      for (const auto& [at, v] : s.points)
        out.push_back({{"metric", metric_of(by, s.labels)}, {"value", {unix_seconds(at), detail::promql_number(v)}}});
    send_success(x.res, result("vector", out));
  });
}

void LokiApi::labels(Exchange& x) {
  answer_as_loki(x, [&] {
    TimeRange r = range_params(x.req);
    json names = json::array();
    for (const auto& label : kStreamLabels) {
      auto series = over_range(store_, {}, r, {label});
      if (std::any_of(series.begin(), series.end(), [](const auto& s) { return !s.labels[0].empty(); }))
        names.push_back(label);
    }
    std::sort(names.begin(), names.end());
    send_success(x.res, names);
  });
}

void LokiApi::label_values(Exchange& x) {
  answer_as_loki(x, [&] {
    TimeRange r = range_params(x.req);
    std::string q = x.req.get_param_value("query");
    store::LogQuery logs = q.empty() ? store::LogQuery{} : store::parse_log_query(q);
    json values = json::array();
    for (const auto& s : over_range(store_, logs, r, {x.req.matches[1]}))
      if (!s.labels[0].empty()) values.push_back(s.labels[0]);  // sorted: the store's series are
    send_success(x.res, values);
  });
}

void LokiApi::series(Exchange& x) {
  answer_as_loki(x, [&] {
    TimeRange r = range_params(x.req);
    std::size_t n = x.req.get_param_value_count("match[]");
    if (n == 0) throw BadRequest("at least one match[] selector is required");
    std::map<std::string, json> found;  // deduplicated across selectors
    for (std::size_t i = 0; i < n; ++i)
      for (const auto& s : over_range(store_, store::parse_log_query(x.req.get_param_value("match[]", i)), r, kStreamLabels)) {
        json m = metric_of(kStreamLabels, s.labels);
        found.emplace(m.dump(), m);
      }
    json out = json::array();
    for (auto& [key, m] : found) out.push_back(std::move(m));
    send_success(x.res, out);
  });
}

void LokiApi::index_stats(Exchange& x) {
  answer_as_loki(x, [&] {
    LogqlQuery q = query_param(x.req);
    TimeRange r = range_params(x.req);
    auto counts = over_range(store_, q.logs, r, kStreamLabels);
    auto bytes = over_range(store_, q.logs, r, {}, true);
    double entries = 0;
    for (const auto& s : counts) entries += s.points[0].second;
    // Loki's chunks have no counterpart here: each stream counts as one.
    send_json(x.res, 200,
              {{"streams", counts.size()},
               {"chunks", counts.size()},
               {"entries", static_cast<std::int64_t>(entries)},
               {"bytes", bytes.empty() ? 0 : static_cast<std::int64_t>(bytes[0].points[0].second)}});
  });
}

}  // namespace vigil::server
