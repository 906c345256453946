#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <thread>

#include "vigil/metrics.h"
#include "vigil/trace.h"

namespace vigil {
namespace {

// Collects exported spans; optionally slow or failing.
class CollectingExporter : public SpanExporter {
 public:
  struct Shared {
    std::mutex mu;
    std::vector<SpanData> spans;
    std::atomic<int> batches{0};
    std::atomic<int> delay_ms{0};
    bool shut_down = false;
  };
  explicit CollectingExporter(std::shared_ptr<Shared> s) : s_(std::move(s)) {}
  ExportResult export_spans(std::span<const std::unique_ptr<SpanData>> spans) override {
    if (int d = s_->delay_ms.load()) std::this_thread::sleep_for(std::chrono::milliseconds(d));
    std::lock_guard lock(s_->mu);
    for (const auto& sp : spans) s_->spans.push_back(*sp);
    ++s_->batches;
    return ExportResult::kSuccess;
  }
  bool shutdown() override {
    std::lock_guard lock(s_->mu);
    s_->shut_down = true;
    return true;
  }

 private:
  std::shared_ptr<Shared> s_;
};

struct Fixture {
  explicit Fixture(std::shared_ptr<Sampler> sampler = nullptr)
      : provider({.resource = Resource::create({{"service.name", std::string("test-svc")}}), .sampler = sampler}) {
    provider.add_processor(std::make_unique<SimpleSpanProcessor>(std::make_unique<CollectingExporter>(shared)));
  }
  const SpanData* find(std::string_view name) {
    for (const auto& s : shared->spans)
      if (s.name == name) return &s;
    return nullptr;
  }
  std::shared_ptr<CollectingExporter::Shared> shared = std::make_shared<CollectingExporter::Shared>();
  TracerProvider provider;
};

TEST(Trace, ActiveSpanNestsChildren) {
  Fixture f;
  Tracer t = f.provider.tracer("pipeline", "1.0");
  {
    Span request = t.start_span("request", {.kind = SpanKind::kServer});
    Scope active(request);
    {
      Span pre = t.start_span("preprocess");
      Scope s2(pre);
      Span tok = t.start_span("tokenize");
    }
    Span inf = t.start_span("inference");
  }
  ASSERT_EQ(f.shared->spans.size(), 4u);
  const SpanData* req = f.find("request");
  const SpanData* pre = f.find("preprocess");
  const SpanData* tok = f.find("tokenize");
  const SpanData* inf = f.find("inference");
  ASSERT_TRUE(req && pre && tok && inf);
  EXPECT_FALSE(req->parent_span_id.valid());
  EXPECT_EQ(pre->parent_span_id, req->context.span_id);
  EXPECT_EQ(tok->parent_span_id, pre->context.span_id);
  EXPECT_EQ(inf->parent_span_id, req->context.span_id);  // scope of preprocess ended
  for (auto* s : {pre, tok, inf}) EXPECT_EQ(s->context.trace_id, req->context.trace_id);
  EXPECT_EQ(req->kind, SpanKind::kServer);
  EXPECT_EQ(req->scope->name, "pipeline");
  EXPECT_LE(req->start_unix_nano, pre->start_unix_nano);
  EXPECT_GE(req->end_unix_nano, inf->end_unix_nano);
  EXPECT_FALSE(current_span_context().valid());  // all scopes closed
}

TEST(Trace, ExplicitParentAcrossThreads) {
  Fixture f;
  Tracer t = f.provider.tracer("x");
  SpanContext parent_ctx;
  {
    Span parent = t.start_span("dispatch");
    parent_ctx = parent.context();
    std::thread worker([&] {
      Span child = t.start_span("work", {.parent = parent_ctx});
      child.set_attribute("thread", std::string("worker"));
    });
    worker.join();
  }
  const SpanData* work = f.find("work");
  ASSERT_NE(work, nullptr);
  EXPECT_EQ(work->parent_span_id, parent_ctx.span_id);
  EXPECT_EQ(work->context.trace_id, parent_ctx.trace_id);
}

TEST(Trace, RootOptionIgnoresActiveSpan) {
  Fixture f;
  Tracer t = f.provider.tracer("x");
  Span a = t.start_span("a");
  Scope s(a);
  Span b = t.start_span("b", {.root = true});
  EXPECT_NE(b.context().trace_id, a.context().trace_id);
}

TEST(Trace, AttributesEventsLinksStatus) {
  Fixture f;
  Tracer t = f.provider.tracer("x");
  SpanContext other;
  {
    Span o = t.start_span("other", {.root = true});
    other = o.context();
  }
  {
    Span s = t.start_span("s", {.attributes = {{"model", std::string("ranker")}}});
    s.set_attribute("batch", 32).set_attribute("ok", true).set_attribute("p", 0.5);
    s.set_attribute("tags", std::vector<std::string>{"a", "b"});
    s.set_attribute("model", std::string("ranker-v2"));  // replaces
    s.add_event("cache_miss", {{"key", std::string("k1")}});
    s.add_link(other, {{"reason", std::string("batch")}});
    s.set_status(StatusCode::kError, "boom");
  }
  const SpanData* s = f.find("s");
  ASSERT_NE(s, nullptr);
  ASSERT_EQ(s->attributes.size(), 5u);
  EXPECT_EQ(std::get<std::string>(s->attributes[0].value), "ranker-v2");
  EXPECT_EQ(std::get<std::int64_t>(s->attributes[1].value), 32);
  EXPECT_EQ(std::get<bool>(s->attributes[2].value), true);
  EXPECT_EQ(std::get<double>(s->attributes[3].value), 0.5);
  ASSERT_EQ(s->events.size(), 1u);
  EXPECT_EQ(s->events[0].name, "cache_miss");
  ASSERT_EQ(s->links.size(), 1u);
  EXPECT_EQ(s->links[0].context.span_id, other.span_id);
  EXPECT_EQ(s->status, StatusCode::kError);
  EXPECT_EQ(s->status_message, "boom");
}

TEST(Trace, RecordExceptionHasTypeMessageAndStack) {
  Fixture f;
  Tracer t = f.provider.tracer("x");
  {
    Span s = t.start_span("fails");
    try {
      throw std::out_of_range("index 7 of 3");
    } catch (const std::exception& e) {
      s.record_exception(e);
    }
  }
  const SpanData* s = f.find("fails");
  ASSERT_NE(s, nullptr);
  ASSERT_EQ(s->events.size(), 1u);
  const auto& ev = s->events[0];
  EXPECT_EQ(ev.name, "exception");
  EXPECT_EQ(std::get<std::string>(ev.attributes[0].value), "std::out_of_range");
  EXPECT_EQ(std::get<std::string>(ev.attributes[1].value), "index 7 of 3");
  EXPECT_NE(std::get<std::string>(ev.attributes[2].value).find("at "), std::string::npos);
  EXPECT_EQ(s->status, StatusCode::kError);
}

TEST(Trace, LimitsDropAndCount) {
  auto shared = std::make_shared<CollectingExporter::Shared>();
  TracerProvider p({.limits = {.max_attributes = 2, .max_events = 1, .max_links = 0, .max_attribute_length = 4}});
  p.add_processor(std::make_unique<SimpleSpanProcessor>(std::make_unique<CollectingExporter>(shared)));
  {
    Span s = p.tracer("x").start_span("s");
    s.set_attribute("a", std::string("123456789")).set_attribute("b", 1).set_attribute("c", 2);
    s.add_event("e1").add_event("e2");
    s.add_link(s.context());
  }
  ASSERT_EQ(shared->spans.size(), 1u);
  const SpanData& s = shared->spans[0];
  EXPECT_EQ(s.attributes.size(), 2u);
  EXPECT_EQ(std::get<std::string>(s.attributes[0].value), "1234");
  EXPECT_EQ(s.dropped_attributes, 1u);
  EXPECT_EQ(s.dropped_events, 1u);
  EXPECT_EQ(s.dropped_links, 1u);
}

// Keeps each ended span's record and lets the test delete it.
class KeepingProcessor final : public SpanProcessor {
 public:
  void on_end(std::unique_ptr<SpanData> span) override { ended.push_back(std::move(span)); }
  bool force_flush(std::chrono::milliseconds) override { return true; }
  bool shutdown(std::chrono::milliseconds) override { return true; }
  std::vector<std::unique_ptr<SpanData>> ended;
};

// A provider whose spans end in a KeepingProcessor.
struct KeepingFixture {
  KeepingFixture() {
    auto keep = std::make_unique<KeepingProcessor>();
    k = keep.get();
    p.add_processor(std::move(keep));
  }
  TracerProvider p;
  KeepingProcessor* k = nullptr;
  Tracer t = p.tracer("x");
};

// Deleted span records go back to the thread's pool and are reused by the
// next span started there; nothing of the earlier span may show through.
TEST(Trace, RecycledRecordsCarryNothingOver) {
  KeepingFixture f;
  KeepingProcessor* k = f.k;
  Tracer& t = f.t;
  SpanContext other;
  {
    Span first = t.start_span("first", {.parent = parse_traceparent(
                                             "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", "k=v")});
    other = first.context();
    first.set_attribute("model", "ranker").set_attribute("batch", 32);
    first.add_event("e").add_link(other).set_status(StatusCode::kError, "boom");
  }
  ASSERT_EQ(k->ended.size(), 1u);
  const SpanData* recycled = k->ended[0].get();
  EXPECT_EQ(k->ended[0]->context.trace_state, "k=v");
  k->ended.clear();  // deleted: into this thread's pool
  {
    Span second = t.start_span("second", {.root = true});
    second.set_attribute("cached", false);
  }
  ASSERT_EQ(k->ended.size(), 1u);
  const SpanData& s = *k->ended[0];
  EXPECT_EQ(&s, recycled) << "the pooled record was not reused";
  EXPECT_EQ(s.name, "second");
  EXPECT_NE(s.context.trace_id, other.trace_id);
  EXPECT_FALSE(s.parent_span_id.valid());
  EXPECT_EQ(s.context.trace_state, "");
  ASSERT_EQ(s.attributes.size(), 1u);
  EXPECT_EQ(s.attributes[0].key, "cached");
  EXPECT_TRUE(s.events.empty());
  EXPECT_TRUE(s.links.empty());
  EXPECT_EQ(s.status, StatusCode::kUnset);
  EXPECT_EQ(s.status_message, "");
  EXPECT_EQ(s.dropped_attributes + s.dropped_events + s.dropped_links, 0u);
  EXPECT_GT(s.end_unix_nano, 0u);
  ASSERT_NE(s.resource, nullptr);
  ASSERT_NE(s.scope, nullptr);
  EXPECT_EQ(s.scope->name, "x");
}

// Records ended on one thread and deleted on others (as exporters do) are
// pooled there, reused by spans started there, and freed at thread exit
// (LeakSanitizer checks the last part in the ASan run).
TEST(Trace, RecordsDeletedOnOtherThreads) {
  KeepingFixture f;
  KeepingProcessor* k = f.k;
  Tracer& t = f.t;
  for (int i = 0; i < 300; ++i) t.start_span("s").set_attribute("i", i);
  ASSERT_EQ(k->ended.size(), 300u);
  std::vector<std::thread> threads;
  for (int w = 0; w < 3; ++w)
    threads.emplace_back([&, w] {
      std::vector<std::unique_ptr<SpanData>> mine;
      for (std::size_t i = w; i < k->ended.size(); i += 3) mine.push_back(std::move(k->ended[i]));
      mine.clear();  // pooled on this thread, up to its pool size; the rest freed
      TracerProvider local;
      Tracer lt = local.tracer("y");
      for (int i = 0; i < 100; ++i) lt.start_span("t").set_attribute("w", w);
    });
  for (auto& th : threads) th.join();
  k->ended.clear();
  for (int i = 0; i < 10; ++i) t.start_span("after").set_attribute("i", i);
  ASSERT_EQ(k->ended.size(), 10u);
  EXPECT_EQ(k->ended[9]->attributes.size(), 1u);
}

// set_attribute writes scalars and strings straight into the slot: each
// source type must land as the OTLP type a user expects, overwrite in place
// (also with a different type) and respect the length limit.
TEST(Trace, SetAttributeMapsSourceTypes) {
  auto shared = std::make_shared<CollectingExporter::Shared>();
  TracerProvider p({.limits = {.max_attribute_length = 6}});
  p.add_processor(std::make_unique<SimpleSpanProcessor>(std::make_unique<CollectingExporter>(shared)));
  std::string owned = "owned-string";
  {
    Span s = p.tracer("x").start_span("s");
    s.set_attribute("literal", "ranker")
        .set_attribute("view", std::string_view("abcdefghij"))
        .set_attribute("owned", owned)
        .set_attribute("u8", std::uint8_t{200})
        .set_attribute("u32", 4000000000u)
        .set_attribute("f", 0.25f)
        .set_attribute("flag", true)
        .set_attribute("list", std::vector<std::string>{"abcdefgh", "xy"});
    s.set_attribute("u8", "now text");  // same key, other type: replaced in place
  }
  ASSERT_EQ(shared->spans.size(), 1u);
  const Attributes& a = shared->spans[0].attributes;
  ASSERT_EQ(a.size(), 8u);
  EXPECT_EQ(a[0].key, "literal");
  EXPECT_EQ(std::get<std::string>(a[0].value), "ranker");
  EXPECT_EQ(std::get<std::string>(a[1].value), "abcdef");  // truncated to 6
  EXPECT_EQ(std::get<std::string>(a[2].value), "owned-");
  EXPECT_EQ(owned, "owned-string");  // the caller's string is untouched
  EXPECT_EQ(a[3].key, "u8");
  EXPECT_EQ(std::get<std::string>(a[3].value), "now te");
  EXPECT_EQ(std::get<std::int64_t>(a[4].value), 4000000000);
  EXPECT_EQ(std::get<double>(a[5].value), 0.25);
  EXPECT_EQ(std::get<bool>(a[6].value), true);
  EXPECT_EQ(std::get<std::vector<std::string>>(a[7].value), (std::vector<std::string>{"abcdef", "xy"}));
}

TEST(Sampling, AlwaysOffKeepsContextButRecordsNothing) {
  Fixture f(always_off_sampler());
  Span s = f.provider.tracer("x").start_span("s");
  EXPECT_TRUE(s.context().valid());
  EXPECT_FALSE(s.context().sampled());
  EXPECT_FALSE(s.recording());
  s.end();
  EXPECT_TRUE(f.shared->spans.empty());
}

TEST(Sampling, ParentBasedFollowsParent) {
  Fixture f(parent_based_sampler(always_off_sampler()));
  Tracer t = f.provider.tracer("x");
  auto sampled_parent = parse_traceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
  auto unsampled_parent = parse_traceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00");
  EXPECT_TRUE(t.start_span("a", {.parent = sampled_parent}).context().sampled());
  EXPECT_FALSE(t.start_span("b", {.parent = unsampled_parent}).context().sampled());
  EXPECT_FALSE(t.start_span("root").context().sampled());  // root decided by always_off
}

TEST(Sampling, TraceIdRatioIsDeterministicAndProportional) {
  auto sampler = trace_id_ratio_sampler(0.25);
  Attributes none;
  int sampled = 0;
  constexpr int kN = 40000;
  for (int i = 0; i < kN; ++i) {
    TraceId id = TraceId::random();
    SamplingParameters p{nullptr, id, "x", SpanKind::kInternal, none};
    auto d1 = sampler->should_sample(p), d2 = sampler->should_sample(p);
    EXPECT_EQ(d1, d2);
    sampled += d1 == SamplingDecision::kRecordAndSample;
  }
  EXPECT_NEAR(sampled / double(kN), 0.25, 0.015);
  // Known ids: low 8 bytes 0x00.. is always below the bound, 0xff.. never.
  TraceId low = *TraceId::from_hex("ffffffffffffffff0000000000000001");
  TraceId high = *TraceId::from_hex("00000000000000007fffffffffffffff");
  EXPECT_EQ(sampler->should_sample({nullptr, low, "x", SpanKind::kInternal, none}), SamplingDecision::kRecordAndSample);
  EXPECT_EQ(sampler->should_sample({nullptr, high, "x", SpanKind::kInternal, none}), SamplingDecision::kDrop);
  EXPECT_THROW(trace_id_ratio_sampler(1.5), std::invalid_argument);
  auto all = trace_id_ratio_sampler(1.0);
  TraceId max = *TraceId::from_hex("ffffffffffffffffffffffffffffffff");
  EXPECT_EQ(all->should_sample({nullptr, max, "x", SpanKind::kInternal, none}), SamplingDecision::kRecordAndSample);
}

TEST(TraceContext, RoundTrip) {
  const char* tp = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
  auto ctx = parse_traceparent(tp, "congo=t61rcWkgMzE, rojo=00f067aa0ba902b7");
  ASSERT_TRUE(ctx);
  EXPECT_EQ(ctx->trace_id.hex(), "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(ctx->span_id.hex(), "00f067aa0ba902b7");
  EXPECT_TRUE(ctx->sampled());
  EXPECT_TRUE(ctx->remote);
  EXPECT_EQ(format_traceparent(*ctx), tp);
  EXPECT_EQ(ctx->trace_state, "congo=t61rcWkgMzE,rojo=00f067aa0ba902b7");
  HeaderMap h;
  inject_trace_context(*ctx, h);
  EXPECT_EQ(h["traceparent"], tp);
  auto back = extract_trace_context(h);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->trace_id, ctx->trace_id);
  EXPECT_EQ(back->trace_state, ctx->trace_state);
}

TEST(TraceContext, RejectsMalformed) {
  for (const char* bad : {
           "",
           "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7",         // no flags
           "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-",     // v00 with extra
           "00-00000000000000000000000000000000-00f067aa0ba902b7-01",      // zero trace id
           "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",      // zero span id
           "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",      // uppercase
           "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",      // version ff
           "00_4bf92f3577b34da6a3ce929d0e0e4736_00f067aa0ba902b7_01",      // separators
           "0-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01x",      // short version
           "00-4bf92f3577b34da6a3ce929d0e0e473g-00f067aa0ba902b7-01",      // non-hex
           "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0g",      // bad flags
           "cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01x",     // future version, bad tail
       })
    EXPECT_FALSE(parse_traceparent(bad).has_value()) << bad;
  // A future version with extra fields parses by its first four.
  EXPECT_TRUE(parse_traceparent("cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-what-the-future-holds"));
  // An invalid tracestate is dropped; the traceparent still counts.
  auto ctx = parse_traceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "Bad Key=1");
  ASSERT_TRUE(ctx);
  EXPECT_EQ(ctx->trace_state, "");
  EXPECT_FALSE(parse_tracestate("a=1,a=2"));  // duplicate key
  EXPECT_FALSE(parse_tracestate("a=1=2"));
  EXPECT_TRUE(parse_tracestate("tenant@vendor=x"));
  std::string many;
  for (int i = 0; i < 33; ++i) many += "k" + std::to_string(i) + "=v,";
  EXPECT_FALSE(parse_tracestate(many));
}

TEST(TraceContext, ChildOfRemoteParentKeepsTraceAndState) {
  Fixture f;
  auto remote = parse_traceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "rojo=1");
  Span s = f.provider.tracer("x").start_span("handle", {.kind = SpanKind::kServer, .parent = remote});
  EXPECT_EQ(s.context().trace_id.hex(), "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(s.context().trace_state, "rojo=1");
  EXPECT_NE(s.context().span_id, remote->span_id);
}

TEST(BatchProcessor, FlushExportsEverythingQueued) {
  auto shared = std::make_shared<CollectingExporter::Shared>();
  TracerProvider p;
  p.add_processor(std::make_unique<BatchSpanProcessor>(
      std::make_unique<CollectingExporter>(shared),
      BatchSpanProcessorOptions{.max_queue_size = 1000, .max_export_batch_size = 100,
                                .schedule_delay = std::chrono::seconds(60)}));
  Tracer t = p.tracer("x");
  for (int i = 0; i < 250; ++i) t.start_span("s");
  EXPECT_TRUE(p.force_flush(std::chrono::seconds(5)));
  EXPECT_EQ(shared->spans.size(), 250u);
  EXPECT_GE(shared->batches.load(), 3);  // batches of at most 100
}

TEST(BatchProcessor, ExportsOnScheduleWithoutFlush) {
  auto shared = std::make_shared<CollectingExporter::Shared>();
  TracerProvider p;
  p.add_processor(std::make_unique<BatchSpanProcessor>(
      std::make_unique<CollectingExporter>(shared),
      BatchSpanProcessorOptions{.schedule_delay = std::chrono::milliseconds(50)}));
  p.tracer("x").start_span("s");
  for (int i = 0; i < 100 && shared->batches.load() == 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_EQ(shared->batches.load(), 1);
}

// Spans ended by several threads at once, through a small queue, up to and
// across shutdown: each is exported exactly once or counted as dropped.
// (The queue is a lock-free ring and exported spans are handed back to the
// ending threads to free; this is the test that would see a lost, doubled
// or leaked span.)
TEST(BatchProcessor, ConcurrentEndersEverySpanExportedOnceOrDropped) {
  auto shared = std::make_shared<CollectingExporter::Shared>();
  auto processor = std::make_unique<BatchSpanProcessor>(
      std::make_unique<CollectingExporter>(shared),
      BatchSpanProcessorOptions{.max_queue_size = 256, .max_export_batch_size = 64,
                                .schedule_delay = std::chrono::milliseconds(1)});
  BatchSpanProcessor* raw = processor.get();
  TracerProvider p;
  p.add_processor(std::move(processor));
  constexpr int kThreads = 4, kSpans = 5000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      Tracer tracer = p.tracer("x");
      for (int i = 0; i < kSpans; ++i)
        tracer.start_span("s").set_attribute("n", static_cast<std::int64_t>(t) * kSpans + i);
    });
  for (auto& th : threads) th.join();
  EXPECT_TRUE(p.shutdown());
  std::lock_guard lock(shared->mu);
  EXPECT_EQ(shared->spans.size(), raw->exported());
  EXPECT_EQ(raw->exported() + raw->dropped(), static_cast<std::uint64_t>(kThreads * kSpans));
  EXPECT_GT(raw->exported(), 0u);
  std::vector<bool> seen(kThreads * kSpans, false);
  for (const SpanData& s : shared->spans) {
    auto n = std::get<std::int64_t>(s.attributes.at(0).value);
    ASSERT_FALSE(seen[static_cast<std::size_t>(n)]) << "span " << n << " exported twice";
    seen[static_cast<std::size_t>(n)] = true;
  }
}

TEST(BatchProcessor, FullQueueDropsCountsAndNeverBlocks) {
  auto shared = std::make_shared<CollectingExporter::Shared>();
  shared->delay_ms = 300;  // a stuck collector
  Registry registry;
  auto processor = std::make_unique<BatchSpanProcessor>(
      std::make_unique<CollectingExporter>(shared),
      BatchSpanProcessorOptions{.max_queue_size = 10, .max_export_batch_size = 5,
                                .schedule_delay = std::chrono::milliseconds(1), .registry = &registry});
  BatchSpanProcessor* raw = processor.get();
  TracerProvider p;
  p.add_processor(std::move(processor));
  Tracer t = p.tracer("x");
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 200; ++i) t.start_span("s");
  auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_LT(elapsed, std::chrono::milliseconds(250));  // did not wait for the exporter
  EXPECT_GE(raw->dropped(), 180u);
  double dropped_metric = registry.counter({.name = "vigil_trace_spans_total", .labels = {"outcome"}})
                              .labels({"dropped"})
                              .value();
  EXPECT_EQ(dropped_metric, static_cast<double>(raw->dropped()));
  p.shutdown();  // exports what was queued, then stops
  EXPECT_EQ(shared->spans.size() + raw->dropped(), 200u);
  EXPECT_TRUE(shared->shut_down);
}

TEST(BatchProcessor, ShutdownExportsQueuedAndRejectsLater) {
  auto shared = std::make_shared<CollectingExporter::Shared>();
  TracerProvider p;
  p.add_processor(std::make_unique<BatchSpanProcessor>(
      std::make_unique<CollectingExporter>(shared),
      BatchSpanProcessorOptions{.schedule_delay = std::chrono::seconds(60)}));
  Tracer t = p.tracer("x");
  for (int i = 0; i < 7; ++i) t.start_span("s");
  EXPECT_TRUE(p.shutdown());
  EXPECT_EQ(shared->spans.size(), 7u);
  t.start_span("late");
  EXPECT_EQ(shared->spans.size(), 7u);
}

TEST(Exemplars, HistogramInsideSampledSpanGetsTraceId) {
  Fixture f;
  Registry r;
  Histogram& h = r.histogram({.name = "latency_seconds", .buckets = {0.1, 1}}).labels({});
  Tracer t = f.provider.tracer("x");
  h.observe(0.05);  // outside any span: no exemplar
  Span s = t.start_span("infer");
  {
    Scope active(s);
    h.observe(0.5);
  }
  h.observe(2);  // scope closed again
  SeriesSnapshot snap;
  h.snapshot(snap);
  ASSERT_EQ(snap.bucket_exemplars.size(), 3u);
  EXPECT_FALSE(snap.bucket_exemplars[0]);
  ASSERT_TRUE(snap.bucket_exemplars[1]);
  EXPECT_EQ(snap.bucket_exemplars[1]->labels[0].second, s.context().trace_id.hex());
  EXPECT_EQ(snap.bucket_exemplars[1]->labels[1].second, s.context().span_id.hex());
  EXPECT_FALSE(snap.bucket_exemplars[2]);
}

TEST(Exemplars, UnsampledSpanGivesNoExemplar) {
  Fixture f(always_off_sampler());
  Registry r;
  Histogram& h = r.histogram({.name = "latency_seconds", .buckets = {1}}).labels({});
  Span s = f.provider.tracer("x").start_span("infer");
  Scope active(s);
  h.observe(0.5);
  SeriesSnapshot snap;
  h.snapshot(snap);
  EXPECT_TRUE(snap.bucket_exemplars.empty());
}

}  // namespace
}  // namespace vigil
