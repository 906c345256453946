// Serves a registry on /metrics over HTTP, with content negotiation and
// gzip, bound to 127.0.0.1 unless told otherwise. The server is
// event-driven (one I/O thread): idle and slow clients cost memory, not
// threads, and are cut off at the deadlines below.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

#include "vigil/metrics.h"

namespace vigil {

struct MetricsServerOptions {
  std::string host = "127.0.0.1";
  int port = 9464;  // 0 picks a free port; see MetricsServer::port()
  std::string path = "/metrics";
  // A client must send a request's headers this long after its first byte
  // (or after connecting), and its body within body_timeout.
  std::chrono::milliseconds header_timeout{10'000};
  std::chrono::milliseconds body_timeout{10'000};
  std::chrono::milliseconds idle_timeout{60'000};  // keep-alive wait between scrapes
  // At the cap the connection idle the longest is closed to admit a new
  // one; with none idle the new one gets 503.
  std::size_t max_connections = 1024;
  std::size_t workers = 2;  // threads rendering scrapes
  // Where the server counts its own connections (vigil_http_connections_*);
  // null = not counted. May be the registry being served.
  Registry* self_metrics = nullptr;
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
