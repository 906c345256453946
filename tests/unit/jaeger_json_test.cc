// Jaeger's query API pieces: Go durations as its clients send them, and
// tags typed the way the Jaeger UI renders them.
#include <gtest/gtest.h>

#include "server/http_util.h"
#include "server/jaeger_json.h"

namespace {

using vigil::server::jaeger_tag;
using vigil::server::parse_go_duration;

TEST(JaegerApi, GoDurations) {
  EXPECT_EQ(parse_go_duration("1.5ms", "d"), 1'500'000);
  EXPECT_EQ(parse_go_duration("300us", "d"), 300'000);
  EXPECT_EQ(parse_go_duration("300\u00b5s", "d"), 300'000);
  EXPECT_EQ(parse_go_duration("2s", "d"), 2'000'000'000);
  EXPECT_EQ(parse_go_duration("1h30m", "d"), 5'400'000'000'000);
  EXPECT_EQ(parse_go_duration("250ns", "d"), 250);
  for (const char* bad : {"", "abc", "5", "5 s", "-1s", "1d", "1e30h"})
    EXPECT_THROW(parse_go_duration(bad, "minDuration"), std::invalid_argument) << bad;
  try {
    parse_go_duration("soon", "minDuration");
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("'minDuration'"), std::string::npos);
  }
}

TEST(JaegerJson, TagsAreTypedAsJaegerShowsThem) {
  using nlohmann::json;
  EXPECT_EQ(jaeger_tag("a", "x"), (json{{"key", "a"}, {"type", "string"}, {"value", "x"}}));
  EXPECT_EQ(jaeger_tag("a", true), (json{{"key", "a"}, {"type", "bool"}, {"value", true}}));
  EXPECT_EQ(jaeger_tag("a", 7), (json{{"key", "a"}, {"type", "int64"}, {"value", 7}}));
  EXPECT_EQ(jaeger_tag("a", 0.5), (json{{"key", "a"}, {"type", "float64"}, {"value", 0.5}}));
  EXPECT_EQ(jaeger_tag("a", json::array({1, 2})), (json{{"key", "a"}, {"type", "string"}, {"value", "[1,2]"}}));
}

TEST(JaegerJson, OneProcessPerServiceAndResource) {
  vigil::store::SpanRow a, b, c;
  a.trace_id = b.trace_id = c.trace_id = std::string(32, 'a');
  a.span_id = "1111111111111111", b.span_id = "2222222222222222", c.span_id = "3333333333333333";
  a.service = b.service = "ranker", c.service = "feature-store";
  a.resource = b.resource = R"({"host.name":"n1"})", c.resource = R"({"host.name":"n2"})";
  b.parent_span_id = a.span_id;
  b.links = R"([{"trace_id":"bbbb","span_id":"cccc","attributes":{}}])";
  a.start_ns = 2'000'000'000, a.end_ns = 2'500'000'000;
  auto t = vigil::server::jaeger_trace({a, b, c});
  EXPECT_EQ(t["processes"].size(), 2u);
  EXPECT_EQ(t["spans"][0]["processID"], t["spans"][1]["processID"]);
  EXPECT_NE(t["spans"][0]["processID"], t["spans"][2]["processID"]);
  EXPECT_EQ(t["spans"][0]["startTime"], 2'000'000);
  EXPECT_EQ(t["spans"][0]["duration"], 500'000);
  ASSERT_EQ(t["spans"][1]["references"].size(), 2u);
  EXPECT_EQ(t["spans"][1]["references"][0]["refType"], "CHILD_OF");
  EXPECT_EQ(t["spans"][1]["references"][1]["refType"], "FOLLOWS_FROM");
}

}  // namespace
