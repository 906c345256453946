#include <gtest/gtest.h>

#include <cmath>

#include "vigil/exposition.h"
#include "vigil/metrics.h"
#include "vigil/slo.h"

namespace vigil {
namespace {

using namespace std::chrono;
using Minutes = duration<double, std::ratio<60>>;
using Hours = duration<double, std::ratio<3600>>;

TEST(SloArithmetic, BudgetOfThreeNinesOverThirtyDaysIs43Point2Minutes) {
  EXPECT_NEAR(error_budget_ratio(0.999), 0.001, 1e-15);
  // 30 d = 43 200 min; 0.1 % of it = 43.2 min.
  EXPECT_NEAR(Minutes(error_budget_time(0.999, hours(24 * 30))).count(), 43.2, 1e-9);
  // 99.99 % over 28 days: 40 320 min * 0.0001 = 4.032 min.
  EXPECT_NEAR(Minutes(error_budget_time(0.9999, hours(24 * 28))).count(), 4.032, 1e-9);
  EXPECT_THROW(error_budget_ratio(1.0), std::invalid_argument);
}

TEST(SloArithmetic, BurnRatesAndRemainingBudget) {
  // 1.44 % errors against a 0.1 % budget burns 14.4x.
  EXPECT_NEAR(burn_rate(0.0144, 0.999), 14.4, 1e-9);
  EXPECT_NEAR(burn_rate(0.001, 0.999), 1.0, 1e-9);
  EXPECT_NEAR(budget_remaining(0.00025, 0.999), 0.75, 1e-9);  // a quarter spent
  EXPECT_NEAR(budget_remaining(0.002, 0.999), -1.0, 1e-9);    // overspent twice
  // 14.4x spends a 30-day budget in 30/14.4 days = 50 h; 2 % of it in 1 h.
  auto t = time_to_exhaustion(1.0, 14.4, hours(24 * 30));
  ASSERT_TRUE(t);
  EXPECT_NEAR(Hours(*t).count(), 50.0, 1e-9);
  EXPECT_NEAR(1.0 / 50.0, 0.02, 1e-12);
  // Half the budget left at 6x: 0.5 * 720 h / 6 = 60 h.
  EXPECT_NEAR(Hours(*time_to_exhaustion(0.5, 6, hours(720))).count(), 60.0, 1e-9);
  EXPECT_FALSE(time_to_exhaustion(0.5, 0, hours(720)));
  EXPECT_EQ(time_to_exhaustion(-0.1, 3, hours(720))->count(), 0);
}

TEST(SloArithmetic, WorkbookWindows) {
  auto w = default_burn_rate_windows();
  ASSERT_EQ(w.size(), 4u);
  EXPECT_EQ(w[0].factor, 14.4);
  EXPECT_EQ(w[0].long_window, hours(1));
  EXPECT_EQ(w[0].short_window, minutes(5));
  EXPECT_EQ(w[1].factor, 6);
  EXPECT_EQ(w[2].factor, 3);
  EXPECT_EQ(w[2].severity, "ticket");
  EXPECT_EQ(w[3].long_window, hours(72));
}

// Drives a manual-tick monitor with `per_minute` requests a minute, of which
// `error_ratio` fail, for `minutes_to_run` minutes starting at minute `start`.
void drive(SloMonitor& m, int start, int minutes_to_run, int per_minute, double error_ratio) {
  for (int i = 0; i < minutes_to_run; ++i) {
    int bad = static_cast<int>(std::lround(per_minute * error_ratio));
    for (int k = 0; k < per_minute; ++k) m.record_request(k >= bad);
    m.tick(minutes(start + i + 1));
  }
}

SloMonitorOptions manual(std::string name) {
  return {.name = std::move(name), .objective = 0.999, .background_ticker = false};
}

TEST(SloMonitor, HealthyServiceRaisesNothing) {
  SloMonitor m(manual("healthy"));
  drive(m, 0, 6 * 60, 2000, 0.0005);  // half the allowed error rate for 6 h
  SloStatus s = m.status();
  EXPECT_FALSE(s.page());
  EXPECT_FALSE(s.ticket());
  EXPECT_EQ(s.total, 720000u);
  EXPECT_EQ(s.bad, 360u);
  EXPECT_NEAR(s.compliance, 0.9995, 1e-12);
  EXPECT_NEAR(s.budget_remaining, 0.5, 1e-9);
  EXPECT_NEAR(s.windows[2].burn_rate, 0.5, 1e-9);  // 1h window
}

TEST(SloMonitor, FastBurnPagesWithinTheLongWindowShare) {
  SloMonitor m(manual("fast"));
  drive(m, 0, 120, 1000, 0.0);  // two clean hours first
  // 2 % errors = 20x burn. The 1h ratio passes 1.44 % once 72 % of the hour
  // is bad: after 43.2 min; the 5m window is over at once.
  drive(m, 120, 43, 1000, 0.02);
  EXPECT_FALSE(m.status().page()) << "paged too early";
  drive(m, 163, 2, 1000, 0.02);
  SloStatus s = m.status();
  EXPECT_TRUE(s.page());
  EXPECT_TRUE(s.alerts[0].firing);  // the 14.4x rule
  ASSERT_TRUE(s.time_to_exhaustion);
}

TEST(SloMonitor, SlowBurnOnlyTickets) {
  SloMonitor m(manual("slow"));
  drive(m, 0, 8 * 60, 1000, 0.0015);  // 1.5x for 8 hours
  SloStatus s = m.status();
  EXPECT_FALSE(s.page());
  EXPECT_TRUE(s.ticket());
  EXPECT_TRUE(s.alerts[3].firing);   // 1x over 3d (all data so far) and 6h
  EXPECT_FALSE(s.alerts[2].firing);  // 3x not reached
}

TEST(SloMonitor, LatencyThresholdCountsSlowRequestsAsBad) {
  SloMonitorOptions o = manual("latency");
  o.latency_threshold_seconds = 0.2;
  SloMonitor m(o);
  for (int i = 0; i < 100; ++i) m.record_request(true, i < 10 ? 0.5 : 0.05);
  m.tick(minutes(1));
  EXPECT_EQ(m.status().bad, 10u);
}

TEST(SloMonitor, MemoryIsFixedByPeriodAndResolution) {
  SloMonitor m({.name = "m", .period = hours(1), .resolution = minutes(1), .background_ticker = false});
  // Far more ticks than buckets: the ring wraps, the period stays an hour.
  drive(m, 0, 600, 10, 0.1);
  SloStatus s = m.status();
  EXPECT_EQ(s.total, 600u);  // 60 minutes x 10
  EXPECT_EQ(s.bad, 60u);
}

TEST(SloMonitor, ExportsMetrics) {
  Registry r;
  SloMonitorOptions o = manual("exported");
  o.registry = &r;
  auto m = std::make_unique<SloMonitor>(o);
  drive(*m, 0, 10, 100, 0.01);
  std::string text = encode(r.gather(), ExpositionFormat::kPrometheusText);
  auto value_after = [&text](const std::string& series) {
    auto pos = text.find(series + " ");
    EXPECT_NE(pos, std::string::npos) << series << "\n" << text;
    return pos == std::string::npos ? NAN : std::stod(text.substr(pos + series.size() + 1));
  };
  // 1 % errors against a 0.1 % budget: burn 10x, budget overspent nine times.
  EXPECT_NEAR(value_after("vigil_slo_error_budget_remaining_ratio{slo=\"exported\"}"), -9, 1e-9);
  EXPECT_NEAR(value_after("vigil_slo_burn_rate{slo=\"exported\",window=\"300s\"}"), 10, 1e-9);
  EXPECT_EQ(value_after("vigil_slo_alert_firing{slo=\"exported\",severity=\"page\",windows=\"21600s/1800s\"}"), 1);
  EXPECT_EQ(value_after("vigil_slo_alert_firing{slo=\"exported\",severity=\"page\",windows=\"3600s/300s\"}"), 0);
  m.reset();  // the registry outlives the monitor: the collector goes quiet
  EXPECT_EQ(encode(r.gather(), ExpositionFormat::kPrometheusText).find("vigil_slo_"), std::string::npos);
}

TEST(SloSpec, ParsesSlothFormat) {
  auto spec = parse_slo_spec(R"(version: "prometheus/v1"
service: "ranker"
labels: {team: ml}
slos:
  - name: availability
    objective: 99.5
    sli:
      events:
        error_query: sum(rate(errors[{{.window}}]))
        total_query: sum(rate(total[{{.window}}]))
    alerting:
      name: RankerBurn
      page_alert: {labels: {severity: critical}}
      ticket_alert: {disable: true}
)");
  EXPECT_EQ(spec.service, "ranker");
  ASSERT_EQ(spec.slos.size(), 1u);
  EXPECT_EQ(spec.slos[0].objective_percent, 99.5);
  EXPECT_EQ(spec.slos[0].alert_name, "RankerBurn");
  EXPECT_FALSE(spec.slos[0].ticket_enabled);
  std::string rules = generate_slo_rules(spec);
  EXPECT_NE(rules.find("slo:sli_error:ratio_rate5m"), std::string::npos);
  EXPECT_NE(rules.find("(14.4 * 0.005)"), std::string::npos);
  EXPECT_EQ(rules.find("sloth_severity: \"ticket\""), std::string::npos);
}

TEST(SloSpec, ErrorsNameFileLineAndField) {
  auto expect_error = [](const char* yaml, const std::string& needle) {
    try {
      parse_slo_spec(yaml, "slos.yaml");
      ADD_FAILURE() << "no error for: " << yaml;
    } catch (const SpecError& e) {
      EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
    }
  };
  expect_error("version: v2\nservice: a\nslos: []\n", "slos.yaml:1: version");
  expect_error("version: prometheus/v1\nservice: a\nslos: []\n", "slos.yaml:3: slos");
  expect_error("version: prometheus/v1\nservice: a\nslos:\n  - name: x\n    objective: 120\n", "slos.yaml:5: slos[0].objective");
  expect_error("version: prometheus/v1\nservice: a\nslos:\n  - name: x\n    objective: abc\n", "must be a number");
  expect_error("version: prometheus/v1\nservice: a\nslos:\n  - name: x\n    objective: 99\n", "slos[0].sli");
  expect_error(
      "version: prometheus/v1\nservice: a\nslos:\n  - name: x\n    objective: 99\n    sli:\n      events:\n"
      "        error_query: sum(rate(e[5m]))\n        total_query: sum(rate(t[{{.window}}]))\n",
      "{{.window}}");
  expect_error("version: prometheus/v1\nservice: [\n", "slos.yaml:");
  EXPECT_THROW(load_slo_spec_file("/nonexistent/slo.yaml"), SpecError);
}

}  // namespace
// Found by fuzz/yaml_fuzz: a mapping where a scalar was expected made
// yaml-cpp throw its own exception type out of the parser.
TEST(SloSpec, YamlShapeErrorsAreSpecErrors) {
  const char* text = "version: prometheus/v1\nservice: s\nslos:\n  - name: a\n    objective: 99.9\n    sli:\n"
                     "      events:\n        error_query: x[{{.window}}]\n        total_query: y[{{.window}}]\n"
                     "    alerting:\n      name:x\n      name: y\n";
  try {
    vigil::parse_slo_spec(text, "bad.yaml");
    ADD_FAILURE() << "no error";
  } catch (const vigil::SpecError& e) {
    EXPECT_EQ(std::string(e.what()).rfind("bad.yaml:", 0), 0u) << e.what();
  }
}

TEST(SloSpec, NativeSlisBecomeQueries) {
  auto spec = vigil::parse_slo_spec(R"(version: prometheus/v1
service: svc
slos:
  - name: lat
    objective: 95
    sli: {latency: {histogram: h_seconds, threshold_seconds: "0.2", selector: 'model="m"'}}
  - name: err
    objective: 99.9
    sli: {availability: {counter: req_total, error_selector: 'code=~"5.."'}}
  - name: acc
    objective: 99
    sli: {model_quality: {gauge: q, selector: 'metric="accuracy"', min: "0.9"}}
)", "s.yaml");
  ASSERT_EQ(spec.slos.size(), 3u);
  EXPECT_EQ(spec.slos[0].error_query,
            "sum(rate(h_seconds_count{model=\"m\"}[{{.window}}])) - sum(rate(h_seconds_bucket{model=\"m\", le=\"0.2\"}[{{.window}}]))");
  EXPECT_EQ(spec.slos[0].total_query, "sum(rate(h_seconds_count{model=\"m\"}[{{.window}}]))");
  EXPECT_EQ(spec.slos[1].error_query, "sum(rate(req_total{code=~\"5..\"}[{{.window}}]))");
  EXPECT_EQ(spec.slos[1].total_query, "sum(rate(req_total[{{.window}}]))");
  EXPECT_EQ(spec.slos[2].error_query, "sum_over_time((min(q{metric=\"accuracy\"}) < bool 0.9)[{{.window}}:1m])");
  try {
    vigil::parse_slo_spec("version: prometheus/v1\nservice: s\nslos:\n  - name: a\n    objective: 99\n    sli:\n"
                          "      latency: {histogram: h, threshold_seconds: fast}\n", "bad.yaml");
    ADD_FAILURE() << "no error";
  } catch (const vigil::SpecError& e) {
    EXPECT_NE(std::string(e.what()).find("bad.yaml:7: slos[0].sli.latency.threshold_seconds"), std::string::npos) << e.what();
  }
}

}  // namespace vigil

namespace vigil {
namespace {

TEST(SloMonitor, LiveStatusCountsRequestsSinceTheLastTick) {
  SloMonitor m({.name = "live", .objective = 0.99, .background_ticker = true});
  for (int i = 0; i < 100; ++i) m.record_request(i % 10 != 0);
  EXPECT_EQ(m.status().total, 0u);  // no bucket closed yet
  SloStatus live = m.live_status();
  EXPECT_EQ(live.total, 100u);
  EXPECT_EQ(live.bad, 10u);
  EXPECT_NEAR(live.compliance, 0.9, 1e-12);
  EXPECT_NEAR(live.windows[0].burn_rate, 10.0, 1e-9);  // 10 % errors against a 1 % budget
}

TEST(SloMonitor, LiveStatusWithoutTickerUsesTheLastTickTime) {
  SloMonitor m({.name = "manual", .objective = 0.99, .background_ticker = false});
  m.record_request(false);
  m.tick(std::chrono::minutes(1));
  m.record_request(true);
  EXPECT_EQ(m.status().total, 1u);
  EXPECT_EQ(m.live_status().total, 2u);
  EXPECT_EQ(m.live_status().bad, 1u);
}

}  // namespace
}  // namespace vigil
