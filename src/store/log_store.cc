#include "store/log_store.h"

#include <algorithm>
#include <climits>
#include <nlohmann/json.hpp>
#include <re2/re2.h>

namespace vigil::store {
namespace {

constexpr const char* kLogSchema = R"sql(
CREATE TABLE IF NOT EXISTS logs(
  id INTEGER PRIMARY KEY, time_ns INTEGER NOT NULL, severity INTEGER NOT NULL, level TEXT NOT NULL,
  service TEXT NOT NULL, logger TEXT NOT NULL, body TEXT NOT NULL, attributes TEXT NOT NULL,
  trace_id TEXT NOT NULL, span_id TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS logs_by_time ON logs(time_ns, id);
CREATE INDEX IF NOT EXISTS logs_by_service ON logs(service, time_ns);
)sql";

}  // namespace

LogRow read_log(Stmt& s) {
  LogRow r;
  r.id = s.i64(0);
  r.time_ns = s.i64(1);
  r.severity = static_cast<int>(s.i64(2));
  r.level = s.text(3);
  r.service = s.text(4);
  r.logger = s.text(5);
  r.body = s.text(6);
  r.attributes = s.text(7);
  r.trace_id = s.text(8);
  r.span_id = s.text(9);
  return r;
}

// The value of a label for post-filtering (regular expressions).
std::string label_value(const LogRow& r, const std::string& key, const nlohmann::json& attrs) {
  if (key == "service") return r.service;
  if (key == "level") return r.level;
  if (key == "logger") return r.logger;
  if (key == "trace_id") return r.trace_id;
  if (key == "span_id") return r.span_id;
  if (key == "msg" || key == "body") return r.body;
  auto it = attrs.find(key);
  if (it == attrs.end()) return "";
  return it->is_string() ? it->get<std::string>() : it->dump();
}

bool post_filter(const LogQuery& q, const LogRow& r) {
  nlohmann::json attrs = nlohmann::json::parse(r.attributes, nullptr, false);
  for (const auto& m : q.matchers) {
    if (!m.regex) continue;
    bool hit = re2::RE2::FullMatch(label_value(r, m.key, attrs), *m.regex);
    if (hit != (m.op == LogMatcher::Op::kRe)) return false;
  }
  for (const auto& l : q.lines) {
    if (!l.regex) continue;
    bool hit = re2::RE2::PartialMatch(r.body, *l.regex);
    if (hit != (l.op == LineFilter::Op::kMatches)) return false;
  }
  return true;
}

namespace {

struct Cursor {
  std::int64_t time_ns = INT64_MAX, id = INT64_MAX;
};

Cursor parse_cursor(const std::string& cursor) {
  Cursor c;
  if (cursor.empty()) return c;
  auto dot = cursor.find('.');
  try {
    if (dot == std::string::npos) throw std::invalid_argument("no dot");
    c.time_ns = std::stoll(cursor.substr(0, dot));
    c.id = std::stoll(cursor.substr(dot + 1));
  } catch (const std::exception&) {
    throw QueryError("cursor: malformed (use next_cursor from a previous page)");
  }
  return c;
}

}  // namespace

LogWriter::LogWriter(Db& db) : db_(db) {
  db_.exec(kLogSchema);
  insert_ = std::make_unique<Stmt>(db_,
                                   "INSERT INTO logs(time_ns,severity,level,service,logger,body,attributes,trace_id,"
                                   "span_id) VALUES(?,?,?,?,?,?,?,?,?)");
}

void LogWriter::write(const LogRow& l) {
  Stmt& s = *insert_;
  s.bind(1, l.time_ns).bind(2, std::int64_t{l.severity}).bind(3, l.level).bind(4, l.service);
  s.bind(5, l.logger).bind(6, l.body).bind(7, l.attributes).bind(8, l.trace_id).bind(9, l.span_id);
  s.run();
}

std::int64_t LogWriter::drop_before(std::int64_t cutoff_ns, std::int64_t limit) {
  Stmt s(db_, "DELETE FROM logs WHERE id IN (SELECT id FROM logs WHERE time_ns < ? ORDER BY time_ns LIMIT ?)");
  s.bind(1, cutoff_ns).bind(2, limit).run();
  return db_.changes();
}

std::int64_t LogWriter::drop_oldest(std::int64_t limit) {
  Stmt s(db_, "DELETE FROM logs WHERE id IN (SELECT id FROM logs ORDER BY time_ns LIMIT ?)");
  s.bind(1, limit).run();
  return db_.changes();
}

std::int64_t LogWriter::count() {
  Stmt s(db_, "SELECT COUNT(*) FROM logs");
  return s.step() ? s.i64(0) : 0;
}

LogPage query_logs(Db& db, const LogQuery& q, std::int64_t start_ns, std::int64_t end_ns, std::size_t limit,
                   const std::string& cursor, bool oldest_first) {
  limit = std::clamp<std::size_t>(limit, 1, 5000);
  Cursor cur = oldest_first ? Cursor{INT64_MIN, INT64_MIN} : parse_cursor(cursor);
  SqlCondition c = to_sql(q);
  std::string sql = std::string("SELECT ") + kLogColumns + " FROM logs WHERE " + c.where +
                    " AND time_ns >= ? AND time_ns <= ? AND " +
                    (oldest_first ? "(time_ns > ? OR (time_ns = ? AND id > ?)) ORDER BY time_ns ASC, id ASC LIMIT ?"
                                  : "(time_ns < ? OR (time_ns = ? AND id < ?)) ORDER BY time_ns DESC, id DESC LIMIT ?");
  bool post = has_post_filter(q);
  LogPage page;
  Stmt s(db, sql);
  // With regular expressions, rows are fetched in chunks until the page is full.
  std::size_t chunk = post ? std::max<std::size_t>(limit * 4, 256) : limit + 1;
  while (true) {
    int i = 1;
    for (const auto& p : c.params) s.bind(i++, p);
    for (std::int64_t v : {start_ns, end_ns ? end_ns : INT64_MAX, cur.time_ns, cur.time_ns, cur.id,
                           static_cast<std::int64_t>(chunk)})
      s.bind(i++, v);
    std::size_t fetched = 0;
    bool more = false;
    while (s.step()) {
      ++fetched;
      LogRow r = read_log(s);
      cur = {r.time_ns, r.id};
      if (post && !post_filter(q, r)) continue;
      if (page.rows.size() == limit) {
        more = true;
        break;
      }
      page.rows.push_back(std::move(r));
    }
    s.reset();
    if (more && !oldest_first) {
      const LogRow& last = page.rows.back();
      page.next_cursor = std::to_string(last.time_ns) + "." + std::to_string(last.id);
    }
    if (more) break;
    if (fetched < chunk) break;  // no more rows
  }
  return page;
}

std::int64_t count_logs(Db& db, const LogQuery& q, std::int64_t start_ns, std::int64_t end_ns) {
  SqlCondition c = to_sql(q);
  bool post = has_post_filter(q);
  std::string sql = std::string("SELECT ") + (post ? kLogColumns : "COUNT(*)") + " FROM logs WHERE " + c.where +
                    " AND time_ns >= ? AND time_ns <= ?";
  Stmt s(db, sql);
  int i = 1;
  for (const auto& p : c.params) s.bind(i++, p);
  s.bind(i, start_ns);
  s.bind(i + 1, end_ns ? end_ns : INT64_MAX);
  if (!post) return s.step() ? s.i64(0) : 0;
  std::int64_t n = 0;
  while (s.step()) n += post_filter(q, read_log(s));
  return n;
}

}  // namespace vigil::store
