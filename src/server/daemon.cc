#include "server/daemon.h"

#include <atomic>
#include <condition_variable>
#include <nlohmann/json.hpp>
#include <set>
#include <sys/resource.h>
#include <unistd.h>
#include <thread>

#include "alert/notifier.h"
#include "server/http_listener.h"
#include "server/metrics_handler.h"
#include "server/otlp_receiver.h"
#include "server/prediction_api.h"
#include "server/ui_assets.h"
#include "vigil/metrics.h"
#include "vigil/slo.h"

namespace vigil::server {
namespace {

using nlohmann::json;

std::int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

void send_json(httplib::Response& res, int status, const json& body) {
  res.status = status;
  res.set_content(body.dump(-1, ' ', false, json::error_handler_t::replace), "application/json");
}

void send_error(httplib::Response& res, int status, const std::string& message) {
  send_json(res, status, {{"error", message}});
}

json parse_or(const std::string& text, json fallback) {
  json j = json::parse(text, nullptr, false);
  return j.is_discarded() ? fallback : j;
}

bool constant_time_equal(const std::string& a, const std::string& b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (std::size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

std::int64_t int_param(const httplib::Request& req, const char* name, std::int64_t fallback) {
  if (!req.has_param(name)) return fallback;
  const std::string v = req.get_param_value(name);
  std::size_t used = 0;
  long long out = 0;
  try {
    out = std::stoll(v, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != v.size() || v.empty()) throw std::invalid_argument(std::string("parameter '") + name + "' must be an integer");
  return out;
}

// Durations in query parameters: "250ms", "1.5s", "2m" or nanoseconds.
std::int64_t duration_param(const httplib::Request& req, const char* name, std::int64_t fallback) {
  if (!req.has_param(name)) return fallback;
  std::string v = req.get_param_value(name);
  std::size_t used = 0;
  double x = 0;
  try {
    x = std::stod(v, &used);
  } catch (const std::exception&) {
    throw std::invalid_argument(std::string("parameter '") + name + "' must be a duration like 250ms, 2s, 5m");
  }
  std::string unit = v.substr(used);
  double mult = unit == "ns" || unit.empty() ? 1 : unit == "us" ? 1e3 : unit == "ms" ? 1e6 : unit == "s" ? 1e9
              : unit == "m" ? 60e9 : unit == "h" ? 3600e9 : -1;
  if (mult < 0) throw std::invalid_argument(std::string("parameter '") + name + "' has an unknown unit '" + unit + "'");
  return static_cast<std::int64_t>(x * mult);
}

json span_json(const store::SpanRow& s, int depth) {
  return {{"trace_id", s.trace_id},
          {"span_id", s.span_id},
          {"parent_span_id", s.parent_span_id},
          {"service", s.service},
          {"name", s.name},
          {"scope", s.scope},
          {"kind", s.kind},
          {"start_ns", s.start_ns},
          {"end_ns", s.end_ns},
          {"duration_ms", static_cast<double>(s.end_ns - s.start_ns) / 1e6},
          {"status_code", s.status_code},
          {"status_message", s.status_message},
          {"attributes", parse_or(s.attributes, json::object())},
          {"events", parse_or(s.events, json::array())},
          {"links", parse_or(s.links, json::array())},
          {"resource", parse_or(s.resource, json::object())},
          {"depth", depth}};
}

json log_json(const store::LogRow& l) {
  return {{"id", l.id},           {"time_ns", l.time_ns},       {"severity", l.severity},
          {"level", l.level},     {"service", l.service},       {"logger", l.logger},
          {"body", l.body},       {"attributes", parse_or(l.attributes, json::object())},
          {"trace_id", l.trace_id}, {"span_id", l.span_id}};
}

}  // namespace

struct Daemon::Impl {
  DaemonConfig config;
  Registry& registry;
  std::unique_ptr<store::Store> store;
  std::unique_ptr<ModelMonitor> monitor;
  std::unique_ptr<alert::LogAlertEvaluator> alerts;
  std::unique_ptr<alert::Notifier> notifier;
  // Model alerts from drift evaluations: ModelDriftDetected and
  // DataQualityBreach per model, firing while the last window says so.
  std::mutex model_alerts_mu;
  std::map<std::string, alert::AlertState> model_alerts;
  std::vector<alert::AlertState> model_resolved;
  std::mutex notify_mu;
  // In-process rules: metric thresholds on this daemon's own registry, and
  // SLO burn-rate alerts from models' prediction events.
  std::map<std::string, std::unique_ptr<SloMonitor>, std::less<>> slos;  // by model
  std::map<std::string, alert::AlertState> rule_alerts;                  // by rule + series
  detail::HttpListener http;
  std::thread ticker;
  std::mutex tick_mu;
  std::condition_variable tick_cv;
  bool stopping = false;
  std::atomic<bool> stopped{false};

  Family<Counter>* items = nullptr;
  Family<Counter>* requests = nullptr;
  // Queue bytes per protobuf body byte seen last, per signal: how large a
  // body will be once decoded, so a full queue refuses before decoding.
  std::atomic<double> expansion[2] = {1.0, 1.0};
  Family<Histogram>* latency = nullptr;

  Impl(DaemonConfig c, Registry& r) : config(std::move(c)), registry(r) {}

  bool authorized(const httplib::Request& req, httplib::Response& res) {
    if (config.auth_token.empty()) return true;
    std::string h = req.get_header_value("Authorization");
    if (h.rfind("Bearer ", 0) == 0 && constant_time_equal(h.substr(7), config.auth_token)) return true;
    res.set_header("WWW-Authenticate", "Bearer");
    send_error(res, 401, "missing or wrong bearer token");
    return false;
  }

  void count(const char* signal, const char* outcome, double n) {
    if (n > 0) items->labels({signal, outcome}).inc(n);
  }

  // Reads a request body through httplib's decoder (gzip, deflate), stopping
  // at max_body_bytes of decoded bytes. The payload limit httplib applies
  // bounds only Content-Length, i.e. the compressed size, and 64 KiB of gzip
  // can inflate to gigabytes.
  bool read_body(const httplib::ContentReader& reader, httplib::Response& res, std::string& body) {
    bool too_large = false;
    bool ok = reader([&](const char* data, std::size_t n) {
      if (body.size() + n > config.max_body_bytes) {
        too_large = true;
        return false;
      }
      body.append(data, n);
      return true;
    });
    if (too_large || res.status == 413) {  // httplib sets 413 when Content-Length alone is over the limit
      send_error(res, 413, "request body exceeds max_body_bytes (" + std::to_string(config.max_body_bytes) +
                               " bytes)");
      return false;
    }
    if (!ok) {
      send_error(res, 400, "could not read the request body (truncated, or not valid gzip/deflate)");
      return false;
    }
    return true;
  }

  // What OTLP exporters back off on and retry (both refusal paths below).
  static void refuse_queue_full(httplib::Response& res) {
    res.set_header("Retry-After", "1");
    send_error(res, 503, "store queue full; retry later");
  }

  // POST /v1/traces and /v1/logs.
  void otlp(Signal signal, const httplib::Request& req, httplib::Response& res, const httplib::ContentReader& reader) {
    const char* name = signal == Signal::kTraces ? "spans" : "logs";
    std::string type = req.get_header_value("Content-Type");
    bool json_body = type.rfind("application/json", 0) == 0;
    if (!json_body && type.rfind("application/x-protobuf", 0) != 0) {
      send_error(res, 415, "Content-Type must be application/x-protobuf or application/json");
      return;
    }
    // Shed load before decoding: when the batch this body will become (its
    // size times the last decoded body's expansion, less a margin) cannot
    // fit, decoding it would only take CPU from the store's writer.
    auto& grow = expansion[signal == Signal::kTraces ? 0 : 1];
    double announced = static_cast<double>(req.get_header_value<std::uint64_t>("Content-Length"));
    if (!json_body && req.get_header_value("Content-Encoding").empty() &&
        !store->admits(static_cast<std::size_t>(announced * 0.9 * grow.load(std::memory_order_relaxed)))) {
      reader([](const char*, std::size_t) { return true; });  // drain, so the connection stays usable
      refuse_queue_full(res);
      return;
    }
    std::string body;
    if (!read_body(reader, res, body)) {
      count(name, "malformed", 1);
      return;
    }
    DecodeResult d = decode_otlp(signal, body, json_body);
    if (!d.error.empty()) {
      count(name, "malformed", 1);
      send_error(res, 400, d.error);
      return;
    }
    std::size_t n = d.batch.rows();
    if (!json_body && !body.empty())
      grow.store(static_cast<double>(d.batch.bytes()) / static_cast<double>(body.size()), std::memory_order_relaxed);
    if (!store->enqueue(std::move(d.batch))) {
      count(name, "refused", static_cast<double>(n));
      refuse_queue_full(res);
      return;
    }
    count(name, "accepted", static_cast<double>(n));
    count(name, "rejected", static_cast<double>(d.rejected));
    res.status = 200;
    res.set_content(otlp_response(signal, d.rejected, d.partial_message, json_body),
                    json_body ? "application/json" : "application/x-protobuf");
  }

  void routes() {
    auto& s = http.server();
    s.set_payload_max_length(config.max_body_bytes);
    s.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
      // HTTP workers run at a lower priority than the store's writer: under
      // overload, refusing requests must not starve the thread that drains
      // the queue (receive livelock), or throughput collapses to a fraction.
      static thread_local bool niced = [] { return setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), 5) == 0; }();
      (void)niced;
      bool guarded = req.path.rfind("/v1/", 0) == 0 || req.path.rfind("/api/", 0) == 0;
      if (guarded && !authorized(req, res)) return httplib::Server::HandlerResponse::Handled;
      return httplib::Server::HandlerResponse::Unhandled;
    });
    s.set_logger([this](const httplib::Request& req, const httplib::Response& res) {
      std::string route = req.matches.empty() ? req.path : req.path;
      if (route.rfind("/api/v1/traces/", 0) == 0) route = "/api/v1/traces/{id}";
      else if (route.rfind("/api/v1/models/", 0) == 0) route = "/api/v1/models/{model}";
      else if (route.rfind("/ui/", 0) == 0) route = "/ui";
      requests->labels({route, std::to_string(res.status)}).inc();
    });
    s.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr ep) {
      try {
        std::rethrow_exception(ep);
      } catch (const std::invalid_argument& e) {
        send_error(res, 400, e.what());
      } catch (const std::exception& e) {
        send_error(res, 500, e.what());
      }
    });

    s.Get("/healthz", [](const httplib::Request&, httplib::Response& res) { res.set_content("ok\n", "text/plain"); });
    // The web UI: files compiled into the binary, looked up by exact name
    // (no file system behind it, so no path can escape).
    s.Get("/", [](const httplib::Request&, httplib::Response& res) { res.set_redirect("/ui/"); });
    s.Get(R"(/ui/(.*))", [](const httplib::Request& req, httplib::Response& res) {
      std::string name = req.matches[1];
      if (name.empty()) name = "index.html";
      for (const auto& a : ui_assets()) {
        if (a.name != name) continue;
        auto ends = [&](std::string_view suffix) { return name.size() >= suffix.size() && name.ends_with(suffix); };
        const char* type = ends(".html") ? "text/html; charset=utf-8" : ends(".js") ? "text/javascript; charset=utf-8"
                         : ends(".css") ? "text/css; charset=utf-8" : "application/octet-stream";
        res.set_header("Cache-Control", "no-cache");
        res.set_header("X-Content-Type-Options", "nosniff");
        res.set_content(a.data, a.size, type);
        return;
      }
      send_error(res, 404, "no such UI file");
    });
    detail::install_metrics_handler(s, registry, "/metrics");
    // Ingest routes read their bodies themselves (read_body) to bound the decoded size.
    using Reader = httplib::ContentReader;
    s.Post("/v1/traces", [this](const httplib::Request& req, httplib::Response& res, const Reader& reader) {
      otlp(Signal::kTraces, req, res, reader);
    });
    s.Post("/v1/logs", [this](const httplib::Request& req, httplib::Response& res, const Reader& reader) {
      otlp(Signal::kLogs, req, res, reader);
    });

    s.Post("/api/v1/predictions", [this](const httplib::Request&, httplib::Response& res, const Reader& reader) {
      std::string body;
      if (!read_body(reader, res, body)) return count("predictions", "malformed", 1);
      std::vector<PredictionRecord> records;
      try {
        records = parse_predictions(body);
      } catch (const PayloadError& e) {
        count("predictions", "malformed", 1);
        send_error(res, 400, e.what());
        return;
      }
      for (const auto& r : records) {
        apply(*monitor, r);
        if (auto it = slos.find(r.model); it != slos.end()) it->second->record_request(r.error.empty(), r.latency_seconds);
      }
      count("predictions", "accepted", static_cast<double>(records.size()));
      send_json(res, 200, {{"accepted", records.size()}});
    });
    s.Post("/api/v1/labels", [this](const httplib::Request&, httplib::Response& res, const Reader& reader) {
      std::string body;
      if (!read_body(reader, res, body)) return count("labels", "malformed", 1);
      std::vector<LabelRecord> labels;
      try {
        labels = parse_labels(body);
      } catch (const PayloadError& e) {
        count("labels", "malformed", 1);
        send_error(res, 400, e.what());
        return;
      }
      std::size_t joined = 0;
      for (const auto& l : labels) {
        MonitorValue v = std::holds_alternative<double>(l.label) ? MonitorValue(std::get<double>(l.label))
                         : std::holds_alternative<std::string>(l.label)
                             ? MonitorValue(std::string_view(std::get<std::string>(l.label)))
                             : MonitorValue(std::monostate{});
        joined += monitor->record_label(l.model, l.request_id, v);
      }
      count("labels", "accepted", static_cast<double>(joined));
      count("labels", "unknown", static_cast<double>(labels.size() - joined));
      send_json(res, 200, {{"joined", joined}, {"unknown", labels.size() - joined}});
    });

    s.Get(R"(/api/v1/traces/([0-9a-f]{32}))", [this](const httplib::Request& req, httplib::Response& res) {
      auto spans = store->trace(req.matches[1]);
      if (spans.empty()) return send_error(res, 404, "trace not found");
      // Depth from the parent links, for a waterfall.
      std::map<std::string, std::string> parent;
      for (const auto& sp : spans) parent[sp.span_id] = sp.parent_span_id;
      json out = json::array();
      for (const auto& sp : spans) {
        int depth = 0;
        for (std::string p = sp.parent_span_id; !p.empty() && parent.count(p) && depth < 64; p = parent[p]) ++depth;
        out.push_back(span_json(sp, depth));
      }
      send_json(res, 200, {{"trace_id", req.matches[1]}, {"spans", out}});
    });
    s.Get(R"(/api/v1/traces/(.*))", [](const httplib::Request&, httplib::Response& res) {
      send_error(res, 400, "trace id must be 32 lowercase hex digits");
    });
    s.Get("/api/v1/traces", [this](const httplib::Request& req, httplib::Response& res) {
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
        if (eq == std::string::npos || eq == 0) return send_error(res, 400, "attr must be key=value");
        q.attributes.emplace_back(a.substr(0, eq), a.substr(eq + 1));
      }
      json out = json::array();
      for (const auto& t : store->search_traces(q))
        out.push_back({{"trace_id", t.trace_id}, {"root_service", t.root_service}, {"root_name", t.root_name},
                       {"start_ns", t.start_ns}, {"duration_ms", static_cast<double>(t.duration_ns) / 1e6},
                       {"spans", t.spans}, {"errors", t.errors}});
      send_json(res, 200, {{"traces", out}});
    });
    s.Get("/api/v1/operations", [this](const httplib::Request& req, httplib::Response& res) {
      std::int64_t end = int_param(req, "end", now_ns());
      std::int64_t start = int_param(req, "start", end - duration_param(req, "window", 3600'000'000'000));
      json out = json::array();
      json slowest = nullptr;  // the slowest stage: root operations contain every stage, so they do not count
      for (const auto& o : store->operation_latency(req.get_param_value("service"), start, end)) {
        out.push_back({{"service", o.service}, {"name", o.name}, {"count", o.count}, {"mean_ms", o.mean_ms},
                       {"p50_ms", o.p50_ms}, {"p95_ms", o.p95_ms}, {"p99_ms", o.p99_ms}, {"max_ms", o.max_ms},
                       {"share_of_trace", o.share_of_trace}, {"root", o.root}});
        if (slowest.is_null() && !o.root) slowest = o.name;
      }
      send_json(res, 200, {{"operations", out}, {"slowest", slowest}});
    });
    s.Get("/api/v1/logs", [this](const httplib::Request& req, httplib::Response& res) {
      store::LogQuery q;
      try {
        q = store::parse_log_query(req.get_param_value("query"));
      } catch (const store::QueryError& e) {
        return send_error(res, 400, e.what());
      }
      std::int64_t end = int_param(req, "end", 0);
      std::int64_t start = int_param(req, "start", 0);
      store::LogPage page;
      try {
        page = store->query_logs(q, start, end, static_cast<std::size_t>(int_param(req, "limit", 100)),
                                 req.get_param_value("cursor"));
      } catch (const store::QueryError& e) {
        return send_error(res, 400, e.what());
      }
      json rows = json::array();
      for (const auto& l : page.rows) rows.push_back(log_json(l));
      send_json(res, 200, {{"logs", rows}, {"next_cursor", page.next_cursor}});
    });
    s.Get("/api/v1/models", [this](const httplib::Request&, httplib::Response& res) {
      json out = json::array();
      for (const auto& m : monitor->models()) {
        ModelQuality q = monitor->quality(m);
        out.push_back({{"model", m}, {"labelled", q.labelled}, {"accuracy", q.accuracy}, {"f1", q.f1},
                       {"mae", q.mae}, {"rmse", q.rmse}});
      }
      send_json(res, 200, {{"models", out}});
    });
    s.Get(R"(/api/v1/models/([^/]+)/drift)", [this](const httplib::Request& req, httplib::Response& res) {
      json out = json::array();
      for (const auto& e : store->evaluations(req.matches[1], int_param(req, "start", 0), int_param(req, "end", 0),
                                              static_cast<std::size_t>(int_param(req, "limit", 500))))
        out.push_back({{"window_start_ns", e.window_start_ns}, {"window_end_ns", e.window_end_ns}, {"rows", e.rows},
                       {"dataset_drift", e.dataset_drift}, {"drift_share", e.drift_share},
                       {"report", parse_or(e.report, json::object())}});
      send_json(res, 200, {{"model", req.matches[1]}, {"evaluations", out}});
    });
    s.Get("/api/v1/alerts", [this](const httplib::Request&, httplib::Response& res) {
      json out = json::array();
      for (const auto& a : all_alerts())
        out.push_back({{"name", a.name}, {"kind", a.kind}, {"severity", a.severity}, {"state", a.state},
                       {"value", a.value}, {"threshold", a.threshold}, {"query", a.query}, {"labels", a.labels},
                       {"summary", a.summary}, {"active_since_ns", a.active_since_ns}});
      send_json(res, 200, {{"alerts", out}});
    });
    s.Get("/api/v1/status", [this](const httplib::Request&, httplib::Response& res) {
      auto st = store->stats();
      send_json(res, 200, {{"spans", st.spans}, {"logs", st.logs}, {"evaluations", st.evaluations},
                           {"store_bytes", st.bytes}, {"queued_rows", st.queued_rows}, {"queued_bytes", st.queued_bytes},
                           {"rejected_batches", st.rejected_batches}});
    });
    s.Post("/api/v1/admin/flush", [this](const httplib::Request&, httplib::Response& res) {
      monitor->evaluate(static_cast<std::uint64_t>(now_ns()));
      store->flush();
      send_json(res, 200, {{"flushed", true}});
    });
    s.Post("/api/v1/admin/evaluate", [this](const httplib::Request& req, httplib::Response& res) {
      std::int64_t at = int_param(req, "at", now_ns());
      auto evs = monitor->evaluate(static_cast<std::uint64_t>(at));
      std::size_t changed = evaluate_alerts(at);
      store->flush();
      send_json(res, 200, {{"evaluations", evs.size()}, {"alert_changes", changed}});
    });
  }

  void on_evaluation(const DriftEvaluation& ev) {
    std::lock_guard lock(model_alerts_mu);
    auto update = [&](const std::string& name, const std::string& kind, bool firing, double value,
                      const std::string& summary) {
      std::string key = name + "/" + ev.model;
      auto& a = model_alerts[key];
      a.name = name;
      a.kind = kind;
      a.severity = "warning";
      a.labels = {{"model", ev.model}};
      a.value = value;
      a.last_eval_ns = static_cast<std::int64_t>(ev.window_end_unix_nano);
      if (firing) {
        if (a.state != "firing") a.active_since_ns = static_cast<std::int64_t>(ev.window_end_unix_nano);
        a.state = "firing";
        a.summary = summary;
      } else if (a.state == "firing") {
        a.state = "inactive";
        model_resolved.push_back(a);
      }
    };
    std::string drifted;
    std::size_t features = 0;
    for (const auto& f : ev.report.features)
      if (f.role == "feature" && f.drift.drifted) {
        drifted += (drifted.empty() ? "" : ", ") + f.name;
        ++features;
      }
    update("ModelDriftDetected", "drift", ev.report.dataset_drift, ev.report.drift_share,
           ev.model + ": dataset drift (" + drifted + ")");
    update("FeatureDriftDetected", "drift", features > 0, static_cast<double>(features),
           ev.model + ": drifted features: " + drifted);
    std::string failed;
    for (const auto& c : ev.failed_checks) failed += (failed.empty() ? "" : ", ") + c;
    update("DataQualityBreach", "quality", !ev.failed_checks.empty(), static_cast<double>(ev.failed_checks.size()),
           ev.model + ": " + failed);
  }

  std::vector<alert::AlertState> all_alerts() {
    std::vector<alert::AlertState> out = alerts->states();
    std::lock_guard lock(model_alerts_mu);
    for (const auto& [k, a] : model_alerts) out.push_back(a);
    for (const auto& [k, a] : rule_alerts) out.push_back(a);
    return out;
  }

  // Moves one in-process alert through inactive -> pending -> firing and
  // back; a resolution is queued for the notifier. Caller holds model_alerts_mu.
  void step(const std::string& key, alert::AlertState base, bool active, std::chrono::seconds hold, std::int64_t now) {
    auto [it, fresh] = rule_alerts.try_emplace(key, std::move(base));
    alert::AlertState& a = it->second;
    if (!fresh) {
      a.value = base.value;
      a.summary = base.summary;
    }
    a.last_eval_ns = now;
    if (active) {
      if (a.state == "inactive") a.active_since_ns = now, a.state = "pending";
      if (a.state == "pending" && now - a.active_since_ns >= std::chrono::duration_cast<std::chrono::nanoseconds>(hold).count())
        a.state = "firing";
    } else {
      if (a.state == "firing") model_resolved.push_back(a);
      a.state = "inactive";
      a.active_since_ns = 0;
    }
  }

  void evaluate_rules(std::int64_t now) {
    std::vector<MetricFamilySnapshot> families;
    if (!config.metric_alerts.empty()) families = registry.gather();
    std::lock_guard lock(model_alerts_mu);
    std::set<std::string> seen;
    for (const auto& rule : config.metric_alerts) {
      for (const auto& f : families) {
        if (f.name != rule.metric && f.name + "_total" != rule.metric) continue;
        for (const auto& series : f.series) {
          std::map<std::string, std::string> labels;
          for (std::size_t i = 0; i < f.label_names.size() && i < series.label_values.size(); ++i)
            labels[f.label_names[i]] = series.label_values[i];
          bool match = true;
          for (const auto& [k, v] : rule.labels) match = match && labels.count(k) && labels[k] == v;
          if (!match) continue;
          double v = series.value;
          bool active = rule.op == ">" ? v > rule.threshold : rule.op == ">=" ? v >= rule.threshold
                      : rule.op == "<" ? v < rule.threshold : v <= rule.threshold;
          std::string key = "metric/" + rule.name + "/" + series.label_values.rendered();
          for (const auto& [k, lv] : labels) key += "/" + k + "=" + lv;
          seen.insert(key);
          alert::AlertState base;
          base.name = rule.name;
          base.kind = "metric";
          base.severity = rule.severity;
          base.labels = labels;
          base.value = v;
          base.threshold = rule.threshold;
          base.query = rule.metric + " " + rule.op + " " + std::to_string(rule.threshold);
          base.summary = rule.summary.empty() ? rule.name + ": " + rule.metric + " is " + std::to_string(v) : rule.summary;
          step(key, std::move(base), active, rule.for_duration, now);
        }
      }
    }
    for (auto& [model, monitor] : slos) {
      SloStatus st = monitor->status();
      for (const auto& a : st.alerts) {
        std::string key = "slo/" + model + "/" + a.severity + "/" + std::to_string(a.long_window.count());
        seen.insert(key);
        alert::AlertState base;
        base.name = "SLOErrorBudgetBurn";
        base.kind = "slo";
        base.severity = a.severity;
        base.labels = {{"model", model}, {"slo", st.name},
                       {"windows", std::to_string(a.long_window.count()) + "s/" + std::to_string(a.short_window.count()) + "s"}};
        base.value = a.factor;
        base.threshold = a.factor;
        base.summary = model + ": error budget burning faster than " + std::to_string(a.factor) + "x (budget left " +
                       std::to_string(100 * st.budget_remaining) + "%)";
        step(key, std::move(base), a.firing, std::chrono::seconds(0), now);
      }
    }
    // Series that vanished resolve.
    for (auto& [key, a] : rule_alerts)
      if (!seen.count(key) && a.state != "inactive") {
        if (a.state == "firing") model_resolved.push_back(a);
        a.state = "inactive";
      }
  }

  // Evaluates log alerts and sends every alert's state on.
  std::size_t evaluate_alerts(std::int64_t now) {
    std::lock_guard lock(notify_mu);
    evaluate_rules(now);
    auto changed = alerts->evaluate(now);
    std::vector<alert::AlertState> resolved;
    for (const auto& a : changed)
      if (a.state != "firing") resolved.push_back(a);
    {
      std::lock_guard ml(model_alerts_mu);
      resolved.insert(resolved.end(), model_resolved.begin(), model_resolved.end());
      changed.insert(changed.end(), model_resolved.begin(), model_resolved.end());
      model_resolved.clear();
    }
    notifier->notify(all_alerts(), resolved, now);
    return changed.size();
  }

  void tick_loop() {
    std::unique_lock lock(tick_mu);
    auto interval = std::min<std::chrono::seconds>(config.alert_interval, std::max<std::chrono::seconds>(
                                                                             config.window / 10, std::chrono::seconds(1)));
    while (!tick_cv.wait_for(lock, interval, [&] { return stopping; })) {
      lock.unlock();
      try {
        std::int64_t now = now_ns();
        monitor->evaluate(static_cast<std::uint64_t>(now));
        evaluate_alerts(now);
      } catch (const std::exception& e) {
        std::fprintf(stderr, "vigil serve: evaluation failed: %s\n", e.what());
      }
      lock.lock();
    }
  }
};

Daemon::Daemon(DaemonConfig config, Registry& registry) : impl_(std::make_unique<Impl>(std::move(config), registry)) {
  auto& c = impl_->config;
  c.store.registry = &registry;
  impl_->items = &registry.counter({.name = "vigil_receiver_items_total",
                                    .help = "Items received, by signal and outcome (accepted, rejected as invalid, "
                                            "refused when the queue was full, malformed request).",
                                    .labels = {"signal", "outcome"}});
  impl_->requests = &registry.counter({.name = "vigil_http_requests_total",
                                       .help = "HTTP requests served, by route and status code.",
                                       .labels = {"route", "code"}});
  impl_->store = std::make_unique<store::Store>(c.store);
  ModelMonitorOptions mo{.registry = &registry, .window = c.window};
  store::Store* st = impl_->store.get();
  Impl* self = impl_.get();
  mo.on_evaluation = [st, self](const DriftEvaluation& ev) {
    self->on_evaluation(ev);
    store::Batch b;
    b.evaluations.push_back({ev.model, static_cast<std::int64_t>(ev.window_start_unix_nano),
                             static_cast<std::int64_t>(ev.window_end_unix_nano), static_cast<std::int64_t>(ev.rows),
                             ev.report.dataset_drift, ev.report.drift_share, ev.report.to_json()});
    st->enqueue(std::move(b));
  };
  impl_->monitor = std::make_unique<ModelMonitor>(std::move(mo));
  for (const auto& m : c.models) {
    if (m.reference.empty()) continue;
    impl_->monitor->set_reference(m.name, DatasetProfile::load(m.reference), m.task);
  }
  impl_->alerts = std::make_unique<alert::LogAlertEvaluator>(c.log_alerts, *impl_->store, &registry);
  for (const auto& slo : c.slos) {
    // Buckets of period/720, between 1 s and 1 min: short periods still
    // see their windows fill within seconds; 30 days stays at 43 200 buckets.
    auto resolution = std::clamp<std::chrono::seconds>(slo.period / 720, std::chrono::seconds(1), std::chrono::seconds(60));
    SloMonitorOptions so{.name = slo.model + "-predictions", .objective = slo.objective_percent / 100, .period = slo.period,
                         .resolution = resolution, .registry = &registry};
    if (slo.latency_threshold_seconds > 0) so.latency_threshold_seconds = slo.latency_threshold_seconds;
    impl_->slos.emplace(slo.model, std::make_unique<SloMonitor>(std::move(so)));
  }
  impl_->notifier = std::make_unique<alert::Notifier>(alert::NotifierOptions{
      .alertmanager_urls = c.alertmanager_urls,
      .webhook_urls = c.webhook_urls,
      .resend_validity = std::max<std::chrono::seconds>(3 * c.alert_interval, std::chrono::seconds(60)),
      .registry = &registry});
  impl_->routes();
  impl_->http.start(c.host, c.port);
  impl_->ticker = std::thread([this] { impl_->tick_loop(); });
}

Daemon::~Daemon() { stop(); }

int Daemon::port() const { return impl_->http.port(); }

void Daemon::stop() {
  if (impl_->stopped.exchange(true)) return;
  impl_->http.stop();  // no new requests; those in flight finish
  {
    std::lock_guard lock(impl_->tick_mu);
    impl_->stopping = true;
  }
  impl_->tick_cv.notify_all();
  if (impl_->ticker.joinable()) impl_->ticker.join();
  impl_->store->flush();
  impl_->store.reset();  // commits and closes
}

}  // namespace vigil::server
