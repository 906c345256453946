// The `vigil serve` daemon: OTLP/HTTP receivers, the prediction-event API,
// the embedded store, the query API, log-based alerts, model monitoring and
// its own metrics, on one loopback HTTP listener.
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
  // Graceful: stop accepting, finish requests in flight, evaluate, commit
  // everything accepted, close the store.
  void stop();

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace vigil::server
