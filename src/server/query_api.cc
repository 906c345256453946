#include "server/query_api.h"

#include <algorithm>

#include "alert/alerting.h"
#include "common/clock.h"
#include "server/http_util.h"
#include "server/query_json.h"
#include "store/store.h"
#include "vigil/monitor.h"

namespace vigil::server {
namespace {

using nlohmann::json;

bool is_trace_id(const std::string& id) {
  return id.size() == 32 && id.find_first_not_of("0123456789abcdef") == std::string::npos;
}

store::TraceQuery trace_query(const Request& req) {
  store::TraceQuery q;
  q.service = req.get_param_value("service");
  q.operation = req.get_param_value("operation");
  if (req.has_param("min_duration")) q.min_duration_ns = duration_param(req, "min_duration", 0);
  if (req.has_param("max_duration")) q.max_duration_ns = duration_param(req, "max_duration", 0);
  q.start_ns = int_param(req, "start", 0);
  q.end_ns = int_param(req, "end", 0);
  q.limit = static_cast<std::size_t>(int_param(req, "limit", 20));
  for (std::size_t i = 0; i < req.get_param_value_count("attr"); ++i) {
    std::string a = req.get_param_value("attr", i);
    auto eq = a.find('=');
    if (eq == std::string::npos || eq == 0) throw std::invalid_argument("attr must be key=value");
    q.attributes.emplace_back(a.substr(0, eq), a.substr(eq + 1));
  }
  return q;
}

}  // namespace

void QueryApi::trace(Exchange& x) {
  std::string id = x.req.matches[1];
  if (!is_trace_id(id)) return send_error(x.res, 400, "trace id must be 32 lowercase hex digits");
  auto spans = store_.trace(id);
  if (spans.empty()) return send_error(x.res, 404, "trace not found");
  send_json(x.res, 200, {{"trace_id", id}, {"spans", trace_json(spans)}});
}

void QueryApi::traces(Exchange& x) {
  json out = json::array();
  for (const auto& t : store_.search_traces(trace_query(x.req))) out.push_back(trace_summary_json(t));
  send_json(x.res, 200, {{"traces", out}});
}

void QueryApi::operations(Exchange& x) {
  std::int64_t end = int_param(x.req, "end", detail::unix_now_ns());
  std::int64_t start = int_param(x.req, "start", end - duration_param(x.req, "window", 3600'000'000'000));
  json out = json::array();
  json slowest = nullptr;  // the slowest stage: root operations contain every stage, so they do not count
  for (const auto& o : store_.operation_latency(x.req.get_param_value("service"), start, end)) {
    out.push_back(operation_json(o));
    if (slowest.is_null() && !o.root) slowest = o.name;
  }
  send_json(x.res, 200, {{"operations", out}, {"slowest", slowest}});
}

void QueryApi::logs(Exchange& x) {
  store::LogPage page;
  try {
    store::LogQuery q = store::parse_log_query(x.req.get_param_value("query"));
    page = store_.query_logs(q, int_param(x.req, "start", 0), int_param(x.req, "end", 0),
                             static_cast<std::size_t>(int_param(x.req, "limit", 100)), x.req.get_param_value("cursor"));
  } catch (const store::QueryError& e) {
    return send_error(x.res, 400, e.what());
  }
  json rows = json::array();
  for (const auto& l : page.rows) rows.push_back(log_json(l));
  send_json(x.res, 200, {{"logs", rows}, {"next_cursor", page.next_cursor}});
}

void QueryApi::history(Exchange& x) {
  std::int64_t end = int_param(x.req, "end", detail::unix_now_ns());
  std::int64_t range = x.req.has_param("range") ? duration_param(x.req, "range", 0) : 3600'000'000'000;
  if (range <= 0 || range > 31LL * 24 * 3600 * 1'000'000'000) throw std::invalid_argument("range must be between 1s and 31d");
  std::int64_t start = int_param(x.req, "start", end - range);
  if (start > end) throw std::invalid_argument("start is after end");
  auto points = store_.history(start, end);
  std::vector<std::int64_t> times;
  for (const auto& p : points) times.push_back(p.t_ns);
  std::sort(times.begin(), times.end());
  times.erase(std::unique(times.begin(), times.end()), times.end());
  json series = json::object();
  for (const auto& p : points) {
    json& values = series[p.series];
    if (values.is_null()) values = json(std::vector<json>(times.size(), nullptr));
    auto at = std::lower_bound(times.begin(), times.end(), p.t_ns) - times.begin();
    values[static_cast<std::size_t>(at)] = p.value;
  }
  json t = json::array();
  for (auto ns : times) t.push_back(static_cast<double>(ns) / 1e9);
  send_json(x.res, 200, {{"t", t}, {"series", series}});
}

void QueryApi::models(Exchange& x) {
  json out = json::array();
  for (const auto& m : monitor_.models()) {
    ModelQuality q = monitor_.quality(m);
    out.push_back({{"model", m}, {"labelled", q.labelled}, {"accuracy", q.accuracy}, {"f1", q.f1},
                   {"mae", q.mae}, {"rmse", q.rmse}, {"concept_drift", q.concept_drift}});
  }
  send_json(x.res, 200, {{"models", out}});
}

void QueryApi::drift(Exchange& x) {
  std::string model = x.req.matches[1];
  json out = json::array();
  for (const auto& e : store_.evaluations(model, int_param(x.req, "start", 0), int_param(x.req, "end", 0),
                                          static_cast<std::size_t>(int_param(x.req, "limit", 500))))
    out.push_back(evaluation_json(e));
  send_json(x.res, 200, {{"model", model}, {"evaluations", out}});
}

void QueryApi::alerts(Exchange& x) {
  json out = json::array();
  for (const auto& a : alerting_.alerts()) out.push_back(alert_json(a));
  send_json(x.res, 200, {{"alerts", out}});
}

void QueryApi::status(Exchange& x) {
  auto st = store_.stats();
  send_json(x.res, 200, {{"spans", st.spans}, {"logs", st.logs}, {"evaluations", st.evaluations},
                         {"store_bytes", st.bytes}, {"queued_rows", st.queued_rows}, {"queued_bytes", st.queued_bytes},
                         {"rejected_batches", st.rejected_batches}, {"write_failure", st.write_failure}});
}

void QueryApi::ready(Exchange& x) {
  std::string failure = store_.failure();
  if (!failure.empty()) return send_error(x.res, 503, "not ready: the store cannot write (" + failure + ")");
  x.res.set_content("ready\n", "text/plain");
}

void QueryApi::flush(Exchange& x) {
  if (!require_json(x.req, x.res)) return;
  monitor_.evaluate(static_cast<std::uint64_t>(detail::unix_now_ns()));
  if (!store_.flush()) return send_error(x.res, 503, "store cannot write (" + store_.failure() + ")");
  send_json(x.res, 200, {{"flushed", true}});
}

void QueryApi::evaluate(Exchange& x) {
  if (!require_json(x.req, x.res)) return;
  std::int64_t at = int_param(x.req, "at", detail::unix_now_ns());
  auto evaluations = monitor_.evaluate(static_cast<std::uint64_t>(at));
  std::size_t changed = alerting_.evaluate(at);
  store_.flush();
  send_json(x.res, 200, {{"evaluations", evaluations.size()}, {"alert_changes", changed}});
}

}  // namespace vigil::server
