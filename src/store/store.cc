// SQLite store, the write side: the queue and its writer thread, what
// happens when a commit fails (batches kept and retried, new ones refused,
// the probe), retention, and the schema; spans and logs keep their own
// tables and queries (span_store.h, log_store.h), and reads are in
// store_reads.cc.
//
// Kept as one file past 400 lines: the queue, the writer's failure state
// and the tickets receivers wait on share one mutex and one set of
// invariants (queued_rows/bytes, written, failure), which read best in one
// place.
#include "store/store.h"

#include <algorithm>
#include <cmath>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <thread>

#include "common/clock.h"
#include "store/log_store.h"
#include "store/retention.h"
#include "store/history_store.h"
#include "store/span_store.h"
#include "store/sqlite.h"
#include "vigil/metrics.h"

namespace vigil::store {
namespace {

// Spans and logs create their own tables (span_store.h, log_store.h).
constexpr const char* kSchema = R"sql(
PRAGMA journal_mode=WAL;
CREATE TABLE IF NOT EXISTS evaluations(
  id INTEGER PRIMARY KEY, model TEXT NOT NULL, window_start_ns INTEGER NOT NULL, window_end_ns INTEGER NOT NULL,
  rows INTEGER NOT NULL, dataset_drift INTEGER NOT NULL, drift_share REAL NOT NULL, report TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS evaluations_by_model ON evaluations(model, window_start_ns);
)sql";

}  // namespace

std::size_t Batch::bytes() const {
  std::size_t n = 0;
  for (const auto& s : spans)
    n += sizeof(SpanRow) + s.trace_id.size() + s.span_id.size() + s.parent_span_id.size() + s.service.size() +
         s.name.size() + s.scope.size() + s.status_message.size() + s.attributes.size() + s.events.size() +
         s.links.size() + s.resource.size();
  for (const auto& l : logs)
    n += sizeof(LogRow) + l.level.size() + l.service.size() + l.logger.size() + l.body.size() + l.attributes.size() +
         l.trace_id.size() + l.span_id.size();
  for (const auto& e : evaluations) n += sizeof(EvaluationRow) + e.model.size() + e.report.size();
  for (const auto& h : history) n += sizeof(HistoryPoint) + h.series.size();
  return n;
}

struct Store::Impl {
  StoreOptions options;
  std::unique_ptr<Db> writer;
  std::unique_ptr<SpanWriter> spans;  // on `writer`
  std::unique_ptr<LogWriter> logs;    // on `writer`
  std::unique_ptr<HistoryWriter> history;  // on `writer`
  std::unique_ptr<Db> reader;
  std::mutex reader_mu;

  std::mutex mu;
  std::condition_variable wake, committed;
  std::deque<Batch> queue;
  std::size_t queued_rows = 0, queued_bytes = 0;
  std::uint64_t enqueued = 0, written = 0;  // batch sequence numbers
  bool stopping = false;
  std::uint64_t rejected = 0;
  // Why the last commit failed (disk_full, read_only, io_error, busy, other);
  // empty while commits succeed. While set, the queue keeps what it holds,
  // the writer retries with backoff, and new batches are refused.
  std::string failure;
  std::chrono::milliseconds backoff{0};
  std::thread thread;
  // The retention pass in progress, a chunk between commits; `stepping`
  // while the writer runs a chunk without holding mu.
  std::optional<RetentionPass> retention_pass;
  bool stepping = false;

  Counter* rows_written[3] = {};
  Counter* rejected_metric = nullptr;
  Family<Counter>* write_errors = nullptr;
  Family<Counter>* deleted = nullptr;
  Gauge* failing_metric = nullptr;
  Gauge* queue_metric = nullptr;
  Gauge* bytes_metric = nullptr;

  void write(std::deque<Batch>& batches) {
    writer->exec("BEGIN");
    try {
      Stmt eval(*writer,
                "INSERT INTO evaluations(model,window_start_ns,window_end_ns,rows,dataset_drift,drift_share,report) "
                "VALUES(?,?,?,?,?,?,?)");
      std::int64_t n[3] = {0, 0, 0};
      std::vector<const SpanRow*> all_spans;
      for (const Batch& b : batches)
        for (const SpanRow& s : b.spans) all_spans.push_back(&s);
      if (!all_spans.empty()) spans->write(std::move(all_spans));
      for (const Batch& b : batches) {
        for (const LogRow& l : b.logs) logs->write(l);
        history->write(b.history);
        for (const EvaluationRow& e : b.evaluations) {
          eval.bind(1, e.model).bind(2, e.window_start_ns).bind(3, e.window_end_ns).bind(4, e.rows);
          eval.bind(5, std::int64_t{e.dataset_drift}).bind(6, e.drift_share).bind(7, e.report);
          eval.run();
        }
        n[0] += static_cast<std::int64_t>(b.spans.size());
        n[1] += static_cast<std::int64_t>(b.logs.size());
        n[2] += static_cast<std::int64_t>(b.evaluations.size());
      }
      writer->exec("COMMIT");
      for (int i = 0; i < 3; ++i)
        if (rows_written[i]) rows_written[i]->inc(static_cast<double>(n[i]));
    } catch (...) {
      // SQLite has already rolled back on some errors (SQLITE_FULL among
      // them); a second ROLLBACK would fail and hide the first error.
      if (writer->in_transaction()) writer->exec("ROLLBACK");
      throw;
    }
  }

  void run() {
    auto last_retention = std::chrono::steady_clock::now();
    std::unique_lock lock(mu);
    while (true) {
      // While failing, the queue is retried after the backoff, not at once;
      // while a retention pass is under way, its next chunk comes at once.
      auto wait = retention_pass ? std::chrono::milliseconds(0) : failure.empty() ? options.flush_interval : backoff;
      wake.wait_for(lock, wait, [&] { return stopping || (!queue.empty() && failure.empty()); });
      if (!queue.empty()) write_queued(lock);
      else if (!failure.empty()) probe(lock);
      if (stopping && (queue.empty() || give_up(lock))) break;
      if (retention_pass) {
        retention_step(lock);  // one chunk between two commits
      } else if (std::chrono::steady_clock::now() - last_retention > options.retention_interval) {
        retention_pass.emplace(new_retention_pass());
        last_retention = std::chrono::steady_clock::now();
      }
    }
  }

  RetentionPass new_retention_pass() {
    std::int64_t cutoff = 0;
    if (options.retention.count() > 0)
      cutoff = detail::unix_now_ns() - std::chrono::duration_cast<std::chrono::nanoseconds>(options.retention).count();
    return RetentionPass(*writer, *spans, *logs, {.cutoff_ns = cutoff, .max_bytes = options.max_bytes},
                         [this](const char* table, const char* reason, std::int64_t rows) {
                           if (deleted && rows > 0) deleted->labels({table, reason}).inc(static_cast<double>(rows));
                         });
  }

  // Runs one chunk of the pass without holding mu. Caller holds mu.
  void retention_step(std::unique_lock<std::mutex>& lock) {
    stepping = true;
    lock.unlock();
    bool more = false;
    try {
      more = retention_pass->step();
    } catch (const std::exception& e) {
      std::fprintf(stderr, "vigil store: retention failed: %s\n", e.what());
    }
    if (!more && bytes_metric) bytes_metric->set(static_cast<double>(database_bytes(*writer)));
    lock.lock();
    if (!more) retention_pass.reset();
    stepping = false;
    committed.notify_all();
  }

  // Commits everything queued in one transaction. On failure the batches go
  // back to the front of the queue, in order, for the next attempt: data a
  // receiver accepted is never dropped because a write failed.
  void write_queued(std::unique_lock<std::mutex>& lock) {
    std::deque<Batch> batches;
    batches.swap(queue);
    std::size_t rows = queued_rows, bytes = queued_bytes;
    std::uint64_t upto = enqueued;
    lock.unlock();
    std::string reason, message;
    try {
      write(batches);
    } catch (const SqliteError& e) {
      reason = failure_reason(e.code());
      message = e.what();
    } catch (const std::exception& e) {
      reason = "other";
      message = e.what();
    }
    lock.lock();
    if (!reason.empty()) return write_failed(std::move(batches), reason, message);
    queued_rows -= rows;
    queued_bytes -= bytes;
    written = upto;
    if (queue_metric) queue_metric->set(static_cast<double>(queued_rows));
    succeeded();
  }

  // Caller holds mu.
  void succeeded() {
    if (!failure.empty()) std::fprintf(stderr, "vigil store: writes succeed again after %s\n", failure.c_str());
    failure.clear();
    backoff = std::chrono::milliseconds(0);
    if (failing_metric) failing_metric->set(0);
    committed.notify_all();
  }

  // While failing with nothing queued (receivers took their batches back
  // to answer 503), a small write tells whether commits work again;
  // otherwise nothing would ever clear the failure and every batch would be
  // refused for good.
  void probe(std::unique_lock<std::mutex>& lock) {
    lock.unlock();
    std::string reason;
    try {
      writer->exec("BEGIN");
      writer->exec("CREATE TABLE IF NOT EXISTS write_probe(at INTEGER); DELETE FROM write_probe; "
                   "INSERT INTO write_probe VALUES(strftime('%s','now'))");
      writer->exec("COMMIT");
    } catch (const SqliteError& e) {
      reason = failure_reason(e.code());
      if (writer->in_transaction()) writer->exec("ROLLBACK");
    }
    lock.lock();
    if (!reason.empty()) return write_failed({}, reason, "probe");
    succeeded();
  }

  // Caller holds mu.
  void write_failed(std::deque<Batch> batches, const std::string& reason, const std::string& message) {
    for (auto it = batches.rbegin(); it != batches.rend(); ++it) queue.push_front(std::move(*it));
    if (failure.empty())
      std::fprintf(stderr, "vigil store: write failed (%s), refusing new data and retrying: %s\n", reason.c_str(),
                   message.c_str());
    failure = reason;
    backoff = std::clamp(backoff * 2, std::chrono::milliseconds(100), std::chrono::milliseconds(5000));
    if (write_errors) write_errors->labels({reason}).inc();
    if (failing_metric) failing_metric->set(1);
    committed.notify_all();  // flush() waiters learn that it failed
  }

  // At shutdown with writes still failing: keep retrying for a while (space
  // may be freed), then report what could not be written. Caller holds mu.
  bool give_up(std::unique_lock<std::mutex>&) {
    if (failure.empty()) return false;
    if (!give_up_at) give_up_at = std::chrono::steady_clock::now() + options.shutdown_retry;
    if (std::chrono::steady_clock::now() < *give_up_at) return false;
    std::fprintf(stderr, "vigil store: closing with %zu rows that could not be written (%s)\n", queued_rows,
                 failure.c_str());
    return true;
  }
  std::optional<std::chrono::steady_clock::time_point> give_up_at;

  void open();
  void register_metrics(Registry& registry);

  static std::string failure_reason(int code) {
    switch (code) {
      case SQLITE_FULL: return "disk_full";
      case SQLITE_READONLY: return "read_only";
      case SQLITE_IOERR:
      case SQLITE_CANTOPEN: return "io_error";
      case SQLITE_BUSY:
      case SQLITE_LOCKED: return "busy";
      default: return "other";
    }
  }


};

namespace {

// A file that is not a SQLite database, or a damaged one, is left as it is:
// the message says which file and what to do.
[[noreturn]] void refuse_store(const std::filesystem::path& path, const SqliteError& e) {
  throw std::runtime_error("vigil store: " + path.string() +
                           " is not a vigil store or is damaged (" + e.what() +
                           "). Nothing was changed in it. Move it aside, or set store.path (--data) to another "
                           "location, then start again.");
}

}  // namespace

void Store::Impl::open() {
  const auto& path = options.path;
  if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path());
  try {
    writer = std::make_unique<Db>(path.string());
    // Read first: on a file that is not a database this fails before any
    // statement could write to it.
    writer->exec("SELECT count(*) FROM sqlite_schema");
  } catch (const SqliteError& e) {
    if (e.code() == SQLITE_NOTADB || e.code() == SQLITE_CORRUPT) refuse_store(path, e);
    throw;
  }
  writer->exec("PRAGMA auto_vacuum=INCREMENTAL");
  // Index pages the writer touches stay in its own cache (SQLite's default
  // is 2 MB), and readers map the file instead of copying pages in.
  writer->exec("PRAGMA cache_size=-65536");
  writer->exec(kSchema);
  writer->exec(options.durable_commits ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL");
  spans = std::make_unique<SpanWriter>(*writer);
  logs = std::make_unique<LogWriter>(*writer);
  history = std::make_unique<HistoryWriter>(*writer, options.history_keep);
  reader = std::make_unique<Db>(path.string(), true);
  reader->exec("PRAGMA mmap_size=268435456");
}

void Store::Impl::register_metrics(Registry& r) {
  auto& rows = r.counter({.name = "vigil_store_rows_written_total",
                          .help = "Rows committed to the store, by table.",
                          .labels = {"table"}});
  rows_written[0] = &rows.labels({"spans"});
  rows_written[1] = &rows.labels({"logs"});
  rows_written[2] = &rows.labels({"evaluations"});
  rejected_metric = &r.counter({.name = "vigil_store_rejected_batches_total",
                                .help = "Batches refused because the write queue was full or writes were failing."})
                         .labels({});
  write_errors = &r.counter({.name = "vigil_store_write_errors_total",
                             .help = "Commits that failed, by reason (disk_full, read_only, io_error, busy, other); "
                                     "the data stays queued and is retried.",
                             .labels = {"reason"}});
  failing_metric = &r.gauge({.name = "vigil_store_write_failing",
                             .help = "1 while the store cannot commit (new data is refused with 503)."})
                        .labels({});
  deleted = &r.counter({.name = "vigil_store_deleted_total",
                        .help = "Rows deleted by retention, by table (spans as blocks) and reason (age, size).",
                        .labels = {"table", "reason"}});
  queue_metric = &r.gauge({.name = "vigil_store_queued_rows", .help = "Rows waiting to be committed."}).labels({});
  bytes_metric = &r.gauge({.name = "vigil_store_size_bytes", .help = "Size of the store's database."}).labels({});
  bytes_metric->set(static_cast<double>(database_bytes(*writer)));
}

Store::Store(StoreOptions options) : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
  impl_->open();
  if (Registry* r = impl_->options.registry) impl_->register_metrics(*r);
  impl_->thread = std::thread([this] { impl_->run(); });
}

Store::~Store() {
  {
    std::lock_guard lock(impl_->mu);
    impl_->stopping = true;
  }
  impl_->wake.notify_all();
  impl_->thread.join();
  try {
    impl_->writer->exec("PRAGMA wal_checkpoint(TRUNCATE)");
  } catch (...) {
  }
}

// Caller holds mu. One batch is always let in, however large: the request
// limit bounds it.
static bool refuse_locked(Store::Impl& impl, std::size_t bytes) {
  if (!impl.stopping && impl.failure.empty() &&
      (impl.queued_bytes == 0 || impl.queued_bytes + bytes <= impl.options.max_queued_bytes))
    return false;
  ++impl.rejected;
  if (impl.rejected_metric) impl.rejected_metric->inc();
  return true;
}

bool Store::admits(std::size_t bytes) {
  std::lock_guard lock(impl_->mu);
  return !refuse_locked(*impl_, bytes);
}

bool Store::enqueue(Batch batch) { return batch.rows() == 0 || submit(std::move(batch)) != 0; }

std::uint64_t Store::submit(Batch batch) {
  std::size_t rows = batch.rows();
  std::size_t bytes = batch.bytes();
  std::lock_guard lock(impl_->mu);
  if (refuse_locked(*impl_, bytes)) return 0;
  impl_->queued_rows += rows;
  impl_->queued_bytes += bytes;
  batch.ticket = ++impl_->enqueued;
  impl_->queue.push_back(std::move(batch));
  if (impl_->queue_metric) impl_->queue_metric->set(static_cast<double>(impl_->queued_rows));
  impl_->wake.notify_one();
  return impl_->enqueued;
}

bool Store::await_commit(std::uint64_t ticket) {
  std::unique_lock lock(impl_->mu);
  while (impl_->written < ticket) {
    if (!impl_->failure.empty()) {
      auto& q = impl_->queue;
      auto it = std::find_if(q.begin(), q.end(), [&](const Batch& b) { return b.ticket == ticket; });
      if (it != q.end()) {
        impl_->queued_rows -= it->rows();
        impl_->queued_bytes -= it->bytes();
        q.erase(it);
        if (impl_->queue_metric) impl_->queue_metric->set(static_cast<double>(impl_->queued_rows));
        return false;
      }
    }
    impl_->committed.wait(lock);  // in the writer's hands: wait for the outcome
  }
  return true;
}

bool Store::flush() {
  std::unique_lock lock(impl_->mu);
  std::uint64_t target = impl_->enqueued;
  impl_->wake.notify_one();
  impl_->committed.wait(lock, [&] { return impl_->written >= target || !impl_->failure.empty(); });
  return impl_->written >= target;
}

std::string Store::failure() {
  std::lock_guard lock(impl_->mu);
  return impl_->failure;
}

void Store::run_retention() {
  flush();
  std::unique_lock lock(impl_->mu);
  impl_->committed.wait(lock, [&] { return !impl_->stepping; });  // no chunk of a pass of its own under way
  impl_->retention_pass.reset();
  RetentionPass pass = impl_->new_retention_pass();
  while (pass.step()) {
  }
  if (impl_->bytes_metric) impl_->bytes_metric->set(static_cast<double>(database_bytes(*impl_->writer)));
}

Store::ReadHandle Store::read() { return {*impl_->reader, std::unique_lock(impl_->reader_mu)}; }

Store::Stats Store::stats() {
  Stats st;
  {
    std::lock_guard lock(impl_->reader_mu);
    Stmt s(*impl_->reader, "SELECT (SELECT COUNT(*) FROM logs), (SELECT COUNT(*) FROM evaluations)");
    if (s.step()) st.logs = s.i64(0), st.evaluations = s.i64(1);
    st.spans = count_spans(*impl_->reader);
    st.bytes = database_bytes(*impl_->reader);
  }
  std::lock_guard lock(impl_->mu);
  st.queued_rows = impl_->queued_rows;
  st.queued_bytes = impl_->queued_bytes;
  st.rejected_batches = impl_->rejected;
  st.write_failure = impl_->failure;
  return st;
}

}  // namespace vigil::store
