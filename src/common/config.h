// ServeConfig: every setting of `fluxgate serve`, with its defaults, loadable from TOML.
//
// Precedence: built-in defaults < the TOML file (--config) < command-line flags. Every
// flag has a config key of the same name with '-' replaced by '_' (docs/configuration.md).
// Unknown keys are an error that names the key, so a typo never silently does nothing.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/config_alarms.h"
#include "common/config_lifecycle.h"
#include "common/config_alerts.h"
#include "common/config_auth.h"
#include "common/config_ingest.h"
#include "common/config_quality.h"
#include "common/config_store.h"
#include "common/status.h"

namespace fluxgate {

struct ServeConfig {
  std::string data_dir = "./fluxgate-data";
  std::string kinesis_listen = "127.0.0.1:4567";
  std::string http_listen = "127.0.0.1:8080";
  std::string durability = "fsync";  // "fsync" | "none"
  std::string log_level = "info";
  // SQL pipeline files `serve` runs (--pipeline, repeatable). Unset: the shipped
  // pipelines/iot-analytics.sql; empty (`pipelines = []`, --no-default-pipeline): none.
  std::optional<std::vector<std::string>> pipelines;

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
    // Bearer token the admin API and dashboard require ("Authorization: Bearer <token>");
    // empty: none required. Never logged.
    std::string bearer_token;
  } http;

  // Streaming jobs (src/jobs/, docs/design/jobs.md): limits every job gets.
  struct Jobs {
    int worker_threads = 2;                 // parallel tasks per job, at most
    uint64_t max_state_bytes = 1ull << 30;  // keyed state per job; beyond it the job fails
    uint32_t read_batch_records = 4096;     // records read per shard per step
  } jobs;

  // Alert delivery (src/alerts/, docs/design/alerts.md). TOML: an [alerts] table with the
  // delivery settings and one [[alerts.subscriptions]] table per subscription.
  using Alerts = AlertsConfig;  // common/config_alerts.h
  Alerts alerts;

  IngestConfig ingest;    // [ingest]: MQTT subscriptions, HTTP records endpoint
  AuthConfig auth;        // [auth]: SigV4 principals and permissions
  TlsConfig tls;          // [tls]: certificate and key for every listener
  QualityConfig quality;  // [quality]: schemas, invalid-record handling, profiling
  StoreConfig store;      // [store]: S3-compatible object store for s3:// paths
  LifecycleConfig lifecycle;  // [lifecycle]: retention and compaction of sink output
  AlarmsConfig alarms;    // [[alarms]]: CloudWatch-style alarms over our metrics
};

// Reads a TOML file into `config` (only keys present override). InvalidArgument naming
// the file, key and problem for unknown keys, wrong types or bad values.
Status LoadConfigFile(const std::string& path, ServeConfig& config);

// Checks values that no type can (durability names, listen address shapes, ranges).
// Includes ValidateAlertsConfig.
Status ValidateConfig(const ServeConfig& config);

// ValidateAlertsConfig: common/config_alerts.h.

}  // namespace fluxgate
