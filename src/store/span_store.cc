// Span blocks: writing and retention (see span_store.h); the queries are in span_queries.cc.
#include "store/span_store.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <deque>
#include <map>
#include <nlohmann/json.hpp>
#include <queue>
#include <unordered_map>
#include <unordered_set>

#include "store/span_block.h"

namespace vigil::store {
namespace {


constexpr const char* kSpanSchema = R"sql(
CREATE TABLE IF NOT EXISTS span_blocks(
  id INTEGER PRIMARY KEY, min_start_ns INTEGER NOT NULL, max_start_ns INTEGER NOT NULL, spans INTEGER NOT NULL,
  services TEXT NOT NULL, operations TEXT NOT NULL, data BLOB NOT NULL);
CREATE INDEX IF NOT EXISTS span_blocks_by_start ON span_blocks(max_start_ns);
CREATE TABLE IF NOT EXISTS span_traces(
  trace_key INTEGER NOT NULL, block_id INTEGER NOT NULL, PRIMARY KEY(trace_key, block_id)) WITHOUT ROWID;
)sql";

// "\nA\nB\n": the distinct values of a field in a block, so that a query can
// skip blocks with instr(services, '\nranker\n'). A value containing a
// newline can only make a block be read needlessly, never skipped wrongly.
template <typename Get>
std::string distinct_list(std::span<const SpanRow* const> spans, Get get) {
  std::vector<std::string_view> v;
  v.reserve(spans.size());
  for (const SpanRow* s : spans) v.push_back(get(*s));
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
  std::string out = "\n";
  for (auto s : v) out.append(s).push_back('\n');
  return out;
}

// Binds a block's columns min_start_ns, max_start_ns, spans, services,
// operations and data to parameters 1-6 (`spans` are sorted by start;
// `data` is their encoding and must outlive the statement's run).
void bind_block_columns(Stmt& st, std::span<const SpanRow* const> spans, const std::string& data) {
  st.bind(1, spans.front()->start_ns).bind(2, spans.back()->start_ns);
  st.bind(3, static_cast<std::int64_t>(spans.size()));
  st.bind(4, distinct_list(spans, [](const SpanRow& s) -> std::string_view { return s.service; }));
  st.bind(5, distinct_list(spans, [](const SpanRow& s) -> std::string_view { return s.name; }));
  st.bind_blob(6, data);
}

}  // namespace


SpanWriter::SpanWriter(Db& db) : db_(db) {
  db_.exec(kSpanSchema);
  insert_block_ = std::make_unique<Stmt>(
      db_, "INSERT INTO span_blocks(min_start_ns,max_start_ns,spans,services,operations,data) VALUES(?,?,?,?,?,?)");
  insert_trace_ = std::make_unique<Stmt>(db_, "INSERT OR IGNORE INTO span_traces(trace_key,block_id) VALUES(?,?)");
  migrate_row_table();
}

void SpanWriter::migrate_row_table() {
  {
    Stmt exists(db_, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'spans'");
    if (!exists.step()) return;
  }  // a statement left open would lock the table against DROP
  std::fprintf(stderr, "vigil store: moving spans from one row each into blocks (once; this can take a while)\n");
  db_.exec("BEGIN");
  try {
    std::size_t n = copy_row_table();
    db_.exec("DROP TABLE spans");
    db_.exec("COMMIT");
    std::fprintf(stderr, "vigil store: %zu spans moved\n", n);
  } catch (...) {
    db_.exec("ROLLBACK");
    throw;
  }
}

std::size_t SpanWriter::copy_row_table() {
  Stmt rows(db_,
            "SELECT trace_id,span_id,parent_span_id,service,name,scope,kind,start_ns,end_ns,status_code,"
            "status_message,attributes,events,links,resource FROM spans");  // any order: write() sorts
  std::vector<SpanRow> chunk;
  std::size_t copied = 0;
  auto flush = [&] {
    copied += chunk.size();
    std::vector<const SpanRow*> p;
    for (const SpanRow& s : chunk) p.push_back(&s);
    write(std::move(p));
    chunk.clear();
  };
  while (rows.step()) {
    SpanRow& r = chunk.emplace_back();
    r.trace_id = rows.text(0), r.span_id = rows.text(1), r.parent_span_id = rows.text(2);
    r.service = rows.text(3), r.name = rows.text(4), r.scope = rows.text(5);
    r.kind = static_cast<int>(rows.i64(6)), r.start_ns = rows.i64(7), r.end_ns = rows.i64(8);
    r.status_code = static_cast<int>(rows.i64(9)), r.status_message = rows.text(10);
    r.attributes = rows.text(11), r.events = rows.text(12), r.links = rows.text(13), r.resource = rows.text(14);
    if (chunk.size() == kBlockSpans) flush();
  }
  if (!chunk.empty()) flush();
  return copied;
}

void SpanWriter::write(std::vector<const SpanRow*> spans) {
  // By start time, so that a block covers a short time range (retention and
  // time-bounded queries skip whole blocks); stable, so that a span sent
  // twice keeps its arrival order and readers can keep the later copy.
  std::stable_sort(spans.begin(), spans.end(),
                   [](const SpanRow* a, const SpanRow* b) { return a->start_ns < b->start_ns; });
  std::span<const SpanRow* const> all(spans);
  for (std::size_t i = 0; i < all.size(); i += kBlockSpans)
    write_block(all.subspan(i, std::min(kBlockSpans, all.size() - i)));
}

void SpanWriter::write_block(std::span<const SpanRow* const> spans) {
  std::string data = encode_span_block(spans);
  bind_block_columns(*insert_block_, spans, data);
  insert_block_->run();
  std::int64_t block = sqlite3_last_insert_rowid(db_.get());
  std::vector<std::int64_t> keys;
  keys.reserve(spans.size());
  for (const SpanRow* s : spans) keys.push_back(trace_key(s->trace_id));
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  for (std::int64_t k : keys) insert_trace_->bind(1, k).bind(2, block).run();
}

std::int64_t SpanWriter::drop_blocks_before(std::int64_t cutoff_ns, std::int64_t limit) {
  Stmt drop(db_, "DELETE FROM span_blocks WHERE id IN (SELECT id FROM span_blocks WHERE max_start_ns < ? "
                 "ORDER BY max_start_ns LIMIT ?)");
  drop.bind(1, cutoff_ns).bind(2, limit).run();
  dropped_since_purge_ += db_.changes();
  return db_.changes();
}

void SpanWriter::trim_blocks_straddling(std::int64_t cutoff_ns) {
  std::vector<std::pair<std::int64_t, std::vector<SpanRow>>> straddling;
  {
    Stmt old(db_, "SELECT id, data FROM span_blocks WHERE min_start_ns < ?");
    old.bind(1, cutoff_ns);
    while (old.step()) straddling.emplace_back(old.i64(0), decode_span_block(old.blob(1)));
  }
  Stmt update(db_,
              "UPDATE span_blocks SET min_start_ns = ?1, max_start_ns = ?2, spans = ?3, services = ?4, "
              "operations = ?5, data = ?6 WHERE id = ?7");
  for (auto& [id, spans] : straddling) {
    std::vector<const SpanRow*> keep;  // still sorted by start, and not empty: the block's latest span is kept
    for (const SpanRow& s : spans)
      if (s.start_ns >= cutoff_ns) keep.push_back(&s);
    std::string data = encode_span_block(keep);
    bind_block_columns(update, keep, data);
    update.bind(7, id).run();
  }
}

std::int64_t SpanWriter::drop_oldest(std::int64_t limit) {
  Stmt drop(db_, "DELETE FROM span_blocks WHERE id IN (SELECT id FROM span_blocks ORDER BY max_start_ns LIMIT ?)");
  drop.bind(1, limit).run();
  dropped_since_purge_ += db_.changes();
  return db_.changes();
}

std::int64_t SpanWriter::count_blocks() {
  Stmt live(db_, "SELECT COUNT(*) FROM span_blocks");
  return live.step() ? live.i64(0) : 0;
}

bool SpanWriter::index_purge_due() { return dropped_since_purge_ > 0 && dropped_since_purge_ * 4 >= count_blocks(); }

bool SpanWriter::purge_index_chunk(std::int64_t& after_key, std::int64_t limit) {
  std::int64_t last = 0;
  {
    Stmt window(db_, "SELECT MAX(trace_key) FROM (SELECT trace_key FROM span_traces WHERE trace_key > ? "
                     "ORDER BY trace_key LIMIT ?)");
    window.bind(1, after_key).bind(2, limit);
    if (!window.step() || window.is_null(0)) {
      dropped_since_purge_ = 0;
      return false;
    }
    last = window.i64(0);
  }
  Stmt purge(db_, "DELETE FROM span_traces WHERE trace_key > ? AND trace_key <= ? "
                  "AND block_id NOT IN (SELECT id FROM span_blocks)");
  purge.bind(1, after_key).bind(2, last).run();
  after_key = last;
  return true;
}

}  // namespace vigil::store
