#include "metrics/names.h"

#include <cmath>
#include <stdexcept>
#include <string>

namespace vigil::detail {
namespace {

bool is_alpha_(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

[[noreturn]] void fail(const FamilyInfo& info, const std::string& why) {
  throw std::invalid_argument("vigil: metric \"" + info.name + "\": " + why);
}

}  // namespace

bool is_valid_metric_name(std::string_view name) {
  if (name.empty() || !(is_alpha_(name[0]) || name[0] == ':')) return false;
  for (char c : name)
    if (!(is_alpha_(c) || is_digit(c) || c == ':')) return false;
  return true;
}

bool is_valid_label_name(std::string_view name) {
  if (name.empty() || !is_alpha_(name[0]) || name.starts_with("__")) return false;
  for (char c : name)
    if (!(is_alpha_(c) || is_digit(c))) return false;
  return true;
}

bool is_valid_utf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    std::size_t len;
    char32_t cp;
    if (c < 0x80) { ++i; continue; }
    if ((c & 0xE0) == 0xC0) { len = 2; cp = c & 0x1F; }
    else if ((c & 0xF0) == 0xE0) { len = 3; cp = c & 0x0F; }
    else if ((c & 0xF8) == 0xF0) { len = 4; cp = c & 0x07; }
    else return false;
    if (i + len > s.size()) return false;
    for (std::size_t k = 1; k < len; ++k) {
      auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    // Reject overlong forms, surrogates and values past U+10FFFF.
    if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
        (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
      return false;
    i += len;
  }
  return true;
}

void validate_family(const FamilyInfo& info, std::span<const double> buckets) {
  if (!is_valid_metric_name(info.name))
    fail(info, "invalid metric name (must match [a-zA-Z_:][a-zA-Z0-9_:]*)");
  if (!is_valid_utf8(info.help)) fail(info, "help text is not valid UTF-8");
  if (!info.unit.empty()) {
    if (!is_valid_label_name(info.unit)) fail(info, "invalid unit \"" + info.unit + "\"");
    if (!info.name.ends_with("_" + info.unit))
      fail(info, "name must end with the unit suffix \"_" + info.unit + "\" (OpenMetrics)");
  }
  if (info.max_series == 0) fail(info, "max_series must be at least 1");
  for (std::size_t i = 0; i < info.label_names.size(); ++i) {
    const std::string& l = info.label_names[i];
    if (!is_valid_label_name(l))
      fail(info, "invalid label name \"" + l + "\" (must match [a-zA-Z_][a-zA-Z0-9_]*, no \"__\" prefix)");
    if (info.type == MetricType::kHistogram && l == "le") fail(info, "label \"le\" is reserved for histograms");
    if (info.type == MetricType::kSummary && l == "quantile")
      fail(info, "label \"quantile\" is reserved for summaries");
    for (std::size_t j = 0; j < i; ++j)
      if (info.label_names[j] == l) fail(info, "duplicate label name \"" + l + "\"");
  }
  if (info.type == MetricType::kHistogram) {
    if (buckets.size() + 2 > kCellChunkSize) fail(info, "too many buckets");
    for (std::size_t i = 0; i < buckets.size(); ++i) {
      if (!std::isfinite(buckets[i])) fail(info, "bucket bounds must be finite (+Inf is implicit)");
      if (i > 0 && !(buckets[i] > buckets[i - 1])) fail(info, "bucket bounds must be strictly increasing");
    }
  }
}

void validate_exemplar(const LabelPairs& labels) {
  std::size_t chars = 0;
  for (const auto& [k, v] : labels) {
    if (!is_valid_label_name(k)) throw std::invalid_argument("vigil: invalid exemplar label name \"" + k + "\"");
    if (!is_valid_utf8(v)) throw std::invalid_argument("vigil: exemplar label value is not valid UTF-8");
    for (std::string_view s : {std::string_view(k), std::string_view(v)})
      for (char c : s) chars += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }
  if (chars > 128) throw std::invalid_argument("vigil: exemplar labels exceed 128 UTF-8 characters");
}

void validate_label_values(const FamilyInfo& info, std::span<const std::string_view> values) {
  if (values.size() != info.label_names.size())
    fail(info, "expected " + std::to_string(info.label_names.size()) + " label values, got " +
                   std::to_string(values.size()));
  for (std::string_view v : values)
    if (!is_valid_utf8(v)) fail(info, "label value is not valid UTF-8");
}

}  // namespace vigil::detail
