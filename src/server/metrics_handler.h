// The /metrics endpoint, installable on any httplib server (the metrics
// server and, later, the daemon share it).
#pragma once

#include <httplib.h>

#include <string>

#include "vigil/metrics.h"

namespace vigil::detail {

// Serves the registry in the format the Accept header asks for (gzip when
// accepted); keeps its snapshot storage from one scrape to the next.
httplib::Server::Handler metrics_handler(Registry& registry);
void install_metrics_handler(httplib::Server& server, Registry& registry, const std::string& path);

}  // namespace vigil::detail
