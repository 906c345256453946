// The route table: patterns, the bearer token per route, errors in the API's
// format, and request metrics labelled by pattern whatever paths clients send.
#include <gtest/gtest.h>

#include <httplib.h>

#include "server/http_server.h"
#include "server/http_util.h"
#include "server/route_table.h"
#include "vigil/exposition.h"
#include "vigil/metrics.h"

namespace {

using vigil::server::Access;
using vigil::server::Exchange;
using vigil::server::Method;
using vigil::server::Route;

std::vector<std::string> captured(std::string_view pattern, std::string_view path) {
  std::vector<std::string> out;
  if (!vigil::server::match_pattern(pattern, path, out)) return {"no match"};
  return out;
}

TEST(RouteTable, PlaceholdersMatchOneSegmentOrTheRest) {
  using V = std::vector<std::string>;
  EXPECT_EQ(captured("/api/v1/traces/{id}", "/api/v1/traces/abc"), V{"abc"});
  EXPECT_EQ(captured("/api/v1/traces/{id}", "/api/v1/traces/"), V{"no match"});  // a segment is never empty
  EXPECT_EQ(captured("/api/v1/traces/{id}", "/api/v1/traces/a/b"), V{"no match"});
  EXPECT_EQ(captured("/m/{model}/drift", "/m/fraud/drift"), V{"fraud"});
  EXPECT_EQ(captured("/ui/{file*}", "/ui/"), V{""});
  EXPECT_EQ(captured("/ui/{file*}", "/ui/a/b.js"), V{"a/b.js"});
  EXPECT_EQ(captured("/a.b", "/a.b"), V{});
  EXPECT_EQ(captured("/a.b", "/axb"), V{"no match"});  // literal, not a regex
  EXPECT_EQ(captured("/healthz", "/healthz/"), V{"no match"});
}

class RouteTableServer : public ::testing::Test {
 protected:
  void SetUp() override {
    std::vector<Route> routes = {
        {Method::kGet, "/open", Access::kOpen, [](Exchange& x) { x.res.set_content("open", "text/plain"); }},
        {Method::kGet, "/things/{id}", Access::kToken,
         [](Exchange& x) { x.res.set_content(std::string(x.req.matches[1]), "text/plain"); }},
        {Method::kGet, "/bad", Access::kToken, [](Exchange&) -> void { throw std::invalid_argument("bad input"); }},
        {Method::kPost, "/echo", Access::kToken, [](Exchange& x) {
           std::string body;
           if (vigil::server::read_body(x.req, x.res, 16, body)) x.res.set_content(body, "text/plain");
         }}};
    server = std::make_unique<vigil::detail::HttpServer>(
        vigil::detail::HttpServerOptions{.limits = {.max_body_bytes = 1024}},
        vigil::server::route_handler(routes, {.auth_token = "s3cret",
                                              .requests = &registry.counter({.name = "requests_total",
                                                                             .labels = {"route", "code"}})}));
  }
  httplib::Result get(const std::string& path, bool token = true) {
    httplib::Client c("127.0.0.1", server->port());
    if (token) c.set_bearer_token_auth("s3cret");
    return c.Get(path);
  }
  std::string metrics() { return vigil::encode(registry.gather(), vigil::ExpositionFormat::kPrometheusText); }

  vigil::Registry registry;
  std::unique_ptr<vigil::detail::HttpServer> server;
};

TEST_F(RouteTableServer, TokenOnlyWhereTheRouteAsksForIt) {
  EXPECT_EQ(get("/open", false)->status, 200);
  auto refused = get("/things/1", false);
  EXPECT_EQ(refused->status, 401);
  EXPECT_EQ(refused->get_header_value("WWW-Authenticate"), "Bearer");
  EXPECT_EQ(refused->body, R"({"error":"missing or wrong bearer token"})");
  EXPECT_EQ(get("/things/42")->body, "42");
  EXPECT_EQ(get("/nowhere", false)->status, 401);  // unknown paths do not reveal themselves
  EXPECT_EQ(get("/nowhere")->status, 404);
}

TEST_F(RouteTableServer, ExceptionsAnswerInTheApiErrorFormat) {
  auto res = get("/bad");
  EXPECT_EQ(res->status, 400);
  EXPECT_EQ(res->body, R"({"error":"bad input"})");
}

TEST_F(RouteTableServer, BodiesAreBoundedWhileRead) {
  httplib::Client c("127.0.0.1", server->port());
  c.set_bearer_token_auth("s3cret");
  EXPECT_EQ(c.Post("/echo", "short", "text/plain")->body, "short");
  EXPECT_EQ(c.Post("/echo", std::string(100, 'x'), "text/plain")->status, 413);  // the route's decoded limit
  EXPECT_EQ(c.Post("/echo", std::string(2000, 'x'), "text/plain")->status, 413);  // the server's limit
}

TEST_F(RouteTableServer, HeadIsServedAsGetAndOtherMethodsGet405) {
  httplib::Client c("127.0.0.1", server->port());
  c.set_bearer_token_auth("s3cret");
  auto head = c.Head("/things/12345");
  ASSERT_TRUE(head);
  EXPECT_EQ(head->status, 200);
  EXPECT_EQ(head->get_header_value("Content-Length"), "5");
  EXPECT_EQ(head->body, "");
  auto put = c.Put("/things/1", "x", "text/plain");
  ASSERT_TRUE(put);
  EXPECT_EQ(put->status, 405);
  EXPECT_EQ(put->body, R"({"error":"method PUT is not allowed here"})");
}

TEST_F(RouteTableServer, RequestMetricsAreLabelledByPatternNotPath) {
  for (int i = 0; i < 50; ++i) {
    get("/things/" + std::to_string(i));
    get("/random/" + std::to_string(i));
  }
  std::string text = metrics();
  EXPECT_NE(text.find(R"(requests_total{route="/things/{id}",code="200"} 50)"), std::string::npos) << text;
  EXPECT_NE(text.find(R"(requests_total{route="unmatched",code="404"} 50)"), std::string::npos) << text;
  EXPECT_EQ(text.find("/random/"), std::string::npos);
  EXPECT_EQ(text.find("/things/1"), std::string::npos);
}

}  // namespace
