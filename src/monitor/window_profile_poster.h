// Sends each closed window's profile to another daemon (POST
// /api/v1/window_profiles), for fleets whose replicas share no directory:
// the receiving daemon saves it in its own window_profiles directory, where
// `vigil merge` of one window's files gives the fleet's window.
#pragma once

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

#include "vigil/metrics.h"
#include "vigil/profile.h"

namespace vigil::detail {

struct WindowProfilePostOptions {
  std::string url;           // http://host:port of the receiving daemon
  std::string bearer_token;  // its token, when it has one
  std::string instance;      // this replica in the saved file's name
  std::size_t queue = 16;    // windows waiting to be sent; more are dropped and counted
  int attempts = 3;          // per window, with 1 s then 2 s between them
  Registry* registry = nullptr;
};

// http://host[:port] and nothing after it: what window_profiles_url must
// be (the poster adds the route). The daemon's config reader uses it too,
// to name the file and line of a bad value.
bool is_daemon_base_url(std::string_view url);

class WindowProfilePoster {
 public:
  // Throws std::invalid_argument when the url is not http://host[:port].
  explicit WindowProfilePoster(WindowProfilePostOptions options);
  // Sends what is queued (one attempt each once stopping), then returns.
  ~WindowProfilePoster();
  WindowProfilePoster(const WindowProfilePoster&) = delete;
  WindowProfilePoster& operator=(const WindowProfilePoster&) = delete;

  // Queues the window for sending; never blocks on the network. A full
  // queue drops it (vigil_model_window_profiles_total{result="post_dropped"}).
  void post(std::string_view model, const DatasetProfile& window);

 private:
  struct Pending {
    std::string target;  // path and query
    std::string body;
  };
  void run();
  bool send(const Pending& p, bool last_chance);
  void count(Counter* c);

  WindowProfilePostOptions options_;
  struct Client;
  std::unique_ptr<Client> client_;
  Counter* posted_ = nullptr;
  Counter* failed_ = nullptr;
  Counter* dropped_ = nullptr;
  std::mutex mu_;
  std::condition_variable wake_;
  std::deque<Pending> queue_;
  bool stopping_ = false;
  bool reported_ = false;
  std::thread worker_;
};

}  // namespace vigil::detail
