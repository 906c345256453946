// Subcommands of the vigil binary; each registers itself on the CLI11 app.
#pragma once

#include <CLI/CLI.hpp>

namespace vigil::cli {

void add_serve_command(CLI::App& app);
void add_gen_command(CLI::App& app);
void add_drift_command(CLI::App& app);
void add_demo_command(CLI::App& app);
void add_merge_command(CLI::App& app);
void add_profile_command(CLI::App& app);

}  // namespace vigil::cli
