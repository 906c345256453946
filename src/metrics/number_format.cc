#include "metrics/number_format.h"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>

namespace vigil::detail {

namespace {
// Counts and most counter values are integers: printing them as integers is
// several times faster than the shortest-float search and reads the same.
char* write_number(char* p, char* end, double v) {
  if (v == std::trunc(v) && std::fabs(v) < 1e15) return std::to_chars(p, end, static_cast<std::int64_t>(v)).ptr;
  return std::to_chars(p, end, v).ptr;
}

// Names, label text and values are mostly under 32 bytes: copied with
// fixed-size moves (two overlapping ones cover any length in a range), a
// line costs no library call per piece. Over a 100k-series scrape the
// memcpy calls were a third of the encoding time.
inline char* copy_short(char* p, const char* s, std::size_t n) {
  if (n >= 16 && n <= 32) {
    std::memcpy(p, s, 16);
    std::memcpy(p + n - 16, s + n - 16, 16);
  } else if (n >= 8 && n < 16) {
    std::memcpy(p, s, 8);
    std::memcpy(p + n - 8, s + n - 8, 8);
  } else if (n >= 4 && n < 8) {
    std::memcpy(p, s, 4);
    std::memcpy(p + n - 4, s + n - 4, 4);
  } else if (n < 4) {  // not a loop, which the compiler would turn back into a memcpy call
    if (n > 0) p[0] = s[0];
    if (n > 1) p[1] = s[1];
    if (n > 2) p[2] = s[2];
  } else {
    std::memcpy(p, s, n);
  }
  return p + n;
}

}  // namespace

void append_double(std::string& out, double v) {
  if (std::isnan(v)) { out += "NaN"; return; }
  if (std::isinf(v)) { out += v > 0 ? "+Inf" : "-Inf"; return; }
  char buf[32];
  out.append(buf, write_number(buf, buf + sizeof buf, v));
}

void append_bound(std::string& out, double v, bool openmetrics) {
  if (openmetrics && std::isfinite(v) && v == std::trunc(v) && std::fabs(v) < 1e15) {
    char buf[32];
    auto r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed, 1);
    out.append(buf, r.ptr);
    return;
  }
  append_double(out, v);
}

void append_timestamp(std::string& out, double unix_seconds) {
  char buf[40];
  auto r = std::to_chars(buf, buf + sizeof buf, unix_seconds, std::chars_format::fixed, 3);
  out.append(buf, r.ptr);
}

void append_escaped(std::string& out, std::string_view s, bool quote) {
  if (s.find_first_of(quote ? std::string_view("\\\n\"") : std::string_view("\\\n")) == std::string_view::npos) {
    out += s;  // the common case: nothing to escape
    return;
  }
  for (char c : s) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '"':
        if (quote) out += "\\\"";
        else out += c;
        break;
      default: out += c;
    }
  }
}

void render_label_pairs(std::string& out, const std::vector<std::string>& names,
                        const std::vector<std::string>& values) {
  for (std::size_t i = 0; i < names.size() && i < values.size(); ++i) {
    if (i) out += ',';
    out += names[i];
    out += "=\"";
    append_escaped(out, values[i], true);
    out += '"';
  }
}

void append_labels(std::string& out, std::string_view rendered, std::string_view extra_name,
                   std::string_view extra_value) {
  if (rendered.empty() && extra_name.empty()) return;
  out += '{';
  out += rendered;
  if (!extra_name.empty()) {
    if (!rendered.empty()) out += ',';
    out += extra_name;
    out += "=\"";
    out += extra_value;
    out += '"';
  }
  out += '}';
}

void append_sample(std::string& out, std::string_view name, std::string_view suffix, std::string_view labels,
                   double value, std::string_view extra_name, std::string_view extra_value) {
  char buf[512];
  std::size_t need = name.size() + suffix.size() + labels.size() + extra_name.size() + extra_value.size() + 40;
  if (need > sizeof buf) {  // long label sets: the plain path
    out += name;
    out += suffix;
    append_labels(out, labels, extra_name, extra_value);
    out += ' ';
    append_double(out, value);
    return;
  }
  char* p = buf;
  auto put = [&p](std::string_view v) { p = copy_short(p, v.data(), v.size()); };
  put(name);
  put(suffix);
  if (!labels.empty() || !extra_name.empty()) {
    *p++ = '{';
    put(labels);
    if (!extra_name.empty()) {
      if (!labels.empty()) *p++ = ',';
      put(extra_name);
      *p++ = '=';
      *p++ = '"';
      put(extra_value);
      *p++ = '"';
    }
    *p++ = '}';
  }
  *p++ = ' ';
  if (std::isnan(value)) put("NaN");
  else if (std::isinf(value)) put(value > 0 ? "+Inf" : "-Inf");
  else p = write_number(p, buf + sizeof buf, value);
  out.append(buf, p);
}

std::vector<std::string> bucket_labels(const std::vector<double>& bounds, bool openmetrics) {
  std::vector<std::string> out(bounds.size() + 1);
  for (std::size_t i = 0; i < bounds.size(); ++i) append_bound(out[i], bounds[i], openmetrics);
  out.back() = "+Inf";
  return out;
}

void append_metadata(std::string& out, std::string_view keyword, std::string_view name, std::string_view value) {
  out += "# ";
  out += keyword;
  out += ' ';
  out += name;
  out += ' ';
  out += value;
  out += '\n';
}

void append_help(std::string& out, std::string_view name, std::string_view help, bool openmetrics) {
  if (help.empty()) return;
  out += "# HELP ";
  out += name;
  out += ' ';
  append_escaped(out, help, openmetrics);
  out += '\n';
}

std::string_view series_labels(const MetricFamilySnapshot& f, const SeriesSnapshot& s, std::string& scratch) {
  std::string_view labels = s.label_values.rendered();
  if (labels.empty() && !s.label_values.empty()) {
    scratch.clear();
    render_label_pairs(scratch, f.label_names, s.label_values.values());
    labels = scratch;
  }
  return labels;
}

std::size_t estimate_family_size(const MetricFamilySnapshot& f) {
  std::size_t lines = 2 + f.series.size() * (f.type == MetricType::kHistogram ? f.bucket_bounds.size() + 4
                                             : f.type == MetricType::kSummary ? 6 : 2);
  return lines * 96;
}

}  // namespace vigil::detail
