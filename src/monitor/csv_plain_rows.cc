// Quote-free chunks in one pass: see csv_plain_rows.h.
#include "monitor/csv_plain_rows.h"

namespace vigil::detail {
namespace {

// Where the field that starts at p ends: a delimiter, a line end or `end`.
const char* field_end(const char* p, const char* end, char delim) {
  while (p != end && *p != delim && *p != '\n' && *p != '\r') ++p;
  return p;
}

}  // namespace

std::optional<std::size_t> parse_plain_rows(std::string_view text, char delim, std::size_t max_record_bytes,
                                            std::size_t first_line, std::size_t& line,
                                            std::vector<ColumnBuilder>& builders) {
  const char* p = text.data();
  const char* const end = p + text.size();
  const std::size_t columns = builders.size();
  std::size_t rows = 0;
  line = first_line;
  std::size_t next_line = first_line;
  while (true) {
    for (; p != end && (*p == '\n' || *p == '\r'); ++p) next_line += *p == '\n';  // blank lines, as CsvParser skips them
    if (p == end) return rows;
    line = next_line;
    const char* const record = p;
    for (std::size_t c = 0;; ++c) {
      ColumnBuilder& column = builders[c];
      if (const char* after = column.add_plain_number(p, end, delim)) {
        p = after;
      } else {
        const char* after_field = field_end(p, end, delim);
        column.add(std::string_view(p, static_cast<std::size_t>(after_field - p)));
        p = after_field;
      }
      const bool last = c + 1 == columns;
      if (p != end && *p == delim) {
        if (last) return std::nullopt;  // more fields than the header
        ++p;
        continue;
      }
      if (!last) return std::nullopt;  // fewer fields than the header
      break;
    }
    if (p != end && *p == '\r') ++p;
    if (p != end && *p == '\n') ++p, ++next_line;
    if (static_cast<std::size_t>(p - record) > max_record_bytes) return std::nullopt;
    ++rows;
  }
}

}  // namespace vigil::detail
