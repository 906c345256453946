// A line for people at a terminal: short timestamp, padded level, logger,
// message, then key=value pairs (quoted only when needed) and the stack of a
// logged exception indented below.
#include "log/field_walk.h"
#include "trace/hex.h"

namespace vigil {
namespace {

std::string_view level_tag(Level l) {
  switch (l) {
    case Level::kTrace: return "TRACE";
    case Level::kDebug: return "DEBUG";
    case Level::kInfo: return "INFO ";
    case Level::kWarn: return "WARN ";
    case Level::kError: return "ERROR";
    case Level::kFatal: return "FATAL";
    case Level::kOff: return "OFF  ";
  }
  return "INFO ";
}

std::string_view level_color(Level l) {
  switch (l) {
    case Level::kTrace:
    case Level::kDebug: return "\x1b[2m";      // dim
    case Level::kInfo: return "\x1b[32m";      // green
    case Level::kWarn: return "\x1b[33m";      // yellow
    case Level::kError: return "\x1b[31m";     // red
    case Level::kFatal: return "\x1b[1;31m";   // bold red
    case Level::kOff: return "";
  }
  return "";
}

bool needs_quotes(std::string_view s) {
  if (s.empty()) return true;
  for (unsigned char c : s)
    if (c <= 0x20 || c == '"' || c == '=' || c == '\\' || c >= 0x7f) return true;
  return false;
}

void append_value(std::string& out, const FieldValue& v) {
  const FieldValue::Variant value = v.get();
  if (const auto* s = std::get_if<std::string_view>(&value)) {
    if (needs_quotes(*s)) append_json_string(out, *s);
    else out += *s;
    return;
  }
  if (const auto* d = std::get_if<double>(&value); d && !std::isfinite(*d)) {
    out += std::isnan(*d) ? "NaN" : (*d > 0 ? "+Inf" : "-Inf");
    return;
  }
  detail::append_json_value(out, v);
}

}  // namespace

void ConsoleFormatter::format(const LogRecord& r, std::string& out) const {
  std::string ts;
  append_rfc3339_nanos(ts, r.time_unix_nano);
  out.append(ts, 0, 23);  // to milliseconds
  out += "Z ";
  if (color_) out += level_color(r.level);
  out += level_tag(r.level);
  if (color_) out += "\x1b[0m";
  out.push_back(' ');
  if (!r.logger.empty()) {
    out += r.logger;
    out += ": ";
  }
  // The message is the operator's text: only control bytes are escaped.
  for (char c : r.message) {
    if (static_cast<unsigned char>(c) < 0x20) out += c == '\n' ? "\\n" : "?";
    else out.push_back(c);
  }
  detail::for_each_visible_field(r, [&](std::string_view key, const FieldValue& value) {
    out.push_back(' ');
    if (color_) out += "\x1b[36m";
    out += key;
    if (color_) out += "\x1b[0m";
    out.push_back('=');
    append_value(out, value);
  });
  if (r.trace_id.valid()) {
    char hex[32];
    detail::write_hex(r.trace_id.bytes.data(), 16, hex);
    out += " trace_id=";
    out.append(hex, 32);
    detail::write_hex(r.span_id.bytes.data(), 8, hex);
    out += " span_id=";
    out.append(hex, 16);
  }
  if (!r.exception_type.empty() || !r.exception_message.empty()) {
    out += "\n    ";
    out += r.exception_type;
    out += ": ";
    out += r.exception_message;
    std::size_t start = 0;
    while (start < r.exception_stacktrace.size()) {
      std::size_t end = r.exception_stacktrace.find('\n', start);
      if (end == std::string::npos) end = r.exception_stacktrace.size();
      out += "\n    ";
      out.append(r.exception_stacktrace, start, end - start);
      start = end + 1;
    }
  }
  out.push_back('\n');
}

}  // namespace vigil
