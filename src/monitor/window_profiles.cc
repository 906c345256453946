// Window profiles on disk: see window_profiles.h.
#include "monitor/window_profiles.h"

#include <unistd.h>

#include <cctype>
#include <cstdio>
#include <fstream>
#include <system_error>

namespace vigil::detail {
namespace {

// A model or instance name as one safe path segment ("." and ".." too).
std::string path_segment(std::string_view name) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (std::size_t i = 0; i < name.size(); ++i) {
    auto c = static_cast<unsigned char>(name[i]);
    bool plain = std::isalnum(c) || c == '_' || c == '-' || (c == '.' && i > 0);
    if (plain) out += static_cast<char>(c);
    else out += {'%', kHex[c >> 4], kHex[c & 15]};
  }
  return out.empty() ? "%00" : out;
}

}  // namespace

std::string default_instance_name() {
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) != 0 || !host[0]) std::snprintf(host, sizeof host, "vigil");
  return std::string(host) + "-" + std::to_string(::getpid());
}

WindowProfileWriter::WindowProfileWriter(std::filesystem::path directory, std::string instance, Registry* registry)
    : directory_(std::move(directory)), instance_(instance.empty() ? default_instance_name() : std::move(instance)) {
  if (!registry) return;
  written_ = &window_profile_counter(*registry, "written");
  failed_ = &window_profile_counter(*registry, "failed");
}

Counter& window_profile_counter(Registry& registry, std::string_view result) {
  auto& family = registry.counter({.name = "vigil_model_window_profiles_total",
                                   .help = "Closed windows' profiles saved or sent for fleet-wide drift, by result",
                                   .labels = {"result"}});
  return family.labels({result});
}

std::filesystem::path WindowProfileWriter::path_of(std::string_view model, std::uint64_t start_unix_nano) const {
  return directory_ / path_segment(model) / (std::to_string(start_unix_nano) + "-" + path_segment(instance_) + ".json");
}

bool WindowProfileWriter::write(std::string_view model, const DatasetProfile& window) {
  const std::filesystem::path path = path_of(model, window.start_unix_nano);
  std::filesystem::path temporary = path;
  temporary += ".tmp";
  std::error_code ec;
  try {
    std::filesystem::create_directories(path.parent_path(), ec);
    if (ec) throw std::system_error(ec);
    window.save(temporary);
    std::filesystem::rename(temporary, path, ec);
    if (ec) throw std::system_error(ec);
    if (written_) written_->inc();
    return true;
  } catch (const std::exception& e) {
    std::filesystem::remove(temporary, ec);
    if (failed_) failed_->inc();
    if (!reported_.exchange(true))
      std::fprintf(stderr, "vigil: cannot save window profile %s: %s (counted in vigil_model_window_profiles_total)\n",
                   path.c_str(), e.what());
    return false;
  }
}

}  // namespace vigil::detail
