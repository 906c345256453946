// Jaeger's query API over the store, so the Jaeger UI and Grafana's Jaeger
// datasource read vigil directly. Every answer is Jaeger's envelope
// {"data", "total", "limit", "offset", "errors"}; bad input is a 400 (an
// unknown trace 404) with {"errors": [{"code", "msg"}]}.
#pragma once

#include "server/route_table.h"

namespace vigil::store {
class Store;
}

namespace vigil::server {

class JaegerApi {
 public:
  explicit JaegerApi(store::Store& store) : store_(store) {}  // borrows; the store outlives the API

  void services(Exchange& x);            // GET /api/services
  void service_operations(Exchange& x);  // GET /api/services/{service}/operations: names
  void operations(Exchange& x);          // GET /api/operations?service=&spanKind=: {name, spanKind}
  // GET /api/traces?service=&operation=&tags={"k":"v"}&minDuration=&maxDuration=&start=&end=&lookback=&limit=
  // (times in µs since the epoch, durations like 1.5ms or 2s; min/maxDuration
  // bound the duration of a span meeting the other conditions, as in Jaeger).
  void traces(Exchange& x);
  void trace(Exchange& x);  // GET /api/traces/{traceID}
  // GET /api/dependencies?endTs=&lookback= (ms; default now and 24 h):
  // [{parent, child, callCount}] across services.
  void dependencies(Exchange& x);

  // Jaeger's /api/v3 (jaeger_v3.cc), as its HTTP gateway answers: traces
  // as OTLP/JSON in {"result": {"resourceSpans"}}; errors as
  // {"error": {"httpCode", "message"}}.
  void v3_services(Exchange& x);    // GET /api/v3/services: {"services"}
  void v3_operations(Exchange& x);  // GET /api/v3/operations?service=&span_kind=: {"operations": [{name, spanKind}]}
  void v3_trace(Exchange& x);       // GET /api/v3/traces/{trace_id}
  // GET /api/v3/traces?query.service_name=&query.operation_name=&query.start_time_min=&query.start_time_max=
  // &query.duration_min=&query.duration_max=&query.num_traces=&query.attributes[key]=value (times RFC 3339)
  void v3_traces(Exchange& x);

 private:
  store::Store& store_;
};

}  // namespace vigil::server
