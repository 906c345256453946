// Packs a LogRecord (every string it views included) into one flat byte
// buffer and unpacks it back into views of that buffer. The async ring
// stores records this way: a producer writes a few contiguous cache lines
// with memcpy (no pointers to chase, nothing to allocate), and the consumer
// reads them in place.
//
// Layout (native byte order; both ends are this process):
//   Header | logger | message | exc.type | exc.message | exc.stack | fields...
//   string = u32 length + bytes;  field = u8 kind + string key + value,
//   value = 8 bytes for scalars or a string.
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
};

inline std::size_t packed_field_size(const Field& f) {
  std::size_t n = 1 + 4 + f.key.size();
  const auto& v = f.value.get();
  return v.index() == 5 ? n + 4 + std::get_if<5>(&v)->size() : n + 8;
}

inline std::size_t packed_size(const LogRecord& r) {
  std::size_t n = sizeof(PackedHeader) + 5 * 4 + r.logger.size() + r.message.size() + r.exception_type.size() +
                  r.exception_message.size() + r.exception_stacktrace.size();
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

class PackWriter {
 public:
  explicit PackWriter(char* p) : p_(p) {}
  template <std::size_t N>
  void fixed(const void* src) {
    std::memcpy(p_, src, N);
    p_ += N;
  }
  void str(std::string_view s) {
    auto n = static_cast<std::uint32_t>(s.size());
    fixed<4>(&n);
    copy_short(p_, s.data(), s.size());
    p_ += s.size();
  }
  void field(const Field& f) {
    const auto& v = f.value.get();
    auto kind = static_cast<std::uint8_t>(v.index());
    fixed<1>(&kind);
    str(f.key);
    char slot[8] = {};
    switch (kind) {
      case 1: slot[0] = *std::get_if<1>(&v); break;
      case 2: std::memcpy(slot, std::get_if<2>(&v), 8); break;
      case 3: std::memcpy(slot, std::get_if<3>(&v), 8); break;
      case 4: std::memcpy(slot, std::get_if<4>(&v), 8); break;
      case 5: return str(*std::get_if<5>(&v));
      default: break;  // null
    }
    fixed<8>(slot);
  }

 private:
  char* p_;
};

// Writes packed_size(r) bytes at `out`.
inline void pack(const LogRecord& r, char* out) {
  PackedHeader h{r.time_unix_nano,
                 r.trace_id,
                 r.span_id,
                 static_cast<std::uint16_t>(r.bound.size()),
                 static_cast<std::uint16_t>(r.fields.size()),
                 static_cast<std::uint8_t>(r.level),
                 r.trace_flags};
  PackWriter w(out);
  w.fixed<sizeof h>(&h);
  w.str(r.logger);
  w.str(r.message);
  w.str(r.exception_type);
  w.str(r.exception_message);
  w.str(r.exception_stacktrace);
  for (const Field& f : r.bound) w.field(f);
  for (const Field& f : r.fields) w.field(f);
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
  r.exception_type = str();
  r.exception_message = str();
  r.exception_stacktrace = str();
  std::size_t total = std::size_t{h.bound_count} + h.field_count;
  fields.resize(total);
  for (std::size_t i = 0; i < total; ++i) {
    auto kind = static_cast<std::uint8_t>(*p++);
    fields[i].key = str();
    auto scalar = [&p]<typename T>(T*) {
      T x;
      std::memcpy(&x, p, sizeof x);
      p += 8;
      return FieldValue(x);
    };
    switch (kind) {
      case 0: p += 8; fields[i].value = FieldValue(nullptr); break;
      case 1: fields[i].value = scalar(static_cast<bool*>(nullptr)); break;
      case 2: fields[i].value = scalar(static_cast<std::int64_t*>(nullptr)); break;
      case 3: fields[i].value = scalar(static_cast<std::uint64_t*>(nullptr)); break;
      case 4: fields[i].value = scalar(static_cast<double*>(nullptr)); break;
      default: fields[i].value = FieldValue(str()); break;
    }
  }
  r.bound = std::span<const Field>(fields.data(), h.bound_count);
  r.fields = std::span<const Field>(fields.data() + h.bound_count, h.field_count);
}

// A record that owns its bytes: for sinks that keep records past write().
class OwnedRecord {
 public:
  explicit OwnedRecord(const LogRecord& r) : bytes_(std::max<std::size_t>(packed_size(r), 32), '\0') {
    pack(r, bytes_.data());
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
