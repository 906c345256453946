// Jaeger's /api/v3 query API (jaeger_api.h).
#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>

#include "common/rfc3339.h"
#include "server/http_util.h"
#include "server/jaeger_api.h"
#include "server/jaeger_json.h"
#include "server/otlp_trace_out.h"
#include "store/store.h"

namespace vigil::server {

using nlohmann::json;

namespace {

void send_v3_error(Response& res, int code, const std::string& message) {
  send_json(res, code, {{"error", {{"httpCode", code}, {"message", message}}}});
}

template <class Fn>
void answer_as_v3(Exchange& x, Fn fn) {
  try {
    fn();
  } catch (const std::invalid_argument& e) {
    send_v3_error(x.res, 400, e.what());
  }
}

std::int64_t rfc3339_param(const Request& req, const char* name) {
  std::string v = req.get_param_value(name);
  if (v.empty()) throw std::invalid_argument(std::string(name) + " is required (RFC 3339)");
  auto ns = detail::parse_rfc3339_ns(v);
  if (!ns) throw std::invalid_argument(std::string(name) + " '" + v + "' is not an RFC 3339 time");
  return *ns;
}

store::TraceQuery v3_query(const Request& req) {
  store::TraceQuery q;
  q.service = req.get_param_value("query.service_name");
  if (q.service.empty()) throw std::invalid_argument("query.service_name is required");
  q.operation = req.get_param_value("query.operation_name");
  q.start_ns = rfc3339_param(req, "query.start_time_min");
  q.end_ns = rfc3339_param(req, "query.start_time_max");
  if (q.start_ns > q.end_ns) throw std::invalid_argument("query.start_time_min is after query.start_time_max");
  if (req.has_param("query.duration_min"))
    q.min_duration_ns = parse_go_duration(req.get_param_value("query.duration_min"), "query.duration_min");
  if (req.has_param("query.duration_max"))
    q.max_duration_ns = parse_go_duration(req.get_param_value("query.duration_max"), "query.duration_max");
  std::int64_t n = int_param(req, "query.num_traces", 20);
  if (n <= 0 || n > 1000) throw std::invalid_argument("query.num_traces must be between 1 and 1000");
  q.limit = static_cast<std::size_t>(n);
  for (const auto& [name, value] : req.params)  // query.attributes[key]=value, the gateway's form for a map
    if (name.rfind("query.attributes[", 0) == 0 && name.back() == ']')
      q.attributes.emplace_back(name.substr(17, name.size() - 18), value);
  return q;
}

}  // namespace

void JaegerApi::v3_services(Exchange& x) {
  answer_as_v3(x, [&] { send_json(x.res, 200, {{"services", store_.services(0)}}); });
}

void JaegerApi::v3_operations(Exchange& x) {
  answer_as_v3(x, [&] {
    std::string service = x.req.get_param_value("service");
    if (service.empty()) throw std::invalid_argument("service is required");
    send_json(x.res, 200,
              {{"operations", jaeger_operations(store_.operations(service, 0), x.req.get_param_value("span_kind"))}});
  });
}

void JaegerApi::v3_trace(Exchange& x) {
  answer_as_v3(x, [&] {
    std::string id = x.req.matches[1];
    bool hex = id.size() == 32 && std::all_of(id.begin(), id.end(), [](unsigned char c) { return std::isxdigit(c); });
    if (!hex) throw std::invalid_argument("trace_id '" + id + "' is not 32 hex digits");
    std::transform(id.begin(), id.end(), id.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    auto spans = store_.trace(id);
    if (spans.empty()) return send_v3_error(x.res, 404, "trace not found");
    send_json(x.res, 200, {{"result", {{"resourceSpans", otlp_resource_spans_json(spans)}}}});
  });
}

void JaegerApi::v3_traces(Exchange& x) {
  answer_as_v3(x, [&] {
    std::vector<store::SpanRow> all;
    for (const auto& t : store_.search_traces(v3_query(x.req))) {
      auto spans = store_.trace(t.trace_id);
      all.insert(all.end(), std::make_move_iterator(spans.begin()), std::make_move_iterator(spans.end()));
    }
    if (all.empty()) return send_v3_error(x.res, 404, "no traces found");  // as Jaeger's gateway answers
    send_json(x.res, 200, {{"result", {{"resourceSpans", otlp_resource_spans_json(all)}}}});
  });
}

}  // namespace vigil::server
