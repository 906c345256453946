// The daemon's write side: OTLP traces and logs into the store (over HTTP
// here, over gRPC through otlp_grpc_receiver.h, on one code path), and
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
  // fast 503s, but a batch acknowledged just before a write failure waits
  // in memory and dies with the process) or once it is committed and
  // fsynced (true: nothing acknowledged is lost even if the process dies or
  // the file system fails; overload shows as slower answers, and 2 clients
  // get ~40 % of the queued throughput).
  bool acknowledge_committed = false;
};

// What became of one OTLP export request, whatever its transport.
struct OtlpOutcome {
  enum class Kind { kAccepted, kMalformed, kRefused } kind = Kind::kAccepted;
  std::string error;            // kMalformed: why the body was refused
  std::string store_failure;    // kRefused: why the store cannot write ("" = its queue is full)
  std::int64_t rejected = 0;    // kAccepted: items refused one by one (partial success)
  std::string partial_message;  // kAccepted: why they were
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

  // Shed load before decoding: true when the batch `encoded_bytes` of
  // protobuf will become cannot fit in the store's queue. Counts nothing.
  bool sheds_before_decoding(Signal signal, std::size_t encoded_bytes);
  // Decodes one export body (protobuf, or OTLP/JSON when `json_body`) and
  // submits its rows; every item is counted by outcome.
  OtlpOutcome ingest_otlp(Signal signal, std::string_view body, bool json_body);
  // Counts a request refused before it was decoded (malformed or shed).
  void count_request(Signal signal, const char* outcome);

 private:
  void otlp(Signal signal, Exchange& x);
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
