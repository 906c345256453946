// What the daemon lets in: Host headers (DNS rebinding), JSON content types
// (cross-site form posts), and timestamps within reason.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "server/http_util.h"
#include "server/otlp_receiver.h"

namespace {

using vigil::server::decode_otlp;
using vigil::server::host_allowed;
using vigil::server::is_json_type;
using vigil::server::Signal;
using vigil::server::TimeLimits;

TEST(HostCheck, IpLiteralsAndLocalhostPassOtherNamesNeedTheAllowList) {
  const std::vector<std::string> none, internal = {"vigil.internal"};
  for (const char* ok : {"", "127.0.0.1:4318", "127.0.0.1", "10.1.2.3:80", "localhost:4318", "LOCALHOST", "[::1]:4318"})
    EXPECT_TRUE(host_allowed(ok, none)) << ok;
  for (const char* bad : {"evil.example:4318", "evil.example", "127.0.0.1.evil.example", "1.2.3:4318", "256.1.1.1",
                          "localhost.evil.example", ":4318"})
    EXPECT_FALSE(host_allowed(bad, none)) << bad;
  EXPECT_TRUE(host_allowed("Vigil.Internal:4318", internal));
  EXPECT_FALSE(host_allowed("vigil.internal.evil:4318", internal));
}

TEST(ContentType, OnlyJsonKinds) {
  for (const char* ok : {"application/json", "application/json; charset=utf-8", "application/x-ndjson"})
    EXPECT_TRUE(is_json_type(ok)) << ok;
  for (const char* bad : {"", "text/plain", "text/plain; charset=utf-8", "application/x-www-form-urlencoded",
                          "multipart/form-data; boundary=x", "application/jsonx"})
    EXPECT_FALSE(is_json_type(bad)) << bad;
}

constexpr std::int64_t kNow = 1'796'000'000'000'000'000;  // late 2026
constexpr std::int64_t kHour = 3600'000'000'000;

std::string span_json(const std::string& id, const std::string& start, const std::string& end) {
  return R"({"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":")" + id + R"(","name":"op",)" +
         R"("startTimeUnixNano":")" + start + R"(","endTimeUnixNano":")" + end + R"("})";
}

TEST(Timestamps, FarOffSpansAreRefusedPerItemAndEndBeforeStartIsMarked) {
  std::string now = std::to_string(kNow), later = std::to_string(kNow + 1000);
  std::string body = R"({"resourceSpans":[{"scopeSpans":[{"spans":[)" +
                     span_json("0000000000000001", "0", "1000") + "," +                                // 1970
                     span_json("0000000000000002", "4102444800000000000", "4102444800000001000") + "," +  // 2100
                     span_json("0000000000000003", "18446744073709551615", "18446744073709551615") + "," +
                     span_json("0000000000000004", std::to_string(kNow - 30 * 24 * kHour), now) + "," +  // past retention
                     span_json("0000000000000005", now, later) + "," +
                     span_json("0000000000000006", later, now) + "]}]}]}";  // ends before it starts
  auto r = decode_otlp(Signal::kTraces, body, true, {.now_ns = kNow, .max_age_ns = 7 * 24 * kHour});
  ASSERT_EQ(r.error, "");
  EXPECT_EQ(r.rejected, 4);
  ASSERT_EQ(r.batch.spans.size(), 2u);
  EXPECT_EQ(r.end_before_start, 1);
  for (const auto& s : r.batch.spans) EXPECT_GE(s.end_ns, s.start_ns);
  EXPECT_EQ(nlohmann::json::parse(r.batch.spans[1].attributes)["vigil.end_before_start"], true);
  for (const char* reason : {"timestamp of 0", "past the year 2262", "in the future", "older than the retention"})
    EXPECT_NE(r.partial_message.find(reason), std::string::npos) << reason << " in: " << r.partial_message;
}

TEST(Timestamps, OverflowIsRefusedEvenWithoutAClock) {
  std::string body = R"({"resourceSpans":[{"scopeSpans":[{"spans":[)" +
                     span_json("0000000000000003", "18446744073709551615", "18446744073709551615") + "]}]}]}";
  auto r = decode_otlp(Signal::kTraces, body, true);
  EXPECT_EQ(r.rejected, 1);
  EXPECT_TRUE(r.batch.spans.empty());
}

TEST(Timestamps, LogsWithoutTimeTakeTheObservedTimeOrNowAndFarOffOnesAreRefused) {
  std::string body = R"({"resourceLogs":[{"scopeLogs":[{"logRecords":[)"
                     R"({"body":{"stringValue":"no time at all"}},)"
                     R"({"observedTimeUnixNano":")" + std::to_string(kNow - 1000) + R"(","body":{"stringValue":"observed"}},)"
                     R"({"timeUnixNano":")" + std::to_string(kNow + 2 * kHour) + R"(","body":{"stringValue":"future"}}]}]}]})";
  auto r = decode_otlp(Signal::kLogs, body, true, {.now_ns = kNow});
  ASSERT_EQ(r.error, "");
  EXPECT_EQ(r.rejected, 1);
  ASSERT_EQ(r.batch.logs.size(), 2u);
  EXPECT_EQ(r.batch.logs[0].time_ns, kNow);
  EXPECT_EQ(r.batch.logs[1].time_ns, kNow - 1000);
}

}  // namespace
