// Node: one running fluxgate server — the log, alert delivery, the streaming jobs, the
// Kinesis API listener and the HTTP listener — built from a ServeConfig. `fluxgate serve`
// and `fluxgate demo` both run one, and tests start one in-process.
//
// Start order: log -> alerts -> jobs (persisted jobs restored, startup pipelines
// submitted) -> listeners. Stop runs in reverse, so every job takes its final checkpoint
// while the log is still open and no request reaches a half-stopped node.
//
// Thread-safety: Start/Stop from one thread; the listeners run their own I/O threads.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "common/config.h"
#include "common/status.h"

namespace fluxgate::log {
class LogManager;
}
namespace fluxgate::jobs {
class JobManager;
struct JobManagerOptions;
}  // namespace fluxgate::jobs

namespace fluxgate::server {

class Node {
 public:
  // Opens the log (running recovery), starts alert delivery and the jobs (those persisted
  // as running, and config.pipelines or the shipped pipeline), then both listeners. On
  // failure nothing keeps running and the Status says what failed (e.g. which address is
  // in use, or which pipeline file does not bind).
  static Result<std::unique_ptr<Node>> Start(const ServeConfig& config);
  // The same with the job factories given (tests inject fakes); `jobs_options` must have
  // factory set. `shipped_pipelines_dir` replaces FindShippedPipelinesDir().
  static Result<std::unique_ptr<Node>> Start(const ServeConfig& config,
                                             jobs::JobManagerOptions jobs_options,
                                             const std::string& shipped_pipelines_dir);
  ~Node();

  uint16_t kinesis_port() const;
  uint16_t http_port() const;
  log::LogManager* log() const;
  jobs::JobManager* jobs() const;

  // Stops accepting, finishes in-flight requests and job operations, stops the jobs (final
  // checkpoints; they run again on the next start), drains alerts, flushes and fsyncs the
  // log. Idempotent.
  Status Stop();

 private:
  Node();
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace fluxgate::server
