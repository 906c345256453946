// An httplib::Server bound to one address and served on a background thread.
// Shared by the metrics server and the daemon so both get the same socket
// options and start/stop behaviour.
#pragma once

#include <httplib.h>

#include <string>
#include <thread>

namespace vigil::detail {

class HttpListener {
 public:
  HttpListener();
  ~HttpListener();  // stops and joins
  HttpListener(const HttpListener&) = delete;
  HttpListener& operator=(const HttpListener&) = delete;

  httplib::Server& server() { return server_; }
  // Binds (port 0 = any free port) and returns once requests are accepted.
  // Throws std::runtime_error when the address is taken or invalid.
  void start(const std::string& host, int port);
  int port() const { return port_; }
  void stop();

 private:
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
};

}  // namespace vigil::detail
