// The web UI's files, compiled into the binary (see cmake/embed_assets.cmake).
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

namespace vigil::server {

struct UiAsset {
  std::string_view name;  // "index.html", "app.js", ...
  const char* data;
  std::size_t size;
};

const std::vector<UiAsset>& ui_assets();

}  // namespace vigil::server
