// SpanData -> OTLP/JSON (the protobuf JSON mapping with the OTLP rules:
// lowerCamelCase names, trace/span ids as hex, enums as integers, 64-bit
// integers as decimal strings).
#include <nlohmann/json.hpp>

#include "trace/otlp_grouping.h"
#include "trace/otlp_json_attributes.h"
#include "vigil/otlp.h"

namespace vigil {
namespace {

using nlohmann::json;
using detail::key_values;

json span_json(const SpanData& s) {
  json j = {{"traceId", s.context.trace_id.hex()},
            {"spanId", s.context.span_id.hex()},
            {"flags", s.context.flags},
            {"name", s.name},
            {"kind", static_cast<int>(s.kind)},
            {"startTimeUnixNano", std::to_string(s.start_unix_nano)},
            {"endTimeUnixNano", std::to_string(s.end_unix_nano)},
            {"attributes", key_values(s.attributes)}};
  if (!s.context.trace_state.empty()) j["traceState"] = s.context.trace_state;
  if (s.parent_span_id.valid()) j["parentSpanId"] = s.parent_span_id.hex();
  if (s.dropped_attributes) j["droppedAttributesCount"] = s.dropped_attributes;
  json events = json::array();
  for (const auto& e : s.events)
    events.push_back({{"timeUnixNano", std::to_string(e.time_unix_nano)},
                      {"name", e.name},
                      {"attributes", key_values(e.attributes)}});
  j["events"] = std::move(events);
  if (s.dropped_events) j["droppedEventsCount"] = s.dropped_events;
  json links = json::array();
  for (const auto& l : s.links) {
    json link = {{"traceId", l.context.trace_id.hex()},
                 {"spanId", l.context.span_id.hex()},
                 {"flags", l.context.flags},
                 {"attributes", key_values(l.attributes)}};
    if (!l.context.trace_state.empty()) link["traceState"] = l.context.trace_state;
    links.push_back(std::move(link));
  }
  j["links"] = std::move(links);
  if (s.dropped_links) j["droppedLinksCount"] = s.dropped_links;
  if (s.status != StatusCode::kUnset) {
    j["status"] = {{"code", static_cast<int>(s.status)}};
    if (!s.status_message.empty()) j["status"]["message"] = s.status_message;
  }
  return j;
}

}  // namespace

std::string encode_otlp_traces_json(std::span<const std::unique_ptr<SpanData>> spans) {
  json resource_spans = json::array();
  for (const auto& group : detail::group_by_resource_and_scope(spans)) {
    json scope_spans = json::array();
    for (const auto& sg : group.scopes) {
      json list = json::array();
      for (const SpanData* s : sg.spans) list.push_back(span_json(*s));
      json scope = json::object();
      if (sg.scope) scope = {{"name", sg.scope->name}, {"version", sg.scope->version}};
      scope_spans.push_back({{"scope", scope}, {"spans", std::move(list)}});
    }
    json resource = {{"attributes", group.resource ? key_values(group.resource->attributes) : json::array()}};
    resource_spans.push_back({{"resource", resource}, {"scopeSpans", std::move(scope_spans)}});
  }
  // Invalid UTF-8 in user strings is replaced rather than thrown on.
  return json{{"resourceSpans", std::move(resource_spans)}}.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace vigil
