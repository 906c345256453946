// Serves a registry on /metrics over HTTP (cpp-httplib underneath), with
// content negotiation and gzip, bound to 127.0.0.1 unless told otherwise.
#pragma once

#include <memory>
#include <string>

#include "vigil/metrics.h"

namespace vigil {

struct MetricsServerOptions {
  std::string host = "127.0.0.1";
  int port = 9464;  // 0 picks a free port; see MetricsServer::port()
  std::string path = "/metrics";
};

class MetricsServer {
 public:
  // Binds and starts serving on a background thread; throws
  // std::runtime_error when the address cannot be bound (also when another
  // process holds the port: no SO_REUSEPORT sharing).
  explicit MetricsServer(Registry& registry, MetricsServerOptions options = {});
  ~MetricsServer();  // stops and joins
  MetricsServer(const MetricsServer&) = delete;
  MetricsServer& operator=(const MetricsServer&) = delete;

  int port() const;
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace vigil
