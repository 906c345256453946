#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include <mutex>
#include <string>
#include <vector>

#include "server/http_server.h"
#include "vigil/metrics.h"
#include "vigil/prediction_export.h"

namespace vigil {
namespace {

// A stand-in for the daemon's prediction and label routes that keeps the
// JSON arrays it receives.
class PredictionSink {
 public:
  PredictionSink()
      : server_({.workers = 1}, [this](detail::Request& req, detail::Response& res) {
          std::lock_guard lock(mu_);
          bodies_.push_back({req.path, nlohmann::json::parse(req.body)});
          res.set_content("{}", "application/json");
        }) {}
  std::string base() const { return "http://127.0.0.1:" + std::to_string(server_.port()); }
  std::vector<nlohmann::json> received(const std::string& path) {
    std::lock_guard lock(mu_);
    std::vector<nlohmann::json> out;
    for (const auto& [p, body] : bodies_)
      if (p == path)
        for (const auto& item : body) out.push_back(item);
    return out;
  }

 private:
  std::mutex mu_;
  std::vector<std::pair<std::string, nlohmann::json>> bodies_;
  detail::HttpServer server_;  // last: its worker uses the members above
};

TEST(PredictionExporter, SendsPredictionsAndLabelsAsJsonBatches) {
  PredictionSink sink;
  Registry registry;
  PredictionExporter exporter({.endpoint = sink.base(), .max_batch_size = 2, .registry = &registry});
  for (int i = 0; i < 5; ++i)
    ASSERT_TRUE(exporter.export_prediction({.model = "fraud", .version = "3", .request_id = std::to_string(i),
                                            .features = {{"amount", 10.5 * i}, {"country", "NO"}},
                                            .prediction = "legit", .confidence = 0.9, .latency_seconds = 0.002}));
  ASSERT_TRUE(exporter.export_label("fraud", "3", std::string_view("fraud")));
  ASSERT_TRUE(exporter.flush());
  auto predictions = sink.received("/api/v1/predictions");
  ASSERT_EQ(predictions.size(), 5u);
  EXPECT_EQ(predictions[4]["request_id"], "4");
  EXPECT_EQ(predictions[4]["features"]["amount"], 42.0);
  EXPECT_EQ(predictions[4]["features"]["country"], "NO");
  EXPECT_EQ(predictions[4]["prediction"], "legit");
  EXPECT_EQ(predictions[4]["latency_seconds"], 0.002);
  EXPECT_FALSE(predictions[4].contains("error"));
  auto labels = sink.received("/api/v1/labels");
  ASSERT_EQ(labels.size(), 1u);
  EXPECT_EQ(labels[0], (nlohmann::json{{"model", "fraud"}, {"request_id", "3"}, {"label", "fraud"}}));
  EXPECT_EQ(registry.counter({.name = "vigil_prediction_export_total", .labels = {"kind", "outcome"}})
                .labels({"prediction", "exported"}).value(), 5);
}

TEST(PredictionExporter, FullQueueDropsAndCountsWithoutBlocking) {
  // Port 9 on loopback refuses connections: nothing drains the queue fast.
  PredictionExporter exporter({.endpoint = "http://127.0.0.1:9", .max_queue_size = 3,
                               .schedule_delay = std::chrono::hours(1), .max_attempts = 1});
  int accepted = 0;
  for (int i = 0; i < 10; ++i) accepted += exporter.export_prediction({.model = "m"}) ? 1 : 0;
  EXPECT_EQ(accepted, 3);
  EXPECT_EQ(exporter.dropped(), 7u);
}

TEST(PredictionExporter, RefusesAnEndpointThatIsNotAUrl) {
  EXPECT_THROW(PredictionExporter({.endpoint = "127.0.0.1:4318"}), std::invalid_argument);
}

}  // namespace
}  // namespace vigil
