// The log query language: parsing, errors that name the position, and
// regular-expression semantics (anchored label matchers, unanchored line
// filters, as in Loki) evaluated against a real store.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "store/log_query.h"
#include "store/store.h"
#include "temp_dir.h"

namespace {

using vigil::store::parse_log_query;
using vigil::store::QueryError;

std::string error_of(std::string_view query) {
  try {
    parse_log_query(query);
  } catch (const QueryError& e) {
    return e.what();
  }
  return "";
}

TEST(LogQuery, ParsesSelectorLineAndFieldFilters) {
  auto q = parse_log_query(R"({service="ranker", level=~"warn|error"} |= "timeout" !~ "retry [0-9]+" | latency_ms >= 250)");
  ASSERT_EQ(q.matchers.size(), 3u);
  EXPECT_EQ(q.matchers[0].key, "service");
  EXPECT_EQ(q.matchers[0].value, "ranker");
  EXPECT_EQ(q.matchers[1].op, vigil::store::LogMatcher::Op::kRe);
  EXPECT_NE(q.matchers[1].regex, nullptr);
  EXPECT_EQ(q.matchers[2].op, vigil::store::LogMatcher::Op::kGe);
  EXPECT_DOUBLE_EQ(q.matchers[2].number, 250);
  ASSERT_EQ(q.lines.size(), 2u);
  EXPECT_EQ(q.lines[0].text, "timeout");
  EXPECT_EQ(q.lines[0].regex, nullptr);
  EXPECT_NE(q.lines[1].regex, nullptr);
}

TEST(LogQuery, MalformedQueriesNameTheColumn) {
  EXPECT_EQ(error_of(R"({service=})").rfind("query:1:", 0), 0u) << error_of(R"({service=})");
  EXPECT_NE(error_of(R"({service="a")"), "");
  EXPECT_NE(error_of(R"(|= timeout)"), "");
  EXPECT_NE(error_of(R"({a=~"("})").find("invalid regular expression"), std::string::npos);
}

TEST(LogQuery, HugeRepetitionCountsAreRefusedNotOverflowed) {
  // Found by the log_query fuzzer: std::regex multiplied this count past
  // LONG_MAX (undefined behaviour). RE2 reads a brace whose count does not
  // parse as a literal (as Perl does) and refuses counts over 1000.
  EXPECT_EQ(error_of(R"({a=~"9{9999999990000000000013875954505633}"})"), "");
  EXPECT_NE(error_of(R"(|~ "x{1001}")").find("invalid repetition size"), std::string::npos) << error_of(R"(|~ "x{1001}")");
  EXPECT_EQ(error_of(R"(|~ "x{1000}")"), "");
}

using vigil_test::unix_now_ns;

class LogQueryStore : public ::testing::Test {
 protected:
  vigil_test::TempDir dir_;
  std::unique_ptr<vigil::store::Store> store_;

  void SetUp() override {
    store_ = std::make_unique<vigil::store::Store>(vigil::store::StoreOptions{.path = dir_.path / "v.db"});
  }
  void TearDown() override {
    store_.reset();  // closes the database before dir_ removes its files
  }

  void add(const std::string& service, const std::string& body, const std::string& attributes = "{}") {
    vigil::store::LogRow r;
    r.time_ns = unix_now_ns() - 1000 + static_cast<std::int64_t>(rows_++);
    r.level = "info";
    r.service = service;
    r.body = body;
    r.attributes = attributes;
    batch_.logs.push_back(std::move(r));
  }

  // Bodies of the matching records, oldest first.
  std::vector<std::string> bodies(std::string_view query) {
    if (!batch_.logs.empty()) {
      EXPECT_TRUE(store_->enqueue(std::move(batch_)));
      batch_ = {};
      store_->flush();
    }
    auto page = store_->query_logs(parse_log_query(query), 0, 0, 100, "");
    std::vector<std::string> out;
    for (auto it = page.rows.rbegin(); it != page.rows.rend(); ++it) out.push_back(it->body);
    return out;
  }

 private:
  vigil::store::Batch batch_;
  std::size_t rows_ = 0;
};

using Bodies = std::vector<std::string>;

TEST_F(LogQueryStore, LabelMatchersMatchTheWholeValue) {
  add("ranker", "a");
  add("rank", "b");
  add("reranker", "c");
  EXPECT_EQ(bodies(R"({service=~"rank"})"), (Bodies{"b"}));
  EXPECT_EQ(bodies(R"({service=~"rank.*"})"), (Bodies{"a", "b"}));
  EXPECT_EQ(bodies(R"({service=~".*rank.*"})"), (Bodies{"a", "b", "c"}));
  EXPECT_EQ(bodies(R"({service!~"rank"})"), (Bodies{"a", "c"}));
}

TEST_F(LogQueryStore, LineFiltersMatchAnywhere) {
  add("s", "GPU 3 out of memory");
  add("s", "cpu fallback");
  add("s", "gpu 12 ok");
  EXPECT_EQ(bodies(R"(|~ "(?i)gpu [0-9]+")"), (Bodies{"GPU 3 out of memory", "gpu 12 ok"}));
  EXPECT_EQ(bodies(R"(|~ "GPU [0-9]+")"), (Bodies{"GPU 3 out of memory"}));
  EXPECT_EQ(bodies(R"(!~ "^cpu")"), (Bodies{"GPU 3 out of memory", "gpu 12 ok"}));
}

TEST_F(LogQueryStore, FieldFiltersOnAttributes) {
  add("s", "a", R"({"user_id":"42","latency_ms":300})");
  add("s", "b", R"({"user_id":"420","latency_ms":100})");
  add("s", "c", R"({"user_id":"7"})");
  EXPECT_EQ(bodies(R"(| user_id=~"4.")"), (Bodies{"a"}));
  EXPECT_EQ(bodies(R"(| user_id=~"4.*" | latency_ms > 200)"), (Bodies{"a"}));
  EXPECT_EQ(bodies(R"(| user_id!~"4.*")"), (Bodies{"c"}));
}

TEST_F(LogQueryStore, LongLinesAndPathologicalPatternsFinish) {
  // std::regex recursed once per character here and overflowed the stack
  // (a crash of the daemon from one query); RE2 is linear in the input.
  add("s", std::string(1 << 20, 'a'));
  add("s", std::string(1 << 20, 'a') + "c");
  auto hits = bodies(R"(|~ "(a|b)*c")");
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].back(), 'c');
  EXPECT_EQ(bodies(R"(|~ "(a*)*$")").size(), 2u);
}

TEST_F(LogQueryStore, OversizedRepetitionIsALiteralBrace) {
  add("s", "9{9999999990000000000013875954505633}");
  add("s", "99");
  EXPECT_EQ(bodies(R"(|~ "9{9999999990000000000013875954505633}")"), (Bodies{"9{9999999990000000000013875954505633}"}));
}

}  // namespace
