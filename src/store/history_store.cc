#include "store/history_store.h"

#include <algorithm>

namespace vigil::store {

HistoryWriter::HistoryWriter(Db& db, std::chrono::seconds keep) : db_(db), keep_(keep) {
  db_.exec(
      "CREATE TABLE IF NOT EXISTS ui_history(series TEXT NOT NULL, t_ns INTEGER NOT NULL, value REAL NOT NULL, "
      "PRIMARY KEY(series, t_ns)) WITHOUT ROWID;"
      "CREATE INDEX IF NOT EXISTS ui_history_by_time ON ui_history(t_ns);");
  insert_ = std::make_unique<Stmt>(db_, "INSERT OR REPLACE INTO ui_history(series, t_ns, value) VALUES(?,?,?)");
  prune_ = std::make_unique<Stmt>(db_, "DELETE FROM ui_history WHERE t_ns < ?");
}

void HistoryWriter::write(const std::vector<HistoryPoint>& points) {
  if (points.empty()) return;
  std::int64_t newest = 0;
  for (const auto& p : points) {
    insert_->bind(1, p.series).bind(2, p.t_ns).bind(3, p.value);
    insert_->run();
    newest = std::max(newest, p.t_ns);
  }
  prune_->bind(1, newest - std::chrono::duration_cast<std::chrono::nanoseconds>(keep_).count());
  prune_->run();
}

std::vector<HistoryPoint> read_history(Db& db, std::int64_t start_ns, std::int64_t end_ns) {
  Stmt s(db, "SELECT series, t_ns, value FROM ui_history WHERE t_ns >= ? AND t_ns <= ? ORDER BY series, t_ns");
  s.bind(1, start_ns).bind(2, end_ns ? end_ns : INT64_MAX);
  std::vector<HistoryPoint> out;
  while (s.step()) out.push_back({s.text(0), s.i64(1), s.f64(2)});
  return out;
}

}  // namespace vigil::store
