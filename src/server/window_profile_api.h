// POST /api/v1/window_profiles?model=M&instance=I: a replica's closed
// window (a profile, JSON), saved into this daemon's window_profiles
// directory as <model>/<window start>-<instance>.json, beside the windows
// of replicas that write there directly. `vigil merge` of one window's
// files then gives the fleet's window.
#pragma once

#include <cstddef>
#include <filesystem>

#include "server/route_table.h"
#include "vigil/metrics.h"

namespace vigil::server {

class WindowProfileApi {
 public:
  // An empty directory: this daemon keeps no window profiles, and the
  // route answers 404 saying so.
  WindowProfileApi(std::filesystem::path directory, std::size_t max_body_bytes, Registry& registry);

  // 200 {"path": saved file}; 400 for a missing model or instance, or a
  // body that is not a profile (naming what is wrong); 404 without a
  // directory; 507 when the file cannot be written.
  void receive(Exchange& x);

 private:
  std::filesystem::path directory_;
  std::size_t max_body_bytes_;
  Registry& registry_;
};

}  // namespace vigil::server
