// The LogQL that Grafana's Loki datasource sends, parsed:
//
//   {service="ranker"} |= "timeout" | json | latency_ms > 250     log query (store/log_query.h)
//   sum by (level) (count_over_time({service="ranker"} [1m]))     log volume
//   rate({level="error"} |~ "gpu" [5m])                            per second
//   vector(1)+vector(1)                                            the health check
//
// Range functions: count_over_time, rate, bytes_over_time, bytes_rate; an
// optional sum, with `by (...)` or `without (...)` before or after its
// argument. Anything else (another aggregation, unwrap, binary operators
// between queries) is a QueryError naming the construct, with its column.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "store/log_query.h"

namespace vigil::server {

struct LogqlQuery {
  enum class Kind { kLogs, kMetric, kConstant };
  enum class Fn { kCountOverTime, kRate, kBytesOverTime, kBytesRate };

  Kind kind = Kind::kLogs;
  store::LogQuery logs;  // kLogs, and the argument of a kMetric

  Fn fn = Fn::kCountOverTime;  // kMetric
  std::int64_t range_ns = 0;
  bool sum = false;             // sum(...)
  bool without = false;         // sum without (grouping)
  std::vector<std::string> grouping;

  double constant = 0;  // kConstant: the sum of its vector(n) terms

  bool bytes() const { return fn == Fn::kBytesOverTime || fn == Fn::kBytesRate; }
  bool per_second() const { return fn == Fn::kRate || fn == Fn::kBytesRate; }
};

// Throws store::QueryError ("query:1:COL: what").
LogqlQuery parse_logql(std::string_view text);

}  // namespace vigil::server
