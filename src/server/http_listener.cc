#include "server/http_listener.h"

#include <sys/socket.h>

#include <chrono>
#include <stdexcept>

namespace vigil::detail {

HttpListener::HttpListener() {
  // httplib's default sets SO_REUSEPORT, which lets a second process bind the
  // same port and silently share traffic; SO_REUSEADDR alone only allows a
  // quick restart while old connections sit in TIME_WAIT.
  server_.set_socket_options([](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  });
  // Responses are small and follow large request bodies: without
  // TCP_NODELAY, Nagle's algorithm and the peer's delayed ACK hold each
  // response back ~40 ms.
  server_.set_tcp_nodelay(true);
}

HttpListener::~HttpListener() { stop(); }

void HttpListener::start(const std::string& host, int port) {
  if (port == 0) port_ = server_.bind_to_any_port(host);
  else port_ = server_.bind_to_port(host, port) ? port : -1;
  if (port_ <= 0) throw std::runtime_error("cannot listen on " + host + ":" + std::to_string(port));
  thread_ = std::thread([this] { server_.listen_after_bind(); });
  // stop() before the accept loop runs would be lost; wait for it.
  while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

void HttpListener::stop() {
  if (!thread_.joinable()) return;
  server_.stop();
  thread_.join();
}

}  // namespace vigil::detail
