// The `vigil serve` daemon: OTLP receivers (HTTP and gRPC), the
// prediction-event API, the embedded store, the query API, alerting, model
// monitoring and its own metrics, on one loopback HTTP listener and one
// gRPC listener. This class only wires the parts together (ingest_api,
// query_api, route_table, otlp_grpc_receiver, alert/alerting) and owns
// their lifecycle.
#pragma once

#include <memory>

#include "server/config.h"

namespace vigil {
class Registry;
}

namespace vigil::server {

class Daemon {
 public:
  // Opens the store, loads reference profiles and starts listening; throws
  // on a bad reference file, an unusable store path or a taken port.
  Daemon(DaemonConfig config, Registry& registry);
  ~Daemon();  // stop()
  Daemon(const Daemon&) = delete;
  Daemon& operator=(const Daemon&) = delete;

  int port() const;
  int grpc_port() const;  // -1 when gRPC is off
  // Graceful and idempotent: stops accepting and finishes requests in
  // flight, closes every model's open window early and evaluates it (so the
  // last window's verdict is stored and alerted on, not lost), commits
  // everything accepted and closes the store.
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace vigil::server
