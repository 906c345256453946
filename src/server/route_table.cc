#include "server/route_table.h"

#include "server/http_util.h"
#include "vigil/metrics.h"

namespace vigil::server {
namespace {

struct Served {
  Method method;
  std::string pattern;
  Access access;
  Handler handler;
};

struct Table {
  std::vector<Served> routes;
  RouteOptions options;
};

void guarded(const Served& route, const RouteOptions& options, Exchange& x) {
  // The open routes (health, /metrics, the UI's files) hold nothing a
  // rebinding page could use, and scrapers often use a service's DNS name.
  bool checks_host = options.allowed_hosts && route.access == Access::kToken;
  if (checks_host && !host_allowed(x.req.get_header_value("Host"), *options.allowed_hosts)) {
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
}

std::optional<Method> method_of(std::string_view m) {
  if (m == "GET" || m == "HEAD") return Method::kGet;
  if (m == "POST") return Method::kPost;
  return std::nullopt;
}

void serve(const Table& table, detail::Request& req, detail::Response& res) {
  std::optional<Method> method = method_of(req.method);
  const Served* found = nullptr;
  bool path_known = false;
  std::vector<std::string> captures;
  for (const Served& r : table.routes) {
    captures.clear();
    if (!match_pattern(r.pattern, req.path, captures)) continue;
    path_known = true;
    if (method == r.method) {
      found = &r;
      break;
    }
  }
  req.matches = {req.path};
  req.matches.insert(req.matches.end(), captures.begin(), captures.end());
  // Unknown paths still need the token, so they tell nobody which routes exist.
  static const Served kUnmatched{Method::kGet, "unmatched", Access::kToken, [](Exchange& x) {
                                   send_error(x.res, 404, "no such route");
                                 }};
  static const Served kWrongMethod{Method::kGet, "unmatched", Access::kToken, [](Exchange& x) {
                                     x.res.set_header("Allow", "GET, HEAD, POST");
                                     send_error(x.res, 405, "method " + x.req.method + " is not allowed here");
                                   }};
  const Served& route = found ? *found : path_known ? kWrongMethod : kUnmatched;
  Exchange x{req, res};
  guarded(route, table.options, x);
  if (table.options.requests) table.options.requests->labels({route.pattern, std::to_string(res.status)}).inc();
}

}  // namespace

bool match_pattern(std::string_view pattern, std::string_view path, std::vector<std::string>& captures) {
  std::size_t p = 0;
  std::size_t i = 0;
  while (p < pattern.size()) {
    if (pattern[p] != '{') {
      if (i >= path.size() || path[i] != pattern[p]) return false;
      ++p, ++i;
      continue;
    }
    std::size_t close = pattern.find('}', p);
    if (close == std::string_view::npos) return false;
    bool rest = pattern[close - 1] == '*';
    std::size_t end = rest ? path.size() : std::min(path.find('/', i), path.size());
    if (!rest && end == i) return false;  // one segment, never empty
    captures.emplace_back(path.substr(i, end - i));
    i = end;
    p = close + 1;
  }
  return i == path.size();
}

detail::HttpHandler route_handler(std::span<const Route> routes, RouteOptions options) {
  auto table = std::make_shared<Table>();
  for (const Route& r : routes) table->routes.push_back({r.method, r.pattern, r.access, r.handler});
  table->options = std::move(options);
  return [table](detail::Request& req, detail::Response& res) { serve(*table, req, res); };
}

}  // namespace vigil::server
