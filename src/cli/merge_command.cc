// `vigil merge`: the reduce step of sharded profiling. Profiles of parts of
// one dataset (replicas, files, Dask partitions) merge into the profile of
// the whole; a part that does not fit (other columns, kinds or bins) is an
// error naming its file and what differs.
#include <cstdio>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "vigil/profile.h"

namespace vigil::cli {
namespace {

struct MergeOptions {
  std::vector<std::string> inputs;
  std::string output;
};

void run(const MergeOptions& o) {
  // DatasetProfile::load names the file in its errors.
  DatasetProfile merged = DatasetProfile::load(o.inputs.front());
  for (std::size_t i = 1; i < o.inputs.size(); ++i) {
    DatasetProfile part = DatasetProfile::load(o.inputs[i]);
    try {
      merged.merge(part);
    } catch (const std::exception& e) {
      throw std::runtime_error(o.inputs[i] + ": " + e.what() + " (merging into " + o.inputs.front() + ")");
    }
  }
  merged.save(o.output);
  std::printf("merged %zu profiles: %llu rows, %zu columns -> %s\n", o.inputs.size(),
              static_cast<unsigned long long>(merged.rows), merged.features.size(), o.output.c_str());
}

}  // namespace

void add_merge_command(CLI::App& app) {
  auto o = std::make_shared<MergeOptions>();
  CLI::App* cmd = app.add_subcommand("merge", "Merge profiles of parts of one dataset into the profile of the whole");
  cmd->add_option("profiles", o->inputs, "Profiles (JSON, as --save-profile and vigil.profile write)")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->add_option("-o,--output", o->output, "Where to write the merged profile")->required();
  cmd->callback([o] { run(*o); });
}

}  // namespace vigil::cli
