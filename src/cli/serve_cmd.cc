// `fluxgate serve`: run the server until SIGINT/SIGTERM.
#include <signal.h>

#include <CLI/CLI.hpp>
#include <cstdio>

#include "cli/commands.h"
#include "cli/serve_flags.h"
#include "common/logging.h"
#include "http/server.h"
#include "jobs/job_manager.h"
#include "server/node.h"

namespace fluxgate::cli {
namespace {

int RunServe(const ServeFlags& flags) {
  ServeConfig config;
  if (Status st = ResolveServeConfig(flags, config); !st.ok()) {
    std::fprintf(stderr, "fluxgate serve: %s\n", st.message().c_str());
    return 2;
  }
  SetLogLevel(config.log_level);
  // Block the shutdown signals before any thread starts so every thread inherits the mask
  // and only sigwait() below sees them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  auto node = server::Node::Start(config);
  if (!node.ok()) {
    std::fprintf(stderr, "fluxgate serve: %s\n", node.status().message().c_str());
    return 1;
  }
  auto logger = GetLogger("server");
  std::printf("fluxgate: data directory %s (durability %s)\n", config.data_dir.c_str(),
              config.durability.c_str());
  // With [tls] both listeners speak only HTTPS, so that is the URL to give clients.
  const char* scheme = config.tls.cert_file.empty() ? "http" : "https";
  std::printf("fluxgate: Kinesis API listening on %s://%s:%u\n", scheme,
              http::ParseHostPort(config.kinesis_listen)->first.c_str(), (*node)->kinesis_port());
  std::printf("fluxgate: HTTP listening on %s://%s:%u (/healthz, /v1/streams, /v1/jobs)\n", scheme,
              http::ParseHostPort(config.http_listen)->first.c_str(), (*node)->http_port());
  for (const auto& job : (*node)->jobs()->List()) {
    const auto& s = job.status;
    std::printf("fluxgate: job %s %s%s%s\n", s.name.c_str(), jobs::JobStateName(s.state),
                s.error.empty() ? "" : ": ", s.error.c_str());
  }
  std::fflush(stdout);

  int sig = 0;
  sigwait(&signals, &sig);
  logger->info("received {}, shutting down", sig == SIGINT ? "SIGINT" : "SIGTERM");
  Status st = (*node)->Stop();
  if (!st.ok()) {
    logger->error("shutdown: {}", st.ToString());
    return 1;
  }
  logger->info("shutdown complete: jobs checkpointed, log flushed and fsynced");
  return 0;
}

}  // namespace

void RegisterServeCommand(CLI::App& app, int* exit_code) {
  auto flags = std::make_shared<ServeFlags>();
  CLI::App* cmd = app.add_subcommand("serve",
                                     "Run the server: the durable stream log behind the "
                                     "Kinesis API, plus the HTTP listener");
  cmd->footer(
      "Data lives in --data-dir; the Kinesis API and /healthz listen on 127.0.0.1 unless told\n"
      "otherwise. Runs pipelines/iot-analytics.sql unless --pipeline or --no-default-pipeline\n"
      "says otherwise, and resumes the jobs that were running when it last stopped.\n"
      "SIGINT/SIGTERM stop it cleanly: listeners close, jobs take a final checkpoint, the log\n"
      "is flushed and fsynced. Every flag has a config key (docs/configuration.md).");
  AddServeFlags(*cmd, *flags);
  cmd->callback([flags, exit_code] { *exit_code = RunServe(*flags); });
}

}  // namespace fluxgate::cli
