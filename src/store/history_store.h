// The web UI's history (ui_history.h in src/server): one row per series and
// sample time in `ui_history`, kept for StoreOptions::history_keep. Writes go
// through HistoryWriter inside the store writer's transaction; reads are a
// free function on a reader connection, as in log_store.h.
#pragma once

#include <chrono>
#include <memory>
#include <vector>

#include "store/sqlite.h"
#include "store/store.h"

namespace vigil::store {

class HistoryWriter {
 public:
  HistoryWriter(Db& db, std::chrono::seconds keep);  // creates the table
  // Writes the points (a point resent for the same series and time
  // replaces it), then drops what is older than `keep` before the newest.
  void write(const std::vector<HistoryPoint>& points);

 private:
  Db& db_;
  std::chrono::seconds keep_;
  std::unique_ptr<Stmt> insert_, prune_;
};

// Points with start_ns <= t_ns <= end_ns, by series then time.
std::vector<HistoryPoint> read_history(Db& db, std::int64_t start_ns, std::int64_t end_ns);

}  // namespace vigil::store
