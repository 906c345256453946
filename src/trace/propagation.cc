// W3C Trace Context (https://www.w3.org/TR/trace-context/): traceparent and
// tracestate, parsed strictly so a malformed header starts a new trace.
#include <set>

#include "trace/hex.h"
#include "vigil/trace.h"

namespace vigil {
namespace {

bool is_lower_hex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }

bool all_lower_hex(std::string_view s) {
  for (char c : s)
    if (!is_lower_hex(c)) return false;
  return true;
}

std::string_view trim_ows(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool key_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '*' || c == '/';
}

// simple-key = lcalpha 0*255(keychar); multi-tenant = tenant@system.
bool valid_key(std::string_view k) {
  auto at = k.find('@');
  if (at == std::string_view::npos) {
    if (k.empty() || k.size() > 256 || !(k[0] >= 'a' && k[0] <= 'z')) return false;
    for (char c : k)
      if (!key_char(c)) return false;
    return true;
  }
  std::string_view tenant = k.substr(0, at), system = k.substr(at + 1);
  if (tenant.empty() || tenant.size() > 241 || system.empty() || system.size() > 14) return false;
  if (!((tenant[0] >= 'a' && tenant[0] <= 'z') || (tenant[0] >= '0' && tenant[0] <= '9'))) return false;
  if (!(system[0] >= 'a' && system[0] <= 'z')) return false;
  for (char c : tenant)
    if (!key_char(c)) return false;
  for (char c : system)
    if (!key_char(c)) return false;
  return true;
}

// value = 0*255(chr) nblk-chr, printable ASCII without ',' and '='.
bool valid_value(std::string_view v) {
  if (v.empty() || v.size() > 256 || v.back() == ' ') return false;
  for (char c : v)
    if (c < 0x20 || c > 0x7e || c == ',' || c == '=') return false;
  return true;
}

}  // namespace

std::optional<std::string> parse_tracestate(std::string_view header) {
  std::string out;
  std::set<std::string_view> keys;
  int members = 0;
  while (true) {
    std::size_t comma = header.find(',');
    std::string_view member = trim_ows(header.substr(0, comma));
    if (!member.empty()) {
      std::size_t eq = member.find('=');
      if (eq == std::string_view::npos) return std::nullopt;
      std::string_view key = member.substr(0, eq), value = member.substr(eq + 1);
      if (!valid_key(key) || !valid_value(value) || !keys.insert(key).second) return std::nullopt;
      if (++members > 32) return std::nullopt;
      if (!out.empty()) out += ',';
      out += member;
    }
    if (comma == std::string_view::npos) break;
    header.remove_prefix(comma + 1);
  }
  return out;
}

std::optional<SpanContext> parse_traceparent(std::string_view tp, std::string_view tracestate) {
  tp = trim_ows(tp);
  if (tp.size() < 55) return std::nullopt;
  std::string_view version = tp.substr(0, 2);
  if (!all_lower_hex(version) || version == "ff") return std::nullopt;
  // Version 00 is exactly 55 chars; later versions may append "-..." fields.
  if (version == "00" ? tp.size() != 55 : (tp.size() > 55 && tp[55] != '-')) return std::nullopt;
  if (tp[2] != '-' || tp[35] != '-' || tp[52] != '-') return std::nullopt;
  std::string_view flags = tp.substr(53, 2);
  if (!all_lower_hex(flags)) return std::nullopt;
  auto trace_id = TraceId::from_hex(tp.substr(3, 32));
  auto span_id = SpanId::from_hex(tp.substr(36, 16));
  if (!trace_id || !span_id || !trace_id->valid() || !span_id->valid()) return std::nullopt;
  SpanContext ctx;
  ctx.trace_id = *trace_id;
  ctx.span_id = *span_id;
  ctx.flags = static_cast<std::uint8_t>(std::stoi(std::string(flags), nullptr, 16));
  if (version == "00") ctx.flags &= kTraceFlagSampled;  // other bits are unassigned in version 00
  ctx.remote = true;
  // An invalid tracestate is dropped on its own; the traceparent stands.
  if (!tracestate.empty())
    if (auto ts = parse_tracestate(tracestate)) ctx.trace_state = std::move(*ts);
  return ctx;
}

std::string format_traceparent(const SpanContext& c) {
  std::string s = "00-" + c.trace_id.hex() + "-" + c.span_id.hex() + "-xx";
  detail::write_hex(&c.flags, 1, s.data() + s.size() - 2);
  return s;
}

void inject_trace_context(const SpanContext& context, HeaderMap& headers) {
  if (!context.valid()) return;
  headers["traceparent"] = format_traceparent(context);
  if (!context.trace_state.empty()) headers["tracestate"] = context.trace_state;
}

std::optional<SpanContext> extract_trace_context(const HeaderMap& headers) {
  auto tp = headers.find("traceparent");
  if (tp == headers.end()) return std::nullopt;
  auto ts = headers.find("tracestate");
  return parse_traceparent(tp->second, ts == headers.end() ? std::string_view{} : std::string_view(ts->second));
}

}  // namespace vigil
