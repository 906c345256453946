// Many HTTP clients at once on one event loop, for the front-door tests and
// benchmarks: keep-alive clients sending a request every interval (OTLP
// span batches, or GETs), clients that trickle their headers or body, and
// probes that time fresh requests to a path. Prints one JSON summary.
//
//   conn_storm --port P --seconds S [--keepalive N] [--interval-ms I] [--path /v1/traces]
//              [--get] [--spans K] [--slow-header N] [--slow-body N] [--probe PATH]... [--token T] [--idle]
// --interval-ms 0: each keep-alive client sends its next request as soon as
// it has the answer. --idle: they connect at once, send one request, then
// hold the connection idle (to measure what an idle connection costs).
#include <sys/resource.h>

#include <algorithm>
#include <utility>  // std::exchange, which Boost 1.74's awaitable.hpp uses without including
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstdio>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "vigil/otlp.h"
#include "vigil/trace.h"

namespace net = boost::asio;
namespace http = boost::beast::http;
using net::awaitable;
using net::use_awaitable;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

struct Options {
  int port = 0;
  double seconds = 10;
  int keepalive = 0, slow_header = 0, slow_body = 0, spans = 10;
  int interval_ms = 1000;
  std::string path = "/v1/traces", token;
  bool get = false, idle = false;
  std::vector<std::string> probes;
};

struct Latencies {
  std::vector<double> ms;
  std::map<int, long> status;
  long errors = 0;
  nlohmann::json summary() {
    std::sort(ms.begin(), ms.end());
    auto at = [&](double q) { return ms.empty() ? 0.0 : ms[std::min(ms.size() - 1, static_cast<std::size_t>(q * ms.size()))]; };
    nlohmann::json s = {{"requests", ms.size()}, {"errors", errors}, {"p50_ms", at(0.5)}, {"p99_ms", at(0.99)},
                        {"max_ms", ms.empty() ? 0.0 : ms.back()}};
    for (auto [code, n] : status) s["status"][std::to_string(code)] = n;
    return s;
  }
};

struct Slow {
  long clients = 0, closed_by_server = 0;
  std::vector<double> closed_after_s;
  nlohmann::json summary() const {
    auto [lo, hi] = std::minmax_element(closed_after_s.begin(), closed_after_s.end());
    return {{"clients", clients},
            {"closed_by_server", closed_by_server},
            {"closed_after_min_s", closed_after_s.empty() ? -1.0 : *lo},
            {"closed_after_max_s", closed_after_s.empty() ? -1.0 : *hi}};
  }
};

double ms_since(Clock::time_point t0) { return std::chrono::duration<double, std::milli>(Clock::now() - t0).count(); }

std::string span_batch(int n) {
  std::vector<std::unique_ptr<vigil::SpanData>> spans;
  auto resource = std::make_shared<const vigil::Resource>(vigil::Resource::create({{"service.name", std::string("storm")}}));
  auto scope = std::make_shared<const vigil::InstrumentationScope>(vigil::InstrumentationScope{"conn_storm", "1"});
  const std::uint64_t recent = vigil::unix_nanos() - 60'000'000'000ull;  // the daemon refuses far-off clocks
  for (int i = 0; i < n; ++i) {
    auto d = std::make_unique<vigil::SpanData>();
    d->context = {vigil::TraceId::random(), vigil::SpanId::random(), 1, "", false};
    d->name = "POST /predict";
    d->start_unix_nano = recent;
    d->end_unix_nano = recent + 1'000'000;
    d->resource = resource;
    d->scope = scope;
    spans.push_back(std::move(d));
  }
  return vigil::encode_otlp_traces_protobuf(spans);
}

class Storm {
 public:
  Storm(net::io_context& io, Options o) : io_(io), o_(std::move(o)), body_(span_batch(o_.spans)) {
    endpoint_ = {net::ip::make_address("127.0.0.1"), static_cast<unsigned short>(o_.port)};
    end_ = Clock::now() + std::chrono::milliseconds(static_cast<long>(o_.seconds * 1000));
  }

  void start() {
    for (int i = 0; i < o_.keepalive; ++i) net::co_spawn(io_, keepalive(i), net::detached);
    for (int i = 0; i < o_.slow_header; ++i) net::co_spawn(io_, slow(false), net::detached);
    for (int i = 0; i < o_.slow_body; ++i) net::co_spawn(io_, slow(true), net::detached);
    for (const auto& p : o_.probes) net::co_spawn(io_, probe(p), net::detached);
  }

  nlohmann::json summary() {
    nlohmann::json out = {{"keepalive", keepalive_.summary()}, {"connect_failures", connect_failures_},
                          {"spans_per_request", o_.get ? 0 : o_.spans},
                          {"slow_header", slow_header_.summary()}, {"slow_body", slow_body_.summary()}};
    out["keepalive"]["clients"] = o_.keepalive;
    for (auto& [path, l] : probes_) out["probes"][path] = l.summary();
    return out;
  }

 private:
  http::request<http::string_body> request(const std::string& path, bool get) const {
    http::request<http::string_body> req{get ? http::verb::get : http::verb::post, path, 11};
    req.set(http::field::host, "127.0.0.1");
    if (!o_.token.empty()) req.set(http::field::authorization, "Bearer " + o_.token);
    if (!get) {
      req.set(http::field::content_type, "application/x-protobuf");
      req.body() = body_;
    }
    req.prepare_payload();
    return req;
  }

  awaitable<bool> connect(tcp::socket& s) {
    boost::system::error_code ec;
    co_await s.async_connect(endpoint_, net::redirect_error(use_awaitable, ec));
    if (ec) ++connect_failures_;
    co_return !ec;
  }

  // One keep-alive connection, a request every interval from a staggered
  // start; connects when it has its first request to send (as exporters
  // do), and again after an error.
  awaitable<void> keepalive(int index) {
    net::steady_timer timer(io_);
    auto next = o_.idle ? Clock::now()
                        : Clock::now() + std::chrono::milliseconds(o_.interval_ms) * index / std::max(1, o_.keepalive);
    auto req = request(o_.path, o_.get);
    timer.expires_at(next);
    co_await timer.async_wait(use_awaitable);
    while (Clock::now() < end_) {
      tcp::socket s(io_);
      if (!co_await connect(s)) {
        timer.expires_after(std::chrono::milliseconds(200));
        co_await timer.async_wait(use_awaitable);
        continue;
      }
      boost::beast::flat_buffer buf;
      for (;;) {
        timer.expires_at(next);
        co_await timer.async_wait(use_awaitable);
        if (Clock::now() >= end_) co_return;
        next = o_.idle ? end_ : std::max(next + std::chrono::milliseconds(o_.interval_ms), Clock::now());
        auto t0 = Clock::now();
        boost::system::error_code ec;
        co_await http::async_write(s, req, net::redirect_error(use_awaitable, ec));
        http::response<http::string_body> res;
        if (!ec) co_await http::async_read(s, buf, res, net::redirect_error(use_awaitable, ec));
        if (ec) {
          ++keepalive_.errors;
          break;
        }
        keepalive_.ms.push_back(ms_since(t0));
        ++keepalive_.status[res.result_int()];
        if (!res.keep_alive()) break;
      }
    }
  }

  // A client that sends a request a byte at a time (headers, or a body
  // after complete headers) until the server closes the connection; then
  // it comes back, for as long as the storm lasts.
  awaitable<void> slow(bool body) {
    ++(body ? slow_body_ : slow_header_).clients;
    while (Clock::now() < end_) co_await slow_once(body);
  }

  awaitable<void> slow_once(bool body) {
    Slow& stats = body ? slow_body_ : slow_header_;
    tcp::socket s(io_);
    if (!co_await connect(s)) {
      net::steady_timer pause(io_, std::chrono::milliseconds(200));
      co_await pause.async_wait(use_awaitable);
      co_return;
    }
    auto t0 = Clock::now();
    std::string head = "POST " + o_.path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-protobuf\r\n";
    if (!o_.token.empty()) head += "Authorization: Bearer " + o_.token + "\r\n";
    if (body) {
      head += "Content-Length: 10000\r\n\r\n";  // under every server's body limit
      co_await net::async_write(s, net::buffer(head), use_awaitable);
    } else {
      co_await net::async_write(s, net::buffer(head.substr(0, 16)), use_awaitable);
    }
    auto closed = std::make_shared<bool>(false);
    net::co_spawn(io_, watch_close(s, t0, stats, closed), net::detached);
    net::steady_timer timer(io_);
    while (!*closed && Clock::now() < end_) {
      timer.expires_after(std::chrono::milliseconds(250));
      co_await timer.async_wait(use_awaitable);
      boost::system::error_code ec;
      co_await net::async_write(s, net::buffer("X", 1), net::redirect_error(use_awaitable, ec));
      if (ec) break;
    }
    while (!*closed && Clock::now() < end_) {  // write failed: the reader sees the close
      timer.expires_after(std::chrono::milliseconds(50));
      co_await timer.async_wait(use_awaitable);
    }
    boost::system::error_code ignored;
    s.close(ignored);
  }

  awaitable<void> watch_close(tcp::socket& s, Clock::time_point t0, Slow& stats, std::shared_ptr<bool> closed) {
    char sink[512];
    boost::system::error_code ec;
    while (!ec) co_await s.async_read_some(net::buffer(sink), net::redirect_error(use_awaitable, ec));
    if (ec != net::error::operation_aborted && Clock::now() < end_) {
      ++stats.closed_by_server;
      stats.closed_after_s.push_back(ms_since(t0) / 1000);
    }
    *closed = true;
  }

  // A fresh connection and request to `path` every 50 ms, timed from connect.
  awaitable<void> probe(std::string path) {
    Latencies& l = probes_[path];
    net::steady_timer timer(io_);
    auto req = request(path, true);
    req.keep_alive(false);
    while (Clock::now() < end_) {
      timer.expires_after(std::chrono::milliseconds(50));
      co_await timer.async_wait(use_awaitable);
      auto t0 = Clock::now();
      tcp::socket s(io_);
      if (!co_await connect(s)) {
        ++l.errors;
        continue;
      }
      boost::system::error_code ec;
      boost::beast::flat_buffer buf;
      http::response<http::string_body> res;
      co_await http::async_write(s, req, net::redirect_error(use_awaitable, ec));
      if (!ec) co_await http::async_read(s, buf, res, net::redirect_error(use_awaitable, ec));
      if (ec) {
        ++l.errors;
        continue;
      }
      l.ms.push_back(ms_since(t0));
      ++l.status[res.result_int()];
    }
  }

  net::io_context& io_;
  Options o_;
  std::string body_;
  tcp::endpoint endpoint_;
  Clock::time_point end_;
  Latencies keepalive_;
  std::map<std::string, Latencies> probes_;
  Slow slow_header_, slow_body_;
  long connect_failures_ = 0;
};

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) throw std::invalid_argument(a + " needs a value");
      return argv[++i];
    };
    if (a == "--port") o.port = std::stoi(next());
    else if (a == "--seconds") o.seconds = std::stod(next());
    else if (a == "--keepalive") o.keepalive = std::stoi(next());
    else if (a == "--interval-ms") o.interval_ms = std::stoi(next());
    else if (a == "--path") o.path = next();
    else if (a == "--get") o.get = true;
    else if (a == "--spans") o.spans = std::stoi(next());
    else if (a == "--slow-header") o.slow_header = std::stoi(next());
    else if (a == "--slow-body") o.slow_body = std::stoi(next());
    else if (a == "--probe") o.probes.push_back(next());
    else if (a == "--token") o.token = next();
    else if (a == "--idle") o.idle = true;
    else throw std::invalid_argument("unknown option " + a);
  }
  if (o.port <= 0) throw std::invalid_argument("--port is required");
  return o;
}

}  // namespace

int main(int argc, char** argv) try {
  rlimit lim{};
  if (getrlimit(RLIMIT_NOFILE, &lim) == 0) {  // one descriptor per client
    lim.rlim_cur = lim.rlim_max;
    setrlimit(RLIMIT_NOFILE, &lim);
  }
  net::io_context io(1);
  Storm storm(io, parse(argc, argv));
  storm.start();
  io.run();
  std::printf("%s\n", storm.summary().dump().c_str());
  return 0;
} catch (const std::exception& e) {
  std::fprintf(stderr, "conn_storm: %s\n", e.what());
  return 2;
}
