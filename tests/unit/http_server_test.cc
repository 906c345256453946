// The event-driven HTTP server's limits, seen from raw sockets: the
// connection cap (the longest idle is evicted, else 503), the size and
// memory limits enforced while a body is read, deadlines, pipelining and
// Expect: 100-continue.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>

#include "server/http_server.h"
#include "vigil/exposition.h"
#include "vigil/metrics.h"

namespace vigil::detail {
namespace {

using std::chrono::milliseconds;

class RawClient {
 public:
  explicit RawClient(int port) : fd_(socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<std::uint16_t>(port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  }
  ~RawClient() { close(fd_); }
  bool connected() const { return connected_; }
  void send(const std::string& s) { (void)::send(fd_, s.data(), s.size(), MSG_NOSIGNAL); }
  // What arrives within `wait` (stops early at `until` or when the server closes).
  std::string read(milliseconds wait = milliseconds(2000), const std::string& until = "") {
    std::string out;
    auto deadline = std::chrono::steady_clock::now() + wait;
    while (std::chrono::steady_clock::now() < deadline) {
      pollfd p{fd_, POLLIN, 0};
      if (poll(&p, 1, 20) <= 0) continue;
      char buf[4096];
      ssize_t n = recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) {
        closed_ = true;
        break;
      }
      out.append(buf, static_cast<std::size_t>(n));
      if (!until.empty() && out.find(until) != std::string::npos) break;
    }
    return out;
  }
  bool closed_by_server(milliseconds wait = milliseconds(2000)) {
    read(wait);
    return closed_;
  }

 private:
  int fd_;
  bool connected_ = false;
  bool closed_ = false;
};

class HttpServerLimits : public ::testing::Test {
 protected:
  void start(HttpLimits limits) {
    server_ = std::make_unique<HttpServer>(HttpServerOptions{.limits = limits, .workers = 2, .registry = &registry_},
                                           [](Request& req, Response& res) {
                                             res.set_content(req.method + " " + req.path + " " +
                                                                 std::to_string(req.body.size()),
                                                             "text/plain");
                                           });
  }
  int port() const { return server_->port(); }
  // The counter once it reaches `want` (or its value after 2 s): a deadline
  // closes the socket itself, and the count follows on the I/O thread.
  double counted_eventually(const std::string& sample, double want) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
    double v = counted(sample);
    while (v != want && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(milliseconds(10));
      v = counted(sample);
    }
    return v;
  }
  double counted(const std::string& sample) {
    std::string text = encode(registry_.gather(), ExpositionFormat::kPrometheusText);
    auto at = text.find("\n" + sample + " ");
    return at == std::string::npos ? -1 : std::stod(text.substr(at + sample.size() + 2));
  }

  Registry registry_;
  std::unique_ptr<HttpServer> server_;
};

const std::string kGet = "GET /x HTTP/1.1\r\nHost: a\r\n\r\n";

TEST_F(HttpServerLimits, AtTheCapTheLongestIdleConnectionMakesRoom) {
  start({.max_connections = 3});
  RawClient a(port());
  std::this_thread::sleep_for(milliseconds(50));
  RawClient b(port()), c(port());
  std::this_thread::sleep_for(milliseconds(50));
  RawClient d(port());
  EXPECT_TRUE(a.closed_by_server());
  d.send(kGet);
  EXPECT_NE(d.read(milliseconds(2000), "GET /x 0").find("200 OK"), std::string::npos);
  b.send(kGet);
  EXPECT_NE(b.read(milliseconds(2000), "GET /x 0").find("200 OK"), std::string::npos);
  EXPECT_EQ(counted(R"(vigil_http_connections_closed_total{reason="evicted"})"), 1);
}

TEST_F(HttpServerLimits, AtTheCapWithNoneIdleTheNewConnectionGets503) {
  start({.max_connections = 2});
  RawClient a(port()), b(port());
  a.send("GET /x HTTP/1.1\r\n");  // mid-request: not idle, not evictable
  b.send("GET /x HTTP/1.1\r\n");
  std::this_thread::sleep_for(milliseconds(100));
  RawClient c(port());
  std::string answer = c.read(milliseconds(2000));
  EXPECT_EQ(answer.rfind("HTTP/1.1 503", 0), 0u) << answer;
  EXPECT_NE(answer.find("too many connections"), std::string::npos);
  EXPECT_EQ(counted("vigil_http_connections_refused_total"), 1);
  a.send("Host: a\r\n\r\n");
  EXPECT_NE(a.read(milliseconds(2000), "GET /x 0").find("200 OK"), std::string::npos);
}

TEST_F(HttpServerLimits, ChunkedBodyIsCutAtTheLimitWhileRead) {
  start({.max_body_bytes = 1000});
  RawClient c(port());
  c.send("POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n");
  for (int i = 0; i < 5; ++i) c.send("190\r\n" + std::string(400, 'x') + "\r\n");
  std::string answer = c.read(milliseconds(2000), "}");
  EXPECT_EQ(answer.rfind("HTTP/1.1 413", 0), 0u) << answer;
  EXPECT_NE(answer.find("max_body_bytes (1000 bytes)"), std::string::npos);
}

TEST_F(HttpServerLimits, BodiesPastTheSharedBudgetAre503BeforeBeingRead) {
  start({.max_body_bytes = 1 << 20, .max_buffered_bytes = 1000});
  RawClient c(port());
  c.send("POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 5000\r\n\r\n");
  std::string answer = c.read(milliseconds(2000), "}");
  EXPECT_EQ(answer.rfind("HTTP/1.1 503", 0), 0u) << answer;
  EXPECT_NE(answer.find("Retry-After: 1"), std::string::npos);
  EXPECT_EQ(counted(R"(vigil_http_requests_shed_total{reason="memory"})"), 1);
  RawClient d(port());  // the budget was given back
  d.send("POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 500\r\n\r\n" + std::string(500, 'y'));
  EXPECT_NE(d.read(milliseconds(2000), "POST /x 500").find("200 OK"), std::string::npos);
}

TEST_F(HttpServerLimits, IdleAndHeaderDeadlinesCloseAndCount) {
  start({.header_timeout = milliseconds(300), .idle_timeout = milliseconds(300)});
  RawClient idle(port()), slow(port());
  idle.send(kGet);
  EXPECT_NE(idle.read(milliseconds(1000), "GET /x 0").find("200 OK"), std::string::npos);
  slow.send("GET /x HT");
  auto t0 = std::chrono::steady_clock::now();
  EXPECT_TRUE(slow.closed_by_server(milliseconds(2000)));
  EXPECT_LT(std::chrono::steady_clock::now() - t0, milliseconds(1000));
  EXPECT_TRUE(idle.closed_by_server(milliseconds(2000)));
  EXPECT_EQ(counted_eventually(R"(vigil_http_connections_closed_total{reason="idle_timeout"})", 1), 1);
  EXPECT_EQ(counted_eventually(R"(vigil_http_connections_closed_total{reason="header_timeout"})", 1), 1);
}

TEST_F(HttpServerLimits, PipelinedRequestsAreAnsweredInOrder) {
  start({});
  RawClient c(port());
  c.send("GET /one HTTP/1.1\r\nHost: a\r\n\r\nGET /two HTTP/1.1\r\nHost: a\r\n\r\n");
  std::string answer = c.read(milliseconds(2000), "GET /two 0");
  auto one = answer.find("GET /one 0"), two = answer.find("GET /two 0");
  ASSERT_NE(one, std::string::npos) << answer;
  ASSERT_NE(two, std::string::npos) << answer;
  EXPECT_LT(one, two);
}

TEST_F(HttpServerLimits, ExpectContinueIsAnsweredBeforeTheBody) {
  start({});
  RawClient c(port());
  c.send("POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\n");
  EXPECT_EQ(c.read(milliseconds(2000), "\r\n\r\n").rfind("HTTP/1.1 100 Continue", 0), 0u);
  c.send("abc");
  EXPECT_NE(c.read(milliseconds(2000), "POST /x 3").find("200 OK"), std::string::npos);
}

}  // namespace
}  // namespace vigil::detail
