// BenchStatus: errors as values for the ingest benchmark.
//
// The benchmark deliberately does not link the server's libraries (it must build and run
// against emulators before, and independently of, fluxgate itself), so it carries this
// minimal stand-in for fluxgate::Status: OK is an empty message, cheap to return.
// Immutable once built; safe to copy between threads.
#pragma once

#include <string>
#include <utility>

namespace fluxgate::bench {

class [[nodiscard]] BenchStatus {
 public:
  BenchStatus() = default;  // OK
  static BenchStatus Ok() { return BenchStatus(); }
  static BenchStatus Error(std::string message) { return BenchStatus(std::move(message)); }

  bool ok() const { return message_.empty(); }
  const std::string& message() const { return message_; }

 private:
  explicit BenchStatus(std::string message)
      : message_(message.empty() ? std::string("unknown error") : std::move(message)) {}
  std::string message_;  // empty means OK
};

}  // namespace fluxgate::bench
