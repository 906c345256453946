// Packs a LogRecord (every string it views included) into one flat byte
// buffer and unpacks it back into views of that buffer. The async ring
// stores records this way: a producer writes a few contiguous cache lines
// in one pass (no pointers to chase, nothing to allocate), and the consumer
// reads them in place.
//
// Layout (native byte order; both ends are this process):
//   Header | logger | message | [exc.type | exc.message | exc.stack] | fields...
//   string = u32 length + bytes;  field = u8 kind + string key + value,
//   value = the FieldValue's 8-byte word for scalars, or a string.
// The exception strings are there only when the header says so: a record
// without one (nearly all) pays nothing for them.
#pragma once

#include <cstring>
#include <vector>

#include "vigil/log.h"

namespace vigil::detail {

struct PackedHeader {
  std::uint64_t time_unix_nano;
  TraceId trace_id;
  SpanId span_id;
  std::uint16_t bound_count;
  std::uint16_t field_count;
  std::uint8_t level;
  std::uint8_t trace_flags;
  std::uint8_t has_exception;
};

inline bool has_exception(const LogRecord& r) {
  return !r.exception_type.empty() || !r.exception_message.empty() || !r.exception_stacktrace.empty();
}

inline std::size_t packed_field_size(const Field& f) {
  const bool is_string = f.value.kind() == FieldValue::Kind::kString;
  return 1 + 4 + f.key.size() + (is_string ? 4 + f.value.word() : 8);
}

// Header, logger, message and exception: everything but the fields.
inline std::size_t packed_fixed_size(const LogRecord& r, bool exception) {
  std::size_t n = sizeof(PackedHeader) + 8 + r.logger.size() + r.message.size();
  if (exception) n += 12 + r.exception_type.size() + r.exception_message.size() + r.exception_stacktrace.size();
  return n;
}

inline std::size_t packed_size(const LogRecord& r) {
  std::size_t n = packed_fixed_size(r, has_exception(r));
  for (const Field& f : r.bound) n += packed_field_size(f);
  for (const Field& f : r.fields) n += packed_field_size(f);
  return n;
}

// memcpy for the short keys and values of log fields: fixed-size
// (inlined) overlapping copies instead of a libc call per string, which
// cost more than the rest of packing together.
inline void copy_short(char* dst, const char* src, std::size_t n) {
  if (n >= 16) {
    if (n > 32) return (void)std::memcpy(dst, src, n);
    std::memcpy(dst, src, 16);
    std::memcpy(dst + n - 16, src + n - 16, 16);
  } else if (n >= 8) {
    std::memcpy(dst, src, 8);
    std::memcpy(dst + n - 8, src + n - 8, 8);
  } else if (n >= 4) {
    std::memcpy(dst, src, 4);
    std::memcpy(dst + n - 4, src + n - 4, 4);
  } else if (n > 0) {
    dst[0] = src[0];
    dst[n / 2] = src[n / 2];
    dst[n - 1] = src[n - 1];
  }
}

inline char* put_string(char* p, const char* s, std::size_t n) {
  auto n32 = static_cast<std::uint32_t>(n);
  std::memcpy(p, &n32, 4);
  copy_short(p + 4, s, n);
  return p + 4 + n;
}
inline char* put_string(char* p, std::string_view s) { return put_string(p, s.data(), s.size()); }

// Appends a field if packed_field_size(f) bytes are left before `end`;
// nullptr when they are not.
inline char* put_field(char* p, const char* end, const Field& f) {
  if (packed_field_size(f) > static_cast<std::size_t>(end - p)) return nullptr;
  const std::size_t key = f.key.size();
  const std::uint64_t word = f.value.word();
  // Kind and key length in one 8-byte store; its last 3 bytes are scratch
  // that the key or value overwrites (a field is at least 9 bytes).
  std::uint64_t head = static_cast<std::uint64_t>(f.value.kind()) | static_cast<std::uint64_t>(key) << 8;
  std::memcpy(p, &head, 8);
  copy_short(p + 5, f.key.data(), key);
  p += 5 + key;
  if (f.value.kind() == FieldValue::Kind::kString) return put_string(p, f.value.string_data(), word);
  std::memcpy(p, &word, 8);
  return p + 8;
}

// Packs `r` at `out` in one pass if it fits in `cap` bytes; returns the
// bytes used (packed_size(r)), or 0 when it does not fit.
inline std::size_t pack(const LogRecord& r, char* out, std::size_t cap) {
  const char* const end = out + cap;
  const bool exception = has_exception(r);
  if (packed_fixed_size(r, exception) > cap) return 0;
  PackedHeader h{r.time_unix_nano,
                 r.trace_id,
                 r.span_id,
                 static_cast<std::uint16_t>(r.bound.size()),
                 static_cast<std::uint16_t>(r.fields.size()),
                 static_cast<std::uint8_t>(r.level),
                 r.trace_flags,
                 exception};
  std::memcpy(out, &h, sizeof h);
  char* p = put_string(out + sizeof h, r.logger);
  p = put_string(p, r.message);
  if (exception) {
    p = put_string(p, r.exception_type);
    p = put_string(p, r.exception_message);
    p = put_string(p, r.exception_stacktrace);
  }
  for (const Field& f : r.bound)
    if (!(p = put_field(p, end, f))) return 0;
  for (const Field& f : r.fields)
    if (!(p = put_field(p, end, f))) return 0;
  return static_cast<std::size_t>(p - out);
}

// Views of a packed buffer; `fields` holds the decoded Field array.
inline void unpack(const char* p, LogRecord& r, std::vector<Field>& fields) {
  PackedHeader h;
  std::memcpy(&h, p, sizeof h);
  p += sizeof h;
  auto str = [&p]() {
    std::uint32_t n;
    std::memcpy(&n, p, 4);
    std::string_view s(p + 4, n);
    p += 4 + n;
    return s;
  };
  r.time_unix_nano = h.time_unix_nano;
  r.trace_id = h.trace_id;
  r.span_id = h.span_id;
  r.level = static_cast<Level>(h.level);
  r.trace_flags = h.trace_flags;
  r.logger = str();
  r.message = str();
  r.exception_type = h.has_exception ? str() : std::string_view();
  r.exception_message = h.has_exception ? str() : std::string_view();
  r.exception_stacktrace = h.has_exception ? str() : std::string_view();
  std::size_t total = std::size_t{h.bound_count} + h.field_count;
  fields.resize(total);
  for (std::size_t i = 0; i < total; ++i) {
    auto kind = static_cast<FieldValue::Kind>(*p++);
    fields[i].key = str();
    if (kind == FieldValue::Kind::kString) {
      fields[i].value = FieldValue(str());
    } else {
      std::uint64_t word;
      std::memcpy(&word, p, 8);
      p += 8;
      fields[i].value = FieldValue::from_word(kind, word);
    }
  }
  r.bound = std::span<const Field>(fields.data(), h.bound_count);
  r.fields = std::span<const Field>(fields.data() + h.bound_count, h.field_count);
}

// A record that owns its bytes: for sinks that keep records past write().
class OwnedRecord {
 public:
  explicit OwnedRecord(const LogRecord& r) : bytes_(std::max<std::size_t>(packed_size(r), 32), '\0') {
    pack(r, bytes_.data(), bytes_.size());
    unpack(bytes_.data(), record_, fields_);
  }
  OwnedRecord(OwnedRecord&&) = default;  // the heap buffers move, the views stay valid
  OwnedRecord& operator=(OwnedRecord&&) = default;
  const LogRecord& record() const { return record_; }

 private:
  std::string bytes_;  // at least 32 bytes: never in the small-string buffer, which moves
  std::vector<Field> fields_;
  LogRecord record_;
};

}  // namespace vigil::detail
