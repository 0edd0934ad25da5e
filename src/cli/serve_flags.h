// Flags shared by `serve` and `demo`: each maps onto a ServeConfig key (docs/configuration.md).
#pragma once

#include <string>
#include <vector>

#include "common/config.h"

namespace CLI {
class App;
}

namespace fluxgate::cli {

struct ServeFlags {
  std::string config_file;
  // Flag values; empty means "not given", so the config file's value stands.
  std::string data_dir, kinesis_listen, http_listen, durability, log_level;
  std::vector<std::string> pipelines;  // --pipeline, repeatable; empty: not given
  bool no_default_pipeline = false;    // --no-default-pipeline
  std::string bearer_token;            // --bearer-token; empty: not given
};

void AddServeFlags(CLI::App& cmd, ServeFlags& flags);
// Defaults, then the config file, then the flags; validated.
Status ResolveServeConfig(const ServeFlags& flags, ServeConfig& config);

}  // namespace fluxgate::cli
