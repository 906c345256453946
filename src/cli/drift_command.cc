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

bool ends_with(const std::string& s, std::string_view suffix) { return s.size() >= suffix.size() && s.ends_with(suffix); }

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

int run(const DriftCommandOptions& o) {
  bool show_progress = !o.no_progress && (o.progress || ::isatty(2));
  CompareOptions compare_options;
  compare_options.defaults = parse_method(o.method, o.threshold, "--method");
  for (const auto& fm : o.feature_methods) {
    auto eq = fm.find('=');
    if (eq == std::string::npos || eq == 0)
      throw std::invalid_argument("--feature-method '" + fm + "': expected name=method[:threshold]");
    compare_options.per_feature[fm.substr(0, eq)] = parse_method(fm.substr(eq + 1), -1, "--feature-method " + fm);
  }
  compare_options.dataset_drift_share = o.dataset_share;
  compare_options.target = o.target;
  compare_options.prediction = o.prediction;

  unsigned threads = std::max(1u, std::thread::hardware_concurrency());
  compare_options.threads = threads;
  // The reference: a CSV (every row available to the tests) or a saved
  // profile. The current data is read with the reference's column kinds, so
  // a text value in a numeric column is a type error rather than a new
  // category. Both files are read at once (kinds come from the reference's
  // first rows, as a full read would infer them).
  std::optional<Table> ref_table;
  DatasetProfile ref_profile;
  CsvOptions cur_options;
  bool ref_is_profile = ends_with(o.reference, ".json");
  if (ref_is_profile) {
    ref_profile = DatasetProfile::load(o.reference);
    for (const auto& [name, f] : ref_profile.features) cur_options.kinds[name] = f.kind;
  } else {
    cur_options.kinds = infer_csv_kinds(o.reference);
  }
  std::uint64_t total_bytes = std::filesystem::file_size(o.current) +
                              (ref_is_profile ? 0 : std::filesystem::file_size(o.reference));
  std::atomic<std::uint64_t> ref_done{0}, cur_done{0};
  std::mutex bar_mu;
  auto bar = progress_bar(ref_is_profile ? o.current : o.reference + " and " + o.current, show_progress);
  auto tick = [&](std::atomic<std::uint64_t>& slot, std::uint64_t done) {
    slot = done;
    if (!bar) return;
    std::lock_guard lock(bar_mu);
    bar(ref_done + cur_done, total_bytes);
  };
  cur_options.progress = [&](std::uint64_t d, std::uint64_t) { tick(cur_done, d); };
  std::exception_ptr ref_error;
  std::thread ref_reader;
  if (!ref_is_profile)
    ref_reader = std::thread([&] {
      try {
        ref_table = read_csv(o.reference, {.kinds = cur_options.kinds,
                                           .progress = [&](std::uint64_t d, std::uint64_t) { tick(ref_done, d); }});
        ref_profile = profile_table(*ref_table);
      } catch (...) {
        ref_error = std::current_exception();
      }
    });
  std::optional<Table> cur_read;
  std::exception_ptr cur_error;
  try {
    cur_read = read_csv(o.current, cur_options);
  } catch (...) {
    cur_error = std::current_exception();
  }
  if (ref_reader.joinable()) ref_reader.join();
  if (ref_error) std::rethrow_exception(ref_error);
  if (cur_error) std::rethrow_exception(cur_error);
  if (!o.save_profile.empty()) ref_profile.save(o.save_profile);
  Table& cur_table = *cur_read;
  DatasetProfile cur_profile = profile_table(cur_table, &ref_profile);

  for (const std::string* col : {&o.target, &o.prediction})
    if (!col->empty() && !ref_profile.features.count(*col))
      throw std::invalid_argument("column '" + *col + "' is not in " + o.reference);

  DriftReport report = compare(ref_profile, cur_profile, compare_options, ref_table ? &*ref_table : nullptr, &cur_table);
  report.reference_name = o.reference;
  report.current_name = o.current;

  if (!o.json_out.empty()) write_file(o.json_out, report.to_json());
  if (!o.html_out.empty()) write_file(o.html_out, report.to_html());
  if (o.json_out != "-") {
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
    std::printf("dataset drift: %s (%zu of %zu features, threshold %.0f%%); data quality: %zu failed checks\n",
                report.dataset_drift ? "DETECTED" : "not detected", report.features_drifted, report.features_checked,
                100 * report.dataset_drift_threshold, failed);
  }
  return o.fail_on_drift && report.dataset_drift ? 3 : 0;
}

}  // namespace

void add_drift_command(CLI::App& app) {
  auto o = std::make_shared<DriftCommandOptions>();
  CLI::App* cmd = app.add_subcommand("drift", "Batch drift and data-quality report: reference vs current data");
  cmd->add_option("reference", o->reference, "Reference data: a CSV with a header, or a saved profile (.json)")->required();
  cmd->add_option("current", o->current, "Current data: a CSV with a header")->required();
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
  cmd->add_flag("--progress", o->progress, "Show a progress bar even when stderr is not a terminal");
  cmd->add_flag("--no-progress", o->no_progress, "Never show a progress bar");
  cmd->add_flag("--fail-on-drift", o->fail_on_drift, "Exit with status 3 when dataset drift is detected");
  cmd->callback([o] {
    int code = run(*o);
    if (code != 0) throw CLI::RuntimeError(code);
  });
}

}  // namespace vigil::cli
