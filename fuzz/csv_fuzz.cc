// CSV files for `vigil drift`, profiled and compared with themselves; a
// gzip input goes through read_csv from an in-memory file, as a .csv.gz does.
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <string_view>

#include "vigil/drift_report.h"

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
  try {
    vigil::Table t = vigil::parse_csv(text, "fuzz.csv");
    auto profile = vigil::profile_table(t);
    auto report = vigil::compare(profile, profile, {}, &t, &t);
    (void)report.to_json();
    (void)report.to_html();
  } catch (const vigil::CsvError&) {
  }
  return 0;
}
