#include "server/http_connection.h"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <chrono>

#include "common/gzip.h"
#include "server/worker_pool.h"
#include "vigil/metrics.h"

namespace vigil::detail {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;

namespace {

std::int64_t steady_now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

const char* reason_label(CloseReason r) {
  switch (r) {
    case CloseReason::kPeer: return "peer";
    case CloseReason::kIdleTimeout: return "idle_timeout";
    case CloseReason::kHeaderTimeout: return "header_timeout";
    case CloseReason::kBodyTimeout: return "body_timeout";
    case CloseReason::kWriteTimeout: return "write_timeout";
    case CloseReason::kEvicted: return "evicted";
    case CloseReason::kBadRequest: return "bad_request";
    case CloseReason::kShed: return "shed";
    case CloseReason::kShutdown: return "shutdown";
  }
  return "unknown";
}

std::string error_json(const std::string& message) {
  std::string out = "{\"error\":\"";
  for (char c : message) {
    if (c == '"' || c == '\\') out += '\\';
    if (static_cast<unsigned char>(c) >= 0x20) out += c;
  }
  return out + "\"}";
}

bool compressible(std::string_view type) {
  return type.rfind("text/", 0) == 0 || type.rfind("application/json", 0) == 0 ||
         type.rfind("application/javascript", 0) == 0 || type.rfind("image/svg+xml", 0) == 0;
}

// Compresses a textual answer whenever the client takes gzip, as scrapers
// and browsers expect (the OpenMetrics handler does its own).
void maybe_gzip(Response& res, bool accepts_gzip) {
  if (!accepts_gzip || res.body.empty() || !res.get_header_value("Content-Encoding").empty() ||
      !compressible(res.get_header_value("Content-Type")))
    return;
  res.body = gzip_compress(res.body);
  res.set_header("Content-Encoding", "gzip");
  res.set_header("Vary", "Accept-Encoding");
}

Request to_request(http::request<http::string_body>&& msg, const std::string& remote) {
  Request req;
  req.method = std::string(msg.method_string());
  std::string_view target(msg.target().data(), msg.target().size());
  std::size_t q = target.find('?');
  req.path = percent_decode(target.substr(0, q), false);
  if (q != std::string_view::npos) req.params = parse_query(target.substr(q + 1));
  for (const auto& field : msg) req.headers.emplace(std::string(field.name_string()), std::string(field.value()));
  req.body = std::move(msg.body());
  req.remote_addr = remote;
  return req;
}

}  // namespace

void ServerContext::count_closed(CloseReason reason) {
  if (closed) closed->labels({reason_label(reason)}).inc();
}

void ServerContext::count_shed(const char* reason) {
  if (shed) shed->labels({reason}).inc();
}

std::shared_ptr<Connection> ServerContext::oldest_idle() {
  std::lock_guard lock(book_mu);
  std::shared_ptr<Connection> oldest;
  std::int64_t oldest_since = 0;
  for (const auto& weak : book) {
    auto c = weak.lock();
    std::int64_t since = c ? c->idle_since() : 0;
    if (since && (!oldest || since < oldest_since)) {
      oldest = std::move(c);
      oldest_since = since;
    }
  }
  return oldest;
}

Connection::Connection(net::ip::tcp::socket socket, ServerContext& context)
    : stream_(std::move(socket)), context_(context) {
  if (context_.open) context_.open->inc();
}

Connection::~Connection() {
  release();
  if (context_.open) context_.open->dec();
  std::lock_guard lock(context_.book_mu);
  context_.book.erase(book_entry_);
}

void Connection::start() {
  {
    std::lock_guard lock(context_.book_mu);
    book_entry_ = context_.book.insert(context_.book.end(), weak_from_this());
  }
  beast::error_code ignored;
  stream_.socket().set_option(net::ip::tcp::no_delay(true), ignored);  // no 40 ms Nagle + delayed-ACK stall
  net::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->await_request(); });
}

void Connection::close_from_outside(CloseReason reason) {
  net::post(stream_.get_executor(), [self = shared_from_this(), reason] {
    if (reason != CloseReason::kEvicted || self->idle_since() != 0) self->close(reason);
  });
}

// Waits for a request's first byte under the idle deadline (the header
// deadline for a new connection), so an idle keep-alive client is
// evictable and a slow one is timed from the moment it starts.
void Connection::await_request() {
  if (closed_) return;
  phase_ = Phase::kAwaiting;
  if (buffer_.size() > 0) return read_header();  // a pipelined request is already here
  idle_since_.store(steady_now_ns(), std::memory_order_relaxed);
  stream_.expires_after(first_request_ ? context_.limits.header_timeout : context_.limits.idle_timeout);
  stream_.async_read_some(buffer_.prepare(4096), [self = shared_from_this()](beast::error_code ec, std::size_t n) {
    self->idle_since_.store(0, std::memory_order_relaxed);
    if (ec) return self->fail(ec);
    self->buffer_.commit(n);
    self->read_header();
  });
}

void Connection::read_header() {
  phase_ = Phase::kHeader;
  first_request_ = false;
  parser_.emplace();
  parser_->header_limit(static_cast<std::uint32_t>(context_.limits.max_header_bytes));
  parser_->body_limit(context_.limits.max_body_bytes);
  stream_.expires_after(context_.limits.header_timeout);
  http::async_read_header(stream_, buffer_, *parser_,
                          [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_header(ec); });
}

void Connection::on_header(beast::error_code ec) {
  if (ec) return fail(ec);
  const auto& msg = parser_->get();
  version_ = msg.version();
  keep_alive_ = msg.keep_alive();
  head_ = msg.method() == http::verb::head;
  if (auto length = parser_->content_length(); length && !charge(static_cast<std::size_t>(*length)))
    return refuse(503, "the server holds too many request bodies; retry later", "memory");
  if (!parser_->is_done() && beast::iequals(msg[http::field::expect], "100-continue")) {
    auto cont = std::make_shared<http::response<http::empty_body>>(http::status::continue_, version_);
    stream_.expires_after(context_.limits.write_timeout);
    return http::async_write(stream_, *cont, [self = shared_from_this(), cont](beast::error_code ec, std::size_t) {
      if (ec) return self->fail(ec);
      self->read_body();
    });
  }
  read_body();
}

void Connection::read_body() {
  phase_ = Phase::kBody;
  stream_.expires_after(context_.limits.body_timeout);  // once per body: a deadline, not a per-read timeout
  on_body({});
}

// Reads until the message is complete; a chunked body (no Content-Length)
// is charged against the shared budget as it grows.
void Connection::on_body(beast::error_code ec) {
  if (ec) return fail(ec);
  if (!parser_->content_length()) {
    std::size_t held = parser_->get().body().size();
    if (held > charged_ && !charge(held - charged_))
      return refuse(503, "the server holds too many request bodies; retry later", "memory");
  }
  if (parser_->is_done()) return dispatch();
  http::async_read_some(stream_, buffer_, *parser_,
                        [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_body(ec); });
}

bool Connection::charge(std::size_t bytes) {
  std::size_t before = context_.buffered_bytes.fetch_add(bytes, std::memory_order_relaxed);
  if (before + bytes > context_.limits.max_buffered_bytes) {
    context_.buffered_bytes.fetch_sub(bytes, std::memory_order_relaxed);
    return false;
  }
  charged_ += bytes;
  return true;
}

void Connection::release() {
  context_.buffered_bytes.fetch_sub(charged_, std::memory_order_relaxed);
  charged_ = 0;
}

void Connection::dispatch() {
  phase_ = Phase::kHandling;
  stream_.expires_never();
  std::string remote;
  beast::error_code ec;
  if (auto ep = stream_.socket().remote_endpoint(ec); !ec) remote = ep.address().to_string();
  auto req = std::make_shared<Request>(to_request(parser_->release(), remote));
  accepts_gzip_ = accepts_gzip(req->get_header_value("Accept-Encoding"));
  auto task = [self = shared_from_this(), req] {
    Response res;
    try {
      self->context_.handler(*req, res);
    } catch (const std::exception& e) {
      res = Response{.status = 500};
      res.set_content(error_json(e.what()), "application/json");
    }
    req->body.clear();
    req->body.shrink_to_fit();
    maybe_gzip(res, self->accepts_gzip_);
    net::post(self->stream_.get_executor(), [self, res = std::move(res)]() mutable { self->write(std::move(res)); });
  };
  WorkerPool* pool = req->method == "GET" || req->method == "HEAD" ? context_.read_workers : context_.workers;
  if (!pool->try_submit(std::move(task)))
    refuse(503, "every worker is busy and the request queue is full; retry later", "workers_busy");
}

void Connection::write(Response res) {
  release();
  if (closed_) return;
  phase_ = Phase::kWriting;
  auto msg = std::make_shared<http::response<http::string_body>>(static_cast<http::status>(res.status), version_);
  for (auto& [name, value] : res.headers) msg->insert(name, value);
  msg->body() = std::move(res.body);
  msg->keep_alive(keep_alive_);
  msg->prepare_payload();
  if (head_) msg->body().clear();  // Content-Length still names the GET body's size
  stream_.expires_after(context_.limits.write_timeout);
  http::async_write(stream_, *msg, [self = shared_from_this(), msg](beast::error_code ec, std::size_t) {
    self->on_written(ec, msg->keep_alive());
  });
}

void Connection::on_written(beast::error_code ec, bool keep_alive) {
  if (ec) return fail(ec);
  if (!keep_alive) return linger();
  await_request();
}

// After the last answer: stop sending, then read and discard what the
// client still sends (the rest of a refused body) until it closes or the
// deadline passes. Closing at once would reset the connection under a
// client still writing, which then never reads the 413 or 503 it was sent.
void Connection::linger() {
  beast::error_code ignored;
  stream_.socket().shutdown(net::ip::tcp::socket::shutdown_send, ignored);
  stream_.expires_after(std::chrono::seconds(5));
  discard();
}

void Connection::discard() {
  stream_.async_read_some(buffer_.prepare(16384), [self = shared_from_this()](beast::error_code ec, std::size_t) {
    if (ec) return self->close(self->after_write_);
    self->discard();  // nothing committed: the buffer is reused
  });
}

// A failed read or write: the deadline of the phase it was in, the client
// leaving, or a request Beast could not parse (answered before closing).
void Connection::fail(beast::error_code ec) {
  if (closed_ || ec == net::error::operation_aborted) return close(CloseReason::kShutdown);
  if (ec == beast::error::timeout) {
    switch (phase_) {
      case Phase::kAwaiting: return close(first_request_ ? CloseReason::kHeaderTimeout : CloseReason::kIdleTimeout);
      case Phase::kHeader: return close(CloseReason::kHeaderTimeout);
      case Phase::kBody: return close(CloseReason::kBodyTimeout);
      default: return close(CloseReason::kWriteTimeout);
    }
  }
  if (ec == http::error::end_of_stream || ec == net::error::eof || ec == net::error::connection_reset ||
      ec == http::error::partial_message || phase_ == Phase::kWriting)
    return close(CloseReason::kPeer);
  if (ec == http::error::body_limit)
    return refuse(413, "request body exceeds max_body_bytes (" + std::to_string(context_.limits.max_body_bytes) +
                           " bytes)");
  if (ec == http::error::header_limit) return refuse(431, "request headers exceed the server's limit");
  refuse(400, "malformed HTTP request: " + ec.message());
}

// Answers a request that will not be read further, then closes: the rest of
// its body (if any) is never read.
void Connection::refuse(int status, const std::string& message, const char* shed_reason) {
  if (shed_reason) context_.count_shed(shed_reason);
  keep_alive_ = false;
  Response res{.status = status};
  if (status == 503) res.set_header("Retry-After", "1");
  res.set_content(error_json(message), "application/json");
  after_write_ = status == 503 ? CloseReason::kShed : CloseReason::kBadRequest;
  write(std::move(res));
}

void Connection::close(CloseReason reason) {
  if (closed_) return;
  closed_ = true;
  idle_since_.store(0, std::memory_order_relaxed);
  context_.count_closed(reason);
  beast::error_code ignored;
  stream_.socket().shutdown(net::ip::tcp::socket::shutdown_both, ignored);
  stream_.close();
  release();
}

}  // namespace vigil::detail
