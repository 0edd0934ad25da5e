// ServeConfig: every setting of `fluxgate serve`, with its defaults, loadable from TOML.
//
// Precedence: built-in defaults < the TOML file (--config) < command-line flags. Every
// flag has a config key of the same name with '-' replaced by '_' (docs/configuration.md).
// Unknown keys are an error that names the key, so a typo never silently does nothing.
#pragma once

#include <cstdint>
#include <string>

#include "common/status.h"

namespace fluxgate {

struct ServeConfig {
  std::string data_dir = "./fluxgate-data";
  std::string kinesis_listen = "127.0.0.1:4567";
  std::string http_listen = "127.0.0.1:8080";
  std::string durability = "fsync";  // "fsync" | "none"
  std::string log_level = "info";

  struct Log {
    uint64_t segment_bytes = 64ull << 20;
    uint32_t index_interval_bytes = 4096;
    uint64_t max_pending_bytes = 256ull << 20;
    uint64_t shard_write_records_per_sec = 0;  // 0 = unlimited (AWS: 1000)
    uint64_t shard_write_bytes_per_sec = 0;    // 0 = unlimited (AWS: 1 MiB)
    int64_t retention_check_interval_ms = 60'000;
    uint32_t sync_threads = 8;  // shards written+fsynced at once per group commit
  } log;

  struct Kinesis {
    std::string region = "us-east-1";
    std::string account_id = "000000000000";
    int threads = 2;
    uint64_t max_request_bytes = 12ull << 20;  // above PutRecords' 5 MiB plus base64 overhead
    int64_t create_delay_ms = 500;
    int64_t delete_delay_ms = 500;
    int64_t update_delay_ms = 500;
    int64_t iterator_ttl_ms = 300'000;
    uint32_t shard_limit = 1000;
    uint32_t on_demand_shards = 4;
  } kinesis;

  struct Http {
    int threads = 1;
  } http;
};

// Reads a TOML file into `config` (only keys present override). InvalidArgument naming
// the file, key and problem for unknown keys, wrong types or bad values.
Status LoadConfigFile(const std::string& path, ServeConfig& config);

// Checks values that no type can (durability names, listen address shapes, ranges).
Status ValidateConfig(const ServeConfig& config);

}  // namespace fluxgate
