// The span block encoding (see span_block.h).
//
//   block  := "VSB1" varint(count) span*
//   span   := varint(flags) field* zigzag(kind) zigzag(status_code)
//             zigzag(start_ns - previous start_ns) zigzag(end_ns - start_ns)
//   field  := varint(length) bytes          for each string field whose
//                                           "same as previous" bit is clear
// Flag bit i (0..10): string field i equals the previous span's.
// Flag bit 16+i (ids only): the id is stored as bytes, decoded to lowercase hex.
#include "store/span_block.h"

#include <stdexcept>

#include "trace/hex.h"

namespace vigil::store {
namespace {

constexpr std::string_view kMagic = "VSB1";

// The string fields, in encoding order; the first three are ids.
constexpr std::string SpanRow::*kFields[] = {
    &SpanRow::trace_id,       &SpanRow::span_id,    &SpanRow::parent_span_id, &SpanRow::service,
    &SpanRow::name,           &SpanRow::scope,      &SpanRow::status_message, &SpanRow::attributes,
    &SpanRow::events,         &SpanRow::links,      &SpanRow::resource,
};
constexpr int kIdFields = 3;
static_assert(std::size(kFields) == SpanBlockReader::kFieldCount);
constexpr std::uint32_t kPackedHexBit = 16;

void put_varint(std::string& out, std::uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>(v | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

std::uint64_t zigzag(std::int64_t v) {
  return (static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v >> 63);
}
std::int64_t unzigzag(std::uint64_t v) { return static_cast<std::int64_t>(v >> 1) ^ -static_cast<std::int64_t>(v & 1); }

// Differences wrap instead of overflowing: any int64 pair round-trips, and
// a corrupt block cannot cause undefined behaviour.
std::int64_t wrapping_sub(std::int64_t a, std::int64_t b) {
  return static_cast<std::int64_t>(static_cast<std::uint64_t>(a) - static_cast<std::uint64_t>(b));
}
std::int64_t wrapping_add(std::int64_t a, std::int64_t b) {
  return static_cast<std::int64_t>(static_cast<std::uint64_t>(a) + static_cast<std::uint64_t>(b));
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

bool is_packable_hex(const std::string& s) {
  if (s.size() % 2) return false;
  for (char c : s)
    if (hex_value(c) < 0) return false;
  return true;
}

class Reader {
 public:
  explicit Reader(std::string_view data) : p_(data.data()), end_(data.data() + data.size()) {}

  std::uint64_t varint() {
    std::uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (p_ == end_) corrupt();
      auto b = static_cast<unsigned char>(*p_++);
      v |= static_cast<std::uint64_t>(b & 0x7f) << shift;
      if (!(b & 0x80)) return v;
    }
    corrupt();
  }
  std::string_view bytes(std::uint64_t n) {
    if (n > static_cast<std::uint64_t>(end_ - p_)) corrupt();
    std::string_view s(p_, static_cast<std::size_t>(n));
    p_ += n;
    return s;
  }
  bool done() const { return p_ == end_; }
  std::size_t remaining() const { return static_cast<std::size_t>(end_ - p_); }
  [[noreturn]] static void corrupt() { throw std::runtime_error("corrupt span block"); }

 private:
  const char* p_;
  const char* end_;
};

}  // namespace

std::string encode_span_block(std::span<const SpanRow* const> spans) {
  std::string out;
  out.reserve(64 + spans.size() * 96);
  out.append(kMagic);
  put_varint(out, spans.size());
  static const SpanRow kFirst;  // the "previous span" of the first one
  const SpanRow* prev = &kFirst;
  for (const SpanRow* span : spans) {
    const SpanRow& s = *span;
    std::uint32_t flags = 0;
    for (int i = 0; i < std::ssize(kFields); ++i) {
      if (s.*kFields[i] == prev->*kFields[i]) flags |= 1u << i;
      else if (i < kIdFields && is_packable_hex(s.*kFields[i])) flags |= 1u << (kPackedHexBit + i);
    }
    put_varint(out, flags);
    for (int i = 0; i < std::ssize(kFields); ++i) {
      if (flags & (1u << i)) continue;
      const std::string& v = s.*kFields[i];
      if (flags & (1u << (kPackedHexBit + i))) {
        put_varint(out, v.size() / 2);
        for (std::size_t k = 0; k < v.size(); k += 2)
          out.push_back(static_cast<char>(hex_value(v[k]) * 16 + hex_value(v[k + 1])));
      } else {
        put_varint(out, v.size());
        out.append(v);
      }
    }
    put_varint(out, zigzag(s.kind));
    put_varint(out, zigzag(s.status_code));
    put_varint(out, zigzag(wrapping_sub(s.start_ns, prev->start_ns)));
    put_varint(out, zigzag(wrapping_sub(s.end_ns, s.start_ns)));
    prev = &s;
  }
  return out;
}

SpanBlockReader::SpanBlockReader(std::string_view data) {
  if (data.substr(0, kMagic.size()) != kMagic) Reader::corrupt();
  p_ = data.data() + kMagic.size();
  end_ = data.data() + data.size();
  Reader in(std::string_view(p_, static_cast<std::size_t>(end_ - p_)));
  count_ = in.varint();
  if (count_ > data.size() / 5) Reader::corrupt();  // every span takes at least five bytes
  p_ = end_ - in.remaining();
  static const SpanRow kFirst;  // the encoder's "previous span" of the first one
  for (int i = 0; i < kFieldCount; ++i) fields_[i] = {kFirst.*kFields[i], false};
}

bool SpanBlockReader::next() {
  Reader in(std::string_view(p_, static_cast<std::size_t>(end_ - p_)));
  if (read_ == count_) {
    if (!in.done()) Reader::corrupt();
    return false;
  }
  std::uint64_t flags = in.varint();
  for (int i = 0; i < kFieldCount; ++i) {
    if (flags & (1u << i)) continue;  // the previous span's value stays
    fields_[i] = {in.bytes(in.varint()), (flags & (1u << (kPackedHexBit + i))) != 0};
  }
  kind_ = static_cast<int>(unzigzag(in.varint()));
  status_code_ = static_cast<int>(unzigzag(in.varint()));
  start_ns_ = wrapping_add(start_ns_, unzigzag(in.varint()));
  end_ns_ = wrapping_add(start_ns_, unzigzag(in.varint()));
  p_ = end_ - in.remaining();
  ++read_;
  return true;
}

bool SpanBlockReader::trace_id_is(std::string_view id) const {
  const Field& f = fields_[0];
  if (!f.packed_hex) return f.raw == id;
  if (id.size() != 2 * f.raw.size()) return false;
  for (std::size_t k = 0; k < f.raw.size(); ++k)
    if (hex_value(id[2 * k]) * 16 + hex_value(id[2 * k + 1]) != static_cast<unsigned char>(f.raw[k])) return false;
  return true;
}

void SpanBlockReader::read(SpanRow& s) const {
  for (int i = 0; i < kFieldCount; ++i) {
    std::string& v = s.*kFields[i];
    const Field& f = fields_[i];
    if (!f.packed_hex) {
      v.assign(f.raw);
      continue;
    }
    v.resize(f.raw.size() * 2);
    detail::write_hex(reinterpret_cast<const std::uint8_t*>(f.raw.data()), f.raw.size(), v.data());
  }
  s.kind = kind_;
  s.status_code = status_code_;
  s.start_ns = start_ns_;
  s.end_ns = end_ns_;
}

std::vector<SpanRow> decode_span_block(std::string_view data) {
  SpanBlockReader in(data);
  std::vector<SpanRow> out;
  out.reserve(in.size());
  while (in.next()) in.read(out.emplace_back());
  return out;
}

std::int64_t trace_key(std::string_view trace_id) {
  std::uint64_t h = 0xcbf29ce484222325ull;
  for (char c : trace_id) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ull;
  }
  return static_cast<std::int64_t>(h);
}

}  // namespace vigil::store
