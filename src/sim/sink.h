// Where simulated records go: NDJSON to a file/stdout, or PutRecords to a Kinesis stream.
//
// Sinks buffer: Add() may write or send nothing until a batch is full; Flush() pushes out
// everything buffered. The simulator calls Flush() periodically so slow runs are not
// stuck behind a half-full batch, and once at the end.
//
// Thread-safety: none; a sink is driven by the simulator's single thread.
#pragma once

#include <cstdint>
#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "kinesis/client.h"
#include "sim/rng.h"

namespace fluxgate::sim {

struct SinkStats {
  uint64_t delivered = 0;                       // written, or acknowledged with a sequence number
  uint64_t failed = 0;                          // given up on after all retries
  uint64_t retried_records = 0;                 // per-record ErrorCode retries (one per re-send)
  uint64_t retried_calls = 0;                   // whole PutRecords calls repeated after an error
  uint64_t requests = 0;                        // PutRecords calls made
  std::map<std::string, uint64_t> per_shard;    // ShardId -> records acknowledged
  std::map<std::string, uint64_t> error_codes;  // ErrorCode/exception -> occurrences
};

class RecordSink {
 public:
  virtual ~RecordSink() = default;
  // `record` is one JSON document without a trailing newline.
  [[nodiscard]] virtual Status Add(std::string_view record, std::string_view partition_key) = 0;
  [[nodiscard]] virtual Status Flush() = 0;
  virtual const SinkStats& stats() const = 0;
  // "stdout", "file x.ndjson", "stream s at http://..": for the summary.
  virtual std::string Describe() const = 0;
};

// Newline-delimited JSON. `out` must outlive the sink; it is not closed.
std::unique_ptr<RecordSink> MakeNdjsonSink(std::FILE* out, std::string description);

struct KinesisSinkOptions {
  std::string stream;
  size_t max_batch_records = 500;     // Kinesis allows at most 500 per PutRecords
  size_t max_batch_bytes = 4u << 20;  // under the 5 MiB request limit, base64 aside
  int max_attempts = 10;              // per record, first try included
  int base_backoff_ms = 50;           // doubled per attempt, full jitter
  int max_backoff_ms = 2000;
  uint64_t jitter_seed = 0;  // backoff jitter; never touches the record stream
};

// `client` must outlive the sink. Records failing with an ErrorCode (throttling, internal
// failure) and calls failing with a retryable status (throttled, limit exceeded,
// unavailable, I/O, internal) are retried with exponential backoff; after max_attempts they
// count as failed and the run goes on. Other errors (e.g. stream not found) are returned.
std::unique_ptr<RecordSink> MakeKinesisSink(kinesis::KinesisClient* client,
                                            KinesisSinkOptions options, std::string description);

// Makes sure `stream` exists and is ACTIVE. If it is missing and `create_shards` > 0, it is
// created with that many shards; otherwise NotFound with a hint.
Status EnsureStream(kinesis::KinesisClient* client, const std::string& stream, int create_shards);

}  // namespace fluxgate::sim
