// Traces in the JSON model of Jaeger's query API (what the Jaeger UI and
// Grafana's Jaeger datasource read): spans with typed tags, references,
// logs from span events, times in microseconds, and one process per
// service and resource.
#pragma once

#include <nlohmann/json.hpp>
#include <vector>

#include "store/store.h"

namespace vigil::server {

// {"traceID", "spans", "processes", "warnings"} for one trace's spans.
nlohmann::json jaeger_trace(const std::vector<store::SpanRow>& spans);
// A tag: {"key", "type" (string, bool, int64, float64), "value"}.
nlohmann::json jaeger_tag(const std::string& key, const nlohmann::json& value);
// "server", "client", ... for an OTLP span kind; "" when unspecified.
const char* jaeger_span_kind(int otlp_kind);

}  // namespace vigil::server
