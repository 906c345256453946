// Prometheus text exposition format 0.0.4.
#include <cctype>
#include <string>

#include "metrics/number_format.h"
#include "vigil/exposition.h"

namespace vigil {
namespace {


const char* text_type_name(MetricType t) {
  switch (t) {
    case MetricType::kCounter: return "counter";
    case MetricType::kGauge: return "gauge";
    case MetricType::kHistogram: return "histogram";
    case MetricType::kSummary: return "summary";
    default: return "untyped";
  }
}

void write_sample(std::string& out, std::string_view name, std::string_view suffix, std::string_view labels,
                  double value, std::string_view extra_name = {}, std::string_view extra_value = {}) {
  detail::append_sample(out, name, suffix, labels, value, extra_name, extra_value);
  out += '\n';
}

}  // namespace

namespace detail {

void encode_text_family(const MetricFamilySnapshot& f, std::string& out, std::string& bound, std::string& scratch) {
  {
    if (f.series.empty()) return;
    // 0.0.4 has no separate family name: counters are named with _total.
    std::string name = f.type == MetricType::kCounter ? f.name + "_total" : f.name;
    detail::append_help(out, name, f.help, false);
    detail::append_metadata(out, "TYPE", name, text_type_name(f.type));
    std::vector<std::string> les;
    if (f.type == MetricType::kHistogram) les = detail::bucket_labels(f.bucket_bounds, false);
    for (const SeriesSnapshot& s : f.series) {
      std::string_view labels = detail::series_labels(f, s, scratch);
      switch (f.type) {
        case MetricType::kHistogram: {
          double cumulative = 0;
          for (std::size_t i = 0; i < s.bucket_counts.size(); ++i) {
            cumulative += s.bucket_counts[i];
            write_sample(out, name, "_bucket", labels, cumulative, "le", i < les.size() ? les[i] : "+Inf");
          }
          write_sample(out, name, "_sum", labels, s.sum);
          write_sample(out, name, "_count", labels, s.count);
          break;
        }
        case MetricType::kSummary:
          for (const auto& [q, v] : s.quantiles) {
            bound.clear();
            detail::append_bound(bound, q, false);
            write_sample(out, name, "", labels, v, "quantile", bound);
          }
          write_sample(out, name, "_sum", labels, s.sum);
          write_sample(out, name, "_count", labels, s.count);
          break;
        default:
          write_sample(out, name, "", labels, s.value);
      }
    }
  }
}

}  // namespace detail


}  // namespace vigil
