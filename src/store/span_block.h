// Spans are stored in blocks: one SQLite row holds up to a few hundred spans
// in a compact binary encoding, and a narrow index maps trace ids to the
// blocks holding their spans (as Tempo does). One row per span cost the
// writer a 380-byte row and three index entries per span; a block costs one
// row for hundreds of spans plus one index entry per trace.
//
// The encoding is ours and versioned by its first bytes. Per span, string
// fields equal to the previous span's (service, scope, resource, the trace
// id of a trace's next span, empty events...) are a bit in a flag word, and
// ids that are lowercase hex are stored as their bytes.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "store/store.h"

namespace vigil::store {

std::string encode_span_block(std::span<const SpanRow* const> spans);

// Reads a block span by span without building every SpanRow, so a lookup of
// one trace materialises only its own spans. Throws std::runtime_error when
// the data is not a block this code wrote. `data` must outlive the reader.
class SpanBlockReader {
 public:
  explicit SpanBlockReader(std::string_view data);
  std::size_t size() const { return static_cast<std::size_t>(count_); }
  bool next();  // to the next span; false after the last
  bool trace_id_is(std::string_view id) const;
  void read(SpanRow& out) const;  // the current span
  std::int64_t start_ns() const { return start_ns_; }

  static constexpr int kFieldCount = 11;

 private:
  struct Field {
    std::string_view raw;  // as stored
    bool packed_hex = false;
  };
  const char* p_ = nullptr;
  const char* end_ = nullptr;
  std::uint64_t count_ = 0, read_ = 0;
  Field fields_[kFieldCount];  // the current span's (a repeated field keeps the previous value)
  int kind_ = 0, status_code_ = 0;
  std::int64_t start_ns_ = 0, end_ns_ = 0;
};

std::vector<SpanRow> decode_span_block(std::string_view data);  // every span

// The index key of a trace id: 64 bits of FNV-1a over its text. Two traces
// sharing a key only cost reading a block that is then filtered by id.
std::int64_t trace_key(std::string_view trace_id);

}  // namespace vigil::store
