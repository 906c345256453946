// The daemon's read side (traces, operations, logs, models, drift history,
// alerts, store status) and its two admin actions. Each handler parses its
// parameters, asks the store or monitor, and maps rows with query_json.h.
#pragma once

#include <functional>

#include "server/route_table.h"

namespace vigil {
class ModelMonitor;
}
namespace vigil::store {
class Store;
}
namespace vigil::alert {
class Alerting;
}

namespace vigil::server {

class QueryApi {
 public:
  // Borrows all three; they must outlive the API.
  QueryApi(store::Store& store, ModelMonitor& monitor, alert::Alerting& alerting)
      : store_(store), monitor_(monitor), alerting_(alerting) {}

  void trace(Exchange& x);       // GET /api/v1/traces/{id}
  void traces(Exchange& x);      // GET /api/v1/traces?service=&operation=&min_duration=&attr=k=v...
  void operations(Exchange& x);  // GET /api/v1/operations?service=&window=
  void logs(Exchange& x);        // GET /api/v1/logs?query=&start=&end=&limit=&cursor=
  void models(Exchange& x);      // GET /api/v1/models
  void drift(Exchange& x);       // GET /api/v1/models/{model}/drift
  void alerts(Exchange& x);      // GET /api/v1/alerts
  void status(Exchange& x);      // GET /api/v1/status
  // GET /api/v1/history?range=15m|1h|6h|24h (or start=&end= in unix ns): the
  // UI's series (ui_history.h) on one time axis, {"t": [unix s], "series":
  // {name: [value or null]}}.
  void history(Exchange& x);
  // GET /readyz: 200 while the store commits; 503 while it cannot (a load
  // balancer should send traffic elsewhere). /healthz stays 200: the
  // process is alive and must not be restarted for a full disk.
  void ready(Exchange& x);
  void flush(Exchange& x);       // POST /api/v1/admin/flush: close due windows, commit the queue
  void evaluate(Exchange& x);    // POST /api/v1/admin/evaluate?at=: windows and alerts at `at`

 private:
  store::Store& store_;
  ModelMonitor& monitor_;
  alert::Alerting& alerting_;
};

}  // namespace vigil::server
