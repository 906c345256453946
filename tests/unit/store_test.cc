// The daemon's store: batched writes, queries, retention by age and size,
// and the bounded queue.
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>

#include "store/sqlite.h"
#include "store/store.h"
#include "temp_dir.h"
#include "vigil/exposition.h"
#include "vigil/metrics.h"

namespace {

using vigil::store::Batch;
using vigil::store::LogRow;
using vigil::store::SpanRow;

using vigil_test::TempDir;
using vigil_test::unix_now_ns;

Batch spans_and_logs(std::int64_t t, int n, const std::string& prefix) {
  Batch b;
  for (int i = 0; i < n; ++i) {
    SpanRow s;
    s.trace_id = std::string(24, '0') + prefix + std::string(8 - prefix.size(), 'a');
    s.span_id = std::to_string(1000000000000000ll + i);
    s.service = "svc";
    s.name = "op";
    s.start_ns = t;
    s.end_ns = t + 1000;
    b.spans.push_back(s);
    LogRow l;
    l.time_ns = t;
    l.level = "info";
    l.service = "svc";
    l.body = prefix + " line " + std::to_string(i) + std::string(200, 'x');
    b.logs.push_back(l);
  }
  return b;
}

TEST(Store, RetentionByAgeDropsOnlyOldRows) {
  TempDir dir;
  vigil::store::Store store({.path = dir.path / "v.db", .retention = std::chrono::hours(1)});
  std::int64_t old = unix_now_ns() - 2 * 3600 * 1'000'000'000ll, fresh = unix_now_ns();
  // One batch, so old and new spans share a block that retention rewrites.
  Batch both = spans_and_logs(old, 10, "old"), fresh_batch = spans_and_logs(fresh, 5, "new");
  for (auto& s : fresh_batch.spans) both.spans.push_back(s);
  for (auto& l : fresh_batch.logs) both.logs.push_back(l);
  ASSERT_TRUE(store.enqueue(both));
  store.flush();
  EXPECT_EQ(store.stats().spans, 15);
  store.run_retention();
  auto st = store.stats();
  EXPECT_EQ(st.spans, 5);
  EXPECT_EQ(st.logs, 5);
  auto page = store.query_logs(vigil::store::parse_log_query(""), 0, 0, 100, "");
  ASSERT_EQ(page.rows.size(), 5u);
  EXPECT_EQ(page.rows[0].body.rfind("new", 0), 0u);
  EXPECT_TRUE(store.trace(std::string(24, '0') + "oldaaaaa").empty());
  EXPECT_EQ(store.trace(std::string(24, '0') + "newaaaaa").size(), 5u);
}

// A pass deletes a bounded chunk per statement (32 blocks, 2000 log rows)
// so commits interleave; here it takes several chunks, and ends complete.
TEST(Store, RetentionDeletesChunkByChunkToTheEndAndCountsIt) {
  TempDir dir;
  vigil::Registry registry;
  vigil::store::Store store({.path = dir.path / "v.db", .retention = std::chrono::hours(1), .registry = &registry});
  std::int64_t old = unix_now_ns() - 2 * 3600 * 1'000'000'000ll;
  for (int b = 0; b < 70; ++b) {  // a commit, and so a block, per batch: 70 blocks, 4200 log rows
    ASSERT_TRUE(store.enqueue(spans_and_logs(old + b, 60, "o" + std::to_string(b))));
    store.flush();
  }
  ASSERT_TRUE(store.enqueue(spans_and_logs(unix_now_ns(), 5, "new")));
  store.flush();
  store.run_retention();
  auto st = store.stats();
  EXPECT_EQ(st.spans, 5);
  EXPECT_EQ(st.logs, 5);
  std::string text = vigil::encode(registry.gather(), vigil::ExpositionFormat::kPrometheusText);
  EXPECT_NE(text.find(R"(vigil_store_deleted_total{table="span_blocks",reason="age"} 70)"), std::string::npos) << text;
  EXPECT_NE(text.find(R"(vigil_store_deleted_total{table="logs",reason="age"} 4200)"), std::string::npos) << text;
}

// The service graph finds a parent in another block through the trace index.
TEST(Store, ServiceCallsAcrossBlocks) {
  TempDir dir;
  vigil::store::Store store({.path = dir.path / "v.db"});
  std::int64_t t = unix_now_ns();
  auto one_span = [&](const std::string& id, const std::string& parent, const std::string& service) {
    Batch b;
    SpanRow s;
    s.trace_id = std::string(32, 'c');
    s.span_id = id;
    s.parent_span_id = parent;
    s.service = service;
    s.name = "op";
    s.start_ns = t;
    s.end_ns = t + 1000;
    b.spans.push_back(s);
    ASSERT_TRUE(store.enqueue(b));
    store.flush();  // a commit, and so a block, each
  };
  one_span("1000000000000001", "", "frontend");
  one_span("1000000000000002", "1000000000000001", "ranker");
  one_span("1000000000000003", "1000000000000002", "ranker");  // within a service: no edge
  auto calls = store.service_calls(t - 1, t + 1);
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0].parent, "frontend");
  EXPECT_EQ(calls[0].child, "ranker");
  EXPECT_EQ(calls[0].calls, 1);
  EXPECT_TRUE(store.service_calls(t + 10, t + 20).empty());  // outside the range
}

TEST(Store, RetentionBySizeKeepsTheNewest) {
  TempDir dir;
  vigil::store::Store store({.path = dir.path / "v.db", .retention = std::chrono::seconds(0), .max_bytes = 400 * 1024});
  std::int64_t t = unix_now_ns() - 1'000'000'000ll;
  for (int b = 0; b < 20; ++b) ASSERT_TRUE(store.enqueue(spans_and_logs(t + b, 200, "b" + std::to_string(b))));
  store.flush();
  auto before = store.stats();
  ASSERT_GT(before.bytes, 400u * 1024);
  store.run_retention();
  auto after = store.stats();
  EXPECT_LT(after.logs, before.logs);
  EXPECT_GT(after.logs, 0);
  // What survives is the newest.
  auto page = store.query_logs(vigil::store::parse_log_query(""), 0, 0, 1, "");
  ASSERT_EQ(page.rows.size(), 1u);
  EXPECT_EQ(page.rows[0].body.rfind("b19", 0), 0u);
}

TEST(Store, FullQueueRefusesAndCounts) {
  TempDir dir;
  vigil::store::Store store({.path = dir.path / "v.db", .max_queued_bytes = 64 * 1024,
                             .flush_interval = std::chrono::hours(1)});
  // The first batch is always admitted; the next ones overflow 64 KiB while
  // it is being written. The batches are built first, so they arrive back
  // to back: built between enqueues (slow under ASan, where SQLite is not
  // instrumented) the writer could commit each before the next arrived.
  std::vector<Batch> batches;
  for (int i = 0; i < 20; ++i) batches.push_back(spans_and_logs(unix_now_ns(), 100, "q"));
  int refused = 0;
  for (auto& b : batches) refused += !store.enqueue(std::move(b));
  EXPECT_GT(refused, 0);
  EXPECT_EQ(store.stats().rejected_batches, static_cast<std::uint64_t>(refused));
  store.flush();
  EXPECT_EQ(store.stats().spans % 100, 0);  // batches are all or nothing
}

SpanRow span(const std::string& trace, const std::string& id, const std::string& parent, const std::string& name,
             std::int64_t start, std::int64_t duration) {
  SpanRow s;
  s.trace_id = trace;
  s.span_id = id;
  s.parent_span_id = parent;
  s.service = "svc";
  s.name = name;
  s.start_ns = start;
  s.end_ns = start + duration;
  return s;
}

std::string trace_hex(int i) {
  char buf[33];
  std::snprintf(buf, sizeof buf, "%032x", i);
  return buf;
}

TEST(Store, ResentSpanKeepsItsNewestCopy) {
  TempDir dir;
  vigil::store::Store store({.path = dir.path / "v.db"});
  std::int64_t t = unix_now_ns();
  Batch a, b;
  a.spans.push_back(span(trace_hex(1), "00000000000000a1", "", "first", t, 10));
  b.spans.push_back(span(trace_hex(1), "00000000000000a1", "", "resent", t, 10));
  b.spans.push_back(span(trace_hex(1), "00000000000000a2", "00000000000000a1", "child", t + 1, 5));
  ASSERT_TRUE(store.enqueue(a));
  store.flush();  // separate blocks
  ASSERT_TRUE(store.enqueue(b));
  Batch c;
  c.spans.push_back(span(trace_hex(1), "00000000000000a2", "00000000000000a1", "child again", t + 1, 5));
  ASSERT_TRUE(store.enqueue(c));  // same write as b, later in the block
  store.flush();
  auto trace = store.trace(trace_hex(1));
  ASSERT_EQ(trace.size(), 2u);
  EXPECT_EQ(trace[0].name, "resent");
  EXPECT_EQ(trace[1].name, "child again");
  EXPECT_TRUE(store.trace(trace_hex(2)).empty());
}

TEST(Store, SearchReturnsTheLatestMatchingTracesAcrossBlocks) {
  TempDir dir;
  vigil::store::Store store({.path = dir.path / "v.db"});
  std::int64_t t0 = unix_now_ns() - 1'000'000'000'000;
  // 40 blocks of 10 traces; trace n starts at t0 + n ms, its root lasts n µs,
  // and every third trace has an error and a "gpu" attribute.
  for (int blk = 0; blk < 40; ++blk) {
    Batch b;
    for (int k = 0; k < 10; ++k) {
      int n = blk * 10 + k;
      std::int64_t start = t0 + n * 1'000'000ll;
      SpanRow root = span(trace_hex(n), "1000000000000000", "", "POST /predict", start, n * 1000ll);
      SpanRow child = span(trace_hex(n), "2000000000000000", "1000000000000000", "inference", start + 1, 10);
      if (n % 3 == 0) child.status_code = 2, child.attributes = R"({"gpu":true,"model":"m)" + std::to_string(n % 2) + "\"}";
      b.spans.push_back(child);  // child first: the summary's root is the parentless span
      b.spans.push_back(root);
    }
    ASSERT_TRUE(store.enqueue(std::move(b)));
    store.flush();
  }
  vigil::store::TraceQuery q;
  q.limit = 5;
  auto latest = store.search_traces(q);
  ASSERT_EQ(latest.size(), 5u);
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(latest[static_cast<std::size_t>(i)].trace_id, trace_hex(399 - i));
    EXPECT_EQ(latest[static_cast<std::size_t>(i)].root_name, "POST /predict");
    EXPECT_EQ(latest[static_cast<std::size_t>(i)].spans, 2);
  }
  EXPECT_EQ(latest[0].duration_ns, 399'000);

  q.attributes = {{"gpu", "true"}, {"model", "m1"}};  // n % 6 == 3
  q.limit = 3;
  auto gpu = store.search_traces(q);
  ASSERT_EQ(gpu.size(), 3u);
  EXPECT_EQ(gpu[0].trace_id, trace_hex(399));
  EXPECT_EQ(gpu[1].trace_id, trace_hex(393));
  EXPECT_EQ(gpu[2].trace_id, trace_hex(387));
  EXPECT_EQ(gpu[2].errors, 1);

  q = {};
  q.operation = "POST /predict";
  q.max_duration_ns = 100'000;  // traces 0..100
  q.start_ns = t0 + 50 * 1'000'000ll;
  q.limit = 1000;
  auto window = store.search_traces(q);
  ASSERT_EQ(window.size(), 51u);
  EXPECT_EQ(window.front().trace_id, trace_hex(100));
  EXPECT_EQ(window.back().trace_id, trace_hex(50));

  q = {};
  q.service = "other";
  EXPECT_TRUE(store.search_traces(q).empty());
}

TEST(Store, AttributeSearchMatchesTopLevelKeysOnly) {
  TempDir dir;
  vigil::store::Store store({.path = dir.path / "v.db"});
  std::int64_t t = unix_now_ns();
  Batch b;
  const char* attrs[] = {R"({"a b":"x","n":8})", R"({"q\"k":"y"})", R"({"outer":{"gpu":true}})", R"({"gpu":true})"};
  for (int i = 0; i < 4; ++i) {
    b.spans.push_back(span(trace_hex(100 + i), "1000000000000000", "", "op", t + i, 10));
    b.spans.back().attributes = attrs[i];
  }
  ASSERT_TRUE(store.enqueue(std::move(b)));
  store.flush();
  auto find = [&](std::string k, std::string v) {
    vigil::store::TraceQuery q;
    q.attributes = {{k, v}};
    std::vector<std::string> ids;
    for (const auto& t : store.search_traces(q)) ids.push_back(t.trace_id);
    return ids;
  };
  EXPECT_EQ(find("a b", "x"), std::vector<std::string>{trace_hex(100)});
  EXPECT_EQ(find("n", "8"), std::vector<std::string>{trace_hex(100)});
  EXPECT_EQ(find("q\"k", "y"), std::vector<std::string>{trace_hex(101)});  // a key the text pre-check leaves to the parser
  EXPECT_EQ(find("gpu", "true"), std::vector<std::string>{trace_hex(103)});  // not the nested one
  EXPECT_EQ(find("gpu", "1"), std::vector<std::string>{trace_hex(103)});
  EXPECT_TRUE(find("outer", "x").empty());
  EXPECT_TRUE(find("missing", "x").empty());
}

TEST(Store, OperationLatencyGroupsByOperationWithShareOfTrace) {
  TempDir dir;
  vigil::store::Store store({.path = dir.path / "v.db"});
  std::int64_t t0 = unix_now_ns();
  Batch b;
  // 100 traces: a 10 ms root, an inference of (i + 1) * 0.05 ms.
  for (int i = 0; i < 100; ++i) {
    b.spans.push_back(span(trace_hex(i), "1000000000000000", "", "root", t0 + i, 10'000'000));
    b.spans.push_back(span(trace_hex(i), "2000000000000000", "1000000000000000", "inference", t0 + i + 1,
                           (i + 1) * 50'000ll));
  }
  ASSERT_TRUE(store.enqueue(std::move(b)));
  store.flush();
  auto ops = store.operation_latency("svc", t0, 0);
  ASSERT_EQ(ops.size(), 2u);
  EXPECT_EQ(ops[0].name, "root");  // slowest p95 first
  EXPECT_TRUE(ops[0].root);
  EXPECT_DOUBLE_EQ(ops[0].share_of_trace, 1.0);
  EXPECT_EQ(ops[1].name, "inference");
  EXPECT_FALSE(ops[1].root);
  EXPECT_EQ(ops[1].count, 100);
  EXPECT_DOUBLE_EQ(ops[1].p50_ms, 2.5);   // 50th of 100: 50 * 0.05
  EXPECT_DOUBLE_EQ(ops[1].p95_ms, 4.75);  // 95th
  EXPECT_DOUBLE_EQ(ops[1].max_ms, 5.0);
  EXPECT_NEAR(ops[1].share_of_trace, 2.525 / 10.0, 1e-9);  // mean of (i+1)*0.05 / 10
  EXPECT_TRUE(store.operation_latency("nobody", t0, 0).empty());
}

TEST(Store, SpansFromTheRowPerSpanLayoutAreMovedIntoBlocks) {
  TempDir dir;
  auto path = dir.path / "v.db";
  {
    // The table an older vigil wrote, with one span row.
    vigil::store::Db db(path.string());
    db.exec(
        "CREATE TABLE spans(trace_id TEXT NOT NULL, span_id TEXT NOT NULL, parent_span_id TEXT NOT NULL, "
        "service TEXT NOT NULL, name TEXT NOT NULL, scope TEXT NOT NULL, kind INTEGER NOT NULL, "
        "start_ns INTEGER NOT NULL, end_ns INTEGER NOT NULL, duration_ns INTEGER NOT NULL, "
        "status_code INTEGER NOT NULL, status_message TEXT NOT NULL, attributes TEXT NOT NULL, "
        "events TEXT NOT NULL, links TEXT NOT NULL, resource TEXT NOT NULL)");
    db.exec("INSERT INTO spans VALUES('" + trace_hex(9) +
            "','00000000000000b1','','old-svc','old-op','scope',2,100,350,250,2,'bad','{\"k\":1}','[]','[]','{}')");
  }
  vigil::store::Store store({.path = path, .retention = std::chrono::seconds(0)});
  EXPECT_EQ(store.stats().spans, 1);
  auto trace = store.trace(trace_hex(9));
  ASSERT_EQ(trace.size(), 1u);
  EXPECT_EQ(trace[0].service, "old-svc");
  EXPECT_EQ(trace[0].end_ns, 350);
  EXPECT_EQ(trace[0].status_message, "bad");
  EXPECT_EQ(trace[0].attributes, R"({"k":1})");
  vigil::store::Db check(path.string(), true);
  vigil::store::Stmt s(check, "SELECT COUNT(*) FROM sqlite_master WHERE name = 'spans'");
  ASSERT_TRUE(s.step());
  EXPECT_EQ(s.i64(0), 0);
}

}  // namespace

namespace {

// A file that is not a store: a clear error naming it, and the file untouched.
TEST(Store, RefusesAFileThatIsNotAStoreAndLeavesItAlone) {
  TempDir dir;
  std::filesystem::path path = dir.path / "vigil.db";
  const std::string junk(8192, 'x');
  {
    std::ofstream out(path, std::ios::binary);
    out << junk;
  }
  try {
    vigil::store::Store store({.path = path});
    FAIL() << "opened a file that is not a database";
  } catch (const std::runtime_error& e) {
    std::string what = e.what();
    EXPECT_NE(what.find(path.string()), std::string::npos) << what;
    EXPECT_NE(what.find("is not a vigil store or is damaged"), std::string::npos) << what;
    EXPECT_NE(what.find("Nothing was changed"), std::string::npos) << what;
  }
  std::ifstream in(path, std::ios::binary);
  std::string after((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(after, junk);
  EXPECT_FALSE(std::filesystem::exists(path.string() + "-wal"));
}

}  // namespace

namespace {

// A receiver that waits for its batch's commit sees it committed, in order.
TEST(Store, AwaitCommitReturnsOnceTheBatchIsOnDisk) {
  TempDir dir;
  vigil::store::Store store({.path = dir.path / "v.db", .flush_interval = std::chrono::milliseconds(1000)});
  std::uint64_t first = store.submit(spans_and_logs(unix_now_ns(), 10, "a"));
  std::uint64_t second = store.submit(spans_and_logs(unix_now_ns(), 10, "b"));
  ASSERT_GT(first, 0u);
  ASSERT_GT(second, first);
  EXPECT_TRUE(store.await_commit(second));
  EXPECT_EQ(store.stats().spans, 20);  // committed before the answer, well inside the 1 s flush interval
  EXPECT_TRUE(store.await_commit(first));
}

}  // namespace
