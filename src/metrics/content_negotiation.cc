// Accept-header negotiation between text 0.0.4 and OpenMetrics 1.0.0.
#include <cstdlib>
#include <string>

#include "vigil/exposition.h"

namespace vigil {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

struct MediaRange {
  std::string_view type;
  std::string_view version;
  double q = 1.0;
};

MediaRange parse_range(std::string_view item) {
  MediaRange r;
  std::size_t semi = item.find(';');
  r.type = trim(item.substr(0, semi));
  while (semi != std::string_view::npos) {
    item.remove_prefix(semi + 1);
    semi = item.find(';');
    std::string_view param = trim(item.substr(0, semi));
    std::size_t eq = param.find('=');
    if (eq == std::string_view::npos) continue;
    std::string_view key = trim(param.substr(0, eq)), value = trim(param.substr(eq + 1));
    if (key == "q") r.q = std::strtod(std::string(value).c_str(), nullptr);
    else if (key == "version") r.version = value;
  }
  return r;
}

}  // namespace

ExpositionFormat negotiate_format(std::string_view accept) {
  double best_om = -1, best_text = -1;
  while (!accept.empty()) {
    std::size_t comma = accept.find(',');
    MediaRange r = parse_range(accept.substr(0, comma));
    accept = comma == std::string_view::npos ? std::string_view{} : accept.substr(comma + 1);
    if (r.q <= 0) continue;
    // OpenMetrics 0.0.1 is the pre-release name of 1.0.0; both parse alike.
    if (r.type == "application/openmetrics-text" &&
        (r.version.empty() || r.version == "1.0.0" || r.version == "0.0.1"))
      best_om = std::max(best_om, r.q);
    else if (r.type == "text/plain" || r.type == "*/*" || r.type == "text/*")
      best_text = std::max(best_text, r.q);
  }
  return best_om > 0 && best_om >= best_text ? ExpositionFormat::kOpenMetrics : ExpositionFormat::kPrometheusText;
}

}  // namespace vigil
