// A CSV input read once, front to back, in chunks that end on a record
// boundary: a file, a gzip file (decompressed as it is read) or standard
// input. Memory is one chunk plus the record that straddles it, never the
// whole input.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "vigil/drift_report.h"

namespace vigil::detail {

// The header row and the column kinds (given, or inferred from the rows
// that follow the header in `text`), and where the rows start.
struct CsvHead {
  std::vector<std::string> header;
  std::vector<FeatureKind> kinds;
  std::size_t body_offset = 0;  // in text, after the header record
  std::size_t body_line = 2;
};
// `text` starts at line `first_line` of the file; a byte-order mark is
// looked for only at line 1.
CsvHead parse_csv_head(std::string_view text, const std::string& name, const CsvOptions& options,
                       std::size_t first_line = 1);
// Whole records without a header into columns of `head`, chunk after chunk
// (one parser per thread). Errors name `name` and the line counted from
// first_line.
class CsvChunkParser {
 public:
  CsvChunkParser(const CsvHead& head, const CsvOptions& options);
  ~CsvChunkParser();
  CsvChunkParser(const CsvChunkParser&) = delete;
  CsvChunkParser& operator=(const CsvChunkParser&) = delete;

  // Parses a chunk; returns its rows. The columns hold this chunk's values
  // until the next call (a categorical column's dictionary may also hold
  // categories of earlier chunks: count its codes, not its dictionary).
  std::size_t parse(std::string_view text, const std::string& name, std::size_t first_line);
  std::size_t columns() const;
  const Column& column(std::size_t i) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

struct CsvChunk {
  std::string text;            // whole records, each ending in '\n' (the last of the input may not)
  std::size_t first_line = 1;  // line number of text's first byte
};

class CsvStream {
 public:
  struct Options {
    std::size_t chunk_bytes = std::size_t{4} << 20;
    // A record (a line, or lines joined by a quoted newline) longer than
    // this is an error naming its line, so one endless line cannot take
    // the machine's memory.
    std::size_t max_record_bytes = std::size_t{64} << 20;
  };
  // Throws std::runtime_error naming the path when it cannot be opened.
  CsvStream(const std::filesystem::path& path, Options options);
  ~CsvStream();
  CsvStream(const CsvStream&) = delete;
  CsvStream& operator=(const CsvStream&) = delete;

  // The next chunk; false once the input is exhausted. Throws CsvError for
  // an over-long record and std::runtime_error for a corrupt or truncated
  // gzip stream or a read error, each naming the input.
  bool next(CsvChunk& out);
  const std::string& name() const { return name_; }
  std::uint64_t bytes_read() const;  // of the input as stored (compressed bytes for gzip)
  std::uint64_t size() const;        // the stored size, 0 when unknown (standard input)

 private:
  class Source;
  std::size_t read_more();
  std::size_t record_end() const;  // end of the last whole record in buffer_, 0 if none

  std::string name_;
  Options options_;
  std::unique_ptr<Source> source_;
  std::string buffer_;  // starts on a record boundary
  std::size_t line_ = 1;
  bool eof_ = false;
};

}  // namespace vigil::detail
