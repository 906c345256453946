#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <nlohmann/json.hpp>
#include <thread>

#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"
#include "server/http_server.h"
#include "vigil/otlp.h"

namespace vigil {
namespace {

std::vector<std::unique_ptr<SpanData>> sample_spans() {
  auto resource = std::make_shared<const Resource>(Resource::create({{"service.name", std::string("ranker")}}));
  auto scope = std::make_shared<const InstrumentationScope>(InstrumentationScope{"ranker.server", "1.2.0"});
  std::vector<std::unique_ptr<SpanData>> out;
  auto parent = std::make_unique<SpanData>();
  parent->context.trace_id = *TraceId::from_hex("4bf92f3577b34da6a3ce929d0e0e4736");
  parent->context.span_id = *SpanId::from_hex("00f067aa0ba902b7");
  parent->context.flags = 1;
  parent->name = "predict";
  parent->kind = SpanKind::kServer;
  parent->start_unix_nano = 1700000000000000000ull;
  parent->end_unix_nano = 1700000000250000000ull;
  parent->attributes = {{"model", std::string("ranker")}, {"batch", std::int64_t{32}}, {"p", 0.5},
                        {"cached", false}, {"dims", std::vector<std::int64_t>{1, 2}}};
  parent->status = StatusCode::kError;
  parent->status_message = "timeout";
  parent->resource = resource;
  parent->scope = scope;
  auto child = std::make_unique<SpanData>(*parent);
  child->context.span_id = *SpanId::from_hex("1111111111111111");
  child->parent_span_id = parent->context.span_id;
  child->name = "inference";
  child->kind = SpanKind::kInternal;
  child->status = StatusCode::kUnset;
  child->events = {{"exception", 1700000000100000000ull, {{"exception.type", std::string("E")}}}};
  child->links = {{parent->context, {{"why", std::string("batch")}}}};
  out.push_back(std::move(parent));
  out.push_back(std::move(child));
  return out;
}

TEST(OtlpProtobuf, EncodesNestingIdsAndAttributes) {
  auto spans = sample_spans();
  opentelemetry::proto::collector::trace::v1::ExportTraceServiceRequest req;
  ASSERT_TRUE(req.ParseFromString(encode_otlp_traces_protobuf(spans)));
  ASSERT_EQ(req.resource_spans_size(), 1);
  const auto& rs = req.resource_spans(0);
  bool found_service = false;
  for (const auto& kv : rs.resource().attributes())
    if (kv.key() == "service.name") found_service = kv.value().string_value() == "ranker";
  EXPECT_TRUE(found_service);
  ASSERT_EQ(rs.scope_spans_size(), 1);
  EXPECT_EQ(rs.scope_spans(0).scope().name(), "ranker.server");
  ASSERT_EQ(rs.scope_spans(0).spans_size(), 2);
  const auto& p = rs.scope_spans(0).spans(0);
  const auto& c = rs.scope_spans(0).spans(1);
  EXPECT_EQ(p.trace_id().size(), 16u);
  EXPECT_EQ(p.span_id(), std::string("\x00\xf0\x67\xaa\x0b\xa9\x02\xb7", 8));
  EXPECT_TRUE(p.parent_span_id().empty());
  EXPECT_EQ(c.parent_span_id(), p.span_id());
  EXPECT_EQ(p.kind(), 2);
  EXPECT_EQ(p.start_time_unix_nano(), 1700000000000000000ull);
  EXPECT_EQ(p.attributes(1).value().int_value(), 32);
  EXPECT_EQ(p.attributes(4).value().array_value().values(1).int_value(), 2);
  EXPECT_EQ(p.status().code(), 2);
  EXPECT_EQ(p.status().message(), "timeout");
  EXPECT_EQ(c.events(0).name(), "exception");
  EXPECT_EQ(c.links(0).span_id(), p.span_id());
  EXPECT_EQ(p.flags(), 1u);
}

TEST(OtlpJson, HexIdsIntegerEnumsStringInt64) {
  auto spans = sample_spans();
  auto j = nlohmann::json::parse(encode_otlp_traces_json(spans));
  const auto& span = j["resourceSpans"][0]["scopeSpans"][0]["spans"][0];
  EXPECT_EQ(span["traceId"], "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(span["spanId"], "00f067aa0ba902b7");
  EXPECT_EQ(span["kind"], 2);
  EXPECT_EQ(span["startTimeUnixNano"], "1700000000000000000");
  EXPECT_EQ(span["attributes"][1]["value"]["intValue"], "32");
  EXPECT_EQ(span["attributes"][3]["value"]["boolValue"], false);
  EXPECT_EQ(span["status"]["code"], 2);
  const auto& child = j["resourceSpans"][0]["scopeSpans"][0]["spans"][1];
  EXPECT_EQ(child["parentSpanId"], "00f067aa0ba902b7");
  EXPECT_FALSE(child.contains("status"));
}

TEST(OtlpJson, InvalidUtf8IsReplacedNotThrown) {
  auto spans = sample_spans();
  spans[0]->name = "bad \xff\xfe name";
  EXPECT_NO_THROW((void)nlohmann::json::parse(encode_otlp_traces_json(spans)));
}

class FlakyCollector {
 public:
  explicit FlakyCollector(std::vector<int> statuses)
      : statuses_(std::move(statuses)), server_({.workers = 1}, [this](detail::Request& req, detail::Response& res) {
          std::size_t n = calls_++;
          last_type_ = req.get_header_value("Content-Type");
          res.status = n < statuses_.size() ? statuses_[n] : 200;
          if (res.status == 503) res.set_header("Retry-After", "0");
        }) {}
  std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(server_.port()) + "/v1/traces"; }
  std::size_t calls() const { return calls_; }
  std::string last_type() const { return last_type_; }

 private:
  std::vector<int> statuses_;
  std::atomic<std::size_t> calls_{0};
  std::string last_type_;
  detail::HttpServer server_;  // last: its worker uses the members above
};

TEST(OtlpHttpExporter, RetriesRetryableStatusesThenSucceeds) {
  FlakyCollector collector({503, 429, 502});
  OtlpHttpSpanExporter exporter({.endpoint = collector.endpoint(), .initial_backoff = std::chrono::milliseconds(1)});
  auto spans = sample_spans();
  EXPECT_EQ(exporter.export_spans(spans), ExportResult::kSuccess);
  EXPECT_EQ(collector.calls(), 4u);
  EXPECT_EQ(collector.last_type(), "application/x-protobuf");
}

TEST(OtlpHttpExporter, DoesNotRetryBadRequest) {
  FlakyCollector collector({400});
  OtlpHttpSpanExporter exporter({.endpoint = collector.endpoint(), .protocol = OtlpProtocol::kHttpJson,
                                 .initial_backoff = std::chrono::milliseconds(1)});
  auto spans = sample_spans();
  EXPECT_EQ(exporter.export_spans(spans), ExportResult::kFailure);
  EXPECT_EQ(collector.calls(), 1u);
  EXPECT_EQ(collector.last_type(), "application/json");
}

TEST(OtlpHttpExporter, GivesUpAfterMaxAttempts) {
  FlakyCollector collector({503, 503, 503, 503, 503, 503});
  OtlpHttpSpanExporter exporter({.endpoint = collector.endpoint(), .max_attempts = 3,
                                 .initial_backoff = std::chrono::milliseconds(1)});
  auto spans = sample_spans();
  EXPECT_EQ(exporter.export_spans(spans), ExportResult::kFailure);
  EXPECT_EQ(collector.calls(), 3u);
}

TEST(OtlpHttpExporter, RejectsBadEndpoint) {
  EXPECT_THROW(OtlpHttpSpanExporter({.endpoint = "127.0.0.1:4318"}), std::invalid_argument);
}

}  // namespace
}  // namespace vigil
