#include "server/tempo_api.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "common/clock.h"
#include "server/http_util.h"
#include "server/otlp_trace_out.h"
#include "server/traceql.h"
#include "store/store.h"

namespace vigil::server {

using nlohmann::json;

namespace {

constexpr std::int64_t kTempoSecond = 1'000'000'000;
constexpr std::int64_t kMaxTempoLimit = 1000;
constexpr std::size_t kCatalogSpans = 100'000;  // spans a tag catalog reads, newest first
constexpr std::size_t kMaxTagValues = 1000;
const char* const kIntrinsics[] = {"duration", "kind", "name", "status", "statusMessage", "traceDuration"};

template <class Fn>
void answer_as_tempo(Exchange& x, Fn fn) {
  try {
    fn();
  } catch (const std::invalid_argument& e) {
    x.res.status = 400;
    x.res.set_content(e.what(), "text/plain; charset=utf-8");
  }
}

// Tempo takes ids of up to 32 hex digits, leading zeros optional.
std::string trace_id_of(const std::string& id) {
  bool hex = !id.empty() && id.size() <= 32 &&
             std::all_of(id.begin(), id.end(), [](unsigned char c) { return std::isxdigit(c); });
  if (!hex) throw std::invalid_argument("invalid trace id '" + id + "': expected up to 32 hex digits");
  std::string out = std::string(32 - id.size(), '0') + id;
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Tempo's legacy `tags` parameter: logfmt, `service.name=a http.status_code=500`.
void add_logfmt_tags(const std::string& text, store::TraceQuery& q) {
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && text[i] == ' ') ++i;
    if (i == text.size()) break;
    std::size_t eq = text.find('=', i);
    if (eq == std::string::npos) throw std::invalid_argument("invalid tags: expected key=value in '" + text + "'");
    std::string key = text.substr(i, eq - i), value;
    i = eq + 1;
    if (i < text.size() && text[i] == '"') {
      std::size_t close = text.find('"', i + 1);
      if (close == std::string::npos) throw std::invalid_argument("invalid tags: unterminated quote");
      value = text.substr(i + 1, close - i - 1), i = close + 1;
    } else {
      std::size_t space = text.find(' ', i);
      value = text.substr(i, space == std::string::npos ? std::string::npos : space - i);
      i = space == std::string::npos ? text.size() : space;
    }
    if (key == "service.name") q.service = value;
    else if (key == "name") q.operation = value;
    else q.attributes.emplace_back(key, value);
  }
}

std::int64_t seconds_param(const Request& req, const char* name) { return int_param(req, name, 0) * kTempoSecond; }

store::TraceQuery tempo_search_query(const Request& req, std::shared_ptr<const TraceqlQuery>& tq) {
  store::TraceQuery q;
  auto parsed = std::make_shared<TraceqlQuery>(parse_traceql(req.get_param_value("q")));
  add_logfmt_tags(req.get_param_value("tags"), q);
  if (!parsed->service.empty()) q.service = parsed->service;
  if (!parsed->operation.empty()) q.operation = parsed->operation;
  q.min_duration_ns = parsed->min_trace_ns;
  q.max_duration_ns = parsed->max_trace_ns;
  if (req.has_param("minDuration")) q.min_duration_ns = parse_go_duration(req.get_param_value("minDuration"), "minDuration");
  if (req.has_param("maxDuration")) q.max_duration_ns = parse_go_duration(req.get_param_value("maxDuration"), "maxDuration");
  q.start_ns = seconds_param(req, "start");
  q.end_ns = seconds_param(req, "end");
  if (q.end_ns && q.start_ns > q.end_ns) throw std::invalid_argument("invalid start: start is after end");
  std::int64_t limit = int_param(req, "limit", 20);
  if (limit <= 0 || limit > kMaxTempoLimit)
    throw std::invalid_argument("invalid limit: must be between 1 and " + std::to_string(kMaxTempoLimit));
  q.limit = static_cast<std::size_t>(limit);
  q.spans_per_trace = static_cast<std::size_t>(std::clamp<std::int64_t>(int_param(req, "spss", 3), 1, 100));
  if (!parsed->conditions.empty()) q.span_matches = [parsed](const store::SpanRow& s) { return traceql_matches(*parsed, s); };
  tq = parsed;
  return q;
}

json spanset(const store::TraceSummary& t, const TraceqlQuery& tq) {
  json spans = json::array();
  for (const auto& s : t.matched) {
    json attrs = json::object({{"service.name", s.service}});
    json own = parse_or(s.attributes, json::object());
    for (const auto& c : tq.conditions)  // Tempo returns the attributes the query asked about
      if (!c.key.empty() && own.contains(c.key)) attrs[c.key] = own[c.key];
    spans.push_back({{"spanID", s.span_id},
                     {"name", s.name},
                     {"startTimeUnixNano", std::to_string(s.start_ns)},
                     {"durationNanos", std::to_string(s.end_ns - s.start_ns)},
                     {"attributes", otlp_attributes_json(attrs)}});
  }
  return {{"spans", spans}, {"matched", t.matched_count}};
}

const char* value_type(const json& v) {
  if (v.is_boolean()) return "bool";
  if (v.is_number_integer()) return "int";
  if (v.is_number_float()) return "float";
  return "string";
}

// Attribute keys of recent spans, by scope ("span", "resource").
std::map<std::string, std::set<std::string>> tag_names(store::Store& store, const Request& req) {
  std::map<std::string, std::set<std::string>> names;
  store.scan_spans(seconds_param(req, "start"), seconds_param(req, "end"), kCatalogSpans, [&](const store::SpanRow& s) {
    const json attrs = parse_or(s.attributes, json::object()), resource = parse_or(s.resource, json::object());
    for (const auto& [k, v] : attrs.items()) names["span"].insert(k);
    for (const auto& [k, v] : resource.items()) names["resource"].insert(k);
    names["resource"].insert("service.name");
  });
  return names;
}

// Distinct values of a scoped tag ("resource.service.name", "span.x", ".x",
// or an intrinsic), with their types.
std::map<std::string, std::string> tag_values_of(store::Store& store, const Request& req, const std::string& tag) {
  std::map<std::string, std::string> values;  // value text -> type
  if (tag == "status") return {{"error", "keyword"}, {"ok", "keyword"}, {"unset", "keyword"}};
  if (tag == "kind")
    return {{"client", "keyword"}, {"consumer", "keyword"}, {"internal", "keyword"},
            {"producer", "keyword"}, {"server", "keyword"}, {"unspecified", "keyword"}};
  bool span = tag.rfind("span.", 0) == 0, resource = tag.rfind("resource.", 0) == 0;
  std::string key = span ? tag.substr(5) : resource ? tag.substr(9) : tag[0] == '.' ? tag.substr(1) : tag;
  auto add = [&](const json& v) {
    if (!v.is_null() && values.size() < kMaxTagValues) values.emplace(v.is_string() ? v.get<std::string>() : v.dump(), value_type(v));
  };
  store.scan_spans(seconds_param(req, "start"), seconds_param(req, "end"), kCatalogSpans, [&](const store::SpanRow& s) {
    if (tag == "name") return add(s.name);
    if (tag == "statusMessage") return add(s.status_message.empty() ? json() : json(s.status_message));
    if (!resource) {
      json attrs = parse_or(s.attributes, json::object());
      if (auto it = attrs.find(key); it != attrs.end()) add(*it);
    }
    if (!span) {
      if (key == "service.name") return add(s.service);
      json res = parse_or(s.resource, json::object());
      if (auto it = res.find(key); it != res.end()) add(*it);
    }
  });
  return values;
}

void send_not_found(Response& res) {
  res.status = 404;
  res.set_content("trace not found", "text/plain; charset=utf-8");
}

void send_trace_proto(Response& res, const std::string& body) {
  res.status = 200;
  res.set_content(body, "application/protobuf");
}

}  // namespace

bool TempoApi::wants_protobuf(const Request& req) {
  return req.get_header_value("Accept").find("application/protobuf") != std::string::npos;
}

void TempoApi::trace(Exchange& x) {
  answer_as_tempo(x, [&] {
    auto spans = store_.trace(trace_id_of(x.req.matches[1]));
    if (spans.empty()) return send_not_found(x.res);
    send_trace_proto(x.res, otlp_traces_proto(spans));
  });
}

void TempoApi::trace_v2(Exchange& x) {
  answer_as_tempo(x, [&] {
    auto spans = store_.trace(trace_id_of(x.req.matches[1]));
    if (spans.empty()) return send_not_found(x.res);
    if (wants_protobuf(x.req)) {
      // TraceByIDResponse { Trace trace = 1; }: the trace, length-delimited.
      std::string trace = otlp_traces_proto(spans), out(1, '\x0a');
      for (std::uint64_t n = trace.size(); ; n >>= 7) {
        out.push_back(static_cast<char>((n & 0x7f) | (n >= 0x80 ? 0x80 : 0)));
        if (n < 0x80) break;
      }
      return send_trace_proto(x.res, out + trace);
    }
    send_json(x.res, 200, {{"trace", {{"resourceSpans", otlp_resource_spans_json(spans)}}}});
  });
}

void TempoApi::search(Exchange& x) {
  answer_as_tempo(x, [&] {
    std::shared_ptr<const TraceqlQuery> tq;
    store::TraceQuery q = tempo_search_query(x.req, tq);
    json traces = json::array();
    for (const auto& t : store_.search_traces(q)) {
      json set = spanset(t, *tq);
      traces.push_back({{"traceID", t.trace_id},
                        {"rootServiceName", t.root_service},
                        {"rootTraceName", t.root_name},
                        {"startTimeUnixNano", std::to_string(t.start_ns)},
                        {"durationMs", t.duration_ns / 1'000'000},
                        {"spanSet", set},
                        {"spanSets", json::array({set})}});
    }
    send_json(x.res, 200, {{"traces", traces}, {"metrics", {{"inspectedTraces", traces.size()}, {"completedJobs", 1},
                                                           {"totalJobs", 1}}}});
  });
}

void TempoApi::tags(Exchange& x) {
  answer_as_tempo(x, [&] {
    std::set<std::string> all;
    for (const auto& [scope, names] : tag_names(store_, x.req)) all.insert(names.begin(), names.end());
    send_json(x.res, 200, {{"tagNames", all}});
  });
}

void TempoApi::tags_v2(Exchange& x) {
  answer_as_tempo(x, [&] {
    std::string want = x.req.get_param_value("scope");
    if (!want.empty() && want != "all" && want != "span" && want != "resource" && want != "intrinsic" && want != "none")
      throw std::invalid_argument("invalid scope '" + want + "': use span, resource, intrinsic or all");
    auto names = tag_names(store_, x.req);
    json scopes = json::array();
    for (const char* scope : {"resource", "span"})
      if (want.empty() || want == "all" || want == scope) scopes.push_back({{"name", scope}, {"tags", names[scope]}});
    if (want.empty() || want == "all" || want == "intrinsic")
      scopes.push_back({{"name", "intrinsic"}, {"tags", kIntrinsics}});
    send_json(x.res, 200, {{"scopes", scopes}});
  });
}

void TempoApi::tag_values(Exchange& x) {
  answer_as_tempo(x, [&] {
    json out = json::array();
    for (const auto& [value, type] : tag_values_of(store_, x.req, "." + x.req.matches[1])) out.push_back(value);
    send_json(x.res, 200, {{"tagValues", out}});
  });
}

void TempoApi::tag_values_v2(Exchange& x) {
  answer_as_tempo(x, [&] {
    json out = json::array();
    for (const auto& [value, type] : tag_values_of(store_, x.req, x.req.matches[1]))
      out.push_back({{"type", type}, {"value", value}});
    send_json(x.res, 200, {{"tagValues", out}});
  });
}

void TempoApi::echo(Exchange& x) {
  x.res.status = 200;
  x.res.set_content("echo", "text/plain; charset=utf-8");
}

}  // namespace vigil::server
