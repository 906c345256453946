// One client connection of HttpServer: reads each request within the
// limits (header, body and idle deadlines; size caps; the shared body
// budget), hands it to the worker pool and writes the answer back. Every
// step runs on the connection's strand, so no step needs a lock; the
// acceptor reads only idle_since() to pick a connection to evict.
#pragma once

#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <optional>

#include "server/http_server.h"

namespace vigil {
class Counter;
class Gauge;
template <class>
class Family;
}  // namespace vigil

namespace vigil::detail {

class WorkerPool;
class Connection;

// Why a connection was closed: the label of vigil_http_connections_closed_total.
enum class CloseReason {
  kPeer,  // the client closed, or asked to (Connection: close)
  kIdleTimeout,
  kHeaderTimeout,
  kBodyTimeout,
  kWriteTimeout,
  kEvicted,     // idle the longest when the connection cap was reached
  kBadRequest,  // answered 400, 413 or 431 and not read further
  kShed,        // answered 503 before its body was read
  kShutdown,
};

// What every connection of one server shares. Outlives them all.
struct ServerContext {
  HttpLimits limits;
  HttpHandler handler;
  WorkerPool* workers = nullptr;       // writes
  WorkerPool* read_workers = nullptr;  // GET and HEAD
  std::atomic<std::size_t> buffered_bytes{0};  // bodies held, against limits.max_buffered_bytes

  // Self-metrics; each may be null.
  Gauge* open = nullptr;
  Family<Counter>* closed = nullptr;
  Family<Counter>* shed = nullptr;
  void count_closed(CloseReason reason);
  void count_shed(const char* reason);

  // Live connections, for eviction at the cap and for closing at stop().
  std::mutex book_mu;
  std::list<std::weak_ptr<Connection>> book;
  // The connection idle the longest, or null when none is idle.
  std::shared_ptr<Connection> oldest_idle();
};

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(boost::asio::ip::tcp::socket socket, ServerContext& context);
  ~Connection();

  void start();
  // Closes from any thread (on the strand); an eviction spares a connection
  // that has started a request meanwhile.
  void close_from_outside(CloseReason reason);
  // Steady-clock ns since the connection began waiting for a request; 0
  // while a request is being read, handled or answered.
  std::int64_t idle_since() const { return idle_since_.load(std::memory_order_relaxed); }

 private:
  enum class Phase { kAwaiting, kHeader, kBody, kHandling, kWriting };
  using Parser = boost::beast::http::request_parser<boost::beast::http::string_body>;

  void await_request();
  void read_header();
  void on_header(boost::beast::error_code ec);
  void read_body();
  void on_body(boost::beast::error_code ec);
  bool charge(std::size_t bytes);
  void release();
  void dispatch();
  void write(Response res);
  void on_written(boost::beast::error_code ec, bool keep_alive);
  void linger();
  void discard();
  void fail(boost::beast::error_code ec);
  void refuse(int status, const std::string& message, const char* shed_reason = nullptr);
  void close(CloseReason reason);

  boost::beast::tcp_stream stream_;
  boost::beast::flat_buffer buffer_;
  std::optional<Parser> parser_;
  ServerContext& context_;
  std::list<std::weak_ptr<Connection>>::iterator book_entry_;
  Phase phase_ = Phase::kAwaiting;
  bool first_request_ = true;
  bool keep_alive_ = true;
  bool head_ = false;
  bool accepts_gzip_ = false;
  unsigned version_ = 11;
  bool closed_ = false;
  CloseReason after_write_ = CloseReason::kPeer;  // when the answer ends the connection
  std::size_t charged_ = 0;
  std::atomic<std::int64_t> idle_since_{0};
};

}  // namespace vigil::detail
