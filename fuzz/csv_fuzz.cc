// CSV files for `vigil drift`, profiled and compared with themselves; a
// gzip input goes through read_csv from an in-memory file, as a .csv.gz does.
// The one-pass reader (profile_csv, 64-byte chunks on two threads, so
// records straddle chunks) must agree with the in-memory parser: both
// refuse the input, or both accept it with the same rows and counts.
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "vigil/drift_report.h"

namespace {

void one_pass_agrees(const std::uint8_t* data, std::size_t size, const std::optional<vigil::Table>& table) {
  int fd = ::memfd_create("fuzz.csv", 0);
  if (fd < 0 || ::write(fd, data, size) != static_cast<ssize_t>(size)) abort();
  vigil::CsvProfileOptions o{.threads = 2, .chunk_bytes = 64};
  if (table)
    for (const auto& c : table->columns) o.csv.kinds[c.name] = c.kind;
  std::optional<vigil::DatasetProfile> profile;
  try {
    profile = vigil::profile_csv("/proc/self/fd/" + std::to_string(fd), o);
  } catch (const std::runtime_error&) {
  }
  ::close(fd);
  if (table.has_value() != profile.has_value()) abort();  // one reader accepted what the other refused
  if (!table) return;
  if (profile->rows != table->rows) abort();
  for (const auto& c : table->columns) {
    const auto& f = profile->features.at(c.name);
    if (f.rows() != c.size() || f.type_errors != c.type_errors) abort();
  }
  auto report = vigil::compare(*profile, *profile, {});
  (void)report.to_json();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  if (size >= 2 && data[0] == 0x1f && data[1] == 0x8b) {
    int fd = ::memfd_create("fuzz.csv.gz", 0);
    if (fd < 0 || ::write(fd, data, size) != static_cast<ssize_t>(size)) abort();
    try {
      vigil::Table t = vigil::read_csv("/proc/self/fd/" + std::to_string(fd));
      (void)vigil::profile_table(t);
    } catch (const std::runtime_error&) {  // CsvError, or corrupt gzip naming the file
    }
    ::close(fd);
    return 0;
  }
  std::optional<vigil::Table> table;
  try {
    table = vigil::parse_csv(text, "fuzz.csv");
    auto profile = vigil::profile_table(*table);
    auto report = vigil::compare(profile, profile, {}, &*table, &*table);
    (void)report.to_json();
    (void)report.to_html();
  } catch (const vigil::CsvError&) {
  }
  one_pass_agrees(data, size, table);
  return 0;
}
