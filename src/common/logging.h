// One named spdlog logger per subsystem ("log", "kinesis", "http", "sim", "cli").
//
// Thread-safety: GetLogger may be called from any thread; loggers are thread-safe.
// Log lines should be something a user can act on; never log secrets.
#pragma once

#include <spdlog/spdlog.h>

#include <memory>
#include <string>

namespace fluxgate {

// Returns the logger for `subsystem`, creating it (stderr, shared format) on first use.
std::shared_ptr<spdlog::logger> GetLogger(const std::string& subsystem);

// Sets the level of every logger ("trace", "debug", "info", "warn", "error", "off").
void SetLogLevel(const std::string& level);

}  // namespace fluxgate
