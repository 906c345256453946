// One strict-JSON object per record (see JsonFormatter in vigil/log.h).
#include <bit>
#include <charconv>
#include <cmath>
#include <cstring>

#include "log/field_walk.h"
#include "log/json_writer.h"
#include "trace/hex.h"

namespace vigil {
namespace {

// The line's own keys ("ts", "level", ...), which a field may not reuse.
// By length first: each length has at most one, compared inline.
bool reserved(std::string_view key) {
  switch (key.size()) {
    case 2: return key == "ts";
    case 3: return key == "msg";
    case 5: return key == "level";
    case 6: return key == "logger";
    case 7: return key == "span_id";
    case 8: return key == "trace_id";
    case 14: return key == "exception.type";
    case 17: return key == "exception.message";
    case 20: return key == "exception.stacktrace";
    default: return false;
  }
}

char* put(char* p, std::string_view text) {
  std::memcpy(p, text.data(), text.size());
  return p + text.size();
}

// A field's value as JSON: numbers bare (non-finite quoted as "NaN",
// "+Inf", "-Inf", which JSON has no numbers for).
char* write_value(char* p, const FieldValue& v) {
  switch (v.kind()) {
    case FieldValue::Kind::kNull: return put(p, "null");
    case FieldValue::Kind::kBool: return put(p, v.word() ? "true" : "false");
    case FieldValue::Kind::kInt: return std::to_chars(p, p + 24, static_cast<std::int64_t>(v.word())).ptr;
    case FieldValue::Kind::kUint: return std::to_chars(p, p + 24, v.word()).ptr;
    case FieldValue::Kind::kDouble: {
      double d = std::bit_cast<double>(v.word());
      if (std::isnan(d)) return put(p, "\"NaN\"");
      if (std::isinf(d)) return put(p, d > 0 ? "\"+Inf\"" : "\"-Inf\"");
      if (char* end = detail::fixed_shortest(p, d)) return end;
      return std::to_chars(p, p + 32, d).ptr;
    }
    case FieldValue::Kind::kString: return write_json_string(p, std::string_view(v.string_data(), v.word()));
  }
  return p;
}

std::size_t value_bound(const FieldValue& v) {
  return v.kind() == FieldValue::Kind::kString ? json_string_bound(v.word()) : 32;
}

// An upper bound of the line's length: the room written into.
std::size_t line_bound(const LogRecord& r) {
  std::size_t n = 160 + json_string_bound(r.logger.size()) + json_string_bound(r.message.size()) +
                  json_string_bound(r.exception_type.size()) + json_string_bound(r.exception_message.size()) +
                  json_string_bound(r.exception_stacktrace.size());
  for (auto fields : {r.bound, r.fields})
    for (const Field& f : fields) n += 12 + json_string_bound(f.key.size()) + value_bound(f.value);  // ,"fields.":
  return n;
}

// Writes the line at p (room for line_bound(r) bytes); returns its end.
char* write_line(char* p, const LogRecord& r) {
  p = put(p, "{\"ts\":\"");
  p = write_rfc3339_nanos(p, r.time_unix_nano);
  p = put(p, "\",\"level\":\"");
  p = put(p, level_name(r.level));
  p = put(p, "\",\"logger\":");
  p = write_json_string(p, r.logger);
  p = put(p, ",\"msg\":");
  p = write_json_string(p, r.message);
  if (r.trace_id.valid()) {
    p = put(p, ",\"trace_id\":\"");
    detail::write_hex(r.trace_id.bytes.data(), 16, p);
    p = put(p + 32, "\",\"span_id\":\"");
    detail::write_hex(r.span_id.bytes.data(), 8, p);
    p += 16;
    *p++ = '"';
  }
  detail::for_each_visible_field(r, [&](std::string_view key, const FieldValue& value) {
    *p++ = ',';
    if (reserved(key)) {  // a field may not pose as the line's own keys: "fields.<key>"
      p = put(p, "\"fields.");
      char* end = write_json_string(p, key);
      std::memmove(p, p + 1, static_cast<std::size_t>(end - p - 1));  // without the key's own opening quote
      p = end - 1;
    } else {
      p = write_json_string(p, key);
    }
    *p++ = ':';
    p = write_value(p, value);
  });
  if (!r.exception_type.empty() || !r.exception_message.empty()) {
    p = put(p, ",\"exception.type\":");
    p = write_json_string(p, r.exception_type);
    p = put(p, ",\"exception.message\":");
    p = write_json_string(p, r.exception_message);
    p = put(p, ",\"exception.stacktrace\":");
    p = write_json_string(p, r.exception_stacktrace);
  }
  return put(p, "}\n");
}

}  // namespace

void JsonFormatter::format(const LogRecord& r, std::string& out) const {
  const std::size_t bound = line_bound(r);
  // A usual line is written on the stack and appended: growing `out` to the
  // bound first would zero ~1.3 KB per line (a sixth of the formatting
  // time), since std::string cannot grow without initialising.
  constexpr std::size_t kStackLine = 4096;
  if (bound <= kStackLine) {
    char line[kStackLine];
    out.append(line, write_line(line, r));
    return;
  }
  const std::size_t start = out.size();
  out.resize(start + bound);
  char* end = write_line(out.data() + start, r);
  out.resize(static_cast<std::size_t>(end - out.data()));
}

std::unique_ptr<Formatter> make_formatter(LogFormat format, bool color) {
  if (format == LogFormat::kConsole) return std::make_unique<ConsoleFormatter>(color);
  return std::make_unique<JsonFormatter>();
}

}  // namespace vigil
