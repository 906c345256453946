// The log query language.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "store/log_query.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    auto q = vigil::store::parse_log_query(text);
    (void)vigil::store::to_sql(q);
  } catch (const vigil::store::QueryError&) {
  }
  return 0;
}
