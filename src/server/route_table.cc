#include "server/route_table.h"

#include <memory>

#include "server/http_util.h"
#include "vigil/metrics.h"

namespace vigil::server {
namespace {

struct Served {
  std::string label;
  Access access;
  Handler handler;
};

void dispatch(const Served& route, const RouteOptions& options, Exchange& x) {
  // The open routes (health, /metrics, the UI's files) hold nothing a
  // rebinding page could use, and scrapers often use a service's DNS name.
  bool checks_host = options.allowed_hosts && route.access == Access::kToken;
  if (checks_host && !host_allowed(x.req.get_header_value("Host"), *options.allowed_hosts)) {
    if (x.body) drain_body(*x.body);
    send_error(x.res, 403, "Host '" + x.req.get_header_value("Host") +
                               "' is not allowed: use an IP address or localhost, or add the name to allowed_hosts");
  } else if (route.access == Access::kToken && !bearer_matches(x.req, options.auth_token)) {
    x.res.set_header("WWW-Authenticate", "Bearer");
    send_error(x.res, 401, "missing or wrong bearer token");
  } else {
    try {
      route.handler(x);
    } catch (const std::invalid_argument& e) {
      send_error(x.res, 400, e.what());
    } catch (const std::exception& e) {
      send_error(x.res, 500, e.what());
    }
  }
  if (x.res.status == -1) x.res.status = 200;  // httplib's default for a handler that set none
  if (options.requests) options.requests->labels({route.label, std::to_string(x.res.status)}).inc();
}

void add(httplib::Server& server, Method method, const std::string& regex, std::shared_ptr<const Served> route,
         std::shared_ptr<const RouteOptions> options) {
  if (method == Method::kGet) {
    server.Get(regex, [route, options](const httplib::Request& req, httplib::Response& res) {
      Exchange x{req, res};
      dispatch(*route, *options, x);
    });
  } else {
    server.Post(regex, [route, options](const httplib::Request& req, httplib::Response& res,
                                        const httplib::ContentReader& reader) {
      Exchange x{req, res, &reader};
      dispatch(*route, *options, x);
    });
  }
}

}  // namespace

std::string pattern_regex(const std::string& pattern) {
  std::string out;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] != '{') {
      if (std::string_view(".+?()[]^$|\\").find(pattern[i]) != std::string_view::npos) out += '\\';
      out += pattern[i];
      continue;
    }
    std::size_t close = pattern.find('}', i);
    bool rest = close != std::string::npos && close > i + 1 && pattern[close - 1] == '*';
    out += rest ? "(.*)" : "([^/]+)";
    i = close;
  }
  return out;
}

void install_routes(httplib::Server& server, std::span<const Route> routes, RouteOptions options) {
  auto shared_options = std::make_shared<const RouteOptions>(std::move(options));
  for (const Route& r : routes)
    add(server, r.method, pattern_regex(r.pattern),
        std::make_shared<const Served>(Served{r.pattern, r.access, r.handler}), shared_options);
  // Unknown paths still need the token, so they tell nobody which routes exist.
  auto unmatched = std::make_shared<const Served>(
      Served{"unmatched", Access::kToken, [](Exchange& x) {
        if (x.body) drain_body(*x.body);
        send_error(x.res, 404, "no such route");
      }});
  add(server, Method::kGet, ".*", unmatched, shared_options);
  add(server, Method::kPost, ".*", unmatched, shared_options);
}

}  // namespace vigil::server
