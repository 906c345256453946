// The web UI's history: the figures computed between two registry
// snapshots (as ui/app.js computes them from /metrics), and the points
// kept in the store, pruned past their keep time and read back in order.
#include <gtest/gtest.h>

#include <cmath>

#include "server/ui_history.h"
#include "store/store.h"
#include "temp_dir.h"
#include "vigil/metrics.h"

namespace {

using vigil::server::ui_points;
using vigil::server::ui_snapshot;

double point(const std::vector<vigil::store::HistoryPoint>& points, const std::string& series) {
  for (const auto& p : points)
    if (p.series == series) return p.value;
  return NAN;
}

TEST(UiHistory, RatesErrorsAndQuantilesBetweenSnapshots) {
  vigil::Registry registry;
  auto& requests = registry.counter({.name = "inference_requests_total", .help = "r", .labels = {"status"}});
  auto& latency = registry.histogram(
      {.name = "inference_latency_seconds", .help = "l", .buckets = {0.01, 0.02, 0.05, 0.1}});
  auto& budget = registry.gauge({.name = "vigil_slo_error_budget_remaining_ratio", .help = "b", .labels = {"slo"}});
  auto& burn = registry.gauge({.name = "vigil_slo_burn_rate", .help = "b", .labels = {"slo", "window"}});
  auto before = ui_snapshot(registry);
  for (int i = 0; i < 90; ++i) requests.labels({"ok"}).inc();
  for (int i = 0; i < 10; ++i) requests.labels({"error"}).inc();
  for (int i = 0; i < 100; ++i) latency.labels({}).observe(i < 50 ? 0.005 : 0.015);  // half below 10 ms, half in 10-20 ms
  budget.labels({"avail"}).set(0.75);
  burn.labels({"avail", "300s"}).set(2.5);
  auto points = ui_points(before, ui_snapshot(registry), 10.0, 42);
  EXPECT_DOUBLE_EQ(point(points, "rate"), 10.0);    // 100 requests in 10 s
  EXPECT_DOUBLE_EQ(point(points, "errors"), 10.0);  // %
  EXPECT_DOUBLE_EQ(point(points, "p50"), 10.0);     // ms: the 50th of 100 is the top of the first bucket
  EXPECT_NEAR(point(points, "p99"), 19.8, 1e-9);    // linear within 10-20 ms: 10 + 10 * 49/50
  EXPECT_DOUBLE_EQ(point(points, "slo:avail:budget"), 75.0);
  EXPECT_DOUBLE_EQ(point(points, "slo:avail:burn:300s"), 2.5);
  for (const auto& p : points) EXPECT_EQ(p.t_ns, 42);
}

TEST(UiHistory, StoreKeepsPointsForTheirKeepTimeAndReadsThemInOrder) {
  vigil_test::TempDir dir;
  constexpr std::int64_t kSecond = 1'000'000'000;
  {
    vigil::store::Store store({.path = dir.path / "vigil.db", .history_keep = std::chrono::seconds(60)});
    for (std::int64_t t = 0; t <= 120; t += 15) {
      vigil::store::Batch b;
      b.history = {{"rate", t * kSecond, static_cast<double>(t)}, {"p99", t * kSecond, 2.0 * t}};
      ASSERT_TRUE(store.enqueue(std::move(b)));
    }
    ASSERT_TRUE(store.flush());
  }
  vigil::store::Store reopened({.path = dir.path / "vigil.db"});
  auto points = reopened.history(0, 0);
  ASSERT_EQ(points.size(), 10u);  // 60, 75, 90, 105, 120 s of two series: older points pruned
  EXPECT_EQ(points.front().series, "p99");
  EXPECT_EQ(points.front().t_ns, 60 * kSecond);
  EXPECT_EQ(points.back().series, "rate");
  EXPECT_DOUBLE_EQ(points.back().value, 120);
  EXPECT_EQ(reopened.history(100 * kSecond, 110 * kSecond).size(), 2u);
}

}  // namespace
