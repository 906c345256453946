// Stored spans back in OTLP, for the query APIs that answer in it: the
// protobuf TracesData (Tempo's trace by id with Accept:
// application/protobuf; Tempo's Trace message has the same wire form) and
// the OTLP/JSON mapping (hex ids, integer enums, 64-bit integers as
// strings) for Tempo's /api/v2/traces and Jaeger's /api/v3. Spans are
// grouped by resource, then by instrumentation scope, in the given order.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "store/store.h"

namespace vigil::server {

std::string otlp_traces_proto(const std::vector<store::SpanRow>& spans);
// The `resourceSpans` array.
nlohmann::json otlp_resource_spans_json(const std::vector<store::SpanRow>& spans);
// A stored attribute object as OTLP/JSON KeyValues: [{"key", "value": AnyValue}].
nlohmann::json otlp_attributes_json(const nlohmann::json& attributes);

}  // namespace vigil::server
