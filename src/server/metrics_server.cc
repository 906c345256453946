#include "vigil/metrics_server.h"

#include "server/http_listener.h"
#include "server/metrics_handler.h"

namespace vigil {

struct MetricsServer::Impl {
  detail::HttpListener listener;
};

MetricsServer::MetricsServer(Registry& registry, MetricsServerOptions options) : impl_(std::make_unique<Impl>()) {
  detail::install_metrics_handler(impl_->listener.server(), registry, options.path);
  impl_->listener.start(options.host, options.port);
}

MetricsServer::~MetricsServer() = default;

int MetricsServer::port() const { return impl_->listener.port(); }

void MetricsServer::stop() { impl_->listener.stop(); }

}  // namespace vigil
