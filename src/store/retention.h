// Retention a chunk at a time. One pass deletes what is older than the
// retention, then, while the file is over max_bytes, the oldest tenth of
// logs and spans. Each step() is one bounded statement (a few
// milliseconds), and the writer commits queued batches between steps, so
// ingest never waits behind a large delete.
#pragma once

#include <cstdint>
#include <limits>
#include <functional>

#include "store/log_store.h"
#include "store/span_store.h"
#include "store/sqlite.h"

namespace vigil::store {

class RetentionPass {
 public:
  struct Limits {
    std::int64_t cutoff_ns = 0;   // delete what started before this; 0 = no age limit
    std::uint64_t max_bytes = 0;  // 0 = no size limit
  };
  // Told the rows (for spans, blocks) each step deleted, by table and reason.
  using Count = std::function<void(const char* table, const char* reason, std::int64_t rows)>;

  // Borrows everything, all on the store's writer connection.
  RetentionPass(Db& db, SpanWriter& spans, LogWriter& logs, Limits limits, Count count);

  // Deletes one chunk; false once the pass is complete. Throws SqliteError
  // when a statement fails (the pass is then abandoned by the caller).
  bool step();

  static constexpr std::int64_t kBlocksPerStep = 16;  // up to 16k spans
  static constexpr std::int64_t kLogsPerStep = 2000;
  static constexpr std::int64_t kTraceKeysPerStep = 2000;
  static constexpr int kMaxSizeRounds = 10;

 private:
  enum class Phase {
    kAgeSpans, kTrimStraddling, kAgeLogs, kAgeEvaluations, kSizeCheck, kSizeDrop, kVacuum, kPurgeIndex, kDone
  };
  void age_spans();
  void age_logs();
  void size_check();
  void size_drop();
  void vacuum();

  Db& db_;
  SpanWriter& spans_;
  LogWriter& logs_;
  Limits limits_;
  Count count_;
  Phase phase_;
  std::int64_t blocks_to_drop_ = 0, logs_to_drop_ = 0;
  std::int64_t purged_up_to_ = std::numeric_limits<std::int64_t>::min();  // trace keys are signed
  int size_rounds_ = 0;
};

// The database's size in bytes (pages times page size).
std::uint64_t database_bytes(Db& db);

}  // namespace vigil::store
