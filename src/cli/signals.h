// Blocks SIGINT/SIGTERM for the process and waits for them on demand, so
// commands stop cleanly instead of dying mid-write.
#pragma once

#include <chrono>

namespace vigil::cli {

void block_stop_signals();
// Waits until SIGINT/SIGTERM arrives or `timeout` passes (zero = forever).
// Returns the signal number, or 0 on timeout.
int wait_for_stop_signal(std::chrono::milliseconds timeout);  // timeout <= 0: wait until one arrives
int poll_stop_signal();  // a pending SIGINT/SIGTERM, or 0 at once

}  // namespace vigil::cli
