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
// [{name, spanKind}] of a service's operations, only those of `kind`
// ("server", ...) unless it is empty: Jaeger's v1 and v3 operation lists.
nlohmann::json jaeger_operations(const std::vector<store::Operation>& operations, const std::string& kind);
// "server", "client", ... for an OTLP span kind; "" when unspecified.
const char* jaeger_span_kind(int otlp_kind);

}  // namespace vigil::server
