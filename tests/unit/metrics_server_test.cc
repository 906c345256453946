#include <gtest/gtest.h>
#include <httplib.h>

#include "common/gzip.h"
#include "vigil/exposition.h"
#include "vigil/metrics_server.h"

namespace vigil {
namespace {

class MetricsServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    registry.counter({.name = "served_total", .help = "h"}).labels({}).inc(3);
    server = std::make_unique<MetricsServer>(registry, MetricsServerOptions{.port = 0});
    client = std::make_unique<httplib::Client>("127.0.0.1", server->port());
    client->set_decompress(false);
  }
  Registry registry;
  std::unique_ptr<MetricsServer> server;
  std::unique_ptr<httplib::Client> client;
};

TEST_F(MetricsServerTest, ServesTextByDefault) {
  auto res = client->Get("/metrics");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->get_header_value("Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_NE(res->body.find("served_total 3\n"), std::string::npos);
}

TEST_F(MetricsServerTest, ServesOpenMetricsWhenAsked) {
  auto res = client->Get("/metrics", {{"Accept", "application/openmetrics-text;version=1.0.0"}});
  ASSERT_TRUE(res);
  EXPECT_EQ(res->get_header_value("Content-Type"), "application/openmetrics-text; version=1.0.0; charset=utf-8");
  EXPECT_TRUE(res->body.ends_with("# EOF\n"));
  EXPECT_NE(res->body.find("served_created "), std::string::npos);
}

TEST_F(MetricsServerTest, GzipWhenAskedForBothFormats) {
  for (const char* accept : {"text/plain", "application/openmetrics-text"}) {
    auto res = client->Get("/metrics", {{"Accept", accept}, {"Accept-Encoding", "gzip"}});
    ASSERT_TRUE(res);
    EXPECT_EQ(res->get_header_value("Content-Encoding"), "gzip") << accept;
    std::string plain = detail::gzip_decompress(res->body, 1 << 24);  // throws if double-compressed garbage
    EXPECT_NE(plain.find("served_total 3"), std::string::npos) << accept;
  }
}

TEST_F(MetricsServerTest, UnknownPathIs404) {
  auto res = client->Get("/nope");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 404);
}

TEST(MetricsServer, BindsLoopbackByDefaultAndReportsBindFailure) {
  EXPECT_EQ(MetricsServerOptions{}.host, "127.0.0.1");
  Registry r;
  MetricsServer a(r, {.port = 0});
  EXPECT_THROW(MetricsServer(r, {.port = a.port()}), std::runtime_error);
}

TEST(Gzip, AcceptEncodingParsing) {
  EXPECT_TRUE(detail::accepts_gzip("gzip"));
  EXPECT_TRUE(detail::accepts_gzip("br, gzip;q=0.5"));
  EXPECT_TRUE(detail::accepts_gzip("*"));
  EXPECT_FALSE(detail::accepts_gzip("gzip;q=0"));
  EXPECT_FALSE(detail::accepts_gzip("identity"));
  EXPECT_FALSE(detail::accepts_gzip(""));
}

TEST(Gzip, RoundTripAndCorruptInput) {
  std::string data(10000, 'x');
  EXPECT_EQ(detail::gzip_decompress(detail::gzip_compress(data), 1 << 20), data);
  EXPECT_THROW(detail::gzip_decompress("not gzip at all", 1 << 20), std::runtime_error);
  std::string z = detail::gzip_compress(data);
  EXPECT_THROW(detail::gzip_decompress(z.substr(0, z.size() / 2), 1 << 20), std::runtime_error);
  EXPECT_THROW(detail::gzip_decompress(z, 100), std::runtime_error);
}

}  // namespace
}  // namespace vigil
