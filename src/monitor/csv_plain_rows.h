// The common chunk, parsed in one pass: no quotes, every record with the
// header's field count. Numbers are parsed where they lie while the fields
// are cut (see ColumnBuilder::add_plain_number), so a numeric cell's bytes
// are read once, where CsvParser's cut and then the number parse read them
// twice. Anything else is left to CsvParser, which names the error.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>
#include <vector>

#include "monitor/csv_cells.h"

namespace vigil::detail {

// Adds every record of `text` (whole records, no '"' anywhere) to
// `builders`, one per field; returns the rows. nullopt when a record has
// another field count or is longer than max_record_bytes: the builders then
// hold part of the chunk, and the caller clears them and parses the chunk
// with CsvParser, which reports that record as an error. `line` is set to
// each record's first line as it is added (type errors name it).
std::optional<std::size_t> parse_plain_rows(std::string_view text, char delim, std::size_t max_record_bytes,
                                            std::size_t first_line, std::size_t& line,
                                            std::vector<ColumnBuilder>& builders);

}  // namespace vigil::detail
