// Window profiles sent to another daemon: see window_profile_poster.h.
#include "monitor/window_profile_poster.h"

#include <httplib.h>

#include <chrono>
#include <cstdio>
#include <stdexcept>

#include "monitor/window_profiles.h"

namespace vigil::detail {

struct WindowProfilePoster::Client {
  explicit Client(const std::string& base) : http(base) {}
  httplib::Client http;
};

bool is_daemon_base_url(std::string_view url) {
  return url.starts_with("http://") && url.size() > 7 && url.find_first_of("/?#", 7) == std::string_view::npos;
}

WindowProfilePoster::WindowProfilePoster(WindowProfilePostOptions options) : options_(std::move(options)) {
  if (!is_daemon_base_url(options_.url))
    throw std::invalid_argument("window_profiles_url must be http://host[:port] of a vigil daemon, got \"" +
                                options_.url + "\"");
  if (options_.instance.empty()) options_.instance = default_instance_name();
  client_ = std::make_unique<Client>(options_.url);
  client_->http.set_connection_timeout(std::chrono::seconds(5));
  client_->http.set_read_timeout(std::chrono::seconds(30));
  client_->http.set_write_timeout(std::chrono::seconds(30));
  if (!options_.bearer_token.empty()) client_->http.set_bearer_token_auth(options_.bearer_token.c_str());
  if (Registry* r = options_.registry) {
    posted_ = &window_profile_counter(*r, "posted");
    failed_ = &window_profile_counter(*r, "post_failed");
    dropped_ = &window_profile_counter(*r, "post_dropped");
  }
  worker_ = std::thread([this] { run(); });
}

WindowProfilePoster::~WindowProfilePoster() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_one();
  worker_.join();
}

void WindowProfilePoster::count(Counter* c) {
  if (c) c->inc();
}

void WindowProfilePoster::post(std::string_view model, const DatasetProfile& window) {
  Pending p{httplib::append_query_params("/api/v1/window_profiles",
                                         {{"model", std::string(model)}, {"instance", options_.instance}}),
            window.to_json()};
  {
    std::lock_guard lock(mu_);
    if (queue_.size() >= options_.queue) return count(dropped_);
    queue_.push_back(std::move(p));
  }
  wake_.notify_one();
}

void WindowProfilePoster::run() {
  std::unique_lock lock(mu_);
  while (true) {
    wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping, and everything sent
    Pending p = std::move(queue_.front());
    queue_.pop_front();
    const bool stopping = stopping_;
    lock.unlock();
    const bool sent = send(p, stopping);
    count(sent ? posted_ : failed_);
    lock.lock();
    if (!sent && stopping_) {  // shutting down and the daemon is away: do not wait on it once per window
      for (std::size_t i = 0; i < queue_.size(); ++i) count(failed_);
      return;
    }
  }
}

// True once the daemon saved it (2xx). Refusals that retrying cannot fix
// (4xx: a daemon without window_profiles, a bad token) are not retried;
// while stopping there is one attempt, so shutdown stays short.
bool WindowProfilePoster::send(const Pending& p, bool last_chance) {
  const int attempts = last_chance ? 1 : std::max(1, options_.attempts);
  std::string failure;
  for (int attempt = 1; attempt <= attempts; ++attempt) {
    auto res = client_->http.Post(p.target, p.body, "application/json");
    if (res && res->status >= 200 && res->status < 300) return true;
    failure = res ? "HTTP " + std::to_string(res->status) + ": " + res->body.substr(0, 200)
                  : httplib::to_string(res.error());
    if (res && res->status >= 400 && res->status < 500 && res->status != 429) break;
    if (attempt < attempts) {
      std::unique_lock lock(mu_);
      if (wake_.wait_for(lock, std::chrono::seconds(attempt), [&] { return stopping_; })) break;
    }
  }
  std::lock_guard lock(mu_);
  if (!std::exchange(reported_, true))
    std::fprintf(stderr, "vigil: cannot send window profile to %s: %s (counted in vigil_model_window_profiles_total)\n",
                 options_.url.c_str(), failure.c_str());
  return false;
}

}  // namespace vigil::detail
