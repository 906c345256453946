// The TraceQL that Grafana's Tempo query builder emits: one spanset of
// conditions joined by &&, all holding for the same span:
//
//   { resource.service.name = "ranker" && span.http.status_code >= 500 && duration > 200ms && status = error }
//
// Fields: resource.<key>, span.<key>, .<key> (span, else resource), and
// the intrinsics name, status, statusMessage, kind, duration (the span's)
// and traceDuration (the whole trace's). Operators = != > >= < <= =~ !~;
// values are strings, numbers, durations, true/false, and the status and
// kind names. Anything else (||, pipelines, spanset operators, other
// intrinsics) is a std::invalid_argument naming the construct and column.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "store/store.h"

namespace re2 {
class RE2;
}

namespace vigil::server {

struct TraceqlCondition {
  enum class Scope { kResource, kSpan, kAny, kName, kStatus, kStatusMessage, kKind, kDuration };
  enum class Op { kEq, kNe, kGt, kGe, kLt, kLe, kRe, kNre };
  Scope scope = Scope::kAny;
  std::string key;  // the attribute's, for kResource, kSpan and kAny
  Op op = Op::kEq;
  nlohmann::json value;  // a string, number or bool; durations in ns; status and kind as OTLP codes
  std::shared_ptr<const re2::RE2> regex;
};

struct TraceqlQuery {
  std::vector<TraceqlCondition> conditions;
  std::optional<std::int64_t> min_trace_ns, max_trace_ns;  // from traceDuration
  std::string service, operation;  // from `resource.service.name = "x"` and `name = "x"`: index hints
};

TraceqlQuery parse_traceql(std::string_view text);
bool traceql_matches(const TraceqlQuery& q, const store::SpanRow& span);

}  // namespace vigil::server
