// OTLP/gRPC on 4317: TraceService/Export and LogsService/Export, decoded
// and stored by the same IngestApi code as OTLP/HTTP, with the same answers
// translated to gRPC: partial success in the response, INVALID_ARGUMENT for
// a malformed message, RESOURCE_EXHAUSTED (queue full) or UNAVAILABLE (store
// cannot write) with a RetryInfo so exporters back off and retry, and
// UNAUTHENTICATED without the bearer token in `authorization` metadata.
//
// gRPC (libgrpc++) owns the connections, HTTP/2 and gzip; exports are
// handled on a bounded worker pool of our own, so a full pool answers
// RESOURCE_EXHAUSTED at once instead of queueing without limit.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace grpc {
class Status;
}

namespace vigil {
class Registry;
}

namespace vigil::server {

class IngestApi;
enum class Signal;

struct OtlpGrpcOptions {
  std::string host = "127.0.0.1";
  int port = 4317;  // 0 picks a free port; see port()
  std::string auth_token;  // empty: none needed
  std::size_t max_message_bytes = 16 * 1024 * 1024;  // decompressed, enforced by gRPC
  std::size_t workers = 4;
  std::size_t max_queued = 256;  // exports waiting for a worker; past it RESOURCE_EXHAUSTED
  std::size_t max_memory_bytes = 256 * 1024 * 1024;  // gRPC's resource quota for buffers
  std::chrono::milliseconds handshake_timeout{10'000};
  std::chrono::milliseconds idle_timeout{60'000};  // a connection with no call is closed after this
  std::function<void()> on_worker_start;
  Registry* registry = nullptr;  // vigil_grpc_requests_total{method, code}
};

class OtlpGrpcReceiver {
 public:
  // Binds and serves; throws std::runtime_error when the address cannot be
  // bound. Borrows `ingest`, which must outlive the receiver.
  OtlpGrpcReceiver(OtlpGrpcOptions options, IngestApi& ingest);
  ~OtlpGrpcReceiver();  // stop()
  OtlpGrpcReceiver(const OtlpGrpcReceiver&) = delete;
  OtlpGrpcReceiver& operator=(const OtlpGrpcReceiver&) = delete;

  int port() const;
  // Stops accepting calls; those in flight finish (up to 5 s). Idempotent.
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// One export message (serialized protobuf) through the ingest path, as the
// services run it: the status to answer and, on OK, the serialized
// response in `response`. Exposed for the fuzzer and tests.
grpc::Status export_message(IngestApi& ingest, Signal signal, std::string_view message, std::string& response);

}  // namespace vigil::server
