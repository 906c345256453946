// SpanData -> ExportTraceServiceRequest (protobuf classes generated from
// proto/), grouping spans by resource and instrumentation scope.
#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"
#include "trace/otlp_grouping.h"
#include "trace/otlp_proto_attributes.h"
#include "vigil/otlp.h"

namespace vigil {
namespace {

using detail::bytes_of;
using detail::to_key_values;
namespace tracepb = opentelemetry::proto::trace::v1;

void to_span(const SpanData& s, tracepb::Span& out) {
  out.set_trace_id(bytes_of(s.context.trace_id));
  out.set_span_id(bytes_of(s.context.span_id));
  if (!s.context.trace_state.empty()) out.set_trace_state(s.context.trace_state);
  if (s.parent_span_id.valid()) out.set_parent_span_id(bytes_of(s.parent_span_id));
  out.set_flags(s.context.flags);
  out.set_name(s.name);
  out.set_kind(static_cast<tracepb::Span::SpanKind>(s.kind));
  out.set_start_time_unix_nano(s.start_unix_nano);
  out.set_end_time_unix_nano(s.end_unix_nano);
  to_key_values(s.attributes, *out.mutable_attributes());
  out.set_dropped_attributes_count(s.dropped_attributes);
  for (const auto& e : s.events) {
    auto* ev = out.add_events();
    ev->set_time_unix_nano(e.time_unix_nano);
    ev->set_name(e.name);
    to_key_values(e.attributes, *ev->mutable_attributes());
  }
  out.set_dropped_events_count(s.dropped_events);
  for (const auto& l : s.links) {
    auto* link = out.add_links();
    link->set_trace_id(bytes_of(l.context.trace_id));
    link->set_span_id(bytes_of(l.context.span_id));
    if (!l.context.trace_state.empty()) link->set_trace_state(l.context.trace_state);
    link->set_flags(l.context.flags);
    to_key_values(l.attributes, *link->mutable_attributes());
  }
  out.set_dropped_links_count(s.dropped_links);
  if (s.status != StatusCode::kUnset) {
    out.mutable_status()->set_code(static_cast<tracepb::Status::StatusCode>(s.status));
    out.mutable_status()->set_message(s.status_message);
  }
}

}  // namespace

std::string encode_otlp_traces_protobuf(std::span<const std::unique_ptr<SpanData>> spans) {
  opentelemetry::proto::collector::trace::v1::ExportTraceServiceRequest request;
  for (const auto& group : detail::group_by_resource_and_scope(spans)) {
    auto* rs = request.add_resource_spans();
    if (group.resource) to_key_values(group.resource->attributes, *rs->mutable_resource()->mutable_attributes());
    for (const auto& scope_group : group.scopes) {
      auto* ss = rs->add_scope_spans();
      if (scope_group.scope) {
        ss->mutable_scope()->set_name(scope_group.scope->name);
        ss->mutable_scope()->set_version(scope_group.scope->version);
      }
      ss->mutable_spans()->Reserve(static_cast<int>(scope_group.spans.size()));
      for (const SpanData* s : scope_group.spans) to_span(*s, *ss->add_spans());
    }
  }
  return request.SerializeAsString();
}

}  // namespace vigil
