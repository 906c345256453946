// OTLP/gRPC export messages through the receiver's whole path (shedding,
// decoding, the store queue, the gRPC status and response): any bytes must
// end as OK, INVALID_ARGUMENT or a retryable refusal, never a crash.
#include <grpcpp/support/status.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "server/ingest_api.h"
#include "server/otlp_grpc_receiver.h"
#include "server/otlp_receiver.h"
#include "store/store.h"
#include "vigil/metrics.h"
#include "vigil/monitor.h"
#include "vigil/slo.h"

namespace {

struct Receiver {
  Receiver()
      : dir(std::filesystem::temp_directory_path() / ("vigil-grpc-fuzz-" + std::to_string(::getpid()))),
        store({.path = dir / "vigil.db", .max_queued_bytes = 4 * 1024 * 1024, .registry = &registry}),
        monitor({.registry = &registry}),
        ingest({}, store, monitor, slos, registry) {}
  std::filesystem::path dir;
  vigil::Registry registry;
  vigil::store::Store store;
  vigil::ModelMonitor monitor;
  vigil::server::SlosByModel slos;
  vigil::server::IngestApi ingest;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static auto* receiver = new Receiver();  // one store for the whole run, as one daemon
  if (size == 0) return 0;
  auto signal = (data[0] & 1) ? vigil::server::Signal::kLogs : vigil::server::Signal::kTraces;
  std::string_view message(reinterpret_cast<const char*>(data + 1), size - 1);
  std::string response;
  grpc::Status status = vigil::server::export_message(receiver->ingest, signal, message, response);
  switch (status.error_code()) {
    case grpc::StatusCode::OK:
    case grpc::StatusCode::INVALID_ARGUMENT:
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
    case grpc::StatusCode::UNAVAILABLE: break;
    default: __builtin_trap();
  }
  return 0;
}
