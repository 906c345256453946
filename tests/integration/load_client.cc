// A load generator for the overload test: client threads POST OTLP/protobuf
// span batches to the daemon as fast as it answers (or at a paced rate), for
// a fixed time, and print what happened as one JSON line. Every accepted
// batch carries new trace ids (patched into a pre-encoded body) and a
// refused one is retried, so what the daemon accepts can be counted in its
// store afterwards.
//
//   load_client PORT SECONDS THREADS [REQUESTS_PER_SECOND [grpc]]   (rate 0 or absent: as fast as answered)
//
// With `grpc`, PORT is the OTLP/gRPC port and each thread calls
// TraceService/Export on its own channel; RESOURCE_EXHAUSTED and
// UNAVAILABLE count as refused, and as refused_with_retry_after when they
// carry a google.rpc.RetryInfo.
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <httplib.h>

#include <condition_variable>
#include <future>

#include <array>
#include <atomic>
#include <chrono>
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "google/rpc/status.pb.h"
#include "vigil/otlp.h"
#include "vigil/trace.h"

namespace {

constexpr int kTraces = 100, kSpansPerTrace = 5;
constexpr int kSpansPerBatch = kTraces * kSpansPerTrace;

// One encoded batch and, per trace, where its 16 id bytes appear.
struct Template {
  std::string body;
  std::vector<std::vector<std::size_t>> id_offsets;  // [trace] -> byte offsets
};

vigil::TraceId marker_id(int trace) {
  std::array<std::uint8_t, 16> b{};
  for (int i = 0; i < 16; ++i) b[i] = static_cast<std::uint8_t>(0xA0 + (i * 7 + trace) % 0x50);
  b[14] = static_cast<std::uint8_t>(trace >> 8);
  b[15] = static_cast<std::uint8_t>(trace);
  return vigil::TraceId{b};
}

Template make_template() {
  std::vector<std::unique_ptr<vigil::SpanData>> spans;
  auto resource = std::make_shared<const vigil::Resource>(vigil::Resource::create({{"service.name", std::string("loadgen")}}));
  auto scope = std::make_shared<const vigil::InstrumentationScope>(vigil::InstrumentationScope{"load_client", "1"});
  // Stamped a minute ago: the daemon refuses spans far from its clock.
  const std::uint64_t recent = vigil::unix_nanos() - 60'000'000'000ull;
  for (int t = 0; t < kTraces; ++t) {
    vigil::SpanId root = vigil::SpanId::random();
    for (int s = 0; s < kSpansPerTrace; ++s) {
      auto d = std::make_unique<vigil::SpanData>();
      d->context = {marker_id(t), s == 0 ? root : vigil::SpanId::random(), 1, "", false};
      if (s) d->parent_span_id = root;
      d->name = s == 0 ? "POST /predict" : "stage" + std::to_string(s);
      d->start_unix_nano = recent + static_cast<std::uint64_t>(t) * 1000;
      d->end_unix_nano = d->start_unix_nano + 500'000;
      d->attributes = {{"model", std::string("resnet")}, {"batch", std::int64_t{8}}, {"gpu", true}, {"score", 0.5}};
      d->resource = resource;
      d->scope = scope;
      spans.push_back(std::move(d));
    }
  }
  Template tpl;
  tpl.body = vigil::encode_otlp_traces_protobuf(spans);
  for (int t = 0; t < kTraces; ++t) {
    auto id = marker_id(t).bytes;
    std::vector<std::size_t> at;
    for (std::size_t pos = 0; (pos = tpl.body.find(std::string_view(reinterpret_cast<const char*>(id.data()), 16), pos)) !=
                              std::string::npos;
         pos += 16)
      at.push_back(pos);
    if (at.size() != kSpansPerTrace) {
      std::fprintf(stderr, "trace %d: found its id %zu times in the body, expected %d\n", t, at.size(), kSpansPerTrace);
      std::exit(2);
    }
    tpl.id_offsets.push_back(std::move(at));
  }
  return tpl;
}

struct Totals {
  std::atomic<long> requests{0}, accepted{0}, refused{0}, refused_with_retry_after{0}, errors{0};
  std::mutex mu;
  std::map<int, long> other_status;
};

// The answer to one export: 200/0 accepted, a refusal with or without a
// retry hint, a transport error, or another status.
struct Answer {
  enum { kAccepted, kRefused, kError, kOther } kind;
  bool retry_hint = false;
  int status = 0;
};

class HttpSender {
 public:
  explicit HttpSender(int port) : client_("127.0.0.1", port) {
    client_.set_keep_alive(true);
    client_.set_tcp_nodelay(true);
    client_.set_read_timeout(30, 0);
  }
  Answer send(const std::string& body) {
    auto res = client_.Post("/v1/traces", body, "application/x-protobuf");
    if (!res) return {Answer::kError};
    if (res->status == 200) return {Answer::kAccepted};
    if (res->status == 503 || res->status == 429) return {Answer::kRefused, res->has_header("Retry-After")};
    return {Answer::kOther, false, res->status};
  }

 private:
  httplib::Client client_;
};

class GrpcSender {
 public:
  explicit GrpcSender(int port) {
    grpc::ChannelArguments args;
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);  // one connection per thread, as separate exporters
    args.SetMaxSendMessageSize(64 * 1024 * 1024);
    stub_ = std::make_unique<grpc::GenericStub>(
        grpc::CreateCustomChannel("127.0.0.1:" + std::to_string(port), grpc::InsecureChannelCredentials(), args));
  }
  Answer send(const std::string& body) {
    grpc::Slice slice(body);
    grpc::ByteBuffer request(&slice, 1), response;
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    std::promise<grpc::Status> done;
    stub_->UnaryCall(&ctx, "/opentelemetry.proto.collector.trace.v1.TraceService/Export", grpc::StubOptions(), &request,
                     &response, [&](grpc::Status s) { done.set_value(std::move(s)); });
    grpc::Status s = done.get_future().get();
    if (s.ok()) return {Answer::kAccepted};
    if (s.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED || s.error_code() == grpc::StatusCode::UNAVAILABLE)
      return {Answer::kRefused, has_retry_info(s.error_details())};
    if (s.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED) return {Answer::kError};
    return {Answer::kOther, false, static_cast<int>(s.error_code())};
  }

 private:
  static bool has_retry_info(const std::string& details) {
    google::rpc::Status st;
    if (!st.ParseFromString(details)) return false;
    for (const auto& any : st.details())
      if (any.Is<google::rpc::RetryInfo>()) return true;
    return false;
  }
  std::unique_ptr<grpc::GenericStub> stub_;
};

template <class Sender>
void run(int port, double seconds, double per_thread_rate, int thread_no, const Template& tpl, Totals& totals) {
  Sender sender(port);
  std::string body = tpl.body;
  auto start = std::chrono::steady_clock::now();
  auto end = start + std::chrono::duration<double>(seconds);
  std::uint64_t batch = 0;
  for (std::uint64_t seq = 0; std::chrono::steady_clock::now() < end; ++seq) {
    if (per_thread_rate > 0)  // paced: request n leaves at start + n / rate (no catching up after a slow answer)
      std::this_thread::sleep_until(std::max(std::chrono::steady_clock::now(),
                                             start + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                                         std::chrono::duration<double>(static_cast<double>(seq) / per_thread_rate))));
    // A refused batch is sent again (same trace ids) in the next slot, as
    // an exporter retries; only an accepted one moves on to new ids.
    std::uint64_t unique = (static_cast<std::uint64_t>(thread_no) << 48) | batch;  // first 8 bytes of every trace id
    for (const auto& offsets : tpl.id_offsets)
      for (std::size_t off : offsets) std::memcpy(&body[off], &unique, sizeof unique);
    Answer a = sender.send(body);
    ++totals.requests;
    if (a.kind == Answer::kError) {
      ++totals.errors;
    } else if (a.kind == Answer::kAccepted) {
      ++totals.accepted;
      ++batch;
    } else if (a.kind == Answer::kRefused) {
      ++totals.refused;
      if (a.retry_hint) ++totals.refused_with_retry_after;
    } else {
      std::lock_guard lock(totals.mu);
      ++totals.other_status[a.status];
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4 || argc > 6) {
    std::fprintf(stderr, "usage: load_client PORT SECONDS THREADS [REQUESTS_PER_SECOND [grpc]]\n");
    return 2;
  }
  int port = std::atoi(argv[1]);
  double seconds = std::atof(argv[2]);
  int threads = std::atoi(argv[3]);
  double rate = argc >= 5 ? std::atof(argv[4]) : 0;
  bool grpc = argc == 6 && std::string(argv[5]) == "grpc";
  Template tpl = make_template();
  Totals totals;
  auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> pool;
  // Thread numbers go into the trace ids: gRPC threads use another range,
  // so two clients at once never send the same trace.
  for (int i = 0; i < threads; ++i)
    pool.emplace_back(grpc ? run<GrpcSender> : run<HttpSender>, port, seconds, rate / threads, grpc ? 1000 + i : i,
                      std::cref(tpl), std::ref(totals));
  for (auto& t : pool) t.join();
  double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::string others;
  for (auto [status, n] : totals.other_status) others += (others.empty() ? "" : ",") + ("\"" + std::to_string(status) + "\":" + std::to_string(n));
  std::printf("{\"seconds\":%.3f,\"spans_per_batch\":%d,\"body_bytes\":%zu,\"requests\":%ld,\"accepted\":%ld,"
              "\"refused\":%ld,\"refused_with_retry_after\":%ld,\"errors\":%ld,\"other_status\":{%s}}\n",
              elapsed, kSpansPerBatch, tpl.body.size(), totals.requests.load(), totals.accepted.load(),
              totals.refused.load(), totals.refused_with_retry_after.load(), totals.errors.load(), others.c_str());
  return 0;
}
