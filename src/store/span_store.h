// The spans part of the store: blocks of encoded spans (span_block.h) in
// `span_blocks`, and `span_traces`, which maps a trace id's key to the
// blocks holding its spans. Writes go through SpanWriter on the store's
// writer connection; queries are free functions on a reader connection.
//
// A span sent twice (a client's retry) may sit in two blocks: readers keep
// the newest copy of each (trace id, span id).
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "store/sqlite.h"
#include "store/store.h"

namespace vigil::store {

class SpanWriter {
 public:
  // Creates the tables, and moves spans kept by an older vigil in one row
  // each (table `spans`) into blocks.
  explicit SpanWriter(Db& db);

  // Inside the caller's transaction. Spans are ordered by start time and cut
  // into blocks of at most kBlockSpans.
  void write(std::vector<const SpanRow*> spans);

  // Retention, a bounded chunk per call so the writer can commit queued
  // batches in between (retention.h). Each returns the blocks it deleted.
  // Up to `limit` blocks entirely older than the cutoff:
  std::int64_t drop_blocks_before(std::int64_t cutoff_ns, std::int64_t limit);
  // Blocks straddling the cutoff, rewritten without their old spans (few:
  // only blocks holding spans from both sides of it).
  void trim_blocks_straddling(std::int64_t cutoff_ns);
  // The `limit` blocks with the oldest spans.
  std::int64_t drop_oldest(std::int64_t limit);
  std::int64_t count_blocks();
  // Index entries of dropped blocks are harmless (readers skip blocks that
  // are gone); they are purged once they point to a quarter as many blocks
  // as exist, so retention does not scan the index every time it runs.
  bool index_purge_due();
  // Purges the entries of about `limit` trace keys after `after_key`,
  // advancing it; false (and the purge done) once past the last key.
  bool purge_index_chunk(std::int64_t& after_key, std::int64_t limit);

  static constexpr std::size_t kBlockSpans = 1024;

 private:
  void migrate_row_table();
  std::size_t copy_row_table();  // spans copied
  void write_block(std::span<const SpanRow* const> spans);

  Db& db_;
  std::unique_ptr<Stmt> insert_block_, insert_trace_;
  std::int64_t dropped_since_purge_ = 0;
};

std::vector<SpanRow> find_trace(Db& db, std::string_view trace_id);
std::vector<TraceSummary> search_traces(Db& db, const TraceQuery& q);
std::vector<OperationLatency> operation_latency(Db& db, std::string_view service, std::int64_t start_ns,
                                                std::int64_t end_ns);
std::int64_t count_spans(Db& db);
std::vector<ServiceCall> service_calls(Db& db, std::int64_t start_ns, std::int64_t end_ns);
// span_catalog.cc: services with spans starting at or after start_ns, by
// name; and the (operation, kind) pairs of one service, by name.
std::vector<std::string> list_services(Db& db, std::int64_t start_ns);
std::vector<Operation> list_operations(Db& db, std::string_view service, std::int64_t start_ns);
void scan_spans(Db& db, std::int64_t start_ns, std::int64_t end_ns, std::size_t max_spans,
                const std::function<void(const SpanRow&)>& fn);

}  // namespace vigil::store
