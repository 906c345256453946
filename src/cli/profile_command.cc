// `vigil profile`: the map step of sharded profiling. Profiles one or many
// CSV files into one profile, each read once in chunks on every core.
// Numeric columns are binned like --reference when given (a current
// dataset's profile, to compare with it); otherwise their bins follow the
// data's grid, so profiles of shards merge (vigil merge) into exactly the
// profile of the whole.
#include <cstdio>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/type_error_warnings.h"
#include "vigil/drift_report.h"

namespace vigil::cli {
namespace {

struct ProfileOptions {
  std::vector<std::string> inputs;
  std::string reference;
  std::string output;
  unsigned threads = 0;
};

void run(const ProfileOptions& o) {
  DatasetProfile reference;
  CsvProfileOptions csv{.threads = o.threads};
  if (!o.reference.empty()) {
    reference = DatasetProfile::load(o.reference);
    for (const auto& [name, f] : reference.features) csv.csv.kinds[name] = f.kind;
    csv.reference = &reference;
  }
  DatasetProfile all;
  for (const auto& file : o.inputs) {
    DatasetProfile part = profile_csv(file, csv);
    warn_type_errors(file == "-" ? "<stdin>" : file, part);
    if (csv.csv.kinds.empty())  // every later file is read with the first one's kinds
      for (const auto& [name, f] : part.features) csv.csv.kinds[name] = f.kind;
    try {
      all.merge(part);
    } catch (const std::exception& e) {
      throw std::runtime_error(file + ": " + e.what());
    }
  }
  // "-": the profile on standard output (a pipe's map step), the summary on stderr.
  const bool to_stdout = o.output == "-";
  if (to_stdout) std::cout << all.to_json() << '\n' << std::flush;
  else all.save(o.output);
  std::fprintf(to_stdout ? stderr : stdout, "profiled %zu file(s): %llu rows, %zu columns -> %s\n", o.inputs.size(),
               static_cast<unsigned long long>(all.rows), all.features.size(), to_stdout ? "<stdout>" : o.output.c_str());
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
  cmd->add_option("-o,--output", o->output, "Where to write the profile (JSON; - for standard output)")->required();
  cmd->add_option("--threads", o->threads, "Threads that parse and profile (default: every core)");
  cmd->callback([o] { run(*o); });
}

}  // namespace vigil::cli
