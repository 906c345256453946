// A fixed set of threads running tasks from a bounded queue: the HTTP
// server's handlers run here, off the I/O threads, so a slow query or a
// store commit never stalls reading other connections.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace vigil::detail {

class WorkerPool {
 public:
  // Starts `threads` threads, each running `on_start` (may be empty) first.
  WorkerPool(std::size_t threads, std::size_t max_queued, std::function<void()> on_start);
  ~WorkerPool();  // stop()
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // Queues `task`; false (task not taken) when max_queued tasks already
  // wait, or after stop().
  bool try_submit(std::function<void()> task);
  // Runs what is queued, then joins. Idempotent.
  void stop();

 private:
  void run(const std::function<void()>& on_start);

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> queue_;
  std::size_t max_queued_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace vigil::detail
