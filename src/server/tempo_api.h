// Tempo's query API over the store, so Grafana's Tempo datasource reads
// vigil directly: a trace by id in OTLP (protobuf, or JSON for v2), search
// with basic TraceQL (traceql.h) or logfmt tags, and the tag catalogs its
// query builder fills its menus from. Bad input is a 400 with the message
// as plain text, as Tempo answers.
//
// /api/traces/{id} is Jaeger's path too: a request that accepts
// application/protobuf (as Grafana's Tempo datasource sends) gets Tempo's
// answer, any other Jaeger's JSON (route in daemon.cc).
#pragma once

#include "server/route_table.h"

namespace vigil::store {
class Store;
}

namespace vigil::server {

class TempoApi {
 public:
  explicit TempoApi(store::Store& store) : store_(store) {}  // borrows; the store outlives the API

  static bool wants_protobuf(const Request& req);  // Accept names application/protobuf
  void trace(Exchange& x);      // GET /api/traces/{id}: the OTLP TracesData in protobuf
  void trace_v2(Exchange& x);   // GET /api/v2/traces/{id}: {"trace": {"resourceSpans"}, "status"} or protobuf
  // GET /api/search?q=&tags=&minDuration=&maxDuration=&limit=&start=&end=&spss=
  // (start and end in unix seconds).
  void search(Exchange& x);
  void tags(Exchange& x);        // GET /api/search/tags: {"tagNames"}
  void tags_v2(Exchange& x);     // GET /api/v2/search/tags?scope=: {"scopes": [{"name", "tags"}]}
  void tag_values(Exchange& x);     // GET /api/search/tag/{tag}/values: {"tagValues": [string]}
  void tag_values_v2(Exchange& x);  // GET /api/v2/search/tag/{tag}/values: {"tagValues": [{"type", "value"}]}
  void echo(Exchange& x);           // GET /api/echo: "echo" (the datasource's health check)

 private:
  store::Store& store_;
};

}  // namespace vigil::server
