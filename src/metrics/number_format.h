// Shared pieces of the two text exposition formats.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "vigil/exposition.h"
#include "vigil/metrics.h"

namespace vigil::detail {

// Families are exposed sorted by name, stably (a collector's own order
// breaks ties), on every path that gathers them: Registry::gather and the
// /metrics ScrapeBuffer.
inline bool exposition_order(const MetricFamilySnapshot& a, const MetricFamilySnapshot& b) { return a.name < b.name; }

// Shortest round-trip form; +Inf, -Inf, NaN as both formats spell them.
void append_double(std::string& out, double v);
// Label-value form of a bound or quantile. OpenMetrics wants canonical
// floats, so integral values keep a ".0" ("1.0"), as client_python writes.
void append_bound(std::string& out, double v, bool openmetrics);
void append_timestamp(std::string& out, double unix_seconds);  // millisecond precision
// Escapes backslash and newline; with `quote` also the double quote.
void append_escaped(std::string& out, std::string_view s, bool quote);

// a="x",b="y" with values escaped: rendered once per series, reused per line.
void render_label_pairs(std::string& out, const std::vector<std::string>& names,
                        const std::vector<std::string>& values);
// {<rendered>[,extra="v"]}; nothing when there are no labels at all.
void append_labels(std::string& out, std::string_view rendered, std::string_view extra_name = {},
                   std::string_view extra_value = {});

// `name suffix {labels[,extra="v"]} value` without the newline, composed in
// a stack buffer and appended once: the hot loop of every scrape.
void append_sample(std::string& out, std::string_view name, std::string_view suffix, std::string_view labels,
                   double value, std::string_view extra_name = {}, std::string_view extra_value = {});

// Label-value text of each histogram bound plus "+Inf", computed once per family.
std::vector<std::string> bucket_labels(const std::vector<double>& bounds, bool openmetrics);

// "# KEYWORD name value\n" metadata lines; HELP text is escaped (with
// quotes too in OpenMetrics).
void append_metadata(std::string& out, std::string_view keyword, std::string_view name, std::string_view value);
void append_help(std::string& out, std::string_view name, std::string_view help, bool openmetrics);

// The series' pre-rendered label text, or (for hand-made snapshots) the
// labels rendered into `scratch`.
std::string_view series_labels(const MetricFamilySnapshot& f, const SeriesSnapshot& s, std::string& scratch);

// A rough size of one family's exposition, to reserve the output once.
std::size_t estimate_family_size(const MetricFamilySnapshot& family);

// One family in each format (text_format.cc, openmetrics_format.cc), and a
// list of families in either, with OpenMetrics' closing "# EOF".
void encode_text_family(const MetricFamilySnapshot& f, std::string& out, std::string& bound, std::string& scratch);
void encode_openmetrics_family(const MetricFamilySnapshot& f, std::string& out, std::string& bound,
                               std::string& scratch);
void encode_families(std::span<const MetricFamilySnapshot* const> families, ExpositionFormat format, std::string& out);

}  // namespace vigil::detail
