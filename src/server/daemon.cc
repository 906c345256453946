#include "server/daemon.h"

#include <sys/resource.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <functional>
#include <thread>

#include "alert/alerting.h"
#include "common/clock.h"
#include "server/http_server.h"
#include "server/http_util.h"
#include "server/ingest_api.h"
#include "server/jaeger_api.h"
#include "server/loki_api.h"
#include "server/tempo_api.h"
#include "server/ui_history.h"
#include "server/metrics_handler.h"
#include "server/otlp_grpc_receiver.h"
#include "server/query_api.h"
#include "server/ui_files.h"
#include "server/window_profile_api.h"
#include "store/store.h"
#include "vigil/metrics.h"
#include "vigil/slo.h"

namespace vigil::server {
namespace {

using std::bind_front;

void healthz(Exchange& x) { x.res.set_content("ok\n", "text/plain"); }
void to_ui(Exchange& x) { x.res.set_redirect("/ui/"); }

// Request workers run at a lower priority than the store's writer: under
// overload, refusing requests must not starve the thread that drains the
// queue (receive livelock), or throughput collapses to a fraction.
void lower_worker_priority() { (void)setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), 5); }

SlosByModel make_slos(const std::vector<SloConfig>& configs, Registry& registry) {
  SlosByModel slos;
  for (const auto& slo : configs) {
    // Buckets of period/720, between 1 s and 1 min: short periods still
    // see their windows fill within seconds; 30 days stays at 43 200 buckets.
    auto resolution = std::clamp<std::chrono::seconds>(slo.period / 720, std::chrono::seconds(1), std::chrono::seconds(60));
    SloMonitorOptions o{.name = slo.model + "-predictions", .objective = slo.objective_percent / 100,
                        .period = slo.period, .resolution = resolution, .registry = &registry};
    if (slo.latency_threshold_seconds > 0) o.latency_threshold_seconds = slo.latency_threshold_seconds;
    slos.emplace(slo.model, std::make_unique<SloMonitor>(std::move(o)));
  }
  return slos;
}

// Every closed window is stored with its report.
store::Batch evaluation_batch(const DriftEvaluation& ev) {
  store::Batch b;
  b.evaluations.push_back({ev.model, static_cast<std::int64_t>(ev.window_start_unix_nano),
                           static_cast<std::int64_t>(ev.window_end_unix_nano), static_cast<std::int64_t>(ev.rows),
                           ev.report.dataset_drift, ev.report.drift_share, ev.report.to_json()});
  return b;
}

}  // namespace

struct Daemon::Impl {
  DaemonConfig config;
  Registry& registry;
  std::unique_ptr<store::Store> owned_store;  // closed by stop()
  store::Store& store;
  SlosByModel slos;
  alert::Alerting alerting;
  ModelMonitor monitor;
  IngestApi ingest;
  QueryApi query;
  JaegerApi jaeger;
  LokiApi loki;
  TempoApi tempo;
  WindowProfileApi window_profiles;
  std::unique_ptr<UiHistory> ui_history;
  std::unique_ptr<detail::HttpServer> http;
  std::unique_ptr<OtlpGrpcReceiver> grpc;
  std::thread ticker;
  std::mutex tick_mu;
  std::condition_variable tick_cv;
  bool stopping = false;
  std::atomic<bool> stopped{false};

  Impl(DaemonConfig c, Registry& r)
      : config(with_registry(std::move(c), r)),
        registry(r),
        owned_store(std::make_unique<store::Store>(config.store)),
        store(*owned_store),
        slos(make_slos(config.slos, r)),
        alerting(alerting_options(config, r), store, slos, r),
        monitor(monitor_options()),
        ingest({.max_body_bytes = config.max_body_bytes,
                .max_clock_skew = config.max_clock_skew,
                .max_age = config.store.retention,
                .acknowledge_committed = config.acknowledge_committed},
               store, monitor, slos, r),
        query(store, monitor, alerting),
        jaeger(store),
        loki(store),
        tempo(store),
        window_profiles(config.window_profiles, config.max_body_bytes, r) {}

  static DaemonConfig with_registry(DaemonConfig c, Registry& r) {
    c.store.registry = &r;
    // An acknowledgement on commit means on disk (fsynced); acknowledged
    // once queued, a commit need only survive the process.
    c.store.durable_commits = c.acknowledge_committed;
    return c;
  }

  static alert::AlertingOptions alerting_options(const DaemonConfig& c, Registry& r) {
    return {.log_rules = c.log_alerts,
            .metric_rules = c.metric_alerts,
            .notifier = {.alertmanager_urls = c.alertmanager_urls,
                         .webhook_urls = c.webhook_urls,
                         .resend_validity = std::max<std::chrono::seconds>(3 * c.alert_interval, std::chrono::seconds(60)),
                         .registry = &r}};
  }

  ModelMonitorOptions monitor_options() {
    return {.registry = &registry,
            .window = config.window,
            .min_window_rows = config.min_window_rows,
            .max_models = config.max_models,
            .max_features = config.max_features,
            .window_profiles = config.window_profiles,
            .instance = config.instance,
            .window_profiles_url = config.window_profiles_url,
            .window_profiles_token = config.window_profiles_token,
            .on_evaluation = [this](const DriftEvaluation& ev) {
              alerting.on_window(ev);
              store.enqueue(evaluation_batch(ev));
            }};
  }

  void load_references() {
    for (const auto& m : config.models)
      if (!m.reference.empty())
        monitor.set_reference(m.name, DatasetProfile::load(m.reference), {.task = m.task, .target = m.target});
  }

  // Jaeger's and Tempo's trace by id share a path: Grafana's Tempo
  // datasource asks for protobuf, Jaeger's clients for JSON.
  void trace_by_id(Exchange& x) {
    if (TempoApi::wants_protobuf(x.req)) tempo.trace(x);
    else jaeger.trace(x);
  }

  std::vector<Route> routes() {
    return {
        {Method::kGet, "/healthz", Access::kOpen, healthz},
        {Method::kGet, "/readyz", Access::kOpen, bind_front(&QueryApi::ready, &query)},
        {Method::kGet, "/", Access::kOpen, to_ui},
        {Method::kGet, "/ui/{file*}", Access::kOpen, serve_ui_file},
        {Method::kGet, "/metrics", Access::kOpen,
         [h = detail::metrics_handler(registry)](Exchange& x) { h(x.req, x.res); }},
        {Method::kPost, "/v1/traces", Access::kToken, bind_front(&IngestApi::traces, &ingest)},
        {Method::kPost, "/v1/logs", Access::kToken, bind_front(&IngestApi::logs, &ingest)},
        {Method::kPost, "/api/v1/predictions", Access::kToken, bind_front(&IngestApi::predictions, &ingest)},
        {Method::kPost, "/api/v1/labels", Access::kToken, bind_front(&IngestApi::labels, &ingest)},
        {Method::kGet, "/api/v1/traces/{id}", Access::kToken, bind_front(&QueryApi::trace, &query)},
        {Method::kGet, "/api/v1/traces", Access::kToken, bind_front(&QueryApi::traces, &query)},
        {Method::kGet, "/api/v1/operations", Access::kToken, bind_front(&QueryApi::operations, &query)},
        {Method::kGet, "/api/v1/logs", Access::kToken, bind_front(&QueryApi::logs, &query)},
        {Method::kGet, "/api/v1/models", Access::kToken, bind_front(&QueryApi::models, &query)},
        {Method::kGet, "/api/v1/models/{model}/drift", Access::kToken, bind_front(&QueryApi::drift, &query)},
        {Method::kGet, "/api/v1/alerts", Access::kToken, bind_front(&QueryApi::alerts, &query)},
        {Method::kGet, "/api/v1/status", Access::kToken, bind_front(&QueryApi::status, &query)},
        {Method::kGet, "/api/v1/history", Access::kToken, bind_front(&QueryApi::history, &query)},
        {Method::kPost, "/api/v1/window_profiles", Access::kToken,
         bind_front(&WindowProfileApi::receive, &window_profiles)},
        {Method::kPost, "/api/v1/admin/flush", Access::kToken, bind_front(&QueryApi::flush, &query)},
        {Method::kPost, "/api/v1/admin/evaluate", Access::kToken, bind_front(&QueryApi::evaluate, &query)},
        // Jaeger's query API (the Jaeger UI, Grafana's Jaeger datasource).
        {Method::kGet, "/api/services", Access::kToken, bind_front(&JaegerApi::services, &jaeger)},
        {Method::kGet, "/api/services/{service}/operations", Access::kToken,
         bind_front(&JaegerApi::service_operations, &jaeger)},
        {Method::kGet, "/api/operations", Access::kToken, bind_front(&JaegerApi::operations, &jaeger)},
        {Method::kGet, "/api/traces/{id}", Access::kToken, [this](Exchange& x) { trace_by_id(x); }},
        {Method::kGet, "/api/traces", Access::kToken, bind_front(&JaegerApi::traces, &jaeger)},
        {Method::kGet, "/api/dependencies", Access::kToken, bind_front(&JaegerApi::dependencies, &jaeger)},
        {Method::kGet, "/api/v3/services", Access::kToken, bind_front(&JaegerApi::v3_services, &jaeger)},
        {Method::kGet, "/api/v3/operations", Access::kToken, bind_front(&JaegerApi::v3_operations, &jaeger)},
        {Method::kGet, "/api/v3/traces/{id}", Access::kToken, bind_front(&JaegerApi::v3_trace, &jaeger)},
        {Method::kGet, "/api/v3/traces", Access::kToken, bind_front(&JaegerApi::v3_traces, &jaeger)},
        // Tempo's query API (Grafana's Tempo datasource); /api/traces/{id} above.
        {Method::kGet, "/api/v2/traces/{id}", Access::kToken, bind_front(&TempoApi::trace_v2, &tempo)},
        {Method::kGet, "/api/search", Access::kToken, bind_front(&TempoApi::search, &tempo)},
        {Method::kGet, "/api/search/tags", Access::kToken, bind_front(&TempoApi::tags, &tempo)},
        {Method::kGet, "/api/v2/search/tags", Access::kToken, bind_front(&TempoApi::tags_v2, &tempo)},
        {Method::kGet, "/api/search/tag/{tag}/values", Access::kToken, bind_front(&TempoApi::tag_values, &tempo)},
        {Method::kGet, "/api/v2/search/tag/{tag}/values", Access::kToken, bind_front(&TempoApi::tag_values_v2, &tempo)},
        {Method::kGet, "/api/echo", Access::kToken, bind_front(&TempoApi::echo, &tempo)},
        // Loki's query API (Grafana's Loki datasource).
        {Method::kGet, "/loki/api/v1/query_range", Access::kToken, bind_front(&LokiApi::query_range, &loki)},
        {Method::kGet, "/loki/api/v1/query", Access::kToken, bind_front(&LokiApi::query, &loki)},
        {Method::kGet, "/loki/api/v1/labels", Access::kToken, bind_front(&LokiApi::labels, &loki)},
        {Method::kGet, "/loki/api/v1/label/{name}/values", Access::kToken, bind_front(&LokiApi::label_values, &loki)},
        {Method::kGet, "/loki/api/v1/series", Access::kToken, bind_front(&LokiApi::series, &loki)},
        {Method::kGet, "/loki/api/v1/index/stats", Access::kToken, bind_front(&LokiApi::index_stats, &loki)},
    };
  }

  void listen() {
    detail::HttpLimits limits = config.http;
    limits.max_body_bytes = config.max_body_bytes;
    auto handler = route_handler(routes(), {.auth_token = config.auth_token,
                                            .allowed_hosts = config.allowed_hosts,
                                            .requests = &registry.counter(
                                                {.name = "vigil_http_requests_total",
                                                 .help = "HTTP requests served, by route pattern and status code.",
                                                 .labels = {"route", "code"}})});
    http = std::make_unique<detail::HttpServer>(
        detail::HttpServerOptions{.host = config.host,
                                  .port = config.port,
                                  .limits = limits,
                                  .io_threads = config.http_io_threads,
                                  .workers = config.http_workers,
                                  .read_workers = config.http_read_workers,
                                  .max_queued_requests = config.http_max_queued,
                                  .on_worker_start = lower_worker_priority,
                                  .registry = &registry},
        std::move(handler));
    if (config.grpc_port < 0) return;
    grpc = std::make_unique<OtlpGrpcReceiver>(
        OtlpGrpcOptions{.host = config.grpc_host,
                        .port = config.grpc_port,
                        .auth_token = config.auth_token,
                        .max_message_bytes = config.max_body_bytes,
                        .workers = config.grpc_workers,
                        .max_memory_bytes = config.http.max_buffered_bytes,
                        .handshake_timeout = config.http.header_timeout,
                        .idle_timeout = config.http.idle_timeout,
                        .on_worker_start = lower_worker_priority,
                        .registry = &registry},
        ingest);
  }

  // Closes due windows and evaluates alerts every tick: the alert interval,
  // or a tenth of the window when that is shorter (at least 1 s).
  void tick_loop() {
    std::unique_lock lock(tick_mu);
    auto interval = std::min<std::chrono::seconds>(
        config.alert_interval, std::max<std::chrono::seconds>(config.window / 10, std::chrono::seconds(1)));
    while (!tick_cv.wait_for(lock, interval, [&] { return stopping; })) {
      lock.unlock();
      evaluate_now(false);
      lock.lock();
    }
  }

  void stop_ticker() {
    {
      std::lock_guard lock(tick_mu);
      stopping = true;
    }
    tick_cv.notify_all();
    if (ticker.joinable()) ticker.join();
  }

  // Closes the windows that are due (every open one when `closing`, at
  // shutdown) and evaluates every alert.
  void evaluate_now(bool closing) {
    try {
      std::int64_t now = detail::unix_now_ns();
      if (closing) monitor.close_windows(static_cast<std::uint64_t>(now));
      else monitor.evaluate(static_cast<std::uint64_t>(now));
      alerting.evaluate(now);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "vigil serve: evaluation failed: %s\n", e.what());
    }
  }
};

Daemon::Daemon(DaemonConfig config, Registry& registry) : impl_(std::make_unique<Impl>(std::move(config), registry)) {
  impl_->load_references();
  impl_->listen();
  impl_->ticker = std::thread([this] { impl_->tick_loop(); });
  impl_->ui_history = std::make_unique<UiHistory>(impl_->registry, impl_->store,
                                                  UiHistoryOptions{.resolution = impl_->config.history_resolution});
}

Daemon::~Daemon() { stop(); }

int Daemon::port() const { return impl_->http->port(); }

int Daemon::grpc_port() const { return impl_->grpc ? impl_->grpc->port() : -1; }

void Daemon::stop() {
  if (impl_->stopped.exchange(true)) return;
  impl_->http->stop();  // no new requests; those in flight finish
  if (impl_->grpc) impl_->grpc->stop();
  impl_->stop_ticker();
  impl_->ui_history.reset();  // its last sample goes in before the store closes
  impl_->evaluate_now(true);
  impl_->store.flush();
  impl_->owned_store.reset();  // commits everything accepted and closes
}

}  // namespace vigil::server
