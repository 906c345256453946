// RFC 4180 CSV into typed columns. The file is mapped, not copied; fields
// are views unless quoted with "" escapes. Column kinds come from the
// caller (a reference's schema) or from the first rows. Every error names
// the file and the line the record started on.
#include <algorithm>
#include <cstdio>
#include <limits>
#include <optional>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <charconv>
#include <cmath>
#include <cstring>
#include <system_error>
#include <deque>
#include <unordered_set>

#include "common/gzip.h"
#include "monitor/csv_stream.h"
#include "vigil/drift_report.h"

namespace vigil {
namespace {

// Category lookups run once per cell: a multiply-fold over 8-byte words is
// several times faster than std::hash on the short strings CSVs hold.
struct SvHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const {
    std::uint64_t h = 0x9e3779b97f4a7c15ull ^ s.size();
    std::size_t i = 0;
    for (; i + 8 <= s.size(); i += 8) {
      std::uint64_t w;
      std::memcpy(&w, s.data() + i, 8);
      h = (h ^ w) * 0xbf58476d1ce4e5b9ull;
      h ^= h >> 29;
    }
    std::uint64_t tail = 0;
    std::memcpy(&tail, s.data() + i, s.size() - i);
    h = (h ^ tail) * 0x94d049bb133111ebull;
    return static_cast<std::size_t>(h ^ (h >> 31));
  }
};

bool is_missing_token(std::string_view s) {
  return s.empty() || s == "NA" || s == "N/A" || s == "NaN" || s == "nan" || s == "null" || s == "NULL" ||
         s == "None";
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// [-]digits[.digits] with at most 15 significant digits (most CSV
// numbers), as the integer of its digits over a power of ten: both exact in
// a double, so the one division gives the correctly rounded value, the same
// as from_chars (Clinger's fast path). False for anything else.
bool parse_plain_decimal(std::string_view s, double& out) {
  static constexpr double kPow10[] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};
  const char* p = s.data();
  const char* end = p + s.size();
  const bool negative = p != end && *p == '-';
  p += negative;
  std::uint64_t digits = 0;
  int count = 0, fraction = -1;
  for (; p != end; ++p) {
    if (*p >= '0' && *p <= '9') {
      digits = digits * 10 + static_cast<std::uint64_t>(*p - '0');
      ++count;
      if (fraction >= 0) ++fraction;
    } else if (*p == '.' && fraction < 0) {
      fraction = 0;
    } else {
      return false;
    }
  }
  if (count == 0 || count > 15) return false;
  double v = static_cast<double>(digits) / kPow10[fraction > 0 ? fraction : 0];
  out = negative ? -v : v;
  return true;
}

bool parse_number(std::string_view s, double& out) {
  s = trim(s);
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  auto res = std::from_chars(s.data(), s.data() + s.size(), out);
  return res.ec == std::errc() && res.ptr == s.data() + s.size();
}

// Builds one column from its cells.
// Category -> code by open addressing over the dictionary: one probe in a
// flat array per cell, where a node-based map chases pointers (and missed
// the cache on every lookup once a table had hundreds of columns). A slot
// holds the hash's high half and code + 1 (0: empty).
class CategoryIndex {
 public:
  std::int32_t code(std::string_view value, std::vector<std::string>& dictionary) {
    if ((dictionary.size() + 1) * 2 > slots_.size()) rehash(dictionary);
    const std::uint64_t h = SvHash{}(value);
    const std::uint64_t tag = h >> 32 << 32;
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t i = h & mask;; i = (i + 1) & mask) {
      const std::uint64_t slot = slots_[i];
      if (slot == 0) {
        dictionary.emplace_back(value);
        slots_[i] = tag | dictionary.size();
        return static_cast<std::int32_t>(dictionary.size() - 1);
      }
      const auto code = static_cast<std::int32_t>((slot & 0xffffffffu) - 1);
      if ((slot & ~std::uint64_t{0xffffffffu}) == tag && dictionary[static_cast<std::size_t>(code)] == value) return code;
    }
  }

 private:
  void rehash(const std::vector<std::string>& dictionary) {
    std::size_t size = 16;
    while (size < 4 * (dictionary.size() + 1)) size *= 2;
    slots_.assign(size, 0);
    for (std::size_t k = 0; k < dictionary.size(); ++k) {
      const std::uint64_t h = SvHash{}(dictionary[k]);
      std::size_t i = h & (size - 1);
      while (slots_[i]) i = (i + 1) & (size - 1);
      slots_[i] = (h >> 32 << 32) | (k + 1);
    }
  }
  std::vector<std::uint64_t> slots_;
};

class ColumnBuilder {
 public:
  ColumnBuilder(std::string name, FeatureKind kind) {
    col_.name = std::move(name);
    col_.kind = kind;
  }
  void add(std::string_view cell) {
    if (col_.kind == FeatureKind::kNumeric && !cell.empty() &&
        ((cell.front() >= '0' && cell.front() <= '9') || cell.front() == '-')) {  // the common case, untrimmed
      double v;
      if (parse_plain_decimal(cell, v)) {
        col_.numbers.push_back(v);
        return;
      }
    }
    std::string_view t = trim(cell);
    if (col_.kind == FeatureKind::kNumeric) {
      double v;
      if (is_missing_token(t)) {
        col_.numbers.push_back(NAN);
      } else if (parse_number(t, v)) {
        col_.numbers.push_back(v);
      } else {
        if (col_.type_errors++ == 0) {  // the first is kept to name it
          col_.first_type_error = std::string(t.substr(0, 60));
          col_.first_type_error_line = line_ ? *line_ : 0;
        }
        col_.numbers.push_back(NAN);
      }
      return;
    }
    if (is_missing_token(t)) {
      col_.codes.push_back(-1);
      return;
    }
    col_.codes.push_back(index_.code(t, col_.dictionary));
  }
  // The line of the record being added, read when a value is a type error.
  void watch_line(const std::size_t* line) { line_ = line; }
  Column finish() { return std::move(col_); }
  const Column& column() const { return col_; }
  // Ready for the next chunk: values and type errors go, the buffers'
  // capacity stays, and so do the categories unless there are many.
  void clear(std::size_t kept_categories) {
    col_.numbers.clear();
    col_.codes.clear();
    col_.type_errors = 0;
    col_.first_type_error.clear();
    col_.first_type_error_line = 0;
    if (col_.dictionary.size() > kept_categories) {
      col_.dictionary.clear();
      index_ = {};
    }
  }

 private:
  Column col_;
  CategoryIndex index_;
  const std::size_t* line_ = nullptr;
};

class CsvParser {
 public:
  CsvParser(std::string_view text, const std::string& name, char delim, std::size_t max_record_bytes,
            std::size_t first_line = 1)
      : s_(text), name_(name), delim_(delim), max_record_(max_record_bytes), line_(first_line), record_line_(first_line) {
    for (char c : {delim, '\n', '\r', '"'}) special_[static_cast<unsigned char>(c)] = true;
  }

  // Reads the next record into `fields`; false at the end. Blank lines are skipped.
  bool next(std::vector<std::string_view>& fields) {
    fields.clear();
    return next_each([&](std::string_view f) { fields.push_back(f); });
  }

  // The same, handing each field to on_field as it is cut (no list kept).
  template <typename OnField>
  bool next_each(OnField&& on_field) {
    owned_.clear();
    while (pos_ < s_.size() && (s_[pos_] == '\n' || s_[pos_] == '\r')) {
      if (s_[pos_] == '\n') ++line_;
      ++pos_;
    }
    if (pos_ >= s_.size()) return false;
    record_line_ = line_;
    const std::size_t start = pos_;
    read_fields(on_field);
    if (pos_ - start > max_record_)
      throw CsvError(name_, record_line_, "a record longer than " + std::to_string(max_record_ >> 20) + " MiB");
    return true;
  }

  std::size_t record_line() const { return record_line_; }
  std::size_t position() const { return pos_; }
  std::size_t line() const { return line_; }

 private:
  template <typename OnField>
  void read_fields(OnField& on_field) {
    while (true) {
      if (pos_ < s_.size() && s_[pos_] == '"') {
        on_field(quoted_field());
      } else {
        std::size_t start = pos_;
        while (pos_ < s_.size() && !special_[static_cast<unsigned char>(s_[pos_])]) ++pos_;
        if (pos_ < s_.size() && s_[pos_] == '"') throw CsvError(name_, line_, "unexpected '\"' inside an unquoted field");
        on_field(s_.substr(start, pos_ - start));
      }
      if (pos_ >= s_.size()) return;
      char c = s_[pos_];
      if (c == delim_) {
        ++pos_;
        if (pos_ >= s_.size()) {  // trailing delimiter: one more empty field
          on_field(std::string_view());
          return;
        }
        continue;
      }
      // End of record: \n, \r\n or a lone \r.
      if (c == '\r') ++pos_;
      if (pos_ < s_.size() && s_[pos_] == '\n') {
        ++pos_;
        ++line_;
      }
      return;
    }
  }

  std::string_view quoted_field() {
    ++pos_;  // opening quote
    std::string value;
    std::size_t start = pos_;
    bool escaped = false;
    while (true) {
      if (pos_ >= s_.size()) throw CsvError(name_, record_line_, "unterminated quoted field");
      char c = s_[pos_];
      if (c == '"') {
        if (pos_ + 1 < s_.size() && s_[pos_ + 1] == '"') {  // "" is a quote
          value.append(s_.substr(start, pos_ + 1 - start));
          pos_ += 2;
          start = pos_;
          escaped = true;
          continue;
        }
        break;
      }
      if (c == '\n') ++line_;
      ++pos_;
    }
    std::string_view tail = s_.substr(start, pos_ - start);
    ++pos_;  // closing quote
    if (pos_ < s_.size() && s_[pos_] != delim_ && s_[pos_] != '\n' && s_[pos_] != '\r')
      throw CsvError(name_, line_, "unexpected character after a closing quote");
    if (!escaped) return tail;
    value.append(tail);
    owned_.push_back(std::move(value));
    return owned_.back();
  }

  std::string_view s_;
  const std::string& name_;
  char delim_;
  std::size_t max_record_;
  bool special_[256] = {};  // bytes that end an unquoted field
  std::size_t pos_ = 0;
  std::size_t line_, record_line_;
  std::deque<std::string> owned_;  // unescaped quoted fields of the current record (stable addresses)
};

}  // namespace

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

CsvHead parse_csv_head(std::string_view text, const std::string& name, const CsvOptions& options) {
  const std::size_t bom = text.size() >= 3 && std::memcmp(text.data(), "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
  CsvParser parser(text.substr(bom), name, options.delimiter, options.max_record_bytes);
  CsvHead head;
  head.header = read_header(parser, name);
  head.body_offset = bom + parser.position();
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
  for (auto& b : builders) b.clear(Impl::kKeptCategories);
  CsvParser parser(text, name, impl_->options.delimiter, impl_->options.max_record_bytes, first_line);
  std::size_t field = 0, rows = 0, line = 0;
  for (auto& b : builders) b.watch_line(&line);
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
