#include "vigil/metrics_server.h"

#include "server/http_server.h"
#include "server/metrics_handler.h"

namespace vigil {
namespace {

detail::HttpHandler only_on(std::string path, std::function<void(const detail::Request&, detail::Response&)> metrics) {
  return [path = std::move(path), metrics = std::move(metrics)](detail::Request& req, detail::Response& res) {
    if (req.path == path && (req.method == "GET" || req.method == "HEAD")) return metrics(req, res);
    res.status = req.path == path ? 405 : 404;
    res.set_content(req.path == path ? "use GET\n" : "not found: metrics are at " + path + "\n", "text/plain");
  };
}

detail::HttpServerOptions server_options(const MetricsServerOptions& o) {
  return {.host = o.host,
          .port = o.port,
          .limits = {.header_timeout = o.header_timeout,
                     .body_timeout = o.body_timeout,
                     .idle_timeout = o.idle_timeout,
                     .max_connections = o.max_connections,
                     .max_body_bytes = 64 * 1024,  // scrapes have no body
                     .max_buffered_bytes = 16 * 1024 * 1024},
          .workers = 1,  // only refusals of other methods
          .read_workers = o.workers,
          .max_queued_requests = 256,
          .registry = o.self_metrics};
}

}  // namespace

struct MetricsServer::Impl {
  Impl(Registry& registry, const MetricsServerOptions& o)
      : server(server_options(o), only_on(o.path, detail::metrics_handler(registry))) {}
  detail::HttpServer server;
};

MetricsServer::MetricsServer(Registry& registry, MetricsServerOptions options)
    : impl_(std::make_unique<Impl>(registry, options)) {}

MetricsServer::~MetricsServer() = default;

int MetricsServer::port() const { return impl_->server.port(); }

void MetricsServer::stop() { impl_->server.stop(); }

}  // namespace vigil
