// The logs part of the store: table `logs` with its time and service
// indexes. Writes go through LogWriter on the store's writer connection
// (inside the writer's transaction); queries are free functions on a reader
// connection, as in span_store.h.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "store/log_query.h"
#include "store/sqlite.h"
#include "store/store.h"

namespace vigil::store {

class LogWriter {
 public:
  explicit LogWriter(Db& db);  // creates the table and indexes
  void write(const LogRow& row);
  // Retention, a bounded chunk per call (retention.h); each returns the
  // rows it deleted. Up to `limit` rows older than the cutoff:
  std::int64_t drop_before(std::int64_t cutoff_ns, std::int64_t limit);
  // The `limit` oldest rows.
  std::int64_t drop_oldest(std::int64_t limit);
  std::int64_t count();

 private:
  Db& db_;
  std::unique_ptr<Stmt> insert_;
};

// Newest first, `limit` (clamped to 1..5000) rows after `cursor` (the
// next_cursor of a previous page, or empty). Throws QueryError on a
// malformed cursor. Regular-expression matchers are applied after SQL, in
// chunks, until the page is full.
LogPage query_logs(Db& db, const LogQuery& q, std::int64_t start_ns, std::int64_t end_ns, std::size_t limit,
                   const std::string& cursor, bool oldest_first = false);
// Rows matching `q` with start_ns <= time_ns <= end_ns (0 = unbounded).
std::int64_t count_logs(Db& db, const LogQuery& q, std::int64_t start_ns, std::int64_t end_ns);
// log_volume.cc: counts (or line bytes) per step, by label (store.h).
std::vector<LogSeries> log_volume(Db& db, const LogVolumeQuery& q);

// Shared by the log readers: a row read from kLogColumns, the value of a
// label (a column or a field; "" when absent), and the regular-expression
// conditions SQL leaves to C++.
inline constexpr const char* kLogColumns = "id,time_ns,severity,level,service,logger,body,attributes,trace_id,span_id";
LogRow read_log(Stmt& s);
std::string label_value(const LogRow& r, const std::string& key, const nlohmann::json& attrs);
bool post_filter(const LogQuery& q, const LogRow& r);

}  // namespace vigil::store
