// The /metrics endpoint, installable on any httplib server (the metrics
// server and, later, the daemon share it).
#pragma once

#include <httplib.h>

#include <string>

#include "vigil/metrics.h"

namespace vigil::detail {

void install_metrics_handler(httplib::Server& server, Registry& registry, const std::string& path);

}  // namespace vigil::detail
