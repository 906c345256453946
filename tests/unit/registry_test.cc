#include <gtest/gtest.h>

#include <cmath>

#include "vigil/exposition.h"
#include "vigil/metrics.h"

namespace vigil {
namespace {

const MetricFamilySnapshot* find(const std::vector<MetricFamilySnapshot>& fs, std::string_view name) {
  for (const auto& f : fs)
    if (f.name == name) return &f;
  return nullptr;
}

TEST(Registry, LabelHandlesAreStable) {
  Registry r;
  auto& fam = r.counter({.name = "requests_total", .help = "h", .labels = {"model", "version"}});
  Counter& a = fam.labels({"ranker", "v2"});
  Counter& b = fam.labels({"ranker", "v2"});
  EXPECT_EQ(&a, &b);
  std::vector<std::string> owned{"ranker", "v2"};
  EXPECT_EQ(&fam.labels(owned), &a);
  EXPECT_NE(&fam.labels({"ranker", "v3"}), &a);
  EXPECT_EQ(fam.size(), 2u);
}

TEST(Registry, WrongLabelCountThrows) {
  Registry r;
  auto& fam = r.gauge({.name = "g", .help = "h", .labels = {"a"}});
  EXPECT_THROW(fam.labels({}), std::invalid_argument);
  EXPECT_THROW(fam.labels({"x", "y"}), std::invalid_argument);
  EXPECT_THROW(fam.labels({"\xff"}), std::invalid_argument);
}

TEST(Registry, InvalidNamesRejectedAtRegistration) {
  Registry r;
  EXPECT_THROW(r.counter({.name = "1bad"}), std::invalid_argument);
  EXPECT_THROW(r.counter({.name = "bad-name"}), std::invalid_argument);
  EXPECT_THROW(r.gauge({.name = "ok", .labels = {"__reserved"}}), std::invalid_argument);
  EXPECT_THROW(r.gauge({.name = "ok2", .labels = {"a", "a"}}), std::invalid_argument);
  EXPECT_THROW(r.histogram({.name = "h", .labels = {"le"}}), std::invalid_argument);
  EXPECT_THROW(r.summary({.name = "s", .labels = {"quantile"}}), std::invalid_argument);
  EXPECT_THROW(r.histogram({.name = "h2", .buckets = {2, 1}}), std::invalid_argument);
  EXPECT_THROW(r.histogram({.name = "h3", .buckets = {1, INFINITY}}), std::invalid_argument);
  EXPECT_THROW(r.gauge({.name = "latency", .unit = "seconds"}), std::invalid_argument);
  try {
    r.counter({.name = "bad name"});
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("bad name"), std::string::npos) << e.what();
  }
  // No trace of the rejected families in the output.
  for (const auto& f : r.gather())
    for (const auto& s : f.series)
      for (const auto& v : s.label_values) EXPECT_NE(v, "bad name");
}

TEST(Registry, ReRegistrationReturnsSameOrThrows) {
  Registry r;
  auto& a = r.counter({.name = "x_total", .labels = {"a"}});
  auto& b = r.counter({.name = "x", .labels = {"a"}});  // same family: _total is implied
  EXPECT_EQ(&a, &b);
  EXPECT_THROW(r.gauge({.name = "x"}), std::invalid_argument);
  EXPECT_THROW(r.counter({.name = "x", .labels = {"b"}}), std::invalid_argument);
}

TEST(Registry, CardinalityLimitRoutesToOverflowAndCounts) {
  Registry r;
  auto& fam = r.counter({.name = "by_user_total", .help = "h", .labels = {"user"}, .max_series = 3});
  for (int i = 0; i < 10; ++i) fam.labels({std::to_string(i)}).inc();
  EXPECT_EQ(fam.size(), 4u);  // 3 real + overflow
  auto fs = r.gather();
  const auto* f = find(fs, "by_user");
  ASSERT_NE(f, nullptr);
  double overflow = -1;
  for (const auto& s : f->series)
    if (s.label_values[0] == kOverflowLabelValue) overflow = s.value;
  EXPECT_EQ(overflow, 7);
  const auto* dropped = find(fs, "vigil_metrics_series_dropped");
  ASSERT_NE(dropped, nullptr);
  bool seen = false;
  for (const auto& s : dropped->series)
    if (s.label_values[0] == "by_user") {
      EXPECT_EQ(s.value, 7);
      seen = true;
    }
  EXPECT_TRUE(seen);
  // An existing series keeps working past the limit.
  fam.labels({"0"}).inc();
  EXPECT_EQ(fam.labels({"0"}).value(), 2);
}

TEST(Registry, RemoveDropsSeries) {
  Registry r;
  auto& fam = r.gauge({.name = "g", .labels = {"a"}});
  fam.labels({"x"}).set(1);
  EXPECT_TRUE(fam.remove({"x"}));
  EXPECT_FALSE(fam.remove({"x"}));
  EXPECT_EQ(fam.size(), 0u);
}

TEST(Registry, GatherIsSortedAndIncludesCollectors) {
  Registry r;
  r.gauge({.name = "zzz"}).labels({}).set(1);
  r.gauge({.name = "aaa"}).labels({}).set(1);
  r.register_collector(make_process_collector());
  auto fs = r.gather();
  for (std::size_t i = 1; i < fs.size(); ++i) EXPECT_LE(fs[i - 1].name, fs[i].name);
  EXPECT_NE(find(fs, "process_resident_memory_bytes"), nullptr);
}

TEST(DefaultRegistry, IsSingleAndHasProcessMetrics) {
  EXPECT_EQ(&default_registry(), &default_registry());
  auto text = encode(default_registry().gather(), ExpositionFormat::kPrometheusText);
  EXPECT_NE(text.find("process_cpu_seconds_total "), std::string::npos);
  EXPECT_NE(text.find("process_start_time_seconds "), std::string::npos);
}

}  // namespace
}  // namespace vigil

namespace vigil {
namespace {

// A scrape holds the cell table for a whole family; meanwhile other threads
// create series, start (registering their cells) and exit (folding theirs).
// Nothing may deadlock, and every increment is counted once at the end.
TEST(Registry, GatherWhileThreadsCreateSeriesStartAndExit) {
  Registry r;
  auto& family = r.counter({.name = "churn_total", .help = "h", .labels = {"worker"}});
  std::atomic<bool> stop{false};
  std::atomic<int> scrapes{0};
  std::thread scraper([&] {
    while (!stop) {
      r.gather();
      ++scrapes;
    }
  });
  constexpr int kRounds = 20, kThreads = 4, kIncs = 1000;
  for (int round = 0; round < kRounds; ++round) {
    std::vector<std::thread> workers;
    for (int t = 0; t < kThreads; ++t)
      workers.emplace_back([&, round, t] {
        Counter& c = family.labels({"w" + std::to_string(round * kThreads + t)});  // a new series
        for (int i = 0; i < kIncs; ++i) c.inc();
      });
    for (auto& w : workers) w.join();
  }
  stop = true;
  scraper.join();
  EXPECT_GT(scrapes.load(), 0);
  double total = 0;
  std::size_t series = 0;
  for (const auto& f : r.gather())
    if (f.name == "churn")
      for (const auto& s : f.series) {
        total += s.value;
        ++series;
      }
  EXPECT_EQ(series, static_cast<std::size_t>(kRounds * kThreads));
  EXPECT_EQ(total, kRounds * kThreads * kIncs);
}

}  // namespace
}  // namespace vigil
