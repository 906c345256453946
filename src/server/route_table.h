// The daemon's routes as a table, one line per route naming its handler,
// in the manner of Loki's and Jaeger's HTTP handlers:
//
//   {kGet,  "/api/v1/traces/{id}", kToken, bind_front(&QueryApi::trace, &query)},
//
// Installing the table gives every route the same treatment: the Host
// check against DNS rebinding, the bearer token where the route asks for it, exceptions turned into 400/500 in the
// API's error format, and vigil_http_requests_total labelled by the route's
// pattern (never by the path a client sent, so the series are bounded by
// the table). A request that matches no route is answered 404 and counted
// as route "unmatched".
#pragma once

#include <httplib.h>

#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace vigil {
class Counter;
template <class>
class Family;
}  // namespace vigil

namespace vigil::server {

// One request and, for POST routes, its unread body.
struct Exchange {
  const httplib::Request& req;
  httplib::Response& res;
  const httplib::ContentReader* body = nullptr;
};
using Handler = std::function<void(Exchange&)>;

enum class Method { kGet, kPost };
enum class Access { kOpen, kToken };  // kToken: Authorization: Bearer <auth_token> when one is configured

struct Route {
  Method method;
  // Path with placeholders: "{name}" matches one segment, "{name*}" the rest
  // of the path; each becomes a regex group in req.matches, in order.
  const char* pattern;
  Access access;
  Handler handler;
};

struct RouteOptions {
  std::string auth_token;                 // empty: no route needs one
  // Host names accepted besides IP literals and localhost (host_allowed());
  // other Host headers get 403 on every kToken route (the API, ingest and
  // unknown paths). Absent = no Host check.
  std::optional<std::vector<std::string>> allowed_hosts;
  Family<Counter>* requests = nullptr;    // vigil_http_requests_total{route, code}; null = not counted
};

// Registers `routes` (in order) and the catch-all on `server`.
void install_routes(httplib::Server& server, std::span<const Route> routes, RouteOptions options);

// The regular expression a pattern stands for (exposed for tests).
std::string pattern_regex(const std::string& pattern);

}  // namespace vigil::server
