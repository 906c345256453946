#include "server/ui_files.h"

#include <string_view>

#include "server/http_util.h"
#include "server/ui_assets.h"

namespace vigil::server {
namespace {

const char* content_type(std::string_view name) {
  if (name.ends_with(".html")) return "text/html; charset=utf-8";
  if (name.ends_with(".js")) return "text/javascript; charset=utf-8";
  if (name.ends_with(".css")) return "text/css; charset=utf-8";
  return "application/octet-stream";
}

}  // namespace

void serve_ui_file(Exchange& x) {
  std::string name = x.req.matches[1];
  if (name.empty()) name = "index.html";
  for (const auto& a : ui_assets()) {
    if (a.name != name) continue;
    x.res.set_header("Cache-Control", "no-cache");
    x.res.set_header("X-Content-Type-Options", "nosniff");
    x.res.set_content(a.data, a.size, content_type(name));
    return;
  }
  send_error(x.res, 404, "no such UI file");
}

}  // namespace vigil::server
