// The names a trace UI lists: the services that sent spans, and each
// service's operations with their span kinds (Jaeger's /api/services and
// /api/operations). Services come from the blocks' service lists alone;
// operations decode only the blocks that hold the service.
#include <climits>
#include <set>

#include "store/span_block.h"
#include "store/span_store.h"

namespace vigil::store {

std::vector<std::string> list_services(Db& db, std::int64_t start_ns) {
  Stmt blocks(db, "SELECT DISTINCT services FROM span_blocks WHERE max_start_ns >= ?");
  blocks.bind(1, start_ns);
  std::set<std::string> names;
  while (blocks.step()) {
    std::string text = blocks.text(0);  // "\nA\nB\n"
    std::string_view list = text;
    while (!list.empty()) {
      std::size_t end = list.find('\n', 1);
      if (end == std::string_view::npos) break;
      if (end > 1) names.emplace(list.substr(1, end - 1));
      list.remove_prefix(end);
    }
  }
  return {names.begin(), names.end()};
}

std::vector<Operation> list_operations(Db& db, std::string_view service, std::int64_t start_ns) {
  Stmt blocks(db, "SELECT data FROM span_blocks WHERE max_start_ns >= ? AND instr(services, ?) > 0");
  blocks.bind(1, start_ns).bind(2, "\n" + std::string(service) + "\n");
  std::set<std::pair<std::string, int>> found;
  while (blocks.step())
    for (const SpanRow& s : decode_span_block(blocks.blob(0)))
      if (s.service == service && s.start_ns >= start_ns) found.emplace(s.name, s.kind);
  std::vector<Operation> out;
  for (const auto& [name, kind] : found) out.push_back({name, kind});
  return out;
}

void scan_spans(Db& db, std::int64_t start_ns, std::int64_t end_ns, std::size_t max_spans,
                const std::function<void(const SpanRow&)>& fn) {
  Stmt blocks(db, "SELECT data FROM span_blocks WHERE max_start_ns >= ? AND min_start_ns <= ? ORDER BY id DESC");
  blocks.bind(1, start_ns).bind(2, end_ns ? end_ns : INT64_MAX);
  std::size_t read = 0;
  while (read < max_spans && blocks.step())
    for (const SpanRow& s : decode_span_block(blocks.blob(0))) {
      ++read;
      if (s.start_ns >= start_ns && (!end_ns || s.start_ns <= end_ns)) fn(s);
    }
}

}  // namespace vigil::store
