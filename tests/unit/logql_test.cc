// LogQL as Grafana's Loki datasource sends it: log queries with pipeline
// stages, the log-volume metric queries and the health check; unsupported
// constructs named in the error with their column.
#include <gtest/gtest.h>

#include <string>

#include "server/logql.h"

namespace {

using vigil::server::LogqlQuery;
using vigil::server::parse_logql;

std::string error_of(std::string_view query) {
  try {
    parse_logql(query);
  } catch (const vigil::store::QueryError& e) {
    return e.what();
  }
  return "";
}

TEST(Logql, LogQueryWithJsonAndDropStages) {
  auto q = parse_logql(R"({service="a"} |= "x" | json | drop __error__, __error_details__ | user_id="42")");
  EXPECT_EQ(q.kind, LogqlQuery::Kind::kLogs);
  EXPECT_TRUE(q.logs.json);
  ASSERT_EQ(q.logs.matchers.size(), 2u);
  EXPECT_EQ(q.logs.matchers[1].key, "user_id");
  EXPECT_EQ(q.logs.lines.size(), 1u);
}

TEST(Logql, GrafanaLogVolumeQuery) {
  auto q = parse_logql(R"(sum by (level, service) (count_over_time({service="a"} |= "x" | drop __error__ [1m])))");
  EXPECT_EQ(q.kind, LogqlQuery::Kind::kMetric);
  EXPECT_EQ(q.fn, LogqlQuery::Fn::kCountOverTime);
  EXPECT_TRUE(q.sum);
  EXPECT_FALSE(q.without);
  EXPECT_EQ(q.grouping, (std::vector<std::string>{"level", "service"}));
  EXPECT_EQ(q.range_ns, 60'000'000'000);
  EXPECT_EQ(q.logs.matchers.size(), 1u);
}

TEST(Logql, GroupingAfterTheArgumentAndWithout) {
  auto q = parse_logql(R"(sum(rate({level="error"}[5m])) without (logger))");
  EXPECT_TRUE(q.per_second());
  EXPECT_TRUE(q.without);
  EXPECT_EQ(q.grouping, (std::vector<std::string>{"logger"}));
  EXPECT_TRUE(parse_logql(R"(bytes_rate({a="b"}[30s]))").bytes());
  EXPECT_FALSE(parse_logql(R"(count_over_time({a="b"}[30s]))").sum);
}

TEST(Logql, HealthCheckIsAConstant) {
  auto q = parse_logql("vector(1)+vector(1)");
  EXPECT_EQ(q.kind, LogqlQuery::Kind::kConstant);
  EXPECT_DOUBLE_EQ(q.constant, 2);
}

TEST(Logql, UnsupportedConstructsAreNamedWithTheirColumn) {
  EXPECT_EQ(error_of(R"(quantile_over_time(0.9, {a="b"} | unwrap x [1m]))"),
            "query:1:1: the LogQL function 'quantile_over_time' is not supported (supported: count_over_time, rate, "
            "bytes_over_time, bytes_rate, sum, vector)");
  EXPECT_NE(error_of(R"({a="b"} | logfmt)").find("query:1:11: the LogQL stage `| logfmt` is not supported"),
            std::string::npos)
      << error_of(R"({a="b"} | logfmt)");
  // The column of an error inside the range function's log query is the whole query's.
  EXPECT_EQ(error_of(R"(rate({a=} [1m]))").rfind("query:1:9:", 0), 0u) << error_of(R"(rate({a=} [1m]))");
  EXPECT_NE(error_of(R"(rate({a="b"} [1m]) > 2)").find("binary operators"), std::string::npos);
  EXPECT_NE(error_of(R"(rate({a="b"} [fortnight]))").find("[5m]"), std::string::npos);
  EXPECT_NE(error_of(R"(rate({a="b"} [1m])"), "");
  EXPECT_NE(error_of(R"(rate({a="b"} [1m)"), "");
  EXPECT_NE(error_of("vector(one)"), "");
}

}  // namespace
