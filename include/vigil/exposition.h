// Exposition formats: Prometheus text 0.0.4 and OpenMetrics 1.0.0.
#pragma once

#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "vigil/metrics.h"

namespace vigil {

enum class ExpositionFormat { kPrometheusText, kOpenMetrics };

inline constexpr std::string_view kPrometheusTextContentType = "text/plain; version=0.0.4; charset=utf-8";
inline constexpr std::string_view kOpenMetricsContentType =
    "application/openmetrics-text; version=1.0.0; charset=utf-8";

// Picks the format a scrape asked for by its Accept header (q-values
// honoured); text 0.0.4 when nothing better is acceptable.
ExpositionFormat negotiate_format(std::string_view accept_header);
std::string_view content_type(ExpositionFormat format);

void encode_prometheus_text(const std::vector<MetricFamilySnapshot>& families, std::string& out);
void encode_openmetrics(const std::vector<MetricFamilySnapshot>& families, std::string& out);
std::string encode(const std::vector<MetricFamilySnapshot>& families, ExpositionFormat format);

// What a /metrics handler keeps between scrapes: each family's snapshot is
// refilled in place, so a scrape of 100k series does not allocate, zero and
// free ~19 MB of series snapshots every time. Gives the same text as
// encode(registry.gather(), format). Concurrent scrapes take turns.
class ScrapeBuffer {
 public:
  std::string scrape(const Registry& registry, ExpositionFormat format);

 private:
  std::mutex mu_;
  std::unordered_map<const Collector*, MetricFamilySnapshot> families_;
};

}  // namespace vigil
