// The daemon's embedded store: SQLite in WAL mode holding spans, logs and
// model-monitoring evaluations. Writes arrive as batches on a bounded queue
// and are committed by one writer thread, off the request path; a full
// queue refuses new batches (the receiver answers 503 + Retry-After) and
// counts them. Retention by age and by size runs on the writer thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "store/log_query.h"

namespace vigil {
class Registry;
}

namespace vigil::store {

class Db;

struct SpanRow {
  std::string trace_id, span_id, parent_span_id;
  std::string service, name, scope;
  int kind = 0;
  std::int64_t start_ns = 0, end_ns = 0;
  int status_code = 0;
  std::string status_message;
  std::string attributes = "{}";  // JSON object
  std::string events = "[]";      // JSON array
  std::string links = "[]";       // JSON array
  std::string resource = "{}";    // JSON object
};

// An operation name of a service and the OTLP span kind it was sent with
// (0 unspecified, 1 internal, 2 server, 3 client, 4 producer, 5 consumer).
struct Operation {
  std::string name;
  int kind = 0;
  bool operator==(const Operation&) const = default;
};

struct LogRow {
  std::int64_t id = 0;  // assigned by the store
  std::int64_t time_ns = 0;
  int severity = 0;  // OTLP severity number
  std::string level, service, logger, body;
  std::string attributes = "{}";  // JSON object
  std::string trace_id, span_id;
};

struct EvaluationRow {
  std::string model;
  std::int64_t window_start_ns = 0, window_end_ns = 0;
  std::int64_t rows = 0;
  bool dataset_drift = false;
  double drift_share = 0;
  std::string report;  // DriftReport JSON
};

// One sample of a series the web UI draws (ui_history.h): "rate",
// "p99", "slo:<name>:budget", ...
struct HistoryPoint {
  std::string series;
  std::int64_t t_ns = 0;
  double value = 0;
};

struct Batch {
  std::vector<SpanRow> spans;
  std::vector<LogRow> logs;
  std::vector<EvaluationRow> evaluations;
  std::vector<HistoryPoint> history;
  std::size_t rows() const { return spans.size() + logs.size() + evaluations.size() + history.size(); }
  std::size_t bytes() const;  // approximate memory held, for the queue bound
  std::uint64_t ticket = 0;   // set by Store::submit: its place in the write order
};

struct StoreOptions {
  std::filesystem::path path = "vigil-data/vigil.db";
  std::chrono::seconds retention{7 * 24 * 3600};  // 0 = keep forever
  // Past this size the oldest spans and logs are deleted, a tenth at a time
  // (counted in vigil_store_deleted_total), so the disk never fills from
  // the store alone. 0 = no size limit.
  std::uint64_t max_bytes = 2ull * 1024 * 1024 * 1024;
  std::size_t max_queued_bytes = 64 * 1024 * 1024;  // past this, enqueue() refuses: memory stays bounded
  std::chrono::milliseconds flush_interval{100};
  // How often a retention pass starts (it then runs a chunk between commits).
  std::chrono::milliseconds retention_interval{30'000};
  // At shutdown, how long to keep retrying queued data while writes fail
  // (space may be freed) before closing without it.
  std::chrono::milliseconds shutdown_retry{10000};
  // How long the web UI's history is kept (ui_history in the store).
  std::chrono::seconds history_keep{24 * 3600};
  // true: a commit is fsynced before it returns (SQLite synchronous=FULL),
  // so it survives the machine or its file system failing. false:
  // synchronous=NORMAL, durable against a process crash only (a power loss
  // or a file system turned read-only may take the last commits). The
  // daemon sets it from store.acknowledge.
  bool durable_commits = false;
  Registry* registry = nullptr;  // vigil_store_* metrics
};

struct TraceQuery {
  std::string service, operation;
  std::optional<std::int64_t> min_duration_ns, max_duration_ns;
  std::vector<std::pair<std::string, std::string>> attributes;  // key = value
  std::int64_t start_ns = 0, end_ns = 0;                        // 0 = unbounded
  std::size_t limit = 20;
  // A further condition every matching span must meet (TraceQL's); empty = none.
  std::function<bool(const SpanRow&)> span_matches;
  // Up to this many of each trace's matching spans go in TraceSummary::matched.
  std::size_t spans_per_trace = 0;
};

struct TraceSummary {
  std::string trace_id, root_service, root_name;
  std::int64_t start_ns = 0, duration_ns = 0;
  std::int64_t spans = 0, errors = 0;
  std::vector<SpanRow> matched;   // up to TraceQuery::spans_per_trace, by start time
  std::int64_t matched_count = 0;  // all of them (counted when spans_per_trace > 0)
};

struct OperationLatency {
  std::string service, name;
  std::int64_t count = 0;
  double mean_ms = 0, p50_ms = 0, p95_ms = 0, p99_ms = 0, max_ms = 0;
  double share_of_trace = 0;  // mean share of its trace's duration
  bool root = false;          // the operation starts traces (its time includes every stage)
};

// One edge of the service graph: spans of `child` whose parent span is in
// `parent`, another service.
struct ServiceCall {
  std::string parent, child;
  std::int64_t calls = 0;
};

struct LogPage {
  std::vector<LogRow> rows;  // newest first
  std::string next_cursor;   // empty at the end
};

// LogQL's count_over_time (and bytes_over_time): at each step t = start,
// start + step, ... <= end, the rows matching `logs` (or the bytes of their
// messages) with time in (t - range, t], one series per distinct value of
// the `by` labels. Throws QueryError when the steps or series would exceed
// the bounds in log_volume.cc.
struct LogVolumeQuery {
  LogQuery logs;
  std::int64_t start_ns = 0, end_ns = 0, step_ns = 0, range_ns = 0;
  std::vector<std::string> by;  // columns or fields, as in a query's labels
  bool bytes = false;
};

struct LogSeries {
  std::vector<std::string> labels;                      // values of `by`; "" when absent
  std::vector<std::pair<std::int64_t, double>> points;  // (t, value); steps with nothing are left out
};

class Store {
 public:
  // Throws std::runtime_error when the database cannot be opened, naming
  // the file and what to do when it is not a vigil store or is damaged
  // (such a file is left unchanged).
  explicit Store(StoreOptions options);
  // Commits everything queued, then closes; while writes fail it retries for
  // options.shutdown_retry first.
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // False (and counted) when the queue is full or writes are failing: the
  // caller should answer 503 with Retry-After and not lose the data
  // silently. A batch accepted is kept until it is committed: a failed
  // commit leaves it queued and the writer retries with backoff.
  bool enqueue(Batch batch);
  // As enqueue(), returning the batch's ticket (0 when refused) for
  // await_commit(): receivers answer 200 only for committed data, so a
  // crash during a failure episode loses nothing they acknowledged.
  std::uint64_t submit(Batch batch);
  // Blocks until the batch is committed (true), or until a commit fails
  // while the batch still waits in the queue: it is then taken out (false;
  // the client is told to retry, and nothing is stored twice).
  bool await_commit(std::uint64_t ticket);
  // False (and counted like a refused batch) when a batch of at least
  // `bytes` would not fit now: receivers ask before decoding, so under
  // overload a refused request costs reading it, not parsing it.
  bool admits(std::size_t bytes);
  // Blocks until everything enqueued so far is committed (true), or until
  // a commit fails (false; the data stays queued).
  bool flush();
  // Empty while commits succeed; else why the last one failed: disk_full,
  // read_only, io_error, busy or other.
  std::string failure();
  // Runs a whole retention pass now (tests; the writer runs one every 30 s,
  // a chunk between commits).
  void run_retention();

  std::vector<SpanRow> trace(const std::string& trace_id);
  std::vector<TraceSummary> search_traces(const TraceQuery& q);
  // Services, and one service's operations, seen in spans that started at
  // or after start_ns (0: all the store holds).
  std::vector<std::string> services(std::int64_t start_ns);
  std::vector<Operation> operations(const std::string& service, std::int64_t start_ns);
  // Calls fn for the spans starting in [start_ns, end_ns] in the newest
  // blocks, until about `max_spans` were read (tag catalogs: bounded
  // work whatever the store holds). Under the reader lock: fn must not
  // call the store.
  void scan_spans(std::int64_t start_ns, std::int64_t end_ns, std::size_t max_spans,
                  const std::function<void(const SpanRow&)>& fn);
  std::vector<OperationLatency> operation_latency(const std::string& service, std::int64_t start_ns, std::int64_t end_ns);
  // The service graph of spans that started in [start_ns, end_ns], by
  // (parent, child).
  std::vector<ServiceCall> service_calls(std::int64_t start_ns, std::int64_t end_ns);
  // Newest first, or with oldest_first the oldest `limit` rows (oldest
  // first; no cursor then). Throws QueryError on a malformed cursor.
  LogPage query_logs(const LogQuery& q, std::int64_t start_ns, std::int64_t end_ns, std::size_t limit,
                     const std::string& cursor, bool oldest_first = false);
  std::vector<LogSeries> log_volume(const LogVolumeQuery& q);
  std::int64_t count_logs(const LogQuery& q, std::int64_t start_ns, std::int64_t end_ns);
  std::vector<EvaluationRow> evaluations(const std::string& model, std::int64_t start_ns, std::int64_t end_ns,
                                         std::size_t limit = 500);
  // The UI history's points in [start_ns, end_ns] (0 = now), by series then time.
  std::vector<HistoryPoint> history(std::int64_t start_ns, std::int64_t end_ns);

  struct Stats {
    std::int64_t spans = 0, logs = 0, evaluations = 0;
    std::uint64_t bytes = 0;
    std::size_t queued_rows = 0;
    std::size_t queued_bytes = 0;
    std::uint64_t rejected_batches = 0;
    std::string write_failure;  // as failure()
  };
  Stats stats();

  struct Impl;

 private:
  // The reader connection, locked for as long as the handle lives.
  struct ReadHandle {
    Db& db;
    std::unique_lock<std::mutex> lock;
  };
  ReadHandle read();

  std::unique_ptr<Impl> impl_;
};

}  // namespace vigil::store
