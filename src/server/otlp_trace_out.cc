#include "server/otlp_trace_out.h"

#include <map>

#include "opentelemetry/proto/trace/v1/trace.pb.h"
#include "server/http_util.h"

namespace vigil::server {

using nlohmann::json;
namespace common_pb = opentelemetry::proto::common::v1;
namespace trace_pb = opentelemetry::proto::trace::v1;

namespace {

// Spans by (resource, scope), groups in order of first appearance.
using Groups = std::vector<std::pair<std::pair<std::string, std::string>, std::vector<const store::SpanRow*>>>;

Groups group(const std::vector<store::SpanRow>& spans) {
  Groups groups;
  std::map<std::pair<std::string, std::string>, std::size_t> index;
  for (const auto& s : spans) {
    auto [it, added] = index.try_emplace({s.resource, s.scope}, groups.size());
    if (added) groups.push_back({it->first, {}});
    groups[it->second].second.push_back(&s);
  }
  return groups;
}

// A span's resource attributes, with service.name even when the sender
// left it out (the store then named the service "unknown_service").
json resource_of(const store::SpanRow& s) {
  json attrs = parse_or(s.resource, json::object());
  if (!attrs.is_object()) attrs = json::object();
  if (!attrs.contains("service.name")) attrs["service.name"] = s.service;
  return attrs;
}

std::string bytes_of_hex(const std::string& hex) {
  std::string out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) out.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  return out;
}

void set_any(common_pb::AnyValue& out, const json& v) {
  if (v.is_boolean()) out.set_bool_value(v.get<bool>());
  else if (v.is_number_integer()) out.set_int_value(v.get<std::int64_t>());
  else if (v.is_number_float()) out.set_double_value(v.get<double>());
  else if (v.is_string()) out.set_string_value(v.get<std::string>());
  else if (v.is_array())
    for (const auto& e : v) set_any(*out.mutable_array_value()->add_values(), e);
  else if (v.is_object())
    for (const auto& [k, e] : v.items()) {
      auto* kv = out.mutable_kvlist_value()->add_values();
      kv->set_key(k);
      set_any(*kv->mutable_value(), e);
    }
}

template <class KeyValues>
void set_attributes(KeyValues& out, const std::string& text) {
  json attrs = parse_or(text, json::object());
  if (!attrs.is_object()) return;
  for (const auto& [k, v] : attrs.items()) {
    auto* kv = out.Add();
    kv->set_key(k);
    set_any(*kv->mutable_value(), v);
  }
}

void fill_span(trace_pb::Span& p, const store::SpanRow& s) {
  p.set_trace_id(bytes_of_hex(s.trace_id));
  p.set_span_id(bytes_of_hex(s.span_id));
  if (!s.parent_span_id.empty()) p.set_parent_span_id(bytes_of_hex(s.parent_span_id));
  p.set_name(s.name);
  p.set_kind(static_cast<trace_pb::Span::SpanKind>(s.kind));
  p.set_start_time_unix_nano(static_cast<std::uint64_t>(s.start_ns));
  p.set_end_time_unix_nano(static_cast<std::uint64_t>(s.end_ns));
  set_attributes(*p.mutable_attributes(), s.attributes);
  for (const auto& e : parse_or(s.events, json::array())) {
    auto* pe = p.add_events();
    pe->set_name(e.value("name", ""));
    pe->set_time_unix_nano(static_cast<std::uint64_t>(e.value("time_ns", std::int64_t{0})));
    set_attributes(*pe->mutable_attributes(), e.value("attributes", json::object()).dump());
  }
  for (const auto& l : parse_or(s.links, json::array())) {
    auto* pl = p.add_links();
    pl->set_trace_id(bytes_of_hex(l.value("trace_id", "")));
    pl->set_span_id(bytes_of_hex(l.value("span_id", "")));
  }
  p.mutable_status()->set_code(static_cast<trace_pb::Status::StatusCode>(s.status_code));
  p.mutable_status()->set_message(s.status_message);
}

json any_json(const json& v) {
  if (v.is_boolean()) return {{"boolValue", v}};
  if (v.is_number_integer()) return {{"intValue", std::to_string(v.get<std::int64_t>())}};
  if (v.is_number_float()) return {{"doubleValue", v}};
  if (v.is_string()) return {{"stringValue", v}};
  if (v.is_array()) {
    json values = json::array();
    for (const auto& e : v) values.push_back(any_json(e));
    return {{"arrayValue", {{"values", values}}}};
  }
  if (v.is_object()) return {{"kvlistValue", {{"values", otlp_attributes_json(v)}}}};
  return json::object();
}

json span_json(const store::SpanRow& s) {
  json events = json::array(), links = json::array();
  for (const auto& e : parse_or(s.events, json::array()))
    events.push_back({{"timeUnixNano", std::to_string(e.value("time_ns", std::int64_t{0}))},
                      {"name", e.value("name", "")},
                      {"attributes", otlp_attributes_json(e.value("attributes", json::object()))}});
  for (const auto& l : parse_or(s.links, json::array()))
    links.push_back({{"traceId", l.value("trace_id", "")}, {"spanId", l.value("span_id", "")}});
  json out = {{"traceId", s.trace_id},
              {"spanId", s.span_id},
              {"name", s.name},
              {"kind", s.kind},
              {"startTimeUnixNano", std::to_string(s.start_ns)},
              {"endTimeUnixNano", std::to_string(s.end_ns)},
              {"attributes", otlp_attributes_json(parse_or(s.attributes, json::object()))},
              {"events", events},
              {"links", links},
              {"status", {{"code", s.status_code}}}};
  if (!s.parent_span_id.empty()) out["parentSpanId"] = s.parent_span_id;
  if (!s.status_message.empty()) out["status"]["message"] = s.status_message;
  return out;
}

}  // namespace

json otlp_attributes_json(const json& attributes) {
  json out = json::array();
  if (attributes.is_object())
    for (const auto& [k, v] : attributes.items()) out.push_back({{"key", k}, {"value", any_json(v)}});
  return out;
}

std::string otlp_traces_proto(const std::vector<store::SpanRow>& spans) {
  trace_pb::TracesData data;
  for (const auto& [key, members] : group(spans)) {
    auto* rs = data.add_resource_spans();
    set_attributes(*rs->mutable_resource()->mutable_attributes(), resource_of(*members.front()).dump());
    auto* ss = rs->add_scope_spans();
    ss->mutable_scope()->set_name(key.second);
    for (const auto* s : members) fill_span(*ss->add_spans(), *s);
  }
  return data.SerializeAsString();
}

json otlp_resource_spans_json(const std::vector<store::SpanRow>& spans) {
  json out = json::array();
  for (const auto& [key, members] : group(spans)) {
    json list = json::array();
    for (const auto* s : members) list.push_back(span_json(*s));
    out.push_back({{"resource", {{"attributes", otlp_attributes_json(resource_of(*members.front()))}}},
                   {"scopeSpans", json::array({{{"scope", {{"name", key.second}}}, {"spans", list}}})}});
  }
  return out;
}

}  // namespace vigil::server
