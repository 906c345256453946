#include <gtest/gtest.h>

#include "vigil/exposition.h"

namespace vigil {
namespace {

TEST(OpenMetrics, CounterWithCreatedAndExemplar) {
  MetricFamilySnapshot f;
  f.name = "http_requests";
  f.help = "Say \"hi\".";
  f.type = MetricType::kCounter;
  f.label_names = {"code"};
  SeriesSnapshot& s = f.series.emplace_back();
  s.label_values = {"200"};
  s.value = 5;
  s.created = 1700000000.5;
  s.exemplar = Exemplar{{{"trace_id", "4bf92f3577b34da6a3ce929d0e0e4736"}}, 1, 1700000001.25};
  std::string out;
  encode_openmetrics({f}, out);
  EXPECT_EQ(out,
            "# TYPE http_requests counter\n"
            "# HELP http_requests Say \\\"hi\\\".\n"
            "http_requests_total{code=\"200\"} 5 # {trace_id=\"4bf92f3577b34da6a3ce929d0e0e4736\"} 1 "
            "1700000001.250\n"
            "http_requests_created{code=\"200\"} 1700000000.500\n"
            "# EOF\n");
}

TEST(OpenMetrics, HistogramWithUnitCanonicalBoundsAndBucketExemplar) {
  MetricFamilySnapshot f;
  f.name = "latency_seconds";
  f.help = "Latency.";
  f.unit = "seconds";
  f.type = MetricType::kHistogram;
  f.bucket_bounds = {0.1, 1, 2.5};
  SeriesSnapshot& s = f.series.emplace_back();
  s.bucket_counts = {3, 2, 0, 1};
  s.bucket_exemplars = {std::nullopt, Exemplar{{{"trace_id", "t1"}}, 0.5, 1700000002}, std::nullopt, std::nullopt};
  s.count = 6;
  s.sum = 7.25;
  s.created = 1700000000;
  std::string out;
  encode_openmetrics({f}, out);
  EXPECT_EQ(out,
            "# TYPE latency_seconds histogram\n"
            "# UNIT latency_seconds seconds\n"
            "# HELP latency_seconds Latency.\n"
            "latency_seconds_bucket{le=\"0.1\"} 3\n"
            "latency_seconds_bucket{le=\"1.0\"} 5 # {trace_id=\"t1\"} 0.5 1700000002.000\n"
            "latency_seconds_bucket{le=\"2.5\"} 5\n"
            "latency_seconds_bucket{le=\"+Inf\"} 6\n"
            "latency_seconds_count 6\n"
            "latency_seconds_sum 7.25\n"
            "latency_seconds_created 1700000000.000\n"
            "# EOF\n");
}

TEST(OpenMetrics, GaugeSummaryUnknownAndEmptyFamily) {
  MetricFamilySnapshot g;
  g.name = "queue_depth";
  g.type = MetricType::kGauge;
  g.series.push_back({.value = 12});
  MetricFamilySnapshot s;
  s.name = "rpc";
  s.type = MetricType::kSummary;
  s.series.push_back({.quantiles = {{0.5, 0.25}, {1, 2}}, .sum = 10, .count = 4});
  MetricFamilySnapshot u;
  u.name = "legacy";
  u.series.push_back({.value = 3});
  MetricFamilySnapshot empty;
  empty.name = "nothing_yet";
  empty.type = MetricType::kCounter;
  std::string out;
  encode_openmetrics({g, s, u, empty}, out);
  EXPECT_EQ(out,
            "# TYPE queue_depth gauge\n"
            "queue_depth 12\n"
            "# TYPE rpc summary\n"
            "rpc{quantile=\"0.5\"} 0.25\n"
            "rpc{quantile=\"1.0\"} 2\n"
            "rpc_count 4\n"
            "rpc_sum 10\n"
            "# TYPE legacy unknown\n"
            "legacy 3\n"
            "# TYPE nothing_yet counter\n"
            "# EOF\n");
}

TEST(OpenMetrics, FromLiveRegistryEndsWithEof) {
  Registry r;
  auto& h = r.histogram({.name = "req_seconds", .help = "x", .labels = {"model"}, .unit = "seconds",
                         .buckets = {0.5, 1}});
  h.labels({"m"}).observe(0.7, {{"trace_id", "0af7651916cd43dd8448eb211c80319c"}});
  std::string out = encode(r.gather(), ExpositionFormat::kOpenMetrics);
  EXPECT_TRUE(out.ends_with("# EOF\n"));
  EXPECT_NE(out.find("req_seconds_bucket{model=\"m\",le=\"1.0\"} 1 # {trace_id=\"0af7651916cd43dd8448eb211c80319c\"} 0.7 "),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("req_seconds_created{model=\"m\"} "), std::string::npos);
}

}  // namespace
}  // namespace vigil

namespace vigil {
namespace {

// The /metrics handler's ScrapeBuffer refills snapshots kept from the last
// scrape: it must print exactly what encode(gather()) prints, also after
// series come and go, exemplars appear and families are added.
TEST(ScrapeBuffer, SameTextAsGatherAcrossChangingScrapes) {
  Registry r;
  r.register_collector(make_process_collector());  // a collector that cannot refill in place
  auto& requests = r.counter({.name = "requests_total", .help = "Requests.", .labels = {"code"}});
  auto& latency = r.histogram({.name = "latency_seconds", .help = "Latency.", .labels = {"model"},
                               .buckets = {0.1, 1}});
  auto& temp = r.gauge({.name = "temperature", .help = "T.", .labels = {"room"}});
  ScrapeBuffer buffer;
  auto same = [&](const char* when) {
    for (auto format : {ExpositionFormat::kPrometheusText, ExpositionFormat::kOpenMetrics}) {
      // process_* values move between the two reads; compare the rest.
      auto strip = [](const std::string& text) {
        std::string kept;
        std::size_t start = 0;
        while (start < text.size()) {
          std::size_t end = text.find('\n', start);
          std::string line = text.substr(start, end - start);
          if (line.find("process_") == std::string::npos) kept += line + "\n";
          start = end + 1;
        }
        return kept;
      };
      EXPECT_EQ(strip(buffer.scrape(r, format)), strip(encode(r.gather(), format))) << when;
    }
  };
  requests.labels({"200"}).inc(3);
  latency.labels({"a"}).observe(0.5);
  latency.labels({"b"}).observe(0.05);
  same("first scrape");
  requests.labels({"500"}).inc();
  latency.labels({"a"}).observe(0.2, {{"trace_id", "0af7651916cd43dd8448eb211c80319c"}});  // exemplar appears
  temp.labels({"lab"}).set(21.5);
  same("after new series and an exemplar");
  latency.remove({"a"});  // "b" moves into a's old slot: its snapshot must not keep a's exemplars
  requests.remove({"200"});
  same("after removals");
  auto& late = r.summary({.name = "late", .help = "Added later."});
  late.labels({}).observe(1);
  same("after a family is added");
  std::string text = buffer.scrape(r, ExpositionFormat::kPrometheusText);
  EXPECT_EQ(text.find("trace_id"), std::string::npos);  // text 0.0.4 has no exemplars
  EXPECT_NE(buffer.scrape(r, ExpositionFormat::kOpenMetrics).find("# EOF\n"), std::string::npos);
}

}  // namespace
}  // namespace vigil
