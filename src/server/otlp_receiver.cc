// OTLP request bodies -> store rows. OTLP/JSON is the protobuf JSON mapping
// except that trace and span ids are hex rather than base64: ids are
// rewritten to base64 first, then protobuf's own JSON parser does the rest
// (int64 as strings, enums as numbers, unknown fields ignored), so both
// encodings go through one decoder.
#include "server/otlp_receiver.h"

#include <google/protobuf/util/json_util.h>

#include <climits>
#include <cmath>
#include <nlohmann/json.hpp>

#include "log/field_walk.h"  // append_number, append_integer
#include "trace/hex.h"
#include "vigil/log.h"       // append_json_string

#include "opentelemetry/proto/collector/logs/v1/logs_service.pb.h"
#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"

namespace vigil::server {
namespace {

namespace common = opentelemetry::proto::common::v1;
using nlohmann::json;

std::string hex(const std::string& bytes) {
  std::string out(bytes.size() * 2, '\0');
  detail::write_hex(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size(), out.data());
  return out;
}

bool all_zero(const std::string& b) {
  for (char c : b)
    if (c) return false;
  return true;
}

std::string base64(const std::string& bytes) {
  static constexpr char k[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    unsigned v = (static_cast<unsigned char>(bytes[i]) << 16) | (static_cast<unsigned char>(bytes[i + 1]) << 8) |
                 static_cast<unsigned char>(bytes[i + 2]);
    out += {k[v >> 18], k[(v >> 12) & 63], k[(v >> 6) & 63], k[v & 63]};
  }
  if (i + 1 == bytes.size()) {
    unsigned v = static_cast<unsigned char>(bytes[i]) << 16;
    out += {k[v >> 18], k[(v >> 12) & 63], '=', '='};
  } else if (i + 2 == bytes.size()) {
    unsigned v = (static_cast<unsigned char>(bytes[i]) << 16) | (static_cast<unsigned char>(bytes[i + 1]) << 8);
    out += {k[v >> 18], k[(v >> 12) & 63], k[(v >> 6) & 63], '='};
  }
  return out;
}

// Hex id -> base64 in place; throws std::invalid_argument on bad hex.
void rewrite_id(json& obj, const char* key) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return;
  if (!it->is_string()) throw std::invalid_argument(std::string(key) + " must be a hex string");
  const std::string& h = it->get_ref<const std::string&>();
  if (h.size() % 2) throw std::invalid_argument(std::string(key) + " \"" + h + "\" is not hex");
  std::string bytes;
  for (std::size_t i = 0; i < h.size(); i += 2) {
    auto nib = [&](char c) -> int {
      if (c >= '0' && c <= '9') return c - '0';
      if (c >= 'a' && c <= 'f') return c - 'a' + 10;
      if (c >= 'A' && c <= 'F') return c - 'A' + 10;
      throw std::invalid_argument(std::string(key) + " \"" + h + "\" is not hex");
    };
    bytes.push_back(static_cast<char>(nib(h[i]) * 16 + nib(h[i + 1])));
  }
  *it = base64(bytes);
}

void rewrite_ids(json& body, Signal signal) {
  const char* outer = signal == Signal::kTraces ? "resourceSpans" : "resourceLogs";
  const char* middle = signal == Signal::kTraces ? "scopeSpans" : "scopeLogs";
  const char* inner = signal == Signal::kTraces ? "spans" : "logRecords";
  auto each = [](json& parent, const char* key, auto&& fn) {
    auto it = parent.find(key);
    if (it == parent.end() || !it->is_array()) return;
    for (auto& e : *it)
      if (e.is_object()) fn(e);
  };
  if (!body.is_object()) throw std::invalid_argument("body must be a JSON object");
  each(body, outer, [&](json& r) {
    each(r, middle, [&](json& s) {
      each(s, inner, [&](json& item) {
        rewrite_id(item, "traceId");
        rewrite_id(item, "spanId");
        rewrite_id(item, "parentSpanId");
        each(item, "links", [&](json& l) {
          rewrite_id(l, "traceId");
          rewrite_id(l, "spanId");
        });
      });
    });
  });
}

// Attribute values become JSON text written directly: building a JSON DOM per
// span and dumping it was a third of the receiver's time (perf), most of it
// malloc and free. Keys keep the sender's order.
void append_double(std::string& out, double v) {
  if (std::isfinite(v)) detail::append_number(out, v);
  else out += "null";  // JSON has no NaN or infinity
}

void append_any(std::string& out, const common::AnyValue& v);

void append_attributes(std::string& out, const google::protobuf::RepeatedPtrField<common::KeyValue>& kvs) {
  out += '{';
  for (const auto& kv : kvs) {
    if (out.back() != '{') out += ',';
    append_json_string(out, kv.key());
    out += ':';
    append_any(out, kv.value());
  }
  out += '}';
}

void append_any(std::string& out, const common::AnyValue& v) {
  switch (v.value_case()) {
    case common::AnyValue::kStringValue: append_json_string(out, v.string_value()); return;
    case common::AnyValue::kBoolValue: out += v.bool_value() ? "true" : "false"; return;
    case common::AnyValue::kIntValue: detail::append_integer(out, v.int_value()); return;
    case common::AnyValue::kDoubleValue: append_double(out, v.double_value()); return;
    case common::AnyValue::kBytesValue: append_json_string(out, base64(v.bytes_value())); return;
    case common::AnyValue::kArrayValue:
      out += '[';
      for (const auto& e : v.array_value().values()) {
        if (out.back() != '[') out += ',';
        append_any(out, e);
      }
      out += ']';
      return;
    case common::AnyValue::kKvlistValue: append_attributes(out, v.kvlist_value().values()); return;
    default: out += "null"; return;
  }
}

std::string attributes_text(const google::protobuf::RepeatedPtrField<common::KeyValue>& kvs) {
  std::string out;
  out.reserve(16 + 32 * static_cast<std::size_t>(kvs.size()));
  append_attributes(out, kvs);
  return out;
}

std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

std::string events_text(const google::protobuf::RepeatedPtrField<opentelemetry::proto::trace::v1::Span::Event>& events) {
  std::string out = "[";
  for (const auto& e : events) {
    if (out.size() > 1) out += ',';
    out += "{\"name\":";
    append_json_string(out, e.name());
    out += ",\"time_ns\":";
    detail::append_integer(out, static_cast<std::int64_t>(e.time_unix_nano()));
    out += ",\"attributes\":";
    append_attributes(out, e.attributes());
    out += '}';
  }
  return out += ']';
}

std::string links_text(const google::protobuf::RepeatedPtrField<opentelemetry::proto::trace::v1::Span::Link>& links) {
  std::string out = "[";
  for (const auto& l : links) {
    if (out.size() > 1) out += ',';
    out += "{\"trace_id\":\"" + hex(l.trace_id()) + "\",\"span_id\":\"" + hex(l.span_id()) + "\",\"attributes\":";
    append_attributes(out, l.attributes());
    out += '}';
  }
  return out += ']';
}

std::string service_of(const opentelemetry::proto::resource::v1::Resource& r) {
  for (const auto& kv : r.attributes())
    if (kv.key() == "service.name" && kv.value().has_string_value()) return kv.value().string_value();
  return "unknown_service";
}

std::string level_of(int severity, const std::string& text) {
  if (severity >= 21) return "fatal";
  if (severity >= 17) return "error";
  if (severity >= 13) return "warn";
  if (severity >= 9) return "info";
  if (severity >= 5) return "debug";
  if (severity >= 1) return "trace";
  std::string t;
  for (char c : text) t.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  if (t == "warning") return "warn";
  return t.empty() ? "info" : t;
}

template <typename Request>
bool parse(Request& req, std::string_view body, bool json_body, Signal signal, std::string& error) {
  if (!json_body) {
    if (!req.ParseFromArray(body.data(), static_cast<int>(body.size()))) {
      error = "malformed protobuf body";
      return false;
    }
    return true;
  }
  json j;
  try {
    j = json::parse(body);
    rewrite_ids(j, signal);
  } catch (const json::exception& e) {
    error = std::string("malformed JSON body: ") + e.what();
    return false;
  } catch (const std::invalid_argument& e) {
    error = std::string("malformed JSON body: ") + e.what();
    return false;
  }
  google::protobuf::util::JsonParseOptions opts;
  opts.ignore_unknown_fields = true;
  auto status = google::protobuf::util::JsonStringToMessage(dump(j), &req, opts);
  if (!status.ok()) {
    error = "malformed OTLP/JSON body: " + std::string(status.message());
    return false;
  }
  return true;
}

namespace trace_pb = opentelemetry::proto::trace::v1;
namespace logs_pb = opentelemetry::proto::logs::v1;

bool valid_ids(const trace_pb::Span& s) {
  return s.trace_id().size() == 16 && !all_zero(s.trace_id()) && s.span_id().size() == 8 && !all_zero(s.span_id());
}

// Why a timestamp is refused, or nullptr when it is believable.
const char* time_problem(std::uint64_t t, const TimeLimits& limits) {
  if (t == 0) return "a timestamp of 0 (1970)";
  if (t > static_cast<std::uint64_t>(INT64_MAX)) return "a timestamp past the year 2262";
  auto ns = static_cast<std::int64_t>(t);
  if (limits.now_ns == 0) return nullptr;
  if (ns > limits.now_ns + limits.max_future_ns) return "a timestamp more than the allowed skew in the future";
  if (limits.max_age_ns > 0 && ns < limits.now_ns - limits.max_age_ns) return "a timestamp older than the retention";
  return nullptr;
}

void reject(DecodeResult& out, const char* what, const char* problem) {
  ++out.rejected;
  std::string reason = std::string(what) + " with " + problem + " were rejected";
  if (out.partial_message.find(reason) != std::string::npos) return;
  out.partial_message += (out.partial_message.empty() ? "" : "; ") + reason;
}

// A span that ends before it starts keeps its start, gets no negative
// duration, and says so in an attribute.
void mark_end_before_start(store::SpanRow& r, DecodeResult& out) {
  r.end_ns = r.start_ns;
  r.attributes.insert(1, r.attributes.size() > 2 ? "\"vigil.end_before_start\":true," : "\"vigil.end_before_start\":true");
  ++out.end_before_start;
}

store::SpanRow span_row(const trace_pb::Span& s, const trace_pb::ScopeSpans& ss, const std::string& service,
                        const std::string& resource) {
  store::SpanRow r;
  r.trace_id = hex(s.trace_id());
  r.span_id = hex(s.span_id());
  r.parent_span_id = s.parent_span_id().size() == 8 ? hex(s.parent_span_id()) : "";
  r.service = service;
  r.name = s.name();
  r.scope = ss.scope().name();
  r.kind = static_cast<int>(s.kind());
  r.start_ns = static_cast<std::int64_t>(s.start_time_unix_nano());  // checked by the caller
  r.end_ns = static_cast<std::int64_t>(std::min<std::uint64_t>(s.end_time_unix_nano(), INT64_MAX));
  r.status_code = static_cast<int>(s.status().code());
  r.status_message = s.status().message();
  r.attributes = attributes_text(s.attributes());
  r.events = events_text(s.events());
  r.links = links_text(s.links());
  r.resource = resource;
  return r;
}

// OTLP: a record without a time takes its observed time, and one with
// neither was observed now (by this receiver).
std::uint64_t log_time(const logs_pb::LogRecord& l, const TimeLimits& limits) {
  if (l.time_unix_nano()) return l.time_unix_nano();
  if (l.observed_time_unix_nano()) return l.observed_time_unix_nano();
  return static_cast<std::uint64_t>(limits.now_ns);
}

store::LogRow log_row(const logs_pb::LogRecord& l, const logs_pb::ScopeLogs& sl, const std::string& service,
                      std::uint64_t time_ns) {
  store::LogRow r;
  r.time_ns = static_cast<std::int64_t>(time_ns);
  r.severity = static_cast<int>(l.severity_number());
  r.level = level_of(r.severity, l.severity_text());
  r.service = service;
  r.logger = sl.scope().name();
  if (l.body().has_string_value()) r.body = l.body().string_value();
  else append_any(r.body, l.body());
  if (r.body == "null") r.body.clear();
  r.attributes = attributes_text(l.attributes());
  r.trace_id = l.trace_id().size() == 16 ? hex(l.trace_id()) : "";
  r.span_id = l.span_id().size() == 8 ? hex(l.span_id()) : "";
  return r;
}

// Requests are parsed into an arena: one buffer freed at once instead of a
// malloc and a free per message and string.
void decode_spans(std::string_view body, bool json_body, const TimeLimits& limits, DecodeResult& out) {
  google::protobuf::Arena arena;
  auto& req = *google::protobuf::Arena::CreateMessage<
      opentelemetry::proto::collector::trace::v1::ExportTraceServiceRequest>(&arena);
  if (!parse(req, body, json_body, Signal::kTraces, out.error)) return;
  for (const auto& rs : req.resource_spans()) {
    std::string service = service_of(rs.resource());
    std::string resource = attributes_text(rs.resource().attributes());
    for (const auto& ss : rs.scope_spans())
      for (const auto& s : ss.spans()) {
        if (!valid_ids(s)) {
          reject(out, "spans", "an invalid trace_id or span_id");
          continue;
        }
        if (const char* problem = time_problem(s.start_time_unix_nano(), limits)) {
          reject(out, "spans", problem);
          continue;
        }
        store::SpanRow& r = out.batch.spans.emplace_back(span_row(s, ss, service, resource));
        if (r.end_ns < r.start_ns) mark_end_before_start(r, out);
      }
  }
}

void decode_logs(std::string_view body, bool json_body, const TimeLimits& limits, DecodeResult& out) {
  google::protobuf::Arena arena;
  auto& req = *google::protobuf::Arena::CreateMessage<opentelemetry::proto::collector::logs::v1::ExportLogsServiceRequest>(
      &arena);
  if (!parse(req, body, json_body, Signal::kLogs, out.error)) return;
  for (const auto& rl : req.resource_logs()) {
    std::string service = service_of(rl.resource());
    for (const auto& sl : rl.scope_logs())
      for (const auto& l : sl.log_records()) {
        std::uint64_t t = log_time(l, limits);
        if (const char* problem = time_problem(t, limits)) {
          reject(out, "log records", problem);
          continue;
        }
        out.batch.logs.push_back(log_row(l, sl, service, t));
      }
  }
}

}  // namespace

DecodeResult decode_otlp(Signal signal, std::string_view body, bool json_body, const TimeLimits& limits) {
  DecodeResult out;
  if (signal == Signal::kTraces) decode_spans(body, json_body, limits, out);
  else decode_logs(body, json_body, limits, out);
  return out;
}

std::string otlp_response(Signal signal, std::int64_t rejected, const std::string& message, bool json_body) {
  std::string out;
  if (signal == Signal::kTraces) {
    opentelemetry::proto::collector::trace::v1::ExportTraceServiceResponse resp;
    if (rejected) {
      resp.mutable_partial_success()->set_rejected_spans(rejected);
      resp.mutable_partial_success()->set_error_message(message);
    }
    if (json_body) (void)google::protobuf::util::MessageToJsonString(resp, &out);
    else out = resp.SerializeAsString();
  } else {
    opentelemetry::proto::collector::logs::v1::ExportLogsServiceResponse resp;
    if (rejected) {
      resp.mutable_partial_success()->set_rejected_log_records(rejected);
      resp.mutable_partial_success()->set_error_message(message);
    }
    if (json_body) (void)google::protobuf::util::MessageToJsonString(resp, &out);
    else out = resp.SerializeAsString();
  }
  return out;
}

}  // namespace vigil::server
