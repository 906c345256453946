// The daemon as a whole, in process: what it promises on shutdown, and the
// metrics it keeps about its own HTTP traffic.
#include <gtest/gtest.h>

#include <httplib.h>

#include <random>

#include "server/daemon.h"
#include "store/store.h"
#include "temp_dir.h"
#include "vigil/exposition.h"
#include "vigil/metrics.h"
#include "vigil/drift_report.h"

namespace {

using vigil_test::TempDir;

class DaemonTest : public ::testing::Test {
 protected:
  // Starts a daemon on a free port whose model "m" has a reference profile
  // of `income` around 50, with a window far longer than the test.
  void start() {
    std::string csv = "income\n";
    std::mt19937_64 rng(1);
    std::normal_distribution<double> income(50, 5);
    for (int i = 0; i < 1000; ++i) csv += std::to_string(income(rng)) + "\n";
    vigil::profile_table(vigil::parse_csv(csv, "ref.csv")).save(dir.path / "ref.json");
    vigil::server::DaemonConfig config;
    config.port = 0;
    // No gRPC here: Debian's libgrpc is not built for ThreadSanitizer, which
    // then reports its internal epoll use as races. The receiver is tested
    // against the real OpenTelemetry JS exporters and fuzzed instead.
    config.grpc_port = -1;
    config.store.path = dir.path / "vigil.db";
    config.window = std::chrono::hours(1);
    config.models.push_back({.name = "m", .reference = dir.path / "ref.json"});
    daemon = std::make_unique<vigil::server::Daemon>(config, registry);
  }
  httplib::Client client() { return httplib::Client("127.0.0.1", daemon->port()); }
  // Predictions whose income has drifted far from the reference.
  void send_drifted_predictions(int n) {
    std::string body;
    for (int i = 0; i < n; ++i)
      body += R"({"model":"m","features":{"income":)" + std::to_string(90 + i % 7) + R"(},"prediction":"ok"})" + "\n";
    auto res = client().Post("/api/v1/predictions", body, "application/x-ndjson");
    ASSERT_TRUE(res);
    ASSERT_EQ(res->status, 200) << res->body;
  }

  TempDir dir;
  vigil::Registry registry;
  std::unique_ptr<vigil::server::Daemon> daemon;
};

TEST_F(DaemonTest, StopEvaluatesTheOpenWindowSoItsVerdictIsStored) {
  start();
  send_drifted_predictions(200);
  daemon->stop();
  vigil::store::Store store({.path = dir.path / "vigil.db"});
  auto evaluations = store.evaluations("m", 0, 0, 10);
  ASSERT_EQ(evaluations.size(), 1u);
  EXPECT_EQ(evaluations[0].rows, 200);
  EXPECT_TRUE(evaluations[0].dataset_drift);
}

TEST_F(DaemonTest, RequestMetricsHaveOneSeriesPerRouteWhateverThePaths) {
  start();
  auto c = client();
  for (int i = 0; i < 30; ++i) {
    char id[33];
    std::snprintf(id, sizeof id, "%032x", i + 1);
    c.Get(std::string("/api/v1/traces/") + id);   // 404: not stored
    c.Get("/api/v1/models/model-" + std::to_string(i) + "/drift");
    c.Get("/ui/file-" + std::to_string(i) + ".js");
    c.Get("/scan/" + std::to_string(i));
  }
  std::string text = vigil::encode(registry.gather(), vigil::ExpositionFormat::kPrometheusText);
  auto series = [&](const std::string& route, int code) {
    return "vigil_http_requests_total{route=\"" + route + "\",code=\"" + std::to_string(code) + "\"} 30";
  };
  EXPECT_NE(text.find(series("/api/v1/traces/{id}", 404)), std::string::npos) << text;
  EXPECT_NE(text.find(series("/api/v1/models/{model}/drift", 200)), std::string::npos) << text;
  EXPECT_NE(text.find(series("/ui/{file*}", 404)), std::string::npos) << text;
  EXPECT_NE(text.find(series("unmatched", 404)), std::string::npos) << text;
  for (const char* leaked : {"model-1", "file-1", "/scan/", "00000001"}) EXPECT_EQ(text.find(leaked), std::string::npos) << leaked;
}

}  // namespace
