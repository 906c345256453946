// The log query language, and LogQL's metric queries around it.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "server/logql.h"
#include "store/log_query.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    auto q = vigil::store::parse_log_query(text);
    (void)vigil::store::to_sql(q);
  } catch (const vigil::store::QueryError&) {
  }
  try {
    auto q = vigil::server::parse_logql(text);
    (void)vigil::store::to_sql(q.logs);
  } catch (const vigil::store::QueryError&) {
  }
  return 0;
}
