#include <gtest/gtest.h>

#include <cmath>

#include "vigil/exposition.h"

namespace vigil {
namespace {

MetricFamilySnapshot counter_family() {
  MetricFamilySnapshot f;
  f.name = "http_requests";
  f.help = "Requests with a \\ backslash\nand newline.";
  f.type = MetricType::kCounter;
  f.label_names = {"method", "path"};
  SeriesSnapshot& s = f.series.emplace_back();
  s.label_values = {"GET", "/a\"b\\c\nd"};
  s.value = 1027;
  s.created = 1700000000.5;
  s.exemplar = Exemplar{{{"trace_id", "abc"}}, 1, 1700000001.25};
  return f;
}

MetricFamilySnapshot histogram_family() {
  MetricFamilySnapshot f;
  f.name = "latency_seconds";
  f.help = "Latency.";
  f.unit = "seconds";
  f.type = MetricType::kHistogram;
  f.bucket_bounds = {0.1, 1, 2.5};
  SeriesSnapshot& s = f.series.emplace_back();
  s.bucket_counts = {3, 2, 0, 1};  // non-cumulative
  s.bucket_exemplars = {std::nullopt, Exemplar{{{"trace_id", "t1"}}, 0.5, 1700000002}, std::nullopt, std::nullopt};
  s.count = 6;
  s.sum = 7.25;
  s.created = 1700000000;
  return f;
}

TEST(PrometheusText, CounterEscapingAndTotalSuffix) {
  std::string out;
  encode_prometheus_text({counter_family()}, out);
  EXPECT_EQ(out,
            "# HELP http_requests_total Requests with a \\\\ backslash\\nand newline.\n"
            "# TYPE http_requests_total counter\n"
            "http_requests_total{method=\"GET\",path=\"/a\\\"b\\\\c\\nd\"} 1027\n");
}

TEST(PrometheusText, HistogramIsCumulativeWithInf) {
  std::string out;
  encode_prometheus_text({histogram_family()}, out);
  EXPECT_EQ(out,
            "# HELP latency_seconds Latency.\n"
            "# TYPE latency_seconds histogram\n"
            "latency_seconds_bucket{le=\"0.1\"} 3\n"
            "latency_seconds_bucket{le=\"1\"} 5\n"
            "latency_seconds_bucket{le=\"2.5\"} 5\n"
            "latency_seconds_bucket{le=\"+Inf\"} 6\n"
            "latency_seconds_sum 7.25\n"
            "latency_seconds_count 6\n");
}

TEST(PrometheusText, GaugeSummaryUntypedAndSpecialValues) {
  MetricFamilySnapshot g;
  g.name = "temp";
  g.type = MetricType::kGauge;
  g.label_names = {"x"};
  g.series.push_back({.label_values = {"a"}, .value = -INFINITY});
  g.series.push_back({.label_values = {"b"}, .value = NAN});
  g.series.push_back({.label_values = {"c"}, .value = 1e-7});
  MetricFamilySnapshot s;
  s.name = "rpc";
  s.type = MetricType::kSummary;
  s.series.push_back({.quantiles = {{0.5, 0.25}, {0.99, 2}}, .sum = 10, .count = 4});
  MetricFamilySnapshot u;
  u.name = "legacy";
  u.series.push_back({.value = 3});
  MetricFamilySnapshot empty;
  empty.name = "no_series";
  empty.type = MetricType::kGauge;
  std::string out;
  encode_prometheus_text({g, s, u, empty}, out);
  EXPECT_EQ(out,
            "# TYPE temp gauge\n"
            "temp{x=\"a\"} -Inf\n"
            "temp{x=\"b\"} NaN\n"
            "temp{x=\"c\"} 1e-07\n"
            "# TYPE rpc summary\n"
            "rpc{quantile=\"0.5\"} 0.25\n"
            "rpc{quantile=\"0.99\"} 2\n"
            "rpc_sum 10\n"
            "rpc_count 4\n"
            "# TYPE legacy untyped\n"
            "legacy 3\n");
}

TEST(Negotiation, PicksByAcceptHeader) {
  EXPECT_EQ(negotiate_format(""), ExpositionFormat::kPrometheusText);
  EXPECT_EQ(negotiate_format("text/plain"), ExpositionFormat::kPrometheusText);
  // What Prometheus 2.x sends.
  EXPECT_EQ(negotiate_format("application/openmetrics-text;version=1.0.0,application/openmetrics-text;"
                             "version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1"),
            ExpositionFormat::kOpenMetrics);
  EXPECT_EQ(negotiate_format("application/openmetrics-text; version=1.0.0"), ExpositionFormat::kOpenMetrics);
  EXPECT_EQ(negotiate_format("application/openmetrics-text;version=2.0.0"), ExpositionFormat::kPrometheusText);
  EXPECT_EQ(negotiate_format("application/openmetrics-text;q=0.2,text/plain;q=0.9"),
            ExpositionFormat::kPrometheusText);
  EXPECT_EQ(negotiate_format("application/openmetrics-text;q=0"), ExpositionFormat::kPrometheusText);
  EXPECT_EQ(content_type(ExpositionFormat::kOpenMetrics), "application/openmetrics-text; version=1.0.0; charset=utf-8");
  EXPECT_EQ(content_type(ExpositionFormat::kPrometheusText), "text/plain; version=0.0.4; charset=utf-8");
}

}  // namespace
}  // namespace vigil
