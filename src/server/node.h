// Node: one running fluxgate server — the log, the Kinesis API listener and the HTTP
// listener — built from a ServeConfig. `fluxgate serve` and `fluxgate demo` both run one,
// and tests start one in-process.
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

namespace fluxgate::server {

class Node {
 public:
  // Opens the log (running recovery) and starts both listeners. On failure nothing keeps
  // running and the Status says what failed (e.g. which address is in use).
  static Result<std::unique_ptr<Node>> Start(const ServeConfig& config);
  ~Node();

  uint16_t kinesis_port() const;
  uint16_t http_port() const;
  log::LogManager* log() const;

  // Stops accepting, finishes in-flight requests, flushes and fsyncs the log. Idempotent.
  Status Stop();

 private:
  Node();
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace fluxgate::server
