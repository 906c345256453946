// SQLite store: schema, the writer thread, retention and the queries.
#include "store/store.h"

#include <algorithm>
#include <cmath>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <re2/re2.h>
#include <thread>

#include "store/span_store.h"
#include "store/sqlite.h"
#include "vigil/metrics.h"

namespace vigil::store {
namespace {

// Spans have their own tables (span_store.h).
constexpr const char* kSchema = R"sql(
PRAGMA journal_mode=WAL;
PRAGMA synchronous=NORMAL;
CREATE TABLE IF NOT EXISTS logs(
  id INTEGER PRIMARY KEY, time_ns INTEGER NOT NULL, severity INTEGER NOT NULL, level TEXT NOT NULL,
  service TEXT NOT NULL, logger TEXT NOT NULL, body TEXT NOT NULL, attributes TEXT NOT NULL,
  trace_id TEXT NOT NULL, span_id TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS logs_by_time ON logs(time_ns, id);
CREATE INDEX IF NOT EXISTS logs_by_service ON logs(service, time_ns);
CREATE TABLE IF NOT EXISTS evaluations(
  id INTEGER PRIMARY KEY, model TEXT NOT NULL, window_start_ns INTEGER NOT NULL, window_end_ns INTEGER NOT NULL,
  rows INTEGER NOT NULL, dataset_drift INTEGER NOT NULL, drift_share REAL NOT NULL, report TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS evaluations_by_model ON evaluations(model, window_start_ns);
)sql";

std::int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

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
  return n;
}

struct Store::Impl {
  StoreOptions options;
  std::unique_ptr<Db> writer;
  std::unique_ptr<SpanWriter> spans;  // on `writer`
  std::unique_ptr<Db> reader;
  std::mutex reader_mu;

  std::mutex mu;
  std::condition_variable wake, committed;
  std::deque<Batch> queue;
  std::size_t queued_rows = 0, queued_bytes = 0;
  std::uint64_t enqueued = 0, written = 0;  // batch sequence numbers
  bool stopping = false;
  std::uint64_t rejected = 0;
  std::thread thread;

  Counter* rows_written[3] = {};
  Counter* rejected_metric = nullptr;
  Gauge* queue_metric = nullptr;
  Gauge* bytes_metric = nullptr;

  void write(std::deque<Batch>& batches) {
    writer->exec("BEGIN");
    try {
      Stmt log(*writer,
               "INSERT INTO logs(time_ns,severity,level,service,logger,body,attributes,trace_id,span_id) "
               "VALUES(?,?,?,?,?,?,?,?,?)");
      Stmt eval(*writer,
                "INSERT INTO evaluations(model,window_start_ns,window_end_ns,rows,dataset_drift,drift_share,report) "
                "VALUES(?,?,?,?,?,?,?)");
      std::int64_t n[3] = {0, 0, 0};
      std::vector<const SpanRow*> all_spans;
      for (const Batch& b : batches)
        for (const SpanRow& s : b.spans) all_spans.push_back(&s);
      if (!all_spans.empty()) spans->write(std::move(all_spans));
      for (const Batch& b : batches) {
        for (const LogRow& l : b.logs) {
          log.bind(1, l.time_ns).bind(2, std::int64_t{l.severity}).bind(3, l.level).bind(4, l.service);
          log.bind(5, l.logger).bind(6, l.body).bind(7, l.attributes).bind(8, l.trace_id).bind(9, l.span_id);
          log.run();
        }
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
      writer->exec("ROLLBACK");
      throw;
    }
  }

  void run() {
    auto last_retention = std::chrono::steady_clock::now();
    std::unique_lock lock(mu);
    while (true) {
      wake.wait_for(lock, options.flush_interval, [&] { return stopping || !queue.empty(); });
      if (!queue.empty()) {
        std::deque<Batch> batches;
        batches.swap(queue);
        std::size_t rows = queued_rows, bytes = queued_bytes;
        std::uint64_t upto = enqueued;
        lock.unlock();
        try {
          write(batches);
        } catch (const std::exception& e) {
          std::fprintf(stderr, "vigil store: write failed: %s\n", e.what());
        }
        lock.lock();
        queued_rows -= rows;
        queued_bytes -= bytes;
        written = upto;
        if (queue_metric) queue_metric->set(static_cast<double>(queued_rows));
        committed.notify_all();
      }
      if (stopping && queue.empty()) break;
      if (std::chrono::steady_clock::now() - last_retention > std::chrono::seconds(30)) {
        lock.unlock();
        try {
          retention();
        } catch (const std::exception& e) {
          std::fprintf(stderr, "vigil store: retention failed: %s\n", e.what());
        }
        lock.lock();
        last_retention = std::chrono::steady_clock::now();
      }
    }
  }

  std::uint64_t size_bytes(Db& db) {
    Stmt pages(db, "SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()");
    return pages.step() ? static_cast<std::uint64_t>(pages.i64(0)) : 0;
  }

  void retention() {
    if (options.retention.count() > 0) {
      std::int64_t cutoff = now_ns() - std::chrono::duration_cast<std::chrono::nanoseconds>(options.retention).count();
      spans->drop_started_before(cutoff);
      Stmt b(*writer, "DELETE FROM logs WHERE time_ns < ?");
      b.bind(1, cutoff).run();
      Stmt c(*writer, "DELETE FROM evaluations WHERE window_end_ns < ?");
      c.bind(1, cutoff).run();
    }
    if (options.max_bytes > 0) {
      // Oldest tenth of spans and logs at a time until under the limit
      // (freed pages are reused, so the file stops growing).
      for (int round = 0; round < 10 && size_bytes(*writer) > options.max_bytes; ++round) {
        writer->exec("DELETE FROM logs WHERE id IN (SELECT id FROM logs ORDER BY time_ns LIMIT (SELECT COUNT(*)/10+1 FROM logs))");
        spans->drop_oldest_tenth();
        writer->exec("PRAGMA wal_checkpoint(TRUNCATE)");
        writer->exec("PRAGMA incremental_vacuum");
      }
    }
    if (bytes_metric) bytes_metric->set(static_cast<double>(size_bytes(*writer)));
  }
};

Store::Store(StoreOptions options) : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
  const auto& path = impl_->options.path;
  if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path());
  impl_->writer = std::make_unique<Db>(path.string());
  impl_->writer->exec("PRAGMA auto_vacuum=INCREMENTAL");
  // Index pages the writer touches stay in its own cache (SQLite's default
  // is 2 MB), and readers map the file instead of copying pages in.
  impl_->writer->exec("PRAGMA cache_size=-65536");
  impl_->writer->exec(kSchema);
  impl_->spans = std::make_unique<SpanWriter>(*impl_->writer);
  impl_->reader = std::make_unique<Db>(path.string(), true);
  impl_->reader->exec("PRAGMA mmap_size=268435456");
  if (Registry* r = impl_->options.registry) {
    auto& rows = r->counter({.name = "vigil_store_rows_written_total",
                             .help = "Rows committed to the store, by table.",
                             .labels = {"table"}});
    impl_->rows_written[0] = &rows.labels({"spans"});
    impl_->rows_written[1] = &rows.labels({"logs"});
    impl_->rows_written[2] = &rows.labels({"evaluations"});
    impl_->rejected_metric = &r->counter({.name = "vigil_store_rejected_batches_total",
                                          .help = "Batches refused because the write queue was full."})
                                  .labels({});
    impl_->queue_metric =
        &r->gauge({.name = "vigil_store_queued_rows", .help = "Rows waiting to be committed."}).labels({});
    impl_->bytes_metric = &r->gauge({.name = "vigil_store_size_bytes", .help = "Size of the store's database."}).labels({});
    impl_->bytes_metric->set(static_cast<double>(impl_->size_bytes(*impl_->writer)));
  }
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
  if (!impl.stopping && (impl.queued_bytes == 0 || impl.queued_bytes + bytes <= impl.options.max_queued_bytes))
    return false;
  ++impl.rejected;
  if (impl.rejected_metric) impl.rejected_metric->inc();
  return true;
}

bool Store::admits(std::size_t bytes) {
  std::lock_guard lock(impl_->mu);
  return !refuse_locked(*impl_, bytes);
}

bool Store::enqueue(Batch batch) {
  std::size_t rows = batch.rows();
  if (rows == 0) return true;
  std::size_t bytes = batch.bytes();
  std::lock_guard lock(impl_->mu);
  if (refuse_locked(*impl_, bytes)) return false;
  impl_->queued_rows += rows;
  impl_->queued_bytes += bytes;
  impl_->queue.push_back(std::move(batch));
  ++impl_->enqueued;
  if (impl_->queue_metric) impl_->queue_metric->set(static_cast<double>(impl_->queued_rows));
  impl_->wake.notify_one();
  return true;
}

void Store::flush() {
  std::unique_lock lock(impl_->mu);
  std::uint64_t target = impl_->enqueued;
  impl_->wake.notify_one();
  impl_->committed.wait(lock, [&] { return impl_->written >= target; });
}

void Store::run_retention() {
  flush();
  std::lock_guard lock(impl_->mu);  // the writer thread is idle between batches
  impl_->retention();
}

std::vector<SpanRow> Store::trace(const std::string& trace_id) {
  std::lock_guard lock(impl_->reader_mu);
  return find_trace(*impl_->reader, trace_id);
}

std::vector<TraceSummary> Store::search_traces(const TraceQuery& q) {
  std::lock_guard lock(impl_->reader_mu);
  return store::search_traces(*impl_->reader, q);
}

std::vector<OperationLatency> Store::operation_latency(const std::string& service, std::int64_t start_ns,
                                                       std::int64_t end_ns) {
  std::lock_guard lock(impl_->reader_mu);
  return store::operation_latency(*impl_->reader, service, start_ns, end_ns);
}

LogPage Store::query_logs(const LogQuery& q, std::int64_t start_ns, std::int64_t end_ns, std::size_t limit,
                          const std::string& cursor) {
  limit = std::clamp<std::size_t>(limit, 1, 5000);
  std::int64_t cur_time = INT64_MAX, cur_id = INT64_MAX;
  if (!cursor.empty()) {
    auto dot = cursor.find('.');
    try {
      if (dot == std::string::npos) throw std::invalid_argument("no dot");
      cur_time = std::stoll(cursor.substr(0, dot));
      cur_id = std::stoll(cursor.substr(dot + 1));
    } catch (const std::exception&) {
      throw QueryError("cursor: malformed (use next_cursor from a previous page)");
    }
  }
  SqlCondition c = to_sql(q);
  std::string sql = "SELECT id,time_ns,severity,level,service,logger,body,attributes,trace_id,span_id FROM logs WHERE " +
                    c.where + " AND time_ns >= ? AND time_ns <= ? AND (time_ns < ? OR (time_ns = ? AND id < ?)) "
                    "ORDER BY time_ns DESC, id DESC LIMIT ?";
  bool post = has_post_filter(q);
  LogPage page;
  std::lock_guard lock(impl_->reader_mu);
  Stmt s(*impl_->reader, sql);
  // With regular expressions, rows are fetched in chunks until the page is full.
  std::size_t chunk = post ? std::max<std::size_t>(limit * 4, 256) : limit + 1;
  while (true) {
    int i = 1;
    for (const auto& p : c.params) s.bind(i++, p);
    for (std::int64_t v : {start_ns, end_ns ? end_ns : INT64_MAX, cur_time, cur_time, cur_id,
                           static_cast<std::int64_t>(chunk)})
      s.bind(i++, v);
    std::size_t fetched = 0;
    bool more = false;
    while (s.step()) {
      ++fetched;
      LogRow r = read_log(s);
      cur_time = r.time_ns;
      cur_id = r.id;
      if (post && !post_filter(q, r)) continue;
      if (page.rows.size() == limit) {
        more = true;
        break;
      }
      page.rows.push_back(std::move(r));
    }
    s.reset();
    if (more) {
      const LogRow& last = page.rows.back();
      page.next_cursor = std::to_string(last.time_ns) + "." + std::to_string(last.id);
      break;
    }
    if (fetched < chunk) break;  // no more rows
  }
  return page;
}

std::int64_t Store::count_logs(const LogQuery& q, std::int64_t start_ns, std::int64_t end_ns) {
  SqlCondition c = to_sql(q);
  bool post = has_post_filter(q);
  std::string sql = std::string("SELECT ") +
                    (post ? "id,time_ns,severity,level,service,logger,body,attributes,trace_id,span_id" : "COUNT(*)") +
                    " FROM logs WHERE " + c.where + " AND time_ns >= ? AND time_ns <= ?";
  std::lock_guard lock(impl_->reader_mu);
  Stmt s(*impl_->reader, sql);
  int i = 1;
  for (const auto& p : c.params) s.bind(i++, p);
  s.bind(i, start_ns);
  s.bind(i + 1, end_ns ? end_ns : INT64_MAX);
  if (!post) return s.step() ? s.i64(0) : 0;
  std::int64_t n = 0;
  while (s.step()) n += post_filter(q, read_log(s));
  return n;
}

std::vector<EvaluationRow> Store::evaluations(const std::string& model, std::int64_t start_ns, std::int64_t end_ns,
                                              std::size_t limit) {
  std::lock_guard lock(impl_->reader_mu);
  Stmt s(*impl_->reader,
         "SELECT model,window_start_ns,window_end_ns,rows,dataset_drift,drift_share,report FROM evaluations "
         "WHERE (? = '' OR model = ?) AND window_start_ns >= ? AND window_start_ns <= ? "
         "ORDER BY window_start_ns DESC LIMIT ?");
  s.bind(1, model).bind(2, model).bind(3, start_ns).bind(4, end_ns ? end_ns : INT64_MAX);
  s.bind(5, static_cast<std::int64_t>(limit));
  std::vector<EvaluationRow> out;
  while (s.step()) out.push_back({s.text(0), s.i64(1), s.i64(2), s.i64(3), s.i64(4) != 0, s.f64(5), s.text(6)});
  std::reverse(out.begin(), out.end());  // oldest first, for plotting
  return out;
}

Store::Stats Store::stats() {
  Stats st;
  {
    std::lock_guard lock(impl_->reader_mu);
    Stmt s(*impl_->reader, "SELECT (SELECT COUNT(*) FROM logs), (SELECT COUNT(*) FROM evaluations)");
    if (s.step()) st.logs = s.i64(0), st.evaluations = s.i64(1);
    st.spans = count_spans(*impl_->reader);
    st.bytes = impl_->size_bytes(*impl_->reader);
  }
  std::lock_guard lock(impl_->mu);
  st.queued_rows = impl_->queued_rows;
  st.queued_bytes = impl_->queued_bytes;
  st.rejected_batches = impl_->rejected;
  return st;
}

}  // namespace vigil::store
