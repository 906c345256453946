// The daemon's store: batched writes, queries, retention by age and size,
// and the bounded queue.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>

#include "store/store.h"

namespace {

namespace fs = std::filesystem;
using vigil::store::Batch;
using vigil::store::LogRow;
using vigil::store::SpanRow;

std::int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

struct TempDir {
  fs::path path = fs::temp_directory_path() / ("vigil-store-test-" + std::to_string(::getpid()) + "-" +
                                               std::to_string(now_ns()));
  TempDir() { fs::create_directories(path); }
  ~TempDir() { fs::remove_all(path); }
};

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
  std::int64_t old = now_ns() - 2 * 3600 * 1'000'000'000ll, fresh = now_ns();
  ASSERT_TRUE(store.enqueue(spans_and_logs(old, 10, "old")));
  ASSERT_TRUE(store.enqueue(spans_and_logs(fresh, 5, "new")));
  store.flush();
  EXPECT_EQ(store.stats().spans, 15);
  store.run_retention();
  auto st = store.stats();
  EXPECT_EQ(st.spans, 5);
  EXPECT_EQ(st.logs, 5);
  auto page = store.query_logs(vigil::store::parse_log_query(""), 0, 0, 100, "");
  ASSERT_EQ(page.rows.size(), 5u);
  EXPECT_EQ(page.rows[0].body.rfind("new", 0), 0u);
}

TEST(Store, RetentionBySizeKeepsTheNewest) {
  TempDir dir;
  vigil::store::Store store({.path = dir.path / "v.db", .retention = std::chrono::seconds(0), .max_bytes = 400 * 1024});
  std::int64_t t = now_ns() - 1'000'000'000ll;
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
  // The first batch is always admitted; the next ones overflow 64 KiB.
  int refused = 0;
  for (int i = 0; i < 20; ++i) refused += !store.enqueue(spans_and_logs(now_ns(), 100, "q"));
  EXPECT_GT(refused, 0);
  EXPECT_EQ(store.stats().rejected_batches, static_cast<std::uint64_t>(refused));
  store.flush();
  EXPECT_EQ(store.stats().spans % 100, 0);  // batches are all or nothing
}

}  // namespace
