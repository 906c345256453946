#include "server/query_json.h"

#include <map>

#include "server/http_util.h"

namespace vigil::server {

using nlohmann::json;

json span_json(const store::SpanRow& s, int depth) {
  return {{"trace_id", s.trace_id},
          {"span_id", s.span_id},
          {"parent_span_id", s.parent_span_id},
          {"service", s.service},
          {"name", s.name},
          {"scope", s.scope},
          {"kind", s.kind},
          {"start_ns", s.start_ns},
          {"end_ns", s.end_ns},
          {"duration_ms", static_cast<double>(s.end_ns - s.start_ns) / 1e6},
          {"status_code", s.status_code},
          {"status_message", s.status_message},
          {"attributes", parse_or(s.attributes, json::object())},
          {"events", parse_or(s.events, json::array())},
          {"links", parse_or(s.links, json::array())},
          {"resource", parse_or(s.resource, json::object())},
          {"depth", depth}};
}

json trace_json(const std::vector<store::SpanRow>& spans) {
  std::map<std::string, std::string> parent;
  for (const auto& sp : spans) parent[sp.span_id] = sp.parent_span_id;
  json out = json::array();
  for (const auto& sp : spans) {
    int depth = 0;  // bounded: a cycle in hostile parent links must not loop
    for (std::string p = sp.parent_span_id; !p.empty() && parent.count(p) && depth < 64; p = parent[p]) ++depth;
    out.push_back(span_json(sp, depth));
  }
  return out;
}

json trace_summary_json(const store::TraceSummary& t) {
  return {{"trace_id", t.trace_id}, {"root_service", t.root_service}, {"root_name", t.root_name},
          {"start_ns", t.start_ns}, {"duration_ms", static_cast<double>(t.duration_ns) / 1e6},
          {"spans", t.spans},       {"errors", t.errors}};
}

json operation_json(const store::OperationLatency& o) {
  return {{"service", o.service}, {"name", o.name},     {"count", o.count},   {"mean_ms", o.mean_ms},
          {"p50_ms", o.p50_ms},   {"p95_ms", o.p95_ms}, {"p99_ms", o.p99_ms}, {"max_ms", o.max_ms},
          {"share_of_trace", o.share_of_trace},         {"root", o.root}};
}

json log_json(const store::LogRow& l) {
  return {{"id", l.id},           {"time_ns", l.time_ns},       {"severity", l.severity},
          {"level", l.level},     {"service", l.service},       {"logger", l.logger},
          {"body", l.body},       {"attributes", parse_or(l.attributes, json::object())},
          {"trace_id", l.trace_id}, {"span_id", l.span_id}};
}

json evaluation_json(const store::EvaluationRow& e) {
  return {{"window_start_ns", e.window_start_ns}, {"window_end_ns", e.window_end_ns}, {"rows", e.rows},
          {"dataset_drift", e.dataset_drift},     {"drift_share", e.drift_share},
          {"report", parse_or(e.report, json::object())}};
}

json alert_json(const alert::Alert& a) {
  const alert::AlertFacts& f = a.facts;
  return {{"name", f.name},          {"kind", alert::kind_name(f.kind)},
          {"severity", f.severity},  {"state", alert::phase_name(a.phase)},
          {"value", f.value},        {"threshold", f.threshold},
          {"query", f.query},        {"labels", f.labels},
          {"summary", f.summary},    {"active_since_ns", a.active_since_ns}};
}

}  // namespace vigil::server
