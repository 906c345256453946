// Saves each closed window's profile for fleet-wide drift: replicas of a
// service write theirs to a shared directory (or one each, gathered later),
// and `vigil merge` of one window's files gives the window of the fleet.
#pragma once

#include <atomic>
#include <filesystem>
#include <string>
#include <string_view>

#include "vigil/metrics.h"
#include "vigil/profile.h"

namespace vigil::detail {

class WindowProfileWriter {
 public:
  // registry: vigil_model_window_profiles_total{result="written"|"failed"}; may be null.
  WindowProfileWriter(std::filesystem::path directory, std::string instance, Registry* registry);

  // Writes <directory>/<model>/<window start, unix ns>-<instance>.json
  // (written to a temporary name, then renamed: a reader never sees half a
  // file). Names are percent-encoded outside [A-Za-z0-9_.-]. Never throws:
  // a failure (disk full, permissions) is counted and reported once on
  // stderr, and monitoring goes on.
  // True once the file is in place.
  bool write(std::string_view model, const DatasetProfile& window);

  // "<model dir>/<start>-<instance>.json" for a window.
  std::filesystem::path path_of(std::string_view model, std::uint64_t start_unix_nano) const;

 private:
  std::filesystem::path directory_;
  std::string instance_;
  Counter* written_ = nullptr;
  Counter* failed_ = nullptr;
  std::atomic<bool> reported_{false};
};

// The default instance name: host name and process id ("web-3-4711").
std::string default_instance_name();

// vigil_model_window_profiles_total{result}, shared by the writer and the
// poster: written, failed, posted, post_failed, post_dropped.
Counter& window_profile_counter(Registry& registry, std::string_view result);

}  // namespace vigil::detail
