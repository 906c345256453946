// The /metrics endpoint, shared by MetricsServer and the daemon.
#pragma once

#include <functional>

#include "server/http_message.h"
#include "vigil/metrics.h"

namespace vigil::detail {

// Serves the registry in the format the Accept header asks for (gzip when
// accepted); keeps its snapshot storage from one scrape to the next.
std::function<void(const Request&, Response&)> metrics_handler(Registry& registry);

}  // namespace vigil::detail
