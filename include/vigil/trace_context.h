// The trace area's identifiers and context, shared by tracing (trace.h)
// and logging (log.h, whose records carry the active span's ids): trace and
// span ids, SpanContext, and W3C Trace Context propagation.
#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace vigil {

// ---- identifiers and context --------------------------------------------------

struct TraceId {
  std::array<std::uint8_t, 16> bytes{};
  bool valid() const {  // not all zero; inline, it is checked on every span start
    std::uint64_t hi, lo;
    std::memcpy(&hi, bytes.data(), 8);
    std::memcpy(&lo, bytes.data() + 8, 8);
    return (hi | lo) != 0;
  }
  std::string hex() const;
  static std::optional<TraceId> from_hex(std::string_view hex);  // 32 lowercase hex digits
  static TraceId random();
  friend bool operator==(const TraceId&, const TraceId&) = default;
};

struct SpanId {
  std::array<std::uint8_t, 8> bytes{};
  bool valid() const {
    std::uint64_t w;
    std::memcpy(&w, bytes.data(), 8);
    return w != 0;
  }
  std::string hex() const;
  static std::optional<SpanId> from_hex(std::string_view hex);  // 16 lowercase hex digits
  static SpanId random();
  friend bool operator==(const SpanId&, const SpanId&) = default;
};

inline constexpr std::uint8_t kTraceFlagSampled = 0x01;

struct SpanContext {
  TraceId trace_id;
  SpanId span_id;
  std::uint8_t flags = 0;
  std::string trace_state;  // W3C tracestate, kept verbatim
  bool remote = false;      // extracted from a carrier rather than made here

  bool valid() const { return trace_id.valid() && span_id.valid(); }
  bool sampled() const { return (flags & kTraceFlagSampled) != 0; }
};

// ---- W3C Trace Context --------------------------------------------------------

// Strict traceparent parsing: version 00 exactly as specified (future
// versions parsed by their first four fields), lowercase hex, non-zero ids.
// Returns nullopt for anything malformed: the caller starts a new trace.
std::optional<SpanContext> parse_traceparent(std::string_view traceparent, std::string_view tracestate = {});
std::string format_traceparent(const SpanContext& context);
// Validates a tracestate header (list-members, at most 32, key/value syntax);
// returns it normalised (no empty members, trimmed) or nullopt when invalid.
std::optional<std::string> parse_tracestate(std::string_view tracestate);

// Header carriers: anything that maps lowercase header names to values.
using HeaderMap = std::map<std::string, std::string>;
void inject_trace_context(const SpanContext& context, HeaderMap& headers);
std::optional<SpanContext> extract_trace_context(const HeaderMap& headers);

}  // namespace vigil
