// RFC 4180 CSV into typed columns. The file is mapped, not copied; fields
// are views unless quoted with "" escapes. Column kinds come from the
// caller (a reference's schema) or from the first rows. Every error names
// the file and the line the record started on.
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <limits>
#include <optional>
#include <system_error>
#include <unordered_set>

#include "common/gzip.h"
#include "monitor/csv_cells.h"
#include "monitor/csv_parser.h"
#include "monitor/csv_plain_rows.h"
#include "monitor/csv_stream.h"
#include "vigil/drift_report.h"

namespace vigil {

using detail::ColumnBuilder;
using detail::CsvParser;
using detail::is_missing_token;
using detail::parse_number;
using detail::trim;

const Column* Table::find(std::string_view name) const {
  for (const auto& c : columns)
    if (c.name == name) return &c;
  return nullptr;
}

namespace {

std::vector<std::string> read_header(CsvParser& parser, const std::string& name) {
  std::vector<std::string_view> fields;
  if (!parser.next(fields)) throw CsvError(name, 1, "empty file: expected a header row");
  std::vector<std::string> header;
  std::unordered_set<std::string> seen;
  for (auto f : fields) {
    std::string h(trim(f));
    if (h.empty()) throw CsvError(name, parser.record_line(), "empty column name in the header");
    if (!seen.insert(h).second) throw CsvError(name, parser.record_line(), "duplicate column '" + h + "' in the header");
    header.push_back(std::move(h));
  }
  return header;
}

// A column is numeric when every value in `held` that is not missing parses
// as a number (and there is at least one).
bool all_numbers(const std::vector<std::vector<std::string>>& held, std::size_t c) {
  bool any = false;
  for (const auto& row : held) {
    std::string_view t = trim(row[c]);
    if (is_missing_token(t)) continue;
    double v;
    any = true;
    if (!parse_number(t, v)) return false;
  }
  return any;
}

}  // namespace

Table parse_csv(std::string_view text, const std::string& name, const CsvOptions& options) {
  if (text.size() >= 3 && std::memcmp(text.data(), "\xEF\xBB\xBF", 3) == 0) text.remove_prefix(3);  // UTF-8 BOM
  CsvParser parser(text, name, options.delimiter, options.max_record_bytes);
  const std::vector<std::string> header = read_header(parser, name);
  const std::size_t ncols = header.size();
  std::vector<std::string_view> fields;
  auto check_width = [&](std::size_t n) {
    if (n != ncols)
      throw CsvError(name, parser.record_line(),
                     "expected " + std::to_string(ncols) + " fields, found " + std::to_string(n));
  };
  // Kinds not given are inferred from the first infer_rows rows, which are
  // held as strings until then.
  std::vector<std::vector<std::string>> held;
  std::vector<std::size_t> held_lines;
  bool more = true;
  std::vector<bool> numeric(ncols, true);
  for (std::size_t c = 0; c < ncols; ++c) {
    auto it = options.kinds.find(header[c]);
    if (it != options.kinds.end()) {
      numeric[c] = it->second == FeatureKind::kNumeric;
      continue;
    }
    while (held.size() < options.infer_rows && more && (more = parser.next(fields))) {
      check_width(fields.size());
      held.emplace_back(fields.begin(), fields.end());
      held_lines.push_back(parser.record_line());
    }
    numeric[c] = all_numbers(held, c);
  }
  std::vector<ColumnBuilder> builders;
  for (std::size_t c = 0; c < ncols; ++c)
    builders.emplace_back(header[c], numeric[c] ? FeatureKind::kNumeric : FeatureKind::kCategorical);
  Table table;
  std::size_t line = 0;
  for (auto& b : builders) b.watch_line(&line);
  for (std::size_t r = 0; r < held.size(); ++r) {
    line = held_lines[r];
    for (std::size_t c = 0; c < ncols; ++c) builders[c].add(held[r][c]);
    ++table.rows;
  }
  std::size_t since_progress = 0;
  while (more && parser.next(fields)) {
    check_width(fields.size());
    line = parser.record_line();
    for (std::size_t c = 0; c < ncols; ++c) builders[c].add(fields[c]);
    ++table.rows;
    if (options.progress && ++since_progress == 16384) {
      since_progress = 0;
      options.progress(parser.position(), text.size());
    }
  }
  if (options.progress) options.progress(text.size(), text.size());
  for (auto& b : builders) table.columns.push_back(b.finish());
  return table;
}

namespace detail {

CsvHead parse_csv_head(std::string_view text, const std::string& name, const CsvOptions& options,
                       std::size_t first_line) {
  const bool bom = first_line == 1 && text.size() >= 3 && std::memcmp(text.data(), "\xEF\xBB\xBF", 3) == 0;
  CsvParser parser(text.substr(bom ? 3 : 0), name, options.delimiter, options.max_record_bytes, first_line);
  CsvHead head;
  head.header = read_header(parser, name);
  head.body_offset = (bom ? 3 : 0) + parser.position();
  head.body_line = parser.line();
  const std::size_t ncols = head.header.size();
  std::vector<std::vector<std::string>> held;
  std::vector<std::string_view> fields;
  bool infer = std::any_of(head.header.begin(), head.header.end(), [&](const std::string& h) { return !options.kinds.count(h); });
  // A ragged row ends the sample; parsing the body names it.
  while (infer && held.size() < options.infer_rows && parser.next(fields) && fields.size() == ncols)
    held.emplace_back(fields.begin(), fields.end());
  for (std::size_t c = 0; c < ncols; ++c) {
    auto it = options.kinds.find(head.header[c]);
    bool numeric = it != options.kinds.end() ? it->second == FeatureKind::kNumeric : all_numbers(held, c);
    head.kinds.push_back(numeric ? FeatureKind::kNumeric : FeatureKind::kCategorical);
  }
  return head;
}

// One per profiling thread: the builders (their buffers, and category
// dictionaries up to kKeptCategories) live from chunk to chunk, so a chunk
// costs no allocation once the first few are through.
struct CsvChunkParser::Impl {
  static constexpr std::size_t kKeptCategories = 4096;
  CsvHead head;
  CsvOptions options;
  std::vector<ColumnBuilder> builders;
};

CsvChunkParser::CsvChunkParser(const CsvHead& head, const CsvOptions& options) : impl_(std::make_unique<Impl>()) {
  impl_->head = head;
  impl_->options = options;
  for (std::size_t c = 0; c < head.header.size(); ++c) impl_->builders.emplace_back(head.header[c], head.kinds[c]);
}

CsvChunkParser::~CsvChunkParser() = default;

std::size_t CsvChunkParser::parse(std::string_view text, const std::string& name, std::size_t first_line) {
  auto& builders = impl_->builders;
  const char delim = impl_->options.delimiter;
  std::size_t field = 0, rows = 0, line = 0;
  for (auto& b : builders) b.clear(Impl::kKeptCategories), b.watch_line(&line);
  // A delimiter that can be part of a number would be read as one.
  const bool plain = !builders.empty() && !std::memchr(text.data(), '"', text.size()) && std::strchr("0123456789.-", delim) == nullptr;
  if (plain) {
    if (auto plain_rows = parse_plain_rows(text, delim, impl_->options.max_record_bytes, first_line, line, builders))
      return *plain_rows;
    for (auto& b : builders) b.clear(Impl::kKeptCategories);
  }
  CsvParser parser(text, name, delim, impl_->options.max_record_bytes, first_line);
  auto to_column = [&](std::string_view f) {
    if (field == 0) line = parser.record_line();
    if (field < builders.size()) builders[field].add(f);
    ++field;
  };
  for (; parser.next_each(to_column); field = 0) {
    if (field != builders.size())
      throw CsvError(name, parser.record_line(),
                     "expected " + std::to_string(builders.size()) + " fields, found " + std::to_string(field));
    ++rows;
  }
  return rows;
}

std::size_t CsvChunkParser::columns() const { return impl_->builders.size(); }
const Column& CsvChunkParser::column(std::size_t i) const { return impl_->builders[i].column(); }

}  // namespace detail

namespace {

// The file mapped read-only for as long as this lives.
class MappedFile {
 public:
  explicit MappedFile(const std::filesystem::path& path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw std::system_error(errno, std::generic_category(), "cannot open " + path.string());
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
      ::close(fd);
      throw std::runtime_error("cannot read " + path.string() + ": not a regular file");
    }
    size_ = static_cast<std::size_t>(st.st_size);
    if (size_ == 0) {
      ::close(fd);
      throw CsvError(path.string(), 1, "empty file: expected a header row");
    }
    map_ = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd, 0);
    ::close(fd);
    if (map_ == MAP_FAILED) throw std::system_error(errno, std::generic_category(), "cannot map " + path.string());
    ::madvise(map_, size_, MADV_SEQUENTIAL);
  }
  ~MappedFile() { ::munmap(map_, size_); }
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  std::string_view text() const { return {static_cast<const char*>(map_), size_}; }

 private:
  void* map_ = nullptr;
  std::size_t size_ = 0;
};

// Standard input, read once: `-` may be looked at twice (kinds, then rows).
const std::string& stdin_text() {
  static const std::string text = [] {
    std::string all;
    char buf[1 << 16];
    for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, stdin)) > 0;) all.append(buf, n);
    return all;
  }();
  return text;
}

// A CSV's text: a mapped file, a gzip file (by its magic bytes) decoded
// into memory, or standard input for "-" (itself possibly gzip).
class CsvInput {
 public:
  explicit CsvInput(const std::filesystem::path& path) : name_(path == "-" ? "<stdin>" : path.string()) {
    if (path == "-") {
      text_ = stdin_text();
    } else {
      file_.emplace(path);
      text_ = file_->text();
    }
    if (text_.size() >= 2 && static_cast<unsigned char>(text_[0]) == 0x1f && static_cast<unsigned char>(text_[1]) == 0x8b) {
      try {
        decoded_ = detail::gzip_decompress(text_, std::numeric_limits<std::size_t>::max() / 2);
      } catch (const std::exception& e) {
        throw std::runtime_error(name_ + ": corrupt or truncated gzip: " + e.what());
      }
      text_ = decoded_;
    }
    if (text_.empty()) throw CsvError(name_, 1, "empty file: expected a header row");
  }
  std::string_view text() const { return text_; }
  const std::string& name() const { return name_; }

 private:
  std::string name_;
  std::optional<MappedFile> file_;
  std::string decoded_;
  std::string_view text_;
};

}  // namespace

std::map<std::string, FeatureKind, std::less<>> infer_csv_kinds(const std::filesystem::path& path,
                                                                 const CsvOptions& options) {
  CsvInput file(path);
  // Parse a prefix holding the header and the rows inference looks at.
  std::string_view text = file.text();
  std::size_t end = 0, lines = 0;
  while (end < text.size() && lines <= options.infer_rows + 1) {
    std::size_t nl = text.find('\n', end);
    end = nl == std::string_view::npos ? text.size() : nl + 1;
    ++lines;
  }
  std::string_view prefix = text.substr(0, end);
  Table t;
  try {
    t = parse_csv(prefix, file.name(), CsvOptions{.delimiter = options.delimiter, .kinds = options.kinds,
                                                  .infer_rows = options.infer_rows});
  } catch (const CsvError& e) {
    // A quoted newline may have been cut at the prefix's end: the full read will judge.
    if (end == text.size()) throw;
    t = parse_csv(text, file.name(), CsvOptions{.delimiter = options.delimiter, .kinds = options.kinds,
                                                .infer_rows = options.infer_rows});
  }
  std::map<std::string, FeatureKind, std::less<>> kinds;
  for (const auto& c : t.columns) kinds[c.name] = c.kind;
  return kinds;
}

Table read_csv(const std::filesystem::path& path, const CsvOptions& options) {
  CsvInput file(path);
  return parse_csv(file.text(), file.name(), options);
}

}  // namespace vigil
