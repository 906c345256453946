// The span block encoding: every field round-trips, repeats and hex ids are
// stored compactly, and damaged blocks are refused rather than misread.
#include <gtest/gtest.h>

#include <climits>
#include <random>

#include "store/span_block.h"

namespace {

using vigil::store::decode_span_block;
using vigil::store::encode_span_block;
using vigil::store::SpanRow;

std::vector<const SpanRow*> pointers(const std::vector<SpanRow>& v) {
  std::vector<const SpanRow*> p;
  for (const auto& s : v) p.push_back(&s);
  return p;
}

void expect_same(const SpanRow& a, const SpanRow& b) {
  EXPECT_EQ(a.trace_id, b.trace_id);
  EXPECT_EQ(a.span_id, b.span_id);
  EXPECT_EQ(a.parent_span_id, b.parent_span_id);
  EXPECT_EQ(a.service, b.service);
  EXPECT_EQ(a.name, b.name);
  EXPECT_EQ(a.scope, b.scope);
  EXPECT_EQ(a.kind, b.kind);
  EXPECT_EQ(a.start_ns, b.start_ns);
  EXPECT_EQ(a.end_ns, b.end_ns);
  EXPECT_EQ(a.status_code, b.status_code);
  EXPECT_EQ(a.status_message, b.status_message);
  EXPECT_EQ(a.attributes, b.attributes);
  EXPECT_EQ(a.events, b.events);
  EXPECT_EQ(a.links, b.links);
  EXPECT_EQ(a.resource, b.resource);
}

std::vector<SpanRow> varied_spans() {
  std::vector<SpanRow> v(5);
  v[0].trace_id = "4bf92f3577b34da6a3ce929d0e0e4736";
  v[0].span_id = "00f067aa0ba902b7";
  v[0].service = "ranker";
  v[0].name = "POST /predict";
  v[0].scope = "vigil";
  v[0].kind = 2;
  v[0].start_ns = 1'800'000'000'000'000'000;
  v[0].end_ns = v[0].start_ns + 5'000'000;
  v[0].attributes = R"({"model":"resnet","batch":8})";
  v[0].resource = R"({"service.name":"ranker"})";
  v[1] = v[0];  // same trace: repeated fields
  v[1].span_id = "b7ad6b7169203331";
  v[1].parent_span_id = v[0].span_id;
  v[1].name = "inference";
  v[1].start_ns = v[0].start_ns - 7;  // earlier than the previous span: negative delta
  v[1].end_ns = v[1].start_ns;
  v[1].status_code = 2;
  v[1].status_message = "CUDA out of memory \xff\x00 tail";
  v[1].status_message.push_back('\0');
  v[1].events = R"([{"name":"exception","time_ns":1,"attributes":{}}])";
  v[2].trace_id = "NOT-HEX ids are kept as text";  // not packable: stored as text
  v[2].span_id = "ABCDEF0123456789";              // upper case is not packed (it would come back lower)
  v[2].parent_span_id = "abc";                     // odd length
  v[2].start_ns = INT64_MIN;
  v[2].end_ns = INT64_MAX;  // the difference wraps
  v[2].kind = -3;
  v[3].start_ns = INT64_MAX;
  v[3].end_ns = INT64_MIN;
  v[4] = v[0];
  v[4].links = R"([{"trace_id":"00","span_id":"01","attributes":{}}])";
  return v;
}

TEST(SpanBlock, EveryFieldRoundTrips) {
  auto spans = varied_spans();
  auto decoded = decode_span_block(encode_span_block(pointers(spans)));
  ASSERT_EQ(decoded.size(), spans.size());
  for (std::size_t i = 0; i < spans.size(); ++i) {
    SCOPED_TRACE(i);
    expect_same(decoded[i], spans[i]);
  }
  EXPECT_TRUE(decode_span_block(encode_span_block({})).empty());
}

TEST(SpanBlock, RepeatedFieldsAndHexIdsAreCompact) {
  std::vector<SpanRow> spans(100, varied_spans()[0]);
  for (int i = 0; i < 100; ++i) {
    char id[17];
    std::snprintf(id, sizeof id, "%016x", i + 1);
    spans[static_cast<std::size_t>(i)].span_id = id;
  }
  std::string block = encode_span_block(pointers(spans));
  std::string first = encode_span_block(std::vector<const SpanRow*>{&spans[0]});
  // The first span carries the strings. Each next one is a flag word (3
  // bytes), a length and an 8-byte id (9), kind, status and start delta (1
  // each) and the 5 ms duration (4): 19 bytes.
  EXPECT_EQ(block.size() - first.size(), 99u * 19);
  auto decoded = decode_span_block(block);
  EXPECT_EQ(decoded[57].span_id, "000000000000003a");
  EXPECT_EQ(decoded[99].resource, spans[99].resource);
}

TEST(SpanBlock, DamagedBlocksAreRefusedNotMisread) {
  auto spans = varied_spans();
  std::string block = encode_span_block(pointers(spans));
  for (std::size_t n = 0; n < block.size(); ++n)
    EXPECT_THROW(decode_span_block(block.substr(0, n)), std::runtime_error) << "truncated to " << n;
  EXPECT_THROW(decode_span_block(block + "x"), std::runtime_error);
  EXPECT_THROW(decode_span_block("VSB2" + block.substr(4)), std::runtime_error);
  // Random byte changes either throw or decode to some spans: never crash.
  std::mt19937 rng(7);
  int refused = 0;
  for (int i = 0; i < 2000; ++i) {
    std::string bad = block;
    bad[4 + rng() % (bad.size() - 4)] = static_cast<char>(rng());
    try {
      decode_span_block(bad);
    } catch (const std::runtime_error&) {
      ++refused;
    }
  }
  EXPECT_GT(refused, 0);
}

TEST(SpanBlock, TraceKeyIsFnv1a64) {
  // FNV-1a 64 reference values (Fowler/Noll/Vo test vectors).
  EXPECT_EQ(static_cast<std::uint64_t>(vigil::store::trace_key("")), 0xcbf29ce484222325ull);
  EXPECT_EQ(static_cast<std::uint64_t>(vigil::store::trace_key("a")), 0xaf63dc4c8601ec8cull);
  EXPECT_EQ(static_cast<std::uint64_t>(vigil::store::trace_key("foobar")), 0x85944171f73967e8ull);
}

}  // namespace
