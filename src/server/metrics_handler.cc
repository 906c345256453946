#include "server/metrics_handler.h"

#include <memory>

#include "common/gzip.h"
#include "vigil/exposition.h"

namespace vigil::detail {

std::function<void(const Request&, Response&)> metrics_handler(Registry& registry) {
  // Snapshot storage kept from one scrape to the next, for as long as the
  // handler lives (it locks itself: scrapes run on several workers).
  auto buffer = std::make_shared<ScrapeBuffer>();
  return [&registry, buffer](const Request& req, Response& res) {
    ExpositionFormat format = negotiate_format(req.get_header_value("Accept"));
    std::string body = buffer->scrape(registry, format);
    // The server compresses text/* itself (the Prometheus text format) but
    // not the OpenMetrics media type; that one is done here.
    if (format == ExpositionFormat::kOpenMetrics && accepts_gzip(req.get_header_value("Accept-Encoding"))) {
      body = gzip_compress(body);
      res.set_header("Content-Encoding", "gzip");
    }
    res.set_content(std::move(body), std::string(content_type(format)));
  };
}

}  // namespace vigil::detail
