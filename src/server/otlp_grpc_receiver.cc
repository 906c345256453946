#include "server/otlp_grpc_receiver.h"

#include <grpcpp/grpcpp.h>
#include <grpcpp/support/byte_buffer.h>

#include <stdexcept>

#include "google/rpc/status.pb.h"
#include "opentelemetry/proto/collector/logs/v1/logs_service.grpc.pb.h"
#include "opentelemetry/proto/collector/trace/v1/trace_service.grpc.pb.h"
#include "server/http_util.h"
#include "server/ingest_api.h"
#include "server/otlp_receiver.h"
#include "server/worker_pool.h"
#include "vigil/metrics.h"

namespace vigil::server {
namespace {

namespace trace_grpc = opentelemetry::proto::collector::trace::v1;
namespace logs_grpc = opentelemetry::proto::collector::logs::v1;

// A refusal the exporter should retry after `delay`: OTLP/gRPC clients
// retry RESOURCE_EXHAUSTED only when it carries a google.rpc.RetryInfo.
grpc::Status retry_later(grpc::StatusCode code, const std::string& message, std::chrono::seconds delay) {
  google::rpc::RetryInfo retry;
  retry.mutable_retry_delay()->set_seconds(delay.count());
  google::rpc::Status detail;
  detail.set_code(code);
  detail.set_message(message);
  detail.add_details()->PackFrom(retry);
  return {code, message, detail.SerializeAsString()};
}

grpc::Status refused(const std::string& store_failure) {
  if (store_failure.empty())
    return retry_later(grpc::StatusCode::RESOURCE_EXHAUSTED, "store queue full; retry later", std::chrono::seconds(1));
  return retry_later(grpc::StatusCode::UNAVAILABLE, "store cannot write (" + store_failure + "); retry later",
                     std::chrono::seconds(5));
}

const char* code_name(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::OK: return "OK";
    case grpc::StatusCode::INVALID_ARGUMENT: return "INVALID_ARGUMENT";
    case grpc::StatusCode::RESOURCE_EXHAUSTED: return "RESOURCE_EXHAUSTED";
    case grpc::StatusCode::UNAVAILABLE: return "UNAVAILABLE";
    case grpc::StatusCode::UNAUTHENTICATED: return "UNAUTHENTICATED";
    default: return "OTHER";
  }
}

// The message in one piece: usually gRPC holds it in a single slice, read
// in place; otherwise the slices are joined into `joined`.
std::string_view message_bytes(const grpc::ByteBuffer& buffer, std::vector<grpc::Slice>& slices, std::string& joined) {
  if (!buffer.Dump(&slices).ok()) return {};
  if (slices.size() == 1) return {reinterpret_cast<const char*>(slices[0].begin()), slices[0].size()};
  for (const auto& s : slices) joined.append(reinterpret_cast<const char*>(s.begin()), s.size());
  return joined;
}

// What both services share: the token check, the worker pool, counting.
class Exports {
 public:
  Exports(const OtlpGrpcOptions& o, IngestApi& ingest)
      : ingest_(ingest),
        token_(o.auth_token),
        pool_(o.workers, o.max_queued, o.on_worker_start),
        calls_(o.registry ? &o.registry->counter({.name = "vigil_grpc_requests_total",
                                                  .help = "OTLP/gRPC export calls, by method and status code.",
                                                  .labels = {"method", "code"}})
                          : nullptr) {}

  grpc::ServerUnaryReactor* serve(grpc::CallbackServerContext* ctx, Signal signal, const grpc::ByteBuffer* request,
                                  grpc::ByteBuffer* response) {
    grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
    if (!authorized(*ctx)) {
      finish(reactor, signal, {grpc::StatusCode::UNAUTHENTICATED, "missing or wrong bearer token"});
      return reactor;
    }
    bool queued = pool_.try_submit([this, reactor, signal, request, response] {
      std::vector<grpc::Slice> slices;
      std::string joined, answer;
      grpc::Status status = export_message(ingest_, signal, message_bytes(*request, slices, joined), answer);
      if (status.ok()) {
        grpc::Slice slice(answer);
        *response = grpc::ByteBuffer(&slice, 1);
      }
      finish(reactor, signal, status);
    });
    if (!queued)
      finish(reactor, signal,
             retry_later(grpc::StatusCode::RESOURCE_EXHAUSTED, "every worker is busy; retry later", std::chrono::seconds(1)));
    return reactor;
  }

  void stop() { pool_.stop(); }

 private:
  bool authorized(const grpc::CallbackServerContext& ctx) const {
    auto it = ctx.client_metadata().find("authorization");
    std::string_view value = it == ctx.client_metadata().end() ? std::string_view()
                                                                : std::string_view(it->second.data(), it->second.size());
    return bearer_value_matches(value, token_);
  }

  void finish(grpc::ServerUnaryReactor* reactor, Signal signal, const grpc::Status& status) {
    if (calls_)
      calls_->labels({signal == Signal::kTraces ? "TraceService/Export" : "LogsService/Export", code_name(status.error_code())})
          .inc();
    reactor->Finish(status);
  }

  IngestApi& ingest_;
  std::string token_;
  detail::WorkerPool pool_;
  Family<Counter>* calls_;
};

// One OTLP service whose Export hands the raw message to `exports`.
template <class Base, Signal kSignal>
class ExportService : public Base {
 public:
  explicit ExportService(Exports& exports) : exports_(exports) {}
  grpc::ServerUnaryReactor* Export(grpc::CallbackServerContext* ctx, const grpc::ByteBuffer* request,
                                   grpc::ByteBuffer* response) override {
    return exports_.serve(ctx, kSignal, request, response);
  }

 private:
  Exports& exports_;
};

using TraceService =
    ExportService<trace_grpc::TraceService::WithRawCallbackMethod_Export<trace_grpc::TraceService::Service>,
                  Signal::kTraces>;
using LogsService =
    ExportService<logs_grpc::LogsService::WithRawCallbackMethod_Export<logs_grpc::LogsService::Service>,
                  Signal::kLogs>;

}  // namespace

grpc::Status export_message(IngestApi& ingest, Signal signal, std::string_view message, std::string& response) {
  if (ingest.sheds_before_decoding(signal, message.size())) return refused("");
  OtlpOutcome out = ingest.ingest_otlp(signal, message, false);
  switch (out.kind) {
    case OtlpOutcome::Kind::kMalformed: return {grpc::StatusCode::INVALID_ARGUMENT, out.error};
    case OtlpOutcome::Kind::kRefused: return refused(out.store_failure);
    case OtlpOutcome::Kind::kAccepted: break;
  }
  response = otlp_response(signal, out.rejected, out.partial_message, false);
  return grpc::Status::OK;
}

struct OtlpGrpcReceiver::Impl {
  Exports exports;
  TraceService traces{exports};
  LogsService logs{exports};
  std::unique_ptr<grpc::Server> server;
  int port = 0;
  bool stopped = false;

  Impl(const OtlpGrpcOptions& o, IngestApi& ingest) : exports(o, ingest) {
    grpc::ServerBuilder builder;
    std::string address = o.host + ":" + std::to_string(o.port);
    builder.AddListeningPort(address, grpc::InsecureServerCredentials(), &port);
    builder.SetMaxReceiveMessageSize(static_cast<int>(o.max_message_bytes));
    grpc::ResourceQuota quota("vigil-otlp-grpc");
    quota.Resize(o.max_memory_bytes);
    builder.SetResourceQuota(quota);
    builder.AddChannelArgument(GRPC_ARG_MAX_CONNECTION_IDLE_MS, static_cast<int>(o.idle_timeout.count()));
    builder.AddChannelArgument(GRPC_ARG_SERVER_HANDSHAKE_TIMEOUT_MS, static_cast<int>(o.handshake_timeout.count()));
    builder.RegisterService(&traces);
    builder.RegisterService(&logs);
    server = builder.BuildAndStart();
    if (!server || port == 0) throw std::runtime_error("cannot listen for OTLP/gRPC on " + address);
  }

  void stop() {
    if (stopped) return;
    stopped = true;
    server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(5));
    exports.stop();
    server->Wait();
  }
};

OtlpGrpcReceiver::OtlpGrpcReceiver(OtlpGrpcOptions options, IngestApi& ingest)
    : impl_(std::make_unique<Impl>(options, ingest)) {}

OtlpGrpcReceiver::~OtlpGrpcReceiver() { stop(); }

int OtlpGrpcReceiver::port() const { return impl_->port; }

void OtlpGrpcReceiver::stop() { impl_->stop(); }

}  // namespace vigil::server
