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
  std::int64_t end_before_start = 0;  // spans kept with end set to start, marked vigil.end_before_start
  std::string error;           // set on a malformed body: answer 400 with it
  std::string partial_message; // why items were rejected
};

enum class Signal { kTraces, kLogs };

// Which times are believed. Spans and logs stamped further ahead than
// max_future, older than max_age, at 0 or past the int64 range are refused
// per item and reported in the partial success; a span ending before it
// starts is kept with end = start and marked. now_ns = 0 checks only the
// range (no clock to compare with).
struct TimeLimits {
  std::int64_t now_ns = 0;
  std::int64_t max_future_ns = 3600'000'000'000;  // 1 h
  std::int64_t max_age_ns = 0;                    // 0 = any age (no retention)
};

// `json` selects OTLP/JSON (application/json); otherwise protobuf.
DecodeResult decode_otlp(Signal signal, std::string_view body, bool json, const TimeLimits& limits = {});
// ExportTraceServiceResponse / ExportLogsServiceResponse, in the request's encoding.
std::string otlp_response(Signal signal, std::int64_t rejected, const std::string& message, bool json);

}  // namespace vigil::server
