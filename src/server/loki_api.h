// Loki's query API over the store, so Grafana's Loki datasource reads
// vigil's logs directly: log queries, the log-volume histogram, label
// browsing and the health check. Answers use Loki's JSON (streams with
// nanosecond timestamps as strings; matrix and vector with unix seconds);
// bad input is a 400 with the message as plain text, as Loki answers.
//
// A stream is a record's service, level and logger, with its trace_id and
// span_id (Loki 3 returns structured metadata the same way), and with
// `| json` its fields too. Metric queries without `sum by` are by service,
// level and logger. The line is the record's message.
#pragma once

#include "server/route_table.h"

namespace vigil::store {
class Store;
}

namespace vigil::server {

class LokiApi {
 public:
  explicit LokiApi(store::Store& store) : store_(store) {}  // borrows; the store outlives the API

  // GET /loki/api/v1/query_range?query=&start=&end=&since=&step=&limit=&direction=
  // (times as unix ns, unix seconds or RFC 3339; step a duration or seconds)
  void query_range(Exchange& x);
  // GET /loki/api/v1/query?query=&time= : metric queries and vector(n) only,
  // as in Loki 3 (a log query is a 400 asking for query_range).
  void query(Exchange& x);
  void labels(Exchange& x);        // GET /loki/api/v1/labels?start=&end=
  void label_values(Exchange& x);  // GET /loki/api/v1/label/{name}/values?start=&end=&query=
  void series(Exchange& x);        // GET /loki/api/v1/series?match[]=&start=&end=
  void index_stats(Exchange& x);   // GET /loki/api/v1/index/stats?query=&start=&end=

 private:
  store::Store& store_;
};

}  // namespace vigil::server
