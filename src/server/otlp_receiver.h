// Decoding of OTLP/HTTP export requests (protobuf or JSON, gzip or not)
// into store rows, and the OTLP responses (partial success).
#pragma once

#include <string>
#include <string_view>

#include "store/store.h"

namespace vigil::server {

struct DecodeResult {
  store::Batch batch;
  std::int64_t rejected = 0;   // items dropped as invalid (partial success)
  std::string error;           // set on a malformed body: answer 400 with it
  std::string partial_message; // why items were rejected
};

enum class Signal { kTraces, kLogs };
// `json` selects OTLP/JSON (application/json); otherwise protobuf.
DecodeResult decode_otlp(Signal signal, std::string_view body, bool json);
// ExportTraceServiceResponse / ExportLogsServiceResponse, in the request's encoding.
std::string otlp_response(Signal signal, std::int64_t rejected, const std::string& message, bool json);

}  // namespace vigil::server
