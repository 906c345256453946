// The daemon's write side: OTLP/HTTP traces and logs into the store, and
// prediction events and ground-truth labels into the model monitor and the
// SLOs kept from them. Every item is counted in
// vigil_receiver_items_total{signal, outcome}.
#pragma once

#include <atomic>
#include <chrono>

#include "alert/model_alerts.h"
#include "server/route_table.h"

namespace vigil {
class ModelMonitor;
class Registry;
}  // namespace vigil

namespace vigil::store {
class Store;
}

namespace vigil::server {

enum class Signal;

using alert::SlosByModel;

struct IngestOptions {
  std::size_t max_body_bytes = 16 * 1024 * 1024;  // decoded bytes per request
  std::chrono::seconds max_clock_skew{3600};      // spans and logs further ahead are refused
  std::chrono::seconds max_age{0};                // older ones are refused (the retention); 0 = any age
  // OTLP is answered 200 once its batch is queued (false: overload shows as
  // fast 503s) or once it is committed (true: nothing acknowledged is lost
  // even if the process dies while the disk is full; overload shows as
  // slower answers).
  bool acknowledge_committed = false;
};

class IngestApi {
 public:
  // Borrows everything; all must outlive the API.
  IngestApi(IngestOptions options, store::Store& store, ModelMonitor& monitor, const SlosByModel& slos,
            Registry& registry);

  void traces(Exchange& x);       // POST /v1/traces
  void logs(Exchange& x);         // POST /v1/logs
  void predictions(Exchange& x);  // POST /api/v1/predictions
  void labels(Exchange& x);       // POST /api/v1/labels

 private:
  void otlp(Signal signal, Exchange& x);
  bool sheds_before_decoding(Signal signal, const httplib::Request& req, bool json_body);
  void count(const char* signal, const char* outcome, double n);

  IngestOptions options_;
  store::Store& store_;
  ModelMonitor& monitor_;
  const SlosByModel& slos_;
  Family<Counter>* items_;
  // Queue bytes per protobuf body byte seen last, per signal: how large a
  // body will be once decoded, so a full queue refuses before decoding.
  std::atomic<double> expansion_[2] = {1.0, 1.0};
  std::atomic<double>& expansion(Signal signal);
};

}  // namespace vigil::server
