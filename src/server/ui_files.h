// GET /ui/{file}: the web UI's files, compiled into the binary and looked up
// by exact name (no file system behind it, so no path can escape).
#pragma once

#include "server/route_table.h"

namespace vigil::server {

void serve_ui_file(Exchange& x);

}  // namespace vigil::server
