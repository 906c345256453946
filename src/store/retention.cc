#include "store/retention.h"

#include <algorithm>

namespace vigil::store {

std::uint64_t database_bytes(Db& db) {
  Stmt pages(db, "SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()");
  return pages.step() ? static_cast<std::uint64_t>(pages.i64(0)) : 0;
}

RetentionPass::RetentionPass(Db& db, SpanWriter& spans, LogWriter& logs, Limits limits, Count count)
    : db_(db),
      spans_(spans),
      logs_(logs),
      limits_(limits),
      count_(std::move(count)),
      phase_(limits.cutoff_ns ? Phase::kAgeSpans : Phase::kSizeCheck) {}

bool RetentionPass::step() {
  switch (phase_) {
    case Phase::kAgeSpans: age_spans(); break;
    case Phase::kTrimStraddling:
      spans_.trim_blocks_straddling(limits_.cutoff_ns);
      phase_ = Phase::kAgeLogs;
      break;
    case Phase::kAgeLogs: age_logs(); break;
    case Phase::kAgeEvaluations: {
      Stmt drop(db_, "DELETE FROM evaluations WHERE window_end_ns < ?");
      drop.bind(1, limits_.cutoff_ns).run();
      count_("evaluations", "age", db_.changes());
      phase_ = Phase::kSizeCheck;
      break;
    }
    case Phase::kSizeCheck: size_check(); break;
    case Phase::kSizeDrop: size_drop(); break;
    case Phase::kVacuum: vacuum(); break;
    case Phase::kPurgeIndex:
      if (!spans_.purge_index_chunk(purged_up_to_, kTraceKeysPerStep)) phase_ = Phase::kDone;
      break;
    case Phase::kDone: break;
  }
  return phase_ != Phase::kDone;
}

void RetentionPass::age_spans() {
  std::int64_t n = spans_.drop_blocks_before(limits_.cutoff_ns, kBlocksPerStep);
  count_("span_blocks", "age", n);
  if (n < kBlocksPerStep) phase_ = Phase::kTrimStraddling;
}

void RetentionPass::age_logs() {
  std::int64_t n = logs_.drop_before(limits_.cutoff_ns, kLogsPerStep);
  count_("logs", "age", n);
  if (n < kLogsPerStep) phase_ = Phase::kAgeEvaluations;
}

// Over the limit: the oldest tenth of logs and of span blocks goes, a chunk
// at a time, then freed pages are returned to the file system; up to ten
// rounds per pass (freed pages are reused, so the file stops growing).
void RetentionPass::size_check() {
  if (limits_.max_bytes == 0 || size_rounds_ >= kMaxSizeRounds || database_bytes(db_) <= limits_.max_bytes) {
    phase_ = spans_.index_purge_due() ? Phase::kPurgeIndex : Phase::kDone;
    return;
  }
  ++size_rounds_;
  logs_to_drop_ = logs_.count() / 10 + 1;
  blocks_to_drop_ = spans_.count_blocks() / 10 + 1;
  phase_ = Phase::kSizeDrop;
}

void RetentionPass::size_drop() {
  if (logs_to_drop_ > 0) {
    std::int64_t n = logs_.drop_oldest(std::min(kLogsPerStep, logs_to_drop_));
    count_("logs", "size", n);
    logs_to_drop_ = n ? logs_to_drop_ - n : 0;
  } else if (blocks_to_drop_ > 0) {
    std::int64_t n = spans_.drop_oldest(std::min(kBlocksPerStep, blocks_to_drop_));
    count_("span_blocks", "size", n);
    blocks_to_drop_ = n ? blocks_to_drop_ - n : 0;
  } else {
    phase_ = Phase::kVacuum;
  }
}

void RetentionPass::vacuum() {
  db_.exec("PRAGMA incremental_vacuum(2048)");  // at most 2048 pages per step
  std::int64_t left = 0;
  {
    Stmt free_pages(db_, "PRAGMA freelist_count");  // finalized before the checkpoint, which it would lock out
    if (free_pages.step()) left = free_pages.i64(0);
  }
  if (left > 0) return;
  db_.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  phase_ = Phase::kSizeCheck;
}

}  // namespace vigil::store
