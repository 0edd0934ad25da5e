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
void RegisterAlertsCommand(CLI::App& app, int* exit_code);    // alerts_cmd.cc
void RegisterAlarmsCommand(CLI::App& app, int* exit_code);    // alarms_cmd.cc
void RegisterStoreCommand(CLI::App& app, int* exit_code);     // store_cmd.cc
void RegisterQueryCommand(CLI::App& app, int* exit_code);     // query_cmd.cc

}  // namespace fluxgate::cli
