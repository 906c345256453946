// The store's queries, each on the reader connection under its lock
// (Store::read()); the write side is in store.cc.
#include <algorithm>
#include <climits>

#include "store/history_store.h"
#include "store/log_store.h"
#include "store/span_store.h"
#include "store/sqlite.h"
#include "store/store.h"

namespace vigil::store {

std::vector<SpanRow> Store::trace(const std::string& trace_id) {
  ReadHandle r = read();
  return find_trace(r.db, trace_id);
}

std::vector<TraceSummary> Store::search_traces(const TraceQuery& q) {
  ReadHandle r = read();
  return store::search_traces(r.db, q);
}

std::vector<std::string> Store::services(std::int64_t start_ns) {
  ReadHandle r = read();
  return list_services(r.db, start_ns);
}

std::vector<Operation> Store::operations(const std::string& service, std::int64_t start_ns) {
  ReadHandle r = read();
  return list_operations(r.db, service, start_ns);
}

void Store::scan_spans(std::int64_t start_ns, std::int64_t end_ns, std::size_t max_spans,
                       const std::function<void(const SpanRow&)>& fn) {
  ReadHandle r = read();
  store::scan_spans(r.db, start_ns, end_ns, max_spans, fn);
}

std::vector<ServiceCall> Store::service_calls(std::int64_t start_ns, std::int64_t end_ns) {
  ReadHandle r = read();
  return store::service_calls(r.db, start_ns, end_ns);
}

std::vector<OperationLatency> Store::operation_latency(const std::string& service, std::int64_t start_ns,
                                                       std::int64_t end_ns) {
  ReadHandle r = read();
  return store::operation_latency(r.db, service, start_ns, end_ns);
}

LogPage Store::query_logs(const LogQuery& q, std::int64_t start_ns, std::int64_t end_ns, std::size_t limit,
                          const std::string& cursor, bool oldest_first) {
  ReadHandle r = read();
  return store::query_logs(r.db, q, start_ns, end_ns, limit, cursor, oldest_first);
}

std::vector<LogSeries> Store::log_volume(const LogVolumeQuery& q) {
  ReadHandle r = read();
  return store::log_volume(r.db, q);
}

std::int64_t Store::count_logs(const LogQuery& q, std::int64_t start_ns, std::int64_t end_ns) {
  ReadHandle r = read();
  return store::count_logs(r.db, q, start_ns, end_ns);
}

std::vector<EvaluationRow> Store::evaluations(const std::string& model, std::int64_t start_ns, std::int64_t end_ns,
                                              std::size_t limit) {
  ReadHandle r = read();
  Stmt s(r.db,
         "SELECT model,window_start_ns,window_end_ns,rows,dataset_drift,drift_share,report FROM evaluations "
         "WHERE (? = '' OR model = ?) AND window_start_ns >= ? AND window_start_ns <= ? "
         "ORDER BY window_start_ns DESC LIMIT ?");
  s.bind(1, model).bind(2, model).bind(3, start_ns).bind(4, end_ns ? end_ns : INT64_MAX);
  s.bind(5, static_cast<std::int64_t>(limit));
  std::vector<EvaluationRow> out;
  while (s.step()) out.push_back({s.text(0), s.i64(1), s.i64(2), s.i64(3), s.i64(4) != 0, s.f64(5), s.text(6)});
  std::reverse(out.begin(), out.end());  // oldest first, for plotting
  return out;
}

std::vector<HistoryPoint> Store::history(std::int64_t start_ns, std::int64_t end_ns) {
  ReadHandle r = read();
  return read_history(r.db, start_ns, end_ns);
}

}  // namespace vigil::store
