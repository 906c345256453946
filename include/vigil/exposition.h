// Exposition formats: Prometheus text 0.0.4 and OpenMetrics 1.0.0.
#pragma once

#include <string>
#include <string_view>
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

}  // namespace vigil
