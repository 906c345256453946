#include "trace/otlp_http_sender.h"

#include <httplib.h>

#include <algorithm>
#include <random>
#include <stdexcept>
#include <thread>

#include "common/gzip.h"

namespace vigil::detail {

struct OtlpHttpSender::Client {
  explicit Client(const std::string& base) : http(base) {}
  httplib::Client http;
};

OtlpHttpSender::OtlpHttpSender(OtlpHttpOptions options) : options_(std::move(options)) {
  const std::string& url = options_.endpoint;
  auto scheme_end = url.find("://");
  if (scheme_end == std::string::npos || (url.compare(0, scheme_end, "http") != 0 && url.compare(0, scheme_end, "https") != 0))
    throw std::invalid_argument("vigil: OTLP endpoint must be http(s)://host:port/path, got \"" + url + "\"");
  auto path_start = url.find('/', scheme_end + 3);
  path_ = path_start == std::string::npos ? "/" : url.substr(path_start);
  client_ = std::make_unique<Client>(url.substr(0, path_start));
  auto secs = std::chrono::duration_cast<std::chrono::seconds>(options_.timeout);
  auto usecs = std::chrono::duration_cast<std::chrono::microseconds>(options_.timeout - secs);
  client_->http.set_connection_timeout(secs.count(), usecs.count());
  client_->http.set_read_timeout(secs.count(), usecs.count());
  client_->http.set_write_timeout(secs.count(), usecs.count());
  client_->http.set_keep_alive(true);
  client_->http.set_tcp_nodelay(true);
}

OtlpHttpSender::~OtlpHttpSender() = default;

bool OtlpHttpSender::send(std::string body) {
  httplib::Headers headers;
  for (const auto& [k, v] : options_.headers) headers.emplace(k, v);
  if (options_.gzip) {
    body = gzip_compress(body);
    headers.emplace("Content-Encoding", "gzip");
  }
  const char* type = options_.protocol == OtlpProtocol::kHttpJson ? "application/json" : "application/x-protobuf";
  thread_local std::mt19937 jitter_rng{std::random_device{}()};
  auto backoff = options_.initial_backoff;
  for (int attempt = 1; attempt <= options_.max_attempts; ++attempt) {
    auto res = client_->http.Post(path_, headers, body, type);
    std::chrono::milliseconds wait = backoff;
    if (res) {
      if (res->status >= 200 && res->status < 300) return true;
      bool retryable = res->status == 429 || res->status == 502 || res->status == 503 || res->status == 504;
      if (!retryable) return false;
      // Retry-After in delay-seconds form; the HTTP-date form is rare here.
      if (auto ra = res->get_header_value("Retry-After"); !ra.empty() && std::all_of(ra.begin(), ra.end(), ::isdigit))
        wait = std::chrono::seconds(std::stol(ra));
    }
    if (attempt == options_.max_attempts) break;
    // Full jitter on the exponential delay unless the server named one.
    if (wait == backoff) {
      std::uniform_int_distribution<long> d(backoff.count() / 2, backoff.count());
      wait = std::chrono::milliseconds(d(jitter_rng));
    }
    std::this_thread::sleep_for(std::min(wait, options_.max_backoff * 12));
    backoff = std::min(backoff * 2, options_.max_backoff);
  }
  return false;
}

}  // namespace vigil::detail
