#include "server/metrics_handler.h"

#include <memory>

#include "common/gzip.h"
#include "vigil/exposition.h"

namespace vigil::detail {

httplib::Server::Handler metrics_handler(Registry& registry) {
  // Snapshot storage kept from one scrape to the next, for as long as the
  // handler lives.
  auto buffer = std::make_shared<ScrapeBuffer>();
  return [&registry, buffer](const httplib::Request& req, httplib::Response& res) {
    ExpositionFormat format = negotiate_format(req.get_header_value("Accept"));
    std::string body = buffer->scrape(registry, format);
    // httplib compresses text/* bodies itself (gzip or brotli, as the client
    // accepts) but not the OpenMetrics media type; that one is done here.
    if (format == ExpositionFormat::kOpenMetrics && accepts_gzip(req.get_header_value("Accept-Encoding"))) {
      body = gzip_compress(body);
      res.set_header("Content-Encoding", "gzip");
    }
    res.set_content(std::move(body), std::string(content_type(format)));
  };
}

void install_metrics_handler(httplib::Server& server, Registry& registry, const std::string& path) {
  server.Get(path, metrics_handler(registry));
}

}  // namespace vigil::detail
