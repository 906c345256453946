// An event-driven HTTP/1.1 server (Boost.Beast on Asio) for the daemon and
// for MetricsServer. Connections cost memory, not threads: a few I/O threads
// read every connection's requests within the limits below, and handlers
// run on a bounded worker pool, so a slow or idle client never holds a
// thread and thousands of keep-alive exporters leave room for one more.
//
// Lifecycle: construct (binds; throws std::runtime_error when the address
// cannot be bound), then requests are served until stop() or destruction.
// stop() closes the listening socket and every connection; a handler
// already running finishes first.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include "server/http_message.h"

namespace vigil {
class Registry;
}

namespace vigil::detail {

// What a client may cost the server. Defaults suit a daemon taking OTLP
// from a fleet; every limit counts what it cuts off in the self-metrics.
struct HttpLimits {
  // From a request's first byte to the end of its headers (per request, not
  // per byte: a client trickling one byte a second is still cut off). A new
  // connection has this long to send its first byte too.
  std::chrono::milliseconds header_timeout{10'000};
  // From the end of the headers to the end of the body.
  std::chrono::milliseconds body_timeout{30'000};
  // How long a keep-alive connection may wait between requests.
  std::chrono::milliseconds idle_timeout{60'000};
  // How long a response may take to reach a client that reads slowly.
  std::chrono::milliseconds write_timeout{30'000};
  // At the cap, the connection idle the longest is closed to admit a new
  // one; when none is idle the new one is refused with 503.
  std::size_t max_connections = 4096;
  std::size_t max_header_bytes = 64 * 1024;
  // Enforced while the body is read (Content-Length is checked before).
  std::size_t max_body_bytes = 16 * 1024 * 1024;
  // Bodies of every connection held at once, read or waiting for a worker:
  // past it, requests are answered 503 + Retry-After before their bodies
  // are read, so memory stays bounded whatever the clients send at once.
  std::size_t max_buffered_bytes = 256 * 1024 * 1024;
};

struct HttpServerOptions {
  std::string host = "127.0.0.1";
  int port = 0;  // 0 picks a free port; see HttpServer::port()
  HttpLimits limits;
  std::size_t io_threads = 1;
  // Threads running handlers: GET and HEAD on `read_workers`, everything
  // else (the writes) on `workers`, so a flood of exports never queues a
  // health check, a scrape, the UI or a query behind it.
  std::size_t workers = 8;
  std::size_t read_workers = 4;
  // Requests waiting for a worker, per pool; past it they are answered 503
  // + Retry-After.
  std::size_t max_queued_requests = 1024;
  // Runs first on each worker thread (the daemon lowers their priority).
  std::function<void()> on_worker_start;
  // vigil_http_connections_open, _refused_total, _closed_total{reason} and
  // vigil_http_requests_shed_total{reason}; null = not counted.
  Registry* registry = nullptr;
};

// Fills `res` for `req`. Runs on a worker thread; may block (a query, a
// store commit) without holding up other connections. An exception escaping
// it is answered 500.
using HttpHandler = std::function<void(Request& req, Response& res)>;

class HttpServer {
 public:
  HttpServer(HttpServerOptions options, HttpHandler handler);
  ~HttpServer();  // stop()
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  int port() const;
  // Idempotent; returns once every thread has been joined.
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace vigil::detail
