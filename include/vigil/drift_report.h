// Reference-vs-current comparison of whole datasets: CSV loading, reference
// profiles, per-feature drift, dataset drift, data-quality checks, and the
// report as JSON and as a self-contained HTML page (what `vigil drift`
// writes).
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "vigil/drift.h"
#include "vigil/profile.h"

namespace vigil {

// ---- tables -----------------------------------------------------------------------

// One column held in memory: numbers (NaN = missing or not a number) or
// category codes into `dictionary` (-1 = missing).
struct Column {
  std::string name;
  FeatureKind kind = FeatureKind::kNumeric;
  std::vector<double> numbers;
  std::vector<std::int32_t> codes;
  std::vector<std::string> dictionary;
  std::uint64_t type_errors = 0;  // text that is not a number, in a numeric column
  std::string first_type_error;   // the first such text (60 bytes at most), to name it
  std::size_t first_type_error_line = 0;
  std::size_t size() const { return kind == FeatureKind::kNumeric ? numbers.size() : codes.size(); }
};

struct Table {
  std::vector<Column> columns;
  std::size_t rows = 0;
  const Column* find(std::string_view name) const;
};

// A CSV error names the file and line: "current.csv:17: expected 5 fields, found 4".
class CsvError : public std::runtime_error {
 public:
  CsvError(const std::string& file, std::size_t line, const std::string& what)
      : std::runtime_error(file + ":" + std::to_string(line) + ": " + what), line_(line) {}
  std::size_t line() const { return line_; }

 private:
  std::size_t line_;
};

struct CsvOptions {
  char delimiter = ',';
  // Column kinds to use (e.g. the reference's); columns not named here are
  // inferred: numeric when every non-empty value among the first
  // `infer_rows` parses as a number.
  std::map<std::string, FeatureKind, std::less<>> kinds;
  std::size_t infer_rows = 1000;
  // A record longer than this is an error naming its line (one endless
  // line must not take the machine's memory).
  std::size_t max_record_bytes = std::size_t{64} << 20;
  // Called now and then with (bytes read, total bytes): a progress bar.
  std::function<void(std::uint64_t, std::uint64_t)> progress;
};

// RFC 4180 CSV with a header row: quoted fields, "" escapes, CRLF, newlines
// inside quotes. Empty fields (and NA, NaN, null) are missing. A gzip file
// (by its magic bytes) is decoded; "-" reads standard input (once: later
// reads of "-" see the same text). Throws CsvError for malformed input,
// std::runtime_error naming the file if it cannot be read or its gzip is
// corrupt or truncated.
Table read_csv(const std::filesystem::path& path, const CsvOptions& options = {});
// The column kinds read_csv would infer, from the header and first rows only.
std::map<std::string, FeatureKind, std::less<>> infer_csv_kinds(const std::filesystem::path& path,
                                                                 const CsvOptions& options = {});
Table parse_csv(std::string_view text, const std::string& name = "<input>", const CsvOptions& options = {});

// The profile of a table. Numeric features get `bins` equal-width bins over
// their range (0 = Sturges), or the edges of `reference` when given, so a
// current profile is binned like its reference. Columns are profiled in
// parallel on up to `threads` threads (the result does not depend on it).
DatasetProfile profile_table(const Table& table, const DatasetProfile* reference = nullptr, std::size_t bins = 0,
                             unsigned threads = 1);

struct CsvProfileOptions {
  CsvOptions csv;  // delimiter, kinds to use, inference, record limit, progress
  // Bin numeric columns with this profile's edges (the current side of a
  // comparison). Without one, each column's bins are derived from its own
  // values after the pass (NumericSummary::derive_bins), so profiles of
  // shards merge into the profile of the whole.
  const DatasetProfile* reference = nullptr;
  unsigned threads = 0;  // 0: every core
  std::size_t chunk_bytes = std::size_t{4} << 20;
  // The reservoir kept per numeric column. KS and Wasserstein come from the
  // grid and sketch, so the sample only serves older readers: small keeps a
  // 1,000-column profile's memory and cache footprint down.
  std::size_t sample_size = 1000;
};
// One pass over a CSV file, gzip file or "-" (standard input): chunks cut
// at record boundaries are parsed and profiled on `threads` threads, and
// their profiles merged. Memory is bounded by threads × chunk_bytes plus the
// profiles (columns × summary size), never by the number of rows. Counts,
// bins, grids and sketches do not depend on the thread count; moments
// agree up to rounding; the reservoir sample is a different uniform one.
// Throws as read_csv does, naming the file and the line of the first bad
// record.
DatasetProfile profile_csv(const std::filesystem::path& path, const CsvProfileOptions& options = {});

// An empty profile carrying only numeric bin edges, by column (an empty list:
// no bins). As profile_table's `reference` it bins every shard of a dataset
// alike, so the shards' profiles merge into exactly the profile of the whole.
DatasetProfile binning_profile(const std::map<std::string, std::vector<double>, std::less<>>& edges);
// The same for the numeric columns of `profile` (e.g. a reference, whose
// samples and sketches a shard does not need).
DatasetProfile binning_profile(const DatasetProfile& profile);

// ---- data quality -----------------------------------------------------------------

// One named, counted check on one feature (or the schema).
struct QualityCheck {
  std::string check;    // missing_rate_jump, out_of_range, unseen_categories, type_errors,
                        // constant_column, missing_feature, extra_feature
  std::string feature;
  std::uint64_t count = 0;  // offending values (or 1 for schema checks)
  double share = 0;         // of the current rows
  bool failed = false;
  std::string detail;
};

struct QualityOptions {
  double missing_rate_jump = 0.1;   // current missing share − reference share above this fails
  double out_of_range_share = 0.05; // share of values outside the reference's [min, max]
  double unseen_category_share = 0.0;  // any unseen category fails by default
};

std::vector<QualityCheck> check_quality(const DatasetProfile& reference, const DatasetProfile& current,
                                        const QualityOptions& options = {});

// ---- the report -------------------------------------------------------------------

struct CompareOptions {
  DriftOptions defaults;
  std::map<std::string, DriftOptions, std::less<>> per_feature;  // overrides by feature name
  double dataset_drift_share = 0.5;  // dataset drift when at least this share of features drifted
  std::string target;                // column names; their drift is reported apart
  std::string prediction;
  std::vector<std::string> outputs;  // more model outputs (e.g. confidence), reported like the prediction
  QualityOptions quality;
  unsigned threads = 1;  // features are compared in parallel on this many threads
};

struct FeatureDrift {
  std::string name;
  FeatureKind kind = FeatureKind::kNumeric;
  std::string role = "feature";  // feature, target or prediction
  DriftResult drift;
  // For plots: bin labels and shares on each side.
  std::vector<std::string> labels;
  std::vector<double> reference_share, current_share;
  // Summary statistics on each side (numeric: mean, sd, min, p50, max;
  // categorical: count, distinct, missing share).
  std::map<std::string, double> reference_stats, current_stats;
  // Numeric: true when p50 is exact on both sides (every value at hand, or
  // few distinct values), with linear interpolation between order
  // statistics as numpy.quantile's default; false when it is the quantile
  // sketch's estimate, rounded to 3 significant digits (its ±1 % accuracy).
  bool exact_quantiles = false;
};

struct DriftReport {
  std::vector<FeatureDrift> features;  // in column order
  std::size_t features_checked = 0;    // role "feature" only
  std::size_t features_drifted = 0;
  double drift_share = 0;
  double dataset_drift_threshold = 0.5;
  bool dataset_drift = false;
  std::vector<QualityCheck> quality;
  std::uint64_t reference_rows = 0, current_rows = 0;
  std::string reference_name, current_name;
  // "exact" (every value read into memory) or "sketch" (one pass into
  // profiles; estimated statistics carry the range exact mode would give).
  std::string mode = "exact";

  std::string to_json() const;
  std::string to_html() const;  // one file, inline SVG plots, no scripts or external assets
};

// Compares two profiles; with the raw tables too, KS and Wasserstein use
// every row instead of the profiles' samples.
DriftReport compare(const DatasetProfile& reference, const DatasetProfile& current, const CompareOptions& options = {},
                    const Table* reference_table = nullptr, const Table* current_table = nullptr);

}  // namespace vigil
