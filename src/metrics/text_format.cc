// Prometheus text exposition format 0.0.4.
#include <cctype>
#include <string>

#include "metrics/number_format.h"
#include "vigil/exposition.h"

namespace vigil {
namespace {

using detail::append_double;
using detail::append_labels;

const char* type_name(MetricType t) {
  switch (t) {
    case MetricType::kCounter: return "counter";
    case MetricType::kGauge: return "gauge";
    case MetricType::kHistogram: return "histogram";
    case MetricType::kSummary: return "summary";
    default: return "untyped";
  }
}

void sample(std::string& out, std::string_view name, std::string_view suffix, const MetricFamilySnapshot& f,
            const SeriesSnapshot& s, double value, std::string_view extra_name = {},
            std::string_view extra_value = {}) {
  out += name;
  out += suffix;
  append_labels(out, f.label_names, s.label_values, extra_name, extra_value);
  out += ' ';
  append_double(out, value);
  out += '\n';
}

}  // namespace

void encode_prometheus_text(const std::vector<MetricFamilySnapshot>& families, std::string& out) {
  std::string bound;
  for (const MetricFamilySnapshot& f : families) {
    if (f.series.empty()) continue;
    // 0.0.4 has no separate family name: counters are named with _total.
    std::string name = f.type == MetricType::kCounter ? f.name + "_total" : f.name;
    if (!f.help.empty()) {
      out += "# HELP ";
      out += name;
      out += ' ';
      detail::append_escaped(out, f.help, false);
      out += '\n';
    }
    out += "# TYPE ";
    out += name;
    out += ' ';
    out += type_name(f.type);
    out += '\n';
    for (const SeriesSnapshot& s : f.series) {
      switch (f.type) {
        case MetricType::kHistogram: {
          double cumulative = 0;
          for (std::size_t i = 0; i < s.bucket_counts.size(); ++i) {
            cumulative += s.bucket_counts[i];
            bound.clear();
            if (i < f.bucket_bounds.size()) detail::append_bound(bound, f.bucket_bounds[i], false);
            else bound = "+Inf";
            sample(out, name, "_bucket", f, s, cumulative, "le", bound);
          }
          sample(out, name, "_sum", f, s, s.sum);
          sample(out, name, "_count", f, s, s.count);
          break;
        }
        case MetricType::kSummary:
          for (const auto& [q, v] : s.quantiles) {
            bound.clear();
            detail::append_bound(bound, q, false);
            sample(out, name, "", f, s, v, "quantile", bound);
          }
          sample(out, name, "_sum", f, s, s.sum);
          sample(out, name, "_count", f, s, s.count);
          break;
        default:
          sample(out, name, "", f, s, s.value);
      }
    }
  }
}

}  // namespace vigil
