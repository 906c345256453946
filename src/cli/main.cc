#include <CLI/CLI.hpp>
#include <exception>
#include <iostream>

#include "cli/commands.h"

int main(int argc, char** argv) {
  CLI::App app{"vigil: observability for machine-learning inference services"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "vigil 0.1.0");
  vigil::cli::add_serve_command(app);
  vigil::cli::add_gen_command(app);
  vigil::cli::add_drift_command(app);
  vigil::cli::add_profile_command(app);
  vigil::cli::add_merge_command(app);
  vigil::cli::add_demo_command(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const std::exception& e) {
    std::cerr << "vigil: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
