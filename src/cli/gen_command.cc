// `vigil gen ...`: generated configuration for the Prometheus ecosystem.
#include <fstream>
#include <iostream>
#include <memory>

#include "cli/commands.h"
#include "vigil/slo.h"

namespace vigil::cli {
namespace {

void write_output(const std::string& text, const std::string& path) {
  if (path.empty() || path == "-") {
    std::cout << text;
    return;
  }
  std::ofstream out(path);
  if (!(out << text)) throw std::runtime_error("cannot write " + path);
}

}  // namespace

void add_gen_command(CLI::App& app) {
  CLI::App* gen = app.add_subcommand("gen", "Generate Prometheus rules and other configuration");
  gen->require_subcommand(1);

  struct SloRulesOptions {
    std::string spec;
    std::string output;
  };
  auto o = std::make_shared<SloRulesOptions>();
  CLI::App* slo = gen->add_subcommand(
      "slo-rules", "Recording rules and multi-window multi-burn-rate alerts from a Sloth prometheus/v1 SLO spec");
  slo->add_option("spec", o->spec, "SLO spec (YAML)")->required();
  slo->add_option("-o,--output", o->output, "Write the rules here instead of stdout");
  slo->callback([o] { write_output(generate_slo_rules(load_slo_spec_file(o->spec)), o->output); });
}

}  // namespace vigil::cli
