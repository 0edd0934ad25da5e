// KinesisApi: the Kinesis Data Streams JSON 1.1 protocol on top of the log.
//
// Handles `POST /` requests carrying `X-Amz-Target: Kinesis_20131202.<Operation>`,
// validates them as AWS does (ValidationException texts, limits), maps them onto
// log::LogManager calls, and replies with the documented shapes and exception names.
// Holds no durable state of its own: streams, shards and records live in the log.
//
// Thread-safety: Handle() may be called concurrently from any I/O thread. PutRecord(s)
// replies asynchronously once the log reports the records durable.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "http/message.h"
#include "http/server.h"

namespace fluxgate::log {
class LogManager;
}
namespace fluxgate::auth {
class Authorizer;
}

namespace fluxgate::kinesis {

class KinesisMetrics;  // kinesis_metrics.h

struct KinesisOptions {
  std::string region = "us-east-1";
  std::string account_id = "000000000000";
  // How long a new/deleting/resharding stream stays CREATING/DELETING/UPDATING, so
  // clients' waiters see the transitions AWS has (emulators use 500 ms).
  int64_t create_delay_ms = 500;
  int64_t delete_delay_ms = 500;
  int64_t update_delay_ms = 500;
  int64_t iterator_ttl_ms = 300'000;
  uint32_t shard_limit = 1000;    // open shards per account (LimitExceededException)
  uint32_t on_demand_shards = 4;  // shards a new ON_DEMAND stream starts with
  // Key protecting shard iterators from forgery; random per process when empty.
  std::string iterator_secret;
  // SigV4 verification and permissions ([auth]); null or disabled: every request is let in.
  // Shared because the HTTP API checks its requests with the same principals.
  std::shared_ptr<const auth::Authorizer> authorizer;
};

class KinesisApi {
 public:
  // `log` must outlive the api.
  KinesisApi(log::LogManager* log, KinesisOptions options);
  ~KinesisApi();
  KinesisApi(const KinesisApi&) = delete;
  KinesisApi& operator=(const KinesisApi&) = delete;

  void Handle(http::Request&& request, http::Responder respond);

  // Put latency and per-shard GetRecords numbers for GET /metrics; lives as long as the api.
  const KinesisMetrics& metrics() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace fluxgate::kinesis
