// `vigil profile`: the map step of sharded profiling. Profiles one or many
// CSV files into one profile, one file in memory at a time. Numeric columns
// are binned like --reference when given (a current dataset's profile, to
// compare with it); otherwise a first pass over the files finds each
// column's range, so the bins are those of the whole data and shards
// profiled with this file as --reference merge exactly.
#include <cmath>
#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "vigil/drift_report.h"

namespace vigil::cli {
namespace {

struct ProfileOptions {
  std::vector<std::string> inputs;
  std::string reference;
  std::string output;
};

struct Range {
  double lo = INFINITY, hi = -INFINITY;
  std::size_t n = 0;
};

DatasetProfile binning_of(const std::map<std::string, Range>& ranges) {
  std::map<std::string, std::vector<double>, std::less<>> edges;
  for (const auto& [name, r] : ranges) edges[name] = r.n ? reference_bin_edges(r.lo, r.hi, r.n) : std::vector<double>{};
  return binning_profile(edges);
}

std::map<std::string, Range> ranges_of(const std::vector<std::string>& files, const CsvOptions& csv) {
  std::map<std::string, Range> ranges;
  for (const auto& file : files) {
    Table t = read_csv(file, csv);
    for (const Column& c : t.columns) {
      if (c.kind != FeatureKind::kNumeric) continue;
      Range& r = ranges[c.name];
      for (double v : c.numbers)
        if (std::isfinite(v)) r.lo = std::min(r.lo, v), r.hi = std::max(r.hi, v), ++r.n;
    }
  }
  return ranges;
}

void run(const ProfileOptions& o) {
  CsvOptions csv;
  DatasetProfile binning;
  if (!o.reference.empty()) {
    DatasetProfile reference = DatasetProfile::load(o.reference);
    for (const auto& [name, f] : reference.features) csv.kinds[name] = f.kind;
    binning = binning_profile(reference);
  } else {
    csv.kinds = infer_csv_kinds(o.inputs.front());  // every file read alike
    binning = binning_of(ranges_of(o.inputs, csv));
  }
  DatasetProfile all;
  for (const auto& file : o.inputs) {
    DatasetProfile part = profile_table(read_csv(file, csv), &binning, 0, 2);
    try {
      all.merge(part);
    } catch (const std::exception& e) {
      throw std::runtime_error(file + ": " + e.what());
    }
  }
  all.save(o.output);
  std::printf("profiled %zu file(s): %llu rows, %zu columns -> %s\n", o.inputs.size(),
              static_cast<unsigned long long>(all.rows), all.features.size(), o.output.c_str());
}

}  // namespace

void add_profile_command(CLI::App& app) {
  auto o = std::make_shared<ProfileOptions>();
  CLI::App* cmd = app.add_subcommand("profile", "Profile CSV files (one or many) into one mergeable profile");
  cmd->add_option("files", o->inputs, "CSV files with a header row, all with the same columns (gzip too; - for stdin)")
      ->required()
      ->check(CLI::ExistingFile | CLI::IsMember({"-"}));
  cmd->add_option("--reference", o->reference, "A profile whose column kinds and bins to use")
      ->check(CLI::ExistingFile);
  cmd->add_option("-o,--output", o->output, "Where to write the profile (JSON)")->required();
  cmd->callback([o] { run(*o); });
}

}  // namespace vigil::cli
