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
  // apply to the whole trace).
  void traces(Exchange& x);
  void trace(Exchange& x);  // GET /api/traces/{traceID}
  // GET /api/dependencies?endTs=&lookback= (ms; default now and 24 h):
  // [{parent, child, callCount}] across services.
  void dependencies(Exchange& x);

 private:
  store::Store& store_;
};

}  // namespace vigil::server
