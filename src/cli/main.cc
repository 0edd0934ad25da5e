// fluxgate: one binary, several subcommands (serve, simulate, demo, streams, sql, jobs).
#include <CLI/CLI.hpp>

#include "cli/commands.h"
#include "cli/server_client.h"

int main(int argc, char** argv) {
  CLI::App app{
      "fluxgate: a self-hosted real-time analytics engine for industrial IoT telemetry.\n"
      "It speaks the Kinesis Data Streams API, keeps streams in a durable local log, and\n"
      "runs on one machine with no external service.",
      "fluxgate"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("fluxgate 0.1.0"));
  fluxgate::cli::AddTokenOption(app);  // --token for commands that call the HTTP API
  app.footer("Run 'fluxgate COMMAND --help' for the options of a command.");
  int exit_code = 0;
  fluxgate::cli::RegisterServeCommand(app, &exit_code);
  fluxgate::cli::RegisterSimulateCommand(app, &exit_code);
  fluxgate::cli::RegisterDemoCommand(app, &exit_code);
  fluxgate::cli::RegisterStreamsCommand(app, &exit_code);
  fluxgate::cli::RegisterSqlCommand(app, &exit_code);
  fluxgate::cli::RegisterJobsCommand(app, &exit_code);
  fluxgate::cli::RegisterQualityCommand(app, &exit_code);
  fluxgate::cli::RegisterAlertsCommand(app, &exit_code);
  fluxgate::cli::RegisterAlarmsCommand(app, &exit_code);
  fluxgate::cli::RegisterStoreCommand(app, &exit_code);
  fluxgate::cli::RegisterQueryCommand(app, &exit_code);
  CLI11_PARSE(app, argc, argv);
  return exit_code;
}
