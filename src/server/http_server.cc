#include "server/http_server.h"

#include <sys/socket.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <stdexcept>
#include <thread>
#include <vector>

#include "server/http_connection.h"
#include "server/worker_pool.h"
#include "vigil/metrics.h"

namespace vigil::detail {

namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

// Sent without waiting to a connection refused at the cap, so a client sees
// why instead of a reset; a client that is not reading simply misses it.
constexpr std::string_view kTooManyConnections =
    "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nRetry-After: 1\r\n"
    "Connection: close\r\nContent-Length: 40\r\n\r\n{\"error\":\"too many connections; retry\"}\n";

tcp::endpoint resolve(net::io_context& io, const std::string& host, int port) {
  boost::system::error_code ec;
  tcp::resolver resolver(io);
  auto results = resolver.resolve(host, std::to_string(port), tcp::resolver::numeric_service, ec);
  if (ec || results.empty()) throw std::runtime_error("cannot listen on " + host + ":" + std::to_string(port) + ": " + ec.message());
  return results.begin()->endpoint();
}

}  // namespace

struct HttpServer::Impl {
  HttpServerOptions options;
  ServerContext context;  // outlives the connections, which io holds
  WorkerPool workers;
  WorkerPool read_workers;
  net::io_context io;
  tcp::acceptor acceptor;
  net::steady_timer accept_retry;
  Counter* refused = nullptr;
  std::vector<std::thread> threads;
  int port = 0;
  bool stopped = false;

  Impl(HttpServerOptions o, HttpHandler handler)
      : options(std::move(o)),
        workers(options.workers, options.max_queued_requests, options.on_worker_start),
        read_workers(options.read_workers, options.max_queued_requests, options.on_worker_start),
        io(static_cast<int>(options.io_threads)),
        acceptor(net::make_strand(io)),
        accept_retry(acceptor.get_executor()) {
    context.limits = options.limits;
    context.handler = std::move(handler);
    context.workers = &workers;
    context.read_workers = &read_workers;
    register_metrics();
    bind();
  }

  void register_metrics() {
    Registry* r = options.registry;
    if (!r) return;
    context.open = &r->gauge({.name = "vigil_http_connections_open", .help = "HTTP connections open now."}).labels({});
    refused = &r->counter({.name = "vigil_http_connections_refused_total",
                           .help = "Connections refused at max_connections with none idle to close."})
                   .labels({});
    context.closed = &r->counter({.name = "vigil_http_connections_closed_total",
                                  .help = "HTTP connections closed, by reason (peer, idle_timeout, header_timeout, "
                                          "body_timeout, write_timeout, evicted, bad_request, shed, shutdown).",
                                  .labels = {"reason"}});
    context.shed = &r->counter({.name = "vigil_http_requests_shed_total",
                                .help = "Requests answered 503 before being handled: workers_busy (the request "
                                        "queue was full) or memory (max_buffered_bytes of bodies were held).",
                                .labels = {"reason"}});
    // Every reason at 0 from the start, so rate() and alerts see the first one.
    for (const char* r : {"peer", "idle_timeout", "header_timeout", "body_timeout", "write_timeout", "evicted",
                          "bad_request", "shed", "shutdown"})
      context.closed->labels({r});
    for (const char* r : {"workers_busy", "memory"}) context.shed->labels({r});
  }

  void bind() {
    tcp::endpoint endpoint = resolve(io, options.host, options.port);
    boost::system::error_code ec;
    acceptor.open(endpoint.protocol(), ec);
    // SO_REUSEADDR only: a quick restart past TIME_WAIT. Never SO_REUSEPORT,
    // which would let a second process share the port and half the traffic.
    if (!ec) acceptor.set_option(net::socket_base::reuse_address(true), ec);
    if (!ec) acceptor.bind(endpoint, ec);
    if (!ec) acceptor.listen(SOMAXCONN, ec);
    if (ec)
      throw std::runtime_error("cannot listen on " + options.host + ":" + std::to_string(options.port) + ": " +
                               ec.message());
    port = acceptor.local_endpoint().port();
    accept();
    for (std::size_t i = 0; i < std::max<std::size_t>(options.io_threads, 1); ++i)
      threads.emplace_back([this] { io.run(); });
  }

  void accept() {
    acceptor.async_accept(net::make_strand(io), [this](boost::system::error_code ec, tcp::socket socket) {
      if (ec == net::error::operation_aborted || !acceptor.is_open()) return;
      if (ec) return retry_accept_later();  // EMFILE and the like: do not spin
      admit(std::move(socket));
      accept();
    });
  }

  void retry_accept_later() {
    accept_retry.expires_after(std::chrono::milliseconds(100));
    accept_retry.async_wait([this](boost::system::error_code ec) {
      if (!ec) accept();
    });
  }

  // At the cap, the connection idle the longest makes room; with none idle
  // the new one is told 503 and closed.
  void admit(tcp::socket socket) {
    std::size_t live;
    {
      std::lock_guard lock(context.book_mu);
      live = context.book.size();
    }
    if (live >= options.limits.max_connections) {
      if (auto victim = context.oldest_idle()) {
        victim->close_from_outside(CloseReason::kEvicted);
      } else {
        if (refused) refused->inc();
        ::send(socket.native_handle(), kTooManyConnections.data(), kTooManyConnections.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
        return;
      }
    }
    std::make_shared<Connection>(std::move(socket), context)->start();
  }

  void stop() {
    if (stopped) return;
    stopped = true;
    net::post(acceptor.get_executor(), [this] {
      boost::system::error_code ignored;
      acceptor.close(ignored);
      accept_retry.cancel();
    });
    close_all();
    workers.stop();  // handlers in flight finish; their answers find closed connections
    read_workers.stop();
    io.stop();
    for (auto& t : threads) t.join();
  }

  void close_all() {
    std::vector<std::shared_ptr<Connection>> live;
    {
      std::lock_guard lock(context.book_mu);
      for (const auto& weak : context.book)
        if (auto c = weak.lock()) live.push_back(std::move(c));
    }
    for (auto& c : live) c->close_from_outside(CloseReason::kShutdown);
  }
};

HttpServer::HttpServer(HttpServerOptions options, HttpHandler handler)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(handler))) {}

HttpServer::~HttpServer() { stop(); }

int HttpServer::port() const { return impl_->port; }

void HttpServer::stop() { impl_->stop(); }

}  // namespace vigil::detail
