// The query API's JSON shapes for stored rows (one function per row type),
// kept apart from the handlers so each handler reads as query, map, send.
#pragma once

#include <nlohmann/json.hpp>

#include "alert/alert_book.h"
#include "store/store.h"

namespace vigil::server {

nlohmann::json span_json(const store::SpanRow& span, int depth);
// Every span of one trace, each with its depth under the root (for a waterfall).
nlohmann::json trace_json(const std::vector<store::SpanRow>& spans);
nlohmann::json trace_summary_json(const store::TraceSummary& trace);
nlohmann::json operation_json(const store::OperationLatency& op);
nlohmann::json log_json(const store::LogRow& log);
nlohmann::json evaluation_json(const store::EvaluationRow& evaluation);
nlohmann::json alert_json(const alert::Alert& alert);

}  // namespace vigil::server
