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

#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "server/http_message.h"
#include "server/http_server.h"

namespace vigil {
class Counter;
template <class>
class Family;
}  // namespace vigil

namespace vigil::server {

using detail::Request;
using detail::Response;

// One request, read whole within the server's limits, and its answer.
struct Exchange {
  const Request& req;
  Response& res;
};
using Handler = std::function<void(Exchange&)>;

enum class Method { kGet, kPost };
enum class Access { kOpen, kToken };  // kToken: Authorization: Bearer <auth_token> when one is configured

struct Route {
  Method method;
  // Path with placeholders: "{name}" matches one segment, "{name*}" the rest
  // of the path; each becomes an entry of req.matches, in order. A GET
  // route answers HEAD too.
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

// The handler for an HttpServer that serves `routes`, the first match
// winning, and answers 404 (or 405 for a method no route takes) otherwise.
detail::HttpHandler route_handler(std::span<const Route> routes, RouteOptions options);

// Whether `path` matches `pattern`; on a match, `captures` holds one value
// per placeholder, in order (exposed for tests).
bool match_pattern(std::string_view pattern, std::string_view path, std::vector<std::string>& captures);

}  // namespace vigil::server
