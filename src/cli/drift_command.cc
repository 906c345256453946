// `vigil drift reference.csv current.csv`: a batch drift and data-quality
// report, printed as a summary and written as JSON and/or HTML.
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <atomic>
#include <filesystem>
#include <memory>
#include <mutex>
#include <thread>

#include "cli/commands.h"
#include "cli/type_error_warnings.h"
#include "vigil/drift_report.h"

namespace vigil::cli {
namespace {

struct DriftCommandOptions {
  std::string reference, current;
  std::string target, prediction;
  std::string json_out, html_out, save_profile;
  std::string method = "auto";
  double threshold = -1;
  std::vector<std::string> feature_methods;  // name=method[:threshold]
  double dataset_share = 0.5;
  std::string mode = "auto";  // exact, sketch, or auto: by --memory
  std::string memory;         // budget for exact mode, e.g. 4G; default half the machine's memory
  bool progress = false, no_progress = false, fail_on_drift = false;
};

// "\rreading current.csv [########............]  42%  75.1/180.0 MB" on stderr.
std::function<void(std::uint64_t, std::uint64_t)> progress_bar(const std::string& name, bool enabled) {
  if (!enabled) return {};
  return [name, last = -1](std::uint64_t done, std::uint64_t total) mutable {
    int pct = total ? static_cast<int>(100.0 * static_cast<double>(done) / static_cast<double>(total)) : 100;
    if (pct == last) return;
    last = pct;
    int filled = pct / 5;
    std::fprintf(stderr, "\rreading %s [%.*s%.*s] %3d%%  %.1f/%.1f MB", name.c_str(), filled, "####################",
                 20 - filled, "....................", pct, static_cast<double>(done) / 1e6,
                 static_cast<double>(total) / 1e6);
    if (done >= total) std::fputc('\n', stderr);
    std::fflush(stderr);
  };
}

void write_file(const std::string& path, const std::string& text) {
  if (path == "-") {
    std::cout << text;
    return;
  }
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!(out << text)) throw std::runtime_error("cannot write " + path);
}

unsigned all_cores() { return std::max(1u, std::thread::hardware_concurrency()); }

bool ends_with(const std::string& s, std::string_view suffix) { return s.size() >= suffix.size() && s.ends_with(suffix); }

// A saved profile (vigil profile, --save-profile, vigil.profile): by its
// extension, or by a file that opens with '{' (no CSV header does).
bool is_profile(const std::string& path) {
  if (ends_with(path, ".json") || ends_with(path, ".vprof")) return true;
  if (path == "-") return false;
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return false;
  int c;
  while ((c = std::fgetc(f)) == ' ' || c == '\n' || c == '\r' || c == '\t') {}
  std::fclose(f);
  return c == '{';
}

DriftOptions parse_method(const std::string& text, double threshold, const std::string& where) {
  std::string name = text;
  std::optional<double> th;
  if (threshold >= 0) th = threshold;
  if (auto colon = text.find(':'); colon != std::string::npos) {
    name = text.substr(0, colon);
    try {
      th = std::stod(text.substr(colon + 1));
    } catch (const std::exception&) {
      throw std::invalid_argument(where + ": threshold '" + text.substr(colon + 1) + "' is not a number");
    }
  }
  auto m = parse_drift_method(name);
  if (!m)
    throw std::invalid_argument(where + ": unknown method '" + name +
                                "' (auto, ks, chisquare, z, wasserstein, jensenshannon, psi, kl_div, hellinger)");
  return {*m, th, 0};
}

CompareOptions compare_options_of(const DriftCommandOptions& o) {
  CompareOptions c;
  c.defaults = parse_method(o.method, o.threshold, "--method");
  for (const auto& fm : o.feature_methods) {
    auto eq = fm.find('=');
    if (eq == std::string::npos || eq == 0)
      throw std::invalid_argument("--feature-method '" + fm + "': expected name=method[:threshold]");
    c.per_feature[fm.substr(0, eq)] = parse_method(fm.substr(eq + 1), -1, "--feature-method " + fm);
  }
  c.dataset_drift_share = o.dataset_share;
  c.target = o.target;
  c.prediction = o.prediction;
  c.threads = all_cores();
  return c;
}

// Both inputs, read. The reference is a CSV (every row available to the
// tests) or a saved profile; the current data is read with the reference's
// column kinds, so a text value in a numeric column is a type error rather
// than a new category.
struct Inputs {
  std::optional<Table> reference_table;
  DatasetProfile reference;
  std::optional<Table> current;
  std::optional<DatasetProfile> current_profile;  // when the current input is a profile
};

// Bytes of an input for the progress bar: 0 for standard input or an
// unreadable path (read_csv then names the problem).
std::uintmax_t input_size(const std::string& path) {
  std::error_code ec;
  std::uintmax_t n = path == "-" ? 0 : std::filesystem::file_size(path, ec);
  return ec ? 0 : n;
}

// One progress bar over both files, which are read at once.
class ReadProgress {
 public:
  ReadProgress(const DriftCommandOptions& o, bool reference_is_csv, bool shown)
      : total_(input_size(o.current) + (reference_is_csv ? input_size(o.reference) : 0)),
        bar_(progress_bar(reference_is_csv ? o.reference + " and " + o.current : o.current, shown)) {}
  std::function<void(std::uint64_t, std::uint64_t)> reference() { return tick(reference_done_); }
  std::function<void(std::uint64_t, std::uint64_t)> current() { return tick(current_done_); }

 private:
  std::function<void(std::uint64_t, std::uint64_t)> tick(std::atomic<std::uint64_t>& slot) {
    return [this, &slot](std::uint64_t done, std::uint64_t) {
      slot = done;
      if (!bar_) return;
      std::lock_guard lock(mu_);
      bar_(reference_done_ + current_done_, total_);
    };
  }
  std::uint64_t total_;
  std::function<void(std::uint64_t, std::uint64_t)> bar_;
  std::atomic<std::uint64_t> reference_done_{0}, current_done_{0};
  std::mutex mu_;
};

// The reference CSV as a table and its profile (columns on every core).
void read_reference_csv(Inputs& in, const std::string& path, const CsvOptions& options) {
  in.reference_table = read_csv(path, options);
  in.reference = profile_table(*in.reference_table, nullptr, 0, all_cores());
}

Inputs read_inputs(const DriftCommandOptions& o, bool show_progress) {
  Inputs in;
  CsvOptions cur_options;
  bool reference_is_csv = !is_profile(o.reference);
  if (reference_is_csv) {
    cur_options.kinds = infer_csv_kinds(o.reference);
  } else {
    in.reference = DatasetProfile::load(o.reference);
    for (const auto& [name, f] : in.reference.features) cur_options.kinds[name] = f.kind;
  }
  if (is_profile(o.current)) {
    in.current_profile = DatasetProfile::load(o.current);
    if (reference_is_csv) read_reference_csv(in, o.reference, {.kinds = cur_options.kinds});
    return in;
  }
  ReadProgress progress(o, reference_is_csv, show_progress);
  cur_options.progress = progress.current();
  std::exception_ptr ref_error, cur_error;
  std::thread ref_reader;
  if (reference_is_csv)
    ref_reader = std::thread([&] {
      try {
        read_reference_csv(in, o.reference, {.kinds = cur_options.kinds, .progress = progress.reference()});
      } catch (...) {
        ref_error = std::current_exception();
      }
    });
  try {
    in.current = read_csv(o.current, cur_options);
  } catch (...) {
    cur_error = std::current_exception();
  }
  if (ref_reader.joinable()) ref_reader.join();
  if (ref_error) std::rethrow_exception(ref_error);
  if (cur_error) std::rethrow_exception(cur_error);
  return in;
}

// Bytes exact mode would hold for one input: every value and its sorted
// copy, about 1.5 times the CSV text (docs/benchmarks.md); gzip text is
// taken as 5 times its compressed size. Standard input cannot be sized.
std::uint64_t exact_mode_bytes(const std::string& path) {
  if (path == "-") return UINT64_MAX / 4;
  if (is_profile(path)) return 0;
  std::uint64_t size = input_size(path);
  unsigned char magic[2] = {0, 0};
  if (std::FILE* f = std::fopen(path.c_str(), "rb")) {
    if (std::fread(magic, 1, 2, f) != 2) magic[0] = 0;
    std::fclose(f);
  }
  bool gzip = magic[0] == 0x1f && magic[1] == 0x8b;
  return (gzip ? 5 : 1) * size * 3 / 2;
}

// "4G", "512M", "64K" or bytes; binary units.
std::uint64_t parse_bytes(const std::string& text) {
  std::size_t used = 0;
  double v = 0;
  try {
    v = std::stod(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  std::string unit = text.substr(used);
  double scale = unit.empty() || unit == "B" ? 1 : unit == "K" || unit == "KiB" ? 1024.0
               : unit == "M" || unit == "MiB" ? 1024.0 * 1024 : unit == "G" || unit == "GiB" ? 1024.0 * 1024 * 1024 : -1;
  if (used == 0 || scale < 0 || !(v > 0))
    throw std::invalid_argument("--memory '" + text + "': expected a size such as 4G, 512M or 65536");
  return static_cast<std::uint64_t>(v * scale);
}

std::uint64_t default_memory_budget() {
  long pages = ::sysconf(_SC_PHYS_PAGES), page = ::sysconf(_SC_PAGE_SIZE);
  return pages > 0 && page > 0 ? static_cast<std::uint64_t>(pages) * static_cast<std::uint64_t>(page) / 2 : 4ull << 30;
}

// Exact when both inputs fit the budget in memory, else one pass into
// profiles (sketch mode).
std::string choose_mode(const DriftCommandOptions& o) {
  if (o.mode != "auto") return o.mode;
  std::uint64_t budget = o.memory.empty() ? default_memory_budget() : parse_bytes(o.memory);
  std::uint64_t need = exact_mode_bytes(o.reference) + exact_mode_bytes(o.current);
  return need > budget ? "sketch" : "exact";
}

// Sketch mode: each CSV read once on every core into a profile; the current
// data binned with the reference's bins, which follow the reference's grid.
Inputs read_sketched(const DriftCommandOptions& o, bool show_progress) {
  Inputs in;
  if (is_profile(o.reference)) {
    in.reference = DatasetProfile::load(o.reference);
  } else {
    CsvProfileOptions ref{.csv = {.progress = progress_bar(o.reference, show_progress)}};
    in.reference = profile_csv(o.reference, ref);
  }
  if (is_profile(o.current)) {
    in.current_profile = DatasetProfile::load(o.current);
    return in;
  }
  CsvProfileOptions cur{.csv = {.progress = progress_bar(o.current, show_progress)}, .reference = &in.reference};
  for (const auto& [name, f] : in.reference.features) cur.csv.kinds[name] = f.kind;
  in.current_profile = profile_csv(o.current, cur);
  return in;
}

// A current profile compares with its reference bin for bin only when it
// was binned with the reference's edges (vigil profile --reference).
void require_reference_bins(const DatasetProfile& reference, const DatasetProfile& current, const std::string& file) {
  for (const auto& [name, r] : reference.features) {
    auto it = current.features.find(name);
    if (it == current.features.end() || r.kind != FeatureKind::kNumeric || it->second.kind != FeatureKind::kNumeric)
      continue;
    if (it->second.numeric.bin_edges() != r.numeric.bin_edges())
      throw std::invalid_argument(file + ": column '" + name +
                                  "' was binned with other edges than the reference's; profile the current data "
                                  "with `vigil profile --reference <reference profile>`");
  }
}

void print_summary(const DriftReport& report) {
  std::printf("%-24s %-12s %-14s %12s %10s  %s\n", "feature", "type", "test", "score", "threshold", "drift");
  for (const auto& f : report.features)
    std::printf("%-24s %-12s %-14s %12.4g %10.4g  %s%s\n", f.name.c_str(),
                f.kind == FeatureKind::kNumeric ? "numeric" : "categorical",
                std::string(drift_method_name(f.drift.method)).c_str(), f.drift.score, f.drift.threshold,
                f.drift.drifted ? "DRIFT" : "ok", f.role != "feature" ? ("  (" + f.role + ")").c_str() : "");
  std::size_t failed = 0;
  for (const auto& q : report.quality)
    if (q.failed) {
      ++failed;
      std::printf("quality: %s on %s: %s\n", q.check.c_str(), q.feature.c_str(), q.detail.c_str());
    }
  if (report.mode == "sketch")
    std::printf("sketch mode: one pass into profiles; the JSON report gives each estimated score's exact range\n");
  std::printf("dataset drift: %s (%zu of %zu features, threshold %.0f%%); data quality: %zu failed checks\n",
              report.dataset_drift ? "DETECTED" : "not detected", report.features_drifted, report.features_checked,
              100 * report.dataset_drift_threshold, failed);
}

int run(const DriftCommandOptions& o) {
  CompareOptions compare_options = compare_options_of(o);
  const std::string mode = choose_mode(o);
  const bool show_progress = !o.no_progress && (o.progress || ::isatty(2));
  Inputs in = mode == "sketch" ? read_sketched(o, show_progress) : read_inputs(o, show_progress);
  if (!o.save_profile.empty()) in.reference.save(o.save_profile);
  DatasetProfile cur_profile;
  if (in.current_profile) {
    require_reference_bins(in.reference, *in.current_profile, o.current);
    cur_profile = std::move(*in.current_profile);
  } else {
    cur_profile = profile_table(*in.current, &in.reference, 0, compare_options.threads);
  }
  warn_type_errors(o.reference == "-" ? "<stdin>" : o.reference, in.reference);
  warn_type_errors(o.current == "-" ? "<stdin>" : o.current, cur_profile);
  for (const std::string* col : {&o.target, &o.prediction})
    if (!col->empty() && !in.reference.features.count(*col))
      throw std::invalid_argument("column '" + *col + "' is not in " + o.reference);

  DriftReport report = compare(in.reference, cur_profile, compare_options,
                               in.reference_table ? &*in.reference_table : nullptr, in.current ? &*in.current : nullptr);
  report.reference_name = o.reference;
  report.current_name = o.current;
  report.mode = mode;
  if (!o.json_out.empty()) write_file(o.json_out, report.to_json());
  if (!o.html_out.empty()) write_file(o.html_out, report.to_html());
  if (o.json_out != "-") print_summary(report);
  return o.fail_on_drift && report.dataset_drift ? 3 : 0;
}

}  // namespace

void add_drift_command(CLI::App& app) {
  auto o = std::make_shared<DriftCommandOptions>();
  CLI::App* cmd = app.add_subcommand("drift", "Batch drift and data-quality report: reference vs current data");
  cmd->add_option("reference,--reference", o->reference,
                  "Reference data: a CSV with a header (gzip too; - for stdin), or a saved profile")->required();
  cmd->add_option("current,--current", o->current, "Current data: a CSV with a header, or its profile made by "
                                                   "`vigil profile --reference`")->required();
  cmd->add_option("--target", o->target, "Target column (reported apart, not counted in dataset drift)");
  cmd->add_option("--prediction", o->prediction, "Prediction column (reported apart)");
  cmd->add_option("--json", o->json_out, "Write the report as JSON here ('-' for stdout)");
  cmd->add_option("--html", o->html_out, "Write the report as a self-contained HTML page here");
  cmd->add_option("--save-profile", o->save_profile, "Save the reference profile (JSON) for later runs or vigil serve");
  cmd->add_option("--method", o->method, "Test for every feature: auto (Evidently's defaults), ks, chisquare, z, "
                                         "wasserstein, jensenshannon, psi, kl_div, hellinger; method:threshold allowed");
  cmd->add_option("--threshold", o->threshold, "Threshold for --method (p-value for tests, distance otherwise)");
  cmd->add_option("--feature-method", o->feature_methods, "Per-feature override: name=method[:threshold] (repeatable)");
  cmd->add_option("--dataset-drift-share", o->dataset_share, "Share of drifted features that means dataset drift")
      ->check(CLI::Range(0.0, 1.0));
  cmd->add_option("--mode", o->mode, "exact: every value in memory (exact statistics); sketch: one pass into "
                                     "profiles, memory bounded by columns, statistics with a stated range; auto "
                                     "(default): exact when the inputs fit --memory")
      ->check(CLI::IsMember({"auto", "exact", "sketch"}));
  cmd->add_option("--memory", o->memory, "Memory exact mode may use before auto picks sketch mode (e.g. 4G; "
                                         "default: half the machine's memory)");
  cmd->add_flag("--progress", o->progress, "Show a progress bar even when stderr is not a terminal");
  cmd->add_flag("--no-progress", o->no_progress, "Never show a progress bar");
  cmd->add_flag("--fail-on-drift", o->fail_on_drift, "Exit with status 3 when dataset drift is detected");
  cmd->callback([o] {
    int code = run(*o);
    if (code != 0) throw CLI::RuntimeError(code);
  });
}

}  // namespace vigil::cli
