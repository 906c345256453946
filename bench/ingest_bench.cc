// Sustained ingest into the daemon over loopback HTTP and gRPC: OTLP/protobuf
// span batches and NDJSON prediction batches, from client threads in the same
// process (the daemon runs in-process on 127.0.0.1; both share the 2 cores).
//   build/bench/vigil_bench_ingest --benchmark_min_time=3
// The first two benchmarks count accepted batches (a burst may be absorbed by
// the store's write queue); BM_IngestSpansSustained waits for the commits.
#include <benchmark/benchmark.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <httplib.h>
#include <sys/resource.h>

#include <filesystem>
#include <atomic>
#include <future>
#include <random>
#include <thread>

#include "server/daemon.h"
#include "vigil/metrics.h"
#include "vigil/otlp.h"
#include "vigil/trace.h"

namespace {

struct Fixture {
  std::filesystem::path dir = std::filesystem::temp_directory_path() / ("vigil-ingest-bench-" + std::to_string(::getpid()));
  vigil::Registry registry;
  std::unique_ptr<vigil::server::Daemon> daemon;
  std::string spans_body, predictions_body;
  static constexpr int kSpansPerBatch = 500, kPredictionsPerBatch = 1000;

  Fixture() {
    std::filesystem::remove_all(dir);
    vigil::server::DaemonConfig c;
    c.port = 0;
    c.grpc_port = 0;
    c.store.path = dir / "vigil.db";
    daemon = std::make_unique<vigil::server::Daemon>(c, registry);

    // 500 spans of one service: 100 traces of 5 spans with 4 attributes.
    std::vector<std::unique_ptr<vigil::SpanData>> spans;
    auto resource = std::make_shared<const vigil::Resource>(vigil::Resource::create({{"service.name", std::string("ranker")}}));
    auto scope = std::make_shared<const vigil::InstrumentationScope>(vigil::InstrumentationScope{"bench", "1"});
    const std::uint64_t now = vigil::unix_nanos();
    for (int t = 0; t < kSpansPerBatch / 5; ++t) {
      vigil::TraceId trace = vigil::TraceId::random();
      vigil::SpanId root = vigil::SpanId::random();
      for (int s = 0; s < 5; ++s) {
        auto d = std::make_unique<vigil::SpanData>();
        d->context = {trace, s == 0 ? root : vigil::SpanId::random(), 1, "", false};
        if (s) d->parent_span_id = root;
        d->name = s == 0 ? "POST /predict" : "stage" + std::to_string(s);
        d->start_unix_nano = now - 60'000'000'000ull + t * 1000;  // recent: the daemon refuses far-off times
        d->end_unix_nano = d->start_unix_nano + 500'000;
        d->attributes = {{"model", std::string("resnet")}, {"batch", std::int64_t{8}}, {"gpu", true}, {"score", 0.5}};
        d->resource = resource;
        d->scope = scope;
        spans.push_back(std::move(d));
      }
    }
    spans_body = vigil::encode_otlp_traces_protobuf(spans);
    std::mt19937_64 rng(1);
    std::normal_distribution<double> nd(0, 1);
    for (int i = 0; i < kPredictionsPerBatch; ++i) {
      char line[512];
      std::snprintf(line, sizeof line,
                    "{\"model\":\"fraud\",\"version\":\"3\",\"request_id\":\"r%d\",\"features\":{\"amount\":%.3f,"
                    "\"age\":%.2f,\"score\":%.4f,\"country\":\"%s\",\"device\":\"%s\"},\"prediction\":\"%s\","
                    "\"confidence\":%.3f,\"latency_ms\":%.2f}\n",
                    i, 100 + 20 * nd(rng), 40 + 10 * nd(rng), nd(rng), i % 3 ? "NO" : "SE", i % 2 ? "ios" : "web",
                    i % 5 ? "legit" : "fraud", 0.9, 4 + nd(rng));
      predictions_body += line;
    }
  }
  ~Fixture() {
    daemon.reset();
    std::filesystem::remove_all(dir);
  }
};

Fixture& fixture() {
  static Fixture f;
  return f;
}

long max_rss_mb() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss / 1024;
}

void post_loop(benchmark::State& state, const std::string& path, const std::string& body, const char* type,
               int items_per_batch) {
  Fixture& f = fixture();
  httplib::Client client("127.0.0.1", f.daemon->port());
  client.set_keep_alive(true);
  client.set_tcp_nodelay(true);
  std::int64_t accepted = 0, refused = 0;
  for (auto _ : state) {
    auto res = client.Post(path, body, type);
    if (res && res->status == 200) accepted += items_per_batch;
    else if (res && res->status == 503) ++refused;
    else state.SkipWithError("request failed");
  }
  state.SetItemsProcessed(accepted);
  state.counters["refused_batches"] = static_cast<double>(refused);
  state.counters["max_rss_MB"] = static_cast<double>(max_rss_mb());
}

void BM_IngestSpansProtobuf(benchmark::State& state) {
  post_loop(state, "/v1/traces", fixture().spans_body, "application/x-protobuf", Fixture::kSpansPerBatch);
}
BENCHMARK(BM_IngestSpansProtobuf)->Threads(1)->Threads(2)->UseRealTime()->Unit(benchmark::kMillisecond);

void BM_IngestPredictionsNdjson(benchmark::State& state) {
  post_loop(state, "/api/v1/predictions", fixture().predictions_body, "application/x-ndjson",
            Fixture::kPredictionsPerBatch);
}
BENCHMARK(BM_IngestPredictionsNdjson)->Threads(1)->Threads(2)->UseRealTime()->Unit(benchmark::kMillisecond);

// Sustained: two client threads send 1 000 000 spans between them (retrying
// a refused batch after a short pause, as an OTLP exporter does on 503 or
// RESOURCE_EXHAUSTED), and the clock stops when the store has committed the
// last span, so filling the write queue is not counted as throughput.
// `make_sender()` gives each thread its own connection: a callable that
// sends one batch and says whether it was accepted.
template <class MakeSender>
void sustained(benchmark::State& state, MakeSender make_sender) {
  Fixture& f = fixture();
  auto& written = f.registry
                      .counter({.name = "vigil_store_rows_written_total",
                                .help = "Rows committed to the store, by table.",
                                .labels = {"table"}})
                      .labels({"spans"});
  constexpr int kRequestsPerClient = 1000;
  std::int64_t refused = 0;
  for (auto _ : state) {
    double before = written.value();
    std::atomic<std::int64_t> refusals{0};
    auto client = [&] {
      auto send = make_sender();
      for (int i = 0; i < kRequestsPerClient;) {
        if (send()) ++i;
        else ++refusals, std::this_thread::sleep_for(std::chrono::milliseconds(5));
      }
    };
    std::thread a(client), b(client);
    a.join(), b.join();
    while (written.value() - before < 2.0 * kRequestsPerClient * Fixture::kSpansPerBatch)
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    refused += refusals;
  }
  state.SetItemsProcessed(state.iterations() * 2 * kRequestsPerClient * Fixture::kSpansPerBatch);
  state.counters["refused_batches"] = static_cast<double>(refused);
  state.counters["max_rss_MB"] = static_cast<double>(max_rss_mb());
}

void BM_IngestSpansSustained(benchmark::State& state) {
  sustained(state, [] {
    auto c = std::make_shared<httplib::Client>("127.0.0.1", fixture().daemon->port());
    c->set_keep_alive(true);
    c->set_tcp_nodelay(true);
    return [c] {
      auto res = c->Post("/v1/traces", fixture().spans_body, "application/x-protobuf");
      return res && res->status == 200;
    };
  });
}
BENCHMARK(BM_IngestSpansSustained)->UseRealTime()->Unit(benchmark::kMillisecond)->Iterations(2);

// Over OTLP/gRPC: each client on its own channel, calling TraceService/Export.
void BM_IngestSpansGrpcSustained(benchmark::State& state) {
  sustained(state, [] {
    grpc::ChannelArguments args;
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    auto stub = std::make_shared<grpc::GenericStub>(grpc::CreateCustomChannel(
        "127.0.0.1:" + std::to_string(fixture().daemon->grpc_port()), grpc::InsecureChannelCredentials(), args));
    return [stub] {
      grpc::Slice slice(fixture().spans_body);
      grpc::ByteBuffer request(&slice, 1), response;
      grpc::ClientContext ctx;
      std::promise<grpc::Status> done;
      stub->UnaryCall(&ctx, "/opentelemetry.proto.collector.trace.v1.TraceService/Export", grpc::StubOptions(),
                      &request, &response, [&](grpc::Status s) { done.set_value(std::move(s)); });
      return done.get_future().get().ok();
    };
  });
}
BENCHMARK(BM_IngestSpansGrpcSustained)->UseRealTime()->Unit(benchmark::kMillisecond)->Iterations(2);

}  // namespace
