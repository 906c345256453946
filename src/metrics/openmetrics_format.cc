// OpenMetrics 1.0.0 text format: TYPE/UNIT/HELP metadata, _total and
// _created samples, exemplars after " # ", and the closing "# EOF".
#include <string>

#include "metrics/number_format.h"
#include "vigil/exposition.h"

namespace vigil {
namespace {

using detail::append_double;
using detail::append_labels;

const char* openmetrics_type_name(MetricType t) {
  switch (t) {
    case MetricType::kCounter: return "counter";
    case MetricType::kGauge: return "gauge";
    case MetricType::kHistogram: return "histogram";
    case MetricType::kSummary: return "summary";
    default: return "unknown";
  }
}

const std::optional<Exemplar> kNoExemplar;

void append_exemplar(std::string& out, const std::optional<Exemplar>& e) {
  if (!e) return;
  out += " # {";
  for (std::size_t i = 0; i < e->labels.size(); ++i) {
    if (i) out += ',';
    out += e->labels[i].first;
    out += "=\"";
    detail::append_escaped(out, e->labels[i].second, true);
    out += '"';
  }
  out += "} ";
  append_double(out, e->value);
  out += ' ';
  detail::append_timestamp(out, e->timestamp);
}

struct Line {
  std::string& out;
  const MetricFamilySnapshot& f;
  const SeriesSnapshot& s;
  std::string_view labels;  // rendered once per series

  void operator()(std::string_view suffix, double value, const std::optional<Exemplar>& ex = kNoExemplar,
                  std::string_view extra_name = {}, std::string_view extra_value = {}) const {
    detail::append_sample(out, f.name, suffix, labels, value, extra_name, extra_value);
    append_exemplar(out, ex);
    out += '\n';
  }
  void created() const {
    if (s.created > 0) {
      out += f.name;
      out += "_created";
      append_labels(out, labels);
      out += ' ';
      detail::append_timestamp(out, s.created);
      out += '\n';
    }
  }
};

}  // namespace

namespace detail {

void encode_openmetrics_family(const MetricFamilySnapshot& f, std::string& out, std::string& bound,
                               std::string& scratch) {
  {
    detail::append_metadata(out, "TYPE", f.name, openmetrics_type_name(f.type));
    if (!f.unit.empty()) detail::append_metadata(out, "UNIT", f.name, f.unit);
    detail::append_help(out, f.name, f.help, true);
    std::vector<std::string> les;
    if (f.type == MetricType::kHistogram) les = detail::bucket_labels(f.bucket_bounds, true);
    for (const SeriesSnapshot& s : f.series) {
      std::string_view labels = detail::series_labels(f, s, scratch);
      Line line{out, f, s, labels};
      switch (f.type) {
        case MetricType::kCounter:
          line("_total", s.value, s.exemplar);
          line.created();
          break;
        case MetricType::kHistogram: {
          double cumulative = 0;
          for (std::size_t i = 0; i < s.bucket_counts.size(); ++i) {
            cumulative += s.bucket_counts[i];
            const std::optional<Exemplar>& ex = i < s.bucket_exemplars.size() ? s.bucket_exemplars[i] : kNoExemplar;
            line("_bucket", cumulative, ex, "le", i < les.size() ? les[i] : "+Inf");
          }
          line("_count", s.count);
          line("_sum", s.sum);
          line.created();
          break;
        }
        case MetricType::kSummary:
          for (const auto& [q, v] : s.quantiles) {
            bound.clear();
            detail::append_bound(bound, q, true);
            line("", v, kNoExemplar, "quantile", bound);
          }
          line("_count", s.count);
          line("_sum", s.sum);
          line.created();
          break;
        default:
          line("", s.value);
      }
    }
  }
}

void encode_families(std::span<const MetricFamilySnapshot* const> families, ExpositionFormat format,
                     std::string& out) {
  std::size_t estimate = 0;
  for (const MetricFamilySnapshot* f : families) estimate += estimate_family_size(*f);
  out.reserve(out.size() + estimate);
  std::string bound, scratch;
  for (const MetricFamilySnapshot* f : families) {
    if (format == ExpositionFormat::kOpenMetrics) encode_openmetrics_family(*f, out, bound, scratch);
    else encode_text_family(*f, out, bound, scratch);
  }
  if (format == ExpositionFormat::kOpenMetrics) out += "# EOF\n";
}

}  // namespace detail

// The vector forms go through encode_families, which holds the loop, the
// size estimate and OpenMetrics' "# EOF" for every caller.
static void encode_vector(const std::vector<MetricFamilySnapshot>& families, ExpositionFormat format,
                          std::string& out) {
  std::vector<const MetricFamilySnapshot*> pointers;
  pointers.reserve(families.size());
  for (const auto& f : families) pointers.push_back(&f);
  detail::encode_families(pointers, format, out);
}

void encode_openmetrics(const std::vector<MetricFamilySnapshot>& families, std::string& out) {
  encode_vector(families, ExpositionFormat::kOpenMetrics, out);
}

void encode_prometheus_text(const std::vector<MetricFamilySnapshot>& families, std::string& out) {
  encode_vector(families, ExpositionFormat::kPrometheusText, out);
}

std::string encode(const std::vector<MetricFamilySnapshot>& families, ExpositionFormat format) {
  std::string out;
  encode_vector(families, format, out);
  return out;
}

std::string_view content_type(ExpositionFormat format) {
  return format == ExpositionFormat::kOpenMetrics ? kOpenMetricsContentType : kPrometheusTextContentType;
}

}  // namespace vigil
