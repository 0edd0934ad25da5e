// ApiContext: what every Kinesis operation shares (the log, options, iterator codec,
// transitional statuses) plus the small helpers they have in common, and the Reply that
// carries an operation's outcome back to the HTTP layer.
//
// Internal to src/kinesis/ (api.h is the public surface). Thread-safety: ApiContext is
// used concurrently by every I/O thread; its members are immutable or internally locked.
#pragma once

#include <spdlog/logger.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "common/json_writer.h"
#include "http/server.h"
#include "kinesis/api.h"
#include "kinesis/cbor_json.h"
#include "kinesis/errors.h"
#include "kinesis/json_args.h"
#include "kinesis/kinesis_metrics.h"
#include "kinesis/shard_iterator.h"
#include "kinesis/stream_states.h"
#include "kinesis/validation.h"
#include "log/log_manager.h"
#include "log/types.h"

namespace fluxgate::kinesis {

int64_t WallClockMs();

// Carries one request's outcome to the client exactly once, from any thread.
class Reply {
 public:
  // A `content_type` of kCborContentType makes Ok() transcode the JSON body to CBOR and
  // Fail() write the error as CBOR (cbor_json.h).
  Reply(http::Responder respond, std::string_view content_type, std::string request_id)
      : respond_(std::move(respond)),
        content_type_(content_type),
        request_id_(std::move(request_id)),
        cbor_(content_type == kCborContentType) {}
  // Copyable because the log's completion callback is a std::function; still reply once.

  void Ok(std::string body);
  void Fail(const ApiError& error);
  // From now on, the time until Ok/Fail is observed into `latency` (seconds); it must
  // outlive the reply (the api's KinesisMetrics).
  void TimeInto(metrics::AtomicHistogram* latency) {
    latency_ = latency;
    start_ = std::chrono::steady_clock::now();
  }
  const std::string& request_id() const { return request_id_; }

 private:
  http::Responder respond_;
  std::string_view content_type_;  // points at a static constant (see api.cc)
  std::string request_id_;
  bool cbor_;
  metrics::AtomicHistogram* latency_ = nullptr;
  std::chrono::steady_clock::time_point start_;
  void Observe() const {
    if (latency_ != nullptr)
      latency_->Observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - start_)
                            .count());
  }
};

// A shard's id as "shardId-" + 12 digits, appended without allocating.
void AppendShardId(uint32_t index, std::string& out);
std::string ShardIdString(uint32_t index);

struct ApiContext {
  ApiContext(log::LogManager* log_manager, KinesisOptions opts);

  log::LogManager* log;  // not owned; outlives the api
  KinesisOptions options;
  IteratorCodec iterators;
  StreamStates states;
  KinesisMetrics metrics;  // GET /metrics (kinesis_metrics.h)
  std::shared_ptr<spdlog::logger> logger;
  // Injectable for tests that exercise expiry; WallClockMs by default.
  int64_t (*now_ms)() = &WallClockMs;

  std::string StreamArn(std::string_view name) const;
  ApiError StreamNotFound(std::string_view name) const;
  ApiError NotActive(std::string_view name, StreamStatus status) const;
  ApiError ShardNotFound(std::string_view shard_id, std::string_view stream) const;

  // Reads StreamName / StreamARN (either identifies the stream), validating both into `v`.
  // Returns the stream name, empty if neither was usable.
  std::string StreamArg(JsonArgs& args, Validator& v) const;

  // The stream as the log has it, or ResourceNotFound in AWS's words.
  ApiResult<log::StreamMeta> Load(const std::string& name) const;
  // Load + require a status in which data-plane calls work (ACTIVE or UPDATING; AWS
  // answers ResourceNotFound for CREATING and DELETING streams).
  ApiResult<log::StreamMeta> LoadReadable(const std::string& name);
  // Load + require ACTIVE (resharding), else ResourceInUse.
  ApiResult<log::StreamMeta> LoadActive(const std::string& name);

  // Open shards over every stream, for the account shard limit.
  uint32_t OpenShardCount() const;
  ApiError ShardLimitError(uint32_t current, uint32_t additional) const;

  // First and (for closed shards) last sequence numbers of a shard.
  static std::string StartingSequence(const log::ShardMeta& shard);
  static std::string EndingSequence(const log::ShardMeta& shard);
  // {"ShardId":..,"ParentShardId":..,"HashKeyRange":..,"SequenceNumberRange":..}
  static void WriteShard(JsonWriter& w, const log::ShardMeta& shard);
  static void WriteHashKeyRange(JsonWriter& w, const log::ShardMeta& shard);
  static const char* ModeName(log::StreamMode mode);
};

// Synchronous operations return the response body (empty for no-output operations).
using SyncOp = ApiResult<std::string> (*)(ApiContext&, JsonArgs&);
// Asynchronous operations reply through `reply` when the log completes (PutRecord(s)).
using AsyncOp = void (*)(ApiContext&, JsonArgs&, Reply&&);

struct OpEntry {
  SyncOp sync = nullptr;
  AsyncOp async = nullptr;
};
// nullptr for an unknown operation name.
const OpEntry* FindOperation(std::string_view name);

// --- operations, grouped by file --------------------------------------------------
// stream_ops.cc
ApiResult<std::string> CreateStream(ApiContext&, JsonArgs&);
ApiResult<std::string> DeleteStream(ApiContext&, JsonArgs&);
ApiResult<std::string> DescribeStream(ApiContext&, JsonArgs&);
ApiResult<std::string> DescribeStreamSummary(ApiContext&, JsonArgs&);
ApiResult<std::string> ListStreams(ApiContext&, JsonArgs&);
ApiResult<std::string> IncreaseStreamRetentionPeriod(ApiContext&, JsonArgs&);
ApiResult<std::string> DecreaseStreamRetentionPeriod(ApiContext&, JsonArgs&);
ApiResult<std::string> DescribeLimits(ApiContext&, JsonArgs&);
// shard_ops.cc
ApiResult<std::string> ListShards(ApiContext&, JsonArgs&);
ApiResult<std::string> SplitShard(ApiContext&, JsonArgs&);
ApiResult<std::string> MergeShards(ApiContext&, JsonArgs&);
ApiResult<std::string> UpdateShardCount(ApiContext&, JsonArgs&);
// record_ops.cc
void PutRecord(ApiContext&, JsonArgs&, Reply&&);
void PutRecords(ApiContext&, JsonArgs&, Reply&&);
ApiResult<std::string> GetShardIterator(ApiContext&, JsonArgs&);
ApiResult<std::string> GetRecords(ApiContext&, JsonArgs&);
// tag_ops.cc
ApiResult<std::string> AddTagsToStream(ApiContext&, JsonArgs&);
ApiResult<std::string> RemoveTagsFromStream(ApiContext&, JsonArgs&);
ApiResult<std::string> ListTagsForStream(ApiContext&, JsonArgs&);
ApiResult<std::string> ListTagsForResource(ApiContext&, JsonArgs&);
ApiResult<std::string> TagResource(ApiContext&, JsonArgs&);
ApiResult<std::string> UntagResource(ApiContext&, JsonArgs&);
// stub_ops.cc
ApiResult<std::string> EnableEnhancedMonitoring(ApiContext&, JsonArgs&);
ApiResult<std::string> DisableEnhancedMonitoring(ApiContext&, JsonArgs&);
ApiResult<std::string> StartStreamEncryption(ApiContext&, JsonArgs&);
ApiResult<std::string> StopStreamEncryption(ApiContext&, JsonArgs&);
ApiResult<std::string> UpdateStreamMode(ApiContext&, JsonArgs&);
ApiResult<std::string> ListStreamConsumers(ApiContext&, JsonArgs&);
ApiResult<std::string> FanOutNotSupported(ApiContext&, JsonArgs&);
ApiResult<std::string> NotSupported(ApiContext&, JsonArgs&);

}  // namespace fluxgate::kinesis
