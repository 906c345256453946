// One strict-JSON object per record (see JsonFormatter in vigil/log.h).
#include <array>

#include "log/field_walk.h"
#include "trace/hex.h"

namespace vigil {
namespace {

constexpr std::array<std::string_view, 9> kReserved = {
    "ts", "level", "logger", "msg", "trace_id", "span_id", "exception.type", "exception.message",
    "exception.stacktrace"};

bool reserved(std::string_view key) {
  // Cheap reject first: reserved keys start with t, l, m, s or e.
  if (key.empty() || (key[0] != 't' && key[0] != 'l' && key[0] != 'm' && key[0] != 's' && key[0] != 'e')) return false;
  for (auto r : kReserved)
    if (r == key) return true;
  return false;
}

void append_key(std::string& out, std::string_view key) {
  out.push_back(',');
  append_json_string(out, key);
  out.push_back(':');
}

}  // namespace

void JsonFormatter::format(const LogRecord& r, std::string& out) const {
  out.reserve(out.size() + 256 + r.message.size());
  out += "{\"ts\":\"";
  append_rfc3339_nanos(out, r.time_unix_nano);
  out += "\",\"level\":\"";
  out += level_name(r.level);
  out += "\",\"logger\":";
  append_json_string(out, r.logger);
  out += ",\"msg\":";
  append_json_string(out, r.message);
  if (r.trace_id.valid()) {
    char hex[32];
    out += ",\"trace_id\":\"";
    detail::write_hex(r.trace_id.bytes.data(), 16, hex);
    out.append(hex, 32);
    out += "\",\"span_id\":\"";
    detail::write_hex(r.span_id.bytes.data(), 8, hex);
    out.append(hex, 16);
    out.push_back('"');
  }
  detail::for_each_visible_field(r, [&](std::string_view key, const FieldValue& value) {
    if (reserved(key)) append_key(out, "fields." + std::string(key));
    else append_key(out, key);
    detail::append_json_value(out, value);
  });
  if (!r.exception_type.empty() || !r.exception_message.empty()) {
    out += ",\"exception.type\":";
    append_json_string(out, r.exception_type);
    out += ",\"exception.message\":";
    append_json_string(out, r.exception_message);
    out += ",\"exception.stacktrace\":";
    append_json_string(out, r.exception_stacktrace);
  }
  out += "}\n";
}

std::unique_ptr<Formatter> make_formatter(LogFormat format, bool color) {
  if (format == LogFormat::kConsole) return std::make_unique<ConsoleFormatter>(color);
  return std::make_unique<JsonFormatter>();
}

}  // namespace vigil
