#include "cli/signals.h"

#include <signal.h>
#include <time.h>

namespace vigil::cli {
namespace {
sigset_t stop_set() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  return set;
}
}  // namespace

void block_stop_signals() {
  sigset_t set = stop_set();
  // Before any thread starts, so every thread inherits the mask.
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

int wait_for_stop_signal(std::chrono::milliseconds timeout) {
  sigset_t set = stop_set();
  if (timeout.count() <= 0) {
    int sig = 0;
    sigwait(&set, &sig);
    return sig;
  }
  timespec ts{static_cast<time_t>(timeout.count() / 1000), static_cast<long>((timeout.count() % 1000) * 1000000)};
  int sig = sigtimedwait(&set, nullptr, &ts);
  return sig > 0 ? sig : 0;
}

int poll_stop_signal() {
  sigset_t set = stop_set();
  timespec zero{0, 0};
  int sig = sigtimedwait(&set, nullptr, &zero);
  return sig > 0 ? sig : 0;
}

}  // namespace vigil::cli
