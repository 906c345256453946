#include "server/jaeger_json.h"

#include <map>
#include <utility>

#include "server/http_util.h"

namespace vigil::server {

using nlohmann::json;

namespace {

std::int64_t micros(std::int64_t ns) { return ns / 1000; }

json tags_of(const json& attributes) {
  json out = json::array();
  if (attributes.is_object())
    for (const auto& [k, v] : attributes.items()) out.push_back(jaeger_tag(k, v));
  return out;
}

// What Jaeger shows beside a span's own attributes: its kind, its status,
// and `error: true` on a failed span (the UI marks those red).
json span_tags(const store::SpanRow& s) {
  json tags = tags_of(parse_or(s.attributes, json::object()));
  if (const char* kind = jaeger_span_kind(s.kind); *kind) tags.push_back(jaeger_tag("span.kind", kind));
  if (!s.scope.empty()) tags.push_back(jaeger_tag("otel.scope.name", s.scope));
  if (s.status_code == 2) {
    tags.push_back(jaeger_tag("otel.status_code", "ERROR"));
    tags.push_back(jaeger_tag("error", true));
    if (!s.status_message.empty()) tags.push_back(jaeger_tag("otel.status_description", s.status_message));
  } else if (s.status_code == 1) {
    tags.push_back(jaeger_tag("otel.status_code", "OK"));
  }
  return tags;
}

json span_logs(const store::SpanRow& s) {
  json logs = json::array();
  for (const auto& e : parse_or(s.events, json::array())) {
    json fields = json::array({jaeger_tag("event", e.value("name", ""))});
    for (const auto& f : tags_of(e.value("attributes", json::object()))) fields.push_back(f);
    logs.push_back({{"timestamp", micros(e.value("time_ns", std::int64_t{0}))}, {"fields", fields}});
  }
  return logs;
}

json span_references(const store::SpanRow& s) {
  json refs = json::array();
  if (!s.parent_span_id.empty())
    refs.push_back({{"refType", "CHILD_OF"}, {"traceID", s.trace_id}, {"spanID", s.parent_span_id}});
  for (const auto& l : parse_or(s.links, json::array()))
    refs.push_back({{"refType", "FOLLOWS_FROM"}, {"traceID", l.value("trace_id", "")}, {"spanID", l.value("span_id", "")}});
  return refs;
}

}  // namespace

const char* jaeger_span_kind(int kind) {
  switch (kind) {
    case 1: return "internal";
    case 2: return "server";
    case 3: return "client";
    case 4: return "producer";
    case 5: return "consumer";
    default: return "";
  }
}

json jaeger_operations(const std::vector<store::Operation>& operations, const std::string& kind) {
  json out = json::array();
  for (const auto& op : operations)
    if (kind.empty() || kind == jaeger_span_kind(op.kind))
      out.push_back({{"name", op.name}, {"spanKind", jaeger_span_kind(op.kind)}});
  return out;
}

json jaeger_tag(const std::string& key, const json& value) {
  if (value.is_boolean()) return {{"key", key}, {"type", "bool"}, {"value", value}};
  if (value.is_number_integer()) return {{"key", key}, {"type", "int64"}, {"value", value}};
  if (value.is_number_float()) return {{"key", key}, {"type", "float64"}, {"value", value}};
  if (value.is_string()) return {{"key", key}, {"type", "string"}, {"value", value}};
  return {{"key", key}, {"type", "string"}, {"value", value.dump()}};  // arrays, maps: as JSON text
}

json jaeger_trace(const std::vector<store::SpanRow>& spans) {
  std::map<std::pair<std::string, std::string>, std::string> process_ids;  // (service, resource) -> p1, p2...
  json processes = json::object();
  json out_spans = json::array();
  for (const auto& s : spans) {
    auto [it, added] = process_ids.try_emplace({s.service, s.resource}, "p" + std::to_string(process_ids.size() + 1));
    if (added)
      processes[it->second] = {{"serviceName", s.service}, {"tags", tags_of(parse_or(s.resource, json::object()))}};
    out_spans.push_back({{"traceID", s.trace_id},
                         {"spanID", s.span_id},
                         {"flags", 1},
                         {"operationName", s.name},
                         {"references", span_references(s)},
                         {"startTime", micros(s.start_ns)},
                         {"duration", micros(s.end_ns - s.start_ns)},
                         {"tags", span_tags(s)},
                         {"logs", span_logs(s)},
                         {"processID", it->second},
                         {"warnings", nullptr}});
  }
  return {{"traceID", spans.empty() ? "" : spans.front().trace_id},
          {"spans", out_spans},
          {"processes", processes},
          {"warnings", nullptr}};
}

}  // namespace vigil::server
