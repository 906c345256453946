// LogRecord -> ExportLogsServiceRequest (protobuf and OTLP/JSON). The
// logger name is the instrumentation scope; the message is the body; bound
// and call-site fields (and exception.*) are attributes.
#include <map>

#include "log/field_walk.h"
#include "opentelemetry/proto/collector/logs/v1/logs_service.pb.h"
#include "trace/otlp_json_attributes.h"
#include "trace/otlp_proto_attributes.h"

namespace vigil {
namespace {

namespace logspb = opentelemetry::proto::logs::v1;
using nlohmann::json;

// Records grouped by logger name, first-seen order.
std::vector<std::pair<std::string_view, std::vector<const LogRecord*>>> group_by_logger(
    std::span<const LogRecord* const> records) {
  std::vector<std::pair<std::string_view, std::vector<const LogRecord*>>> groups;
  for (const LogRecord* r : records) {
    std::string_view name = r->logger;
    auto it = std::find_if(groups.begin(), groups.end(), [&](const auto& g) { return g.first == name; });
    if (it == groups.end()) it = groups.insert(groups.end(), {name, {}});
    it->second.push_back(r);
  }
  return groups;
}

void to_any(const FieldValue& v, detail::common::AnyValue& out) {
  std::visit(
      [&](const auto& x) {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, std::nullptr_t>) {
        } else if constexpr (std::is_same_v<T, bool>) out.set_bool_value(x);
        else if constexpr (std::is_same_v<T, std::int64_t>) out.set_int_value(x);
        else if constexpr (std::is_same_v<T, std::uint64_t>) {
          if (x <= static_cast<std::uint64_t>(INT64_MAX)) out.set_int_value(static_cast<std::int64_t>(x));
          else out.set_string_value(std::to_string(x));
        } else if constexpr (std::is_same_v<T, double>) out.set_double_value(x);
        else out.set_string_value(std::string(x));
      },
      v.get());
}

json any_json(const FieldValue& v) {
  return std::visit(
      [](const auto& x) -> json {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, std::nullptr_t>) return json::object();
        else if constexpr (std::is_same_v<T, bool>) return {{"boolValue", x}};
        else if constexpr (std::is_same_v<T, std::int64_t>) return {{"intValue", std::to_string(x)}};
        else if constexpr (std::is_same_v<T, std::uint64_t>) {
          if (x <= static_cast<std::uint64_t>(INT64_MAX)) return {{"intValue", std::to_string(x)}};
          return {{"stringValue", std::to_string(x)}};
        } else if constexpr (std::is_same_v<T, double>) {
          if (!std::isfinite(x)) return {{"doubleValue", std::isnan(x) ? "NaN" : (x > 0 ? "Infinity" : "-Infinity")}};
          return {{"doubleValue", x}};
        } else return {{"stringValue", x}};
      },
      v.get());
}

// Fields and exception details as (key, value) pairs, in record order.
template <typename Fn>
void for_each_attribute(const LogRecord& r, Fn&& fn) {
  detail::for_each_visible_field(r, fn);
  if (!r.exception_type.empty() || !r.exception_message.empty()) {
    fn("exception.type", FieldValue(r.exception_type));
    fn("exception.message", FieldValue(r.exception_message));
    fn("exception.stacktrace", FieldValue(r.exception_stacktrace));
  }
}

}  // namespace

std::string encode_otlp_logs_protobuf(std::span<const LogRecord* const> records, const Resource& resource) {
  opentelemetry::proto::collector::logs::v1::ExportLogsServiceRequest request;
  auto* rl = request.add_resource_logs();
  detail::to_key_values(resource.attributes, *rl->mutable_resource()->mutable_attributes());
  for (const auto& [name, group] : group_by_logger(records)) {
    auto* sl = rl->add_scope_logs();
    sl->mutable_scope()->set_name(std::string(name));
    for (const LogRecord* r : group) {
      auto* lr = sl->add_log_records();
      lr->set_time_unix_nano(r->time_unix_nano);
      lr->set_observed_time_unix_nano(r->time_unix_nano);
      lr->set_severity_number(static_cast<logspb::SeverityNumber>(otlp_severity_number(r->level)));
      lr->set_severity_text(std::string(level_name(r->level)));
      lr->mutable_body()->set_string_value(std::string(r->message));
      for_each_attribute(*r, [&](std::string_view key, const FieldValue& v) {
        auto* kv = lr->add_attributes();
        kv->set_key(std::string(key));
        to_any(v, *kv->mutable_value());
      });
      if (r->trace_id.valid()) {
        lr->set_trace_id(detail::bytes_of(r->trace_id));
        lr->set_span_id(detail::bytes_of(r->span_id));
        lr->set_flags(r->trace_flags);
      }
    }
  }
  return request.SerializeAsString();
}

std::string encode_otlp_logs_json(std::span<const LogRecord* const> records, const Resource& resource) {
  json scope_logs = json::array();
  for (const auto& [name, group] : group_by_logger(records)) {
    json list = json::array();
    for (const LogRecord* r : group) {
      json attrs = json::array();
      for_each_attribute(*r, [&](std::string_view key, const FieldValue& v) {
        attrs.push_back({{"key", key}, {"value", any_json(v)}});
      });
      json j = {{"timeUnixNano", std::to_string(r->time_unix_nano)},
                {"observedTimeUnixNano", std::to_string(r->time_unix_nano)},
                {"severityNumber", otlp_severity_number(r->level)},
                {"severityText", level_name(r->level)},
                {"body", {{"stringValue", r->message}}},
                {"attributes", std::move(attrs)}};
      if (r->trace_id.valid()) {
        j["traceId"] = r->trace_id.hex();
        j["spanId"] = r->span_id.hex();
        j["flags"] = r->trace_flags;
      }
      list.push_back(std::move(j));
    }
    scope_logs.push_back({{"scope", {{"name", name}}}, {"logRecords", std::move(list)}});
  }
  json body = {{"resourceLogs",
                json::array({{{"resource", {{"attributes", detail::key_values(resource.attributes)}}},
                              {"scopeLogs", std::move(scope_logs)}}})}};
  return body.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace vigil
