// Each `fluxgate` subcommand registers itself on the CLI11 app. A command's callback
// stores the process exit code in *exit_code (0 on success).
#pragma once

namespace CLI {
class App;
}

namespace fluxgate::cli {

void RegisterServeCommand(CLI::App& app, int* exit_code);     // serve_cmd.cc
void RegisterSimulateCommand(CLI::App& app, int* exit_code);  // simulate_cmd.cc
void RegisterDemoCommand(CLI::App& app, int* exit_code);      // demo_cmd.cc
void RegisterStreamsCommand(CLI::App& app, int* exit_code);   // streams_cmd.cc
void RegisterSqlCommand(CLI::App& app, int* exit_code);       // sql_cmd.cc
void RegisterJobsCommand(CLI::App& app, int* exit_code);      // jobs_cmd.cc
void RegisterQualityCommand(CLI::App& app, int* exit_code);   // quality_cmd.cc

}  // namespace fluxgate::cli
