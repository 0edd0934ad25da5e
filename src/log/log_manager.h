// LogManager: the durable, append-only stream log (streams -> shards -> segments).
//
// Thread-safety: every public method may be called from any thread concurrently.
// Appends are asynchronous: Append() encodes and queues the records and returns at once;
// the group-commit thread writes and (with Durability::kFsync) fdatasyncs every dirty
// shard (several at once, see LogOptions::sync_threads), then invokes the completion
// callbacks on that thread. Callbacks must be quick (post work elsewhere). A record
// becomes visible to readers only once it is durable, so nothing a reader saw can vanish
// after a crash.
//
// Invariant per shard: read-visible end (committed) <= flushed <= written.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "common/status.h"
#include "log/append_signal.h"
#include "log/types.h"

namespace fluxgate::log {

enum class Durability { kFsync, kNone };

class Env;  // log/env.h: the file-system interface (fault injection in tests)

struct LogOptions {
  std::string data_dir = "./fluxgate-data";
  Durability durability = Durability::kFsync;
  uint64_t segment_bytes = 64ull << 20;  // roll the active segment past this size
  uint32_t index_interval_bytes = 4096;  // one sparse index entry per this many bytes
  uint32_t max_record_bytes = 1u << 20;  // data + partition key
  // Per-shard write limits (0 = unlimited, the default). Enforced per 1-second window.
  uint64_t shard_write_records_per_sec = 0;
  uint64_t shard_write_bytes_per_sec = 0;
  int64_t retention_check_interval_ms = 60'000;
  // Upper bound of bytes queued for the group-commit thread; Append fails records with
  // ProvisionedThroughputExceededException past it (backpressure instead of memory growth).
  uint64_t max_pending_bytes = 256ull << 20;
  // How many dirty shards one group-commit round writes and fdatasyncs at the same time
  // (the commit thread plus sync_threads - 1 helper threads; 0 is taken as 1 = one after
  // another). A round then costs about one fsync latency up to this many dirty shards
  // instead of one per shard. The helpers sleep between rounds; 8 covers the shard
  // counts a batch usually touches without oversubscribing a small disk queue.
  uint32_t sync_threads = 8;
  // Account id used in throttling messages ("... under account 000000000000.").
  std::string account_id = "000000000000";
  // Wall clock in epoch milliseconds (arrival times, retention, shard creation times).
  // Tests inject a fake one; empty = the system clock.
  std::function<int64_t()> clock;
  // File-system access; nullptr = DefaultEnv() (POSIX). Not owned; must outlive the log.
  Env* env = nullptr;
};

// Summary of what recovery found and did at Open(), also written to the log.
struct RecoveryReport {
  int streams = 0;
  int shards = 0;
  int segments = 0;
  int indexes_rebuilt = 0;
  int torn_tails_truncated = 0;
  uint64_t bytes_truncated = 0;
  uint64_t records = 0;
};

using AppendCallback = std::function<void(std::vector<AppendResult>)>;

// Per-shard write counters for metrics (LogManager::Traffic): what Append accepted since
// the shard was opened by this process, from every producer (Kinesis API, HTTP, MQTT).
struct ShardTraffic {
  std::string stream;
  uint32_t shard = 0;
  uint64_t records = 0;
  uint64_t bytes = 0;  // data + partition key
};

class LogManager {
 public:
  // Opens (creating if needed) the log under options.data_dir and runs recovery.
  static Result<std::unique_ptr<LogManager>> Open(const LogOptions& options);
  virtual ~LogManager() = default;

  virtual const RecoveryReport& recovery_report() const = 0;
  virtual const LogOptions& options() const = 0;

  // --- streams -------------------------------------------------------------------
  // AlreadyExists if the name is taken. shard_count >= 1.
  virtual Status CreateStream(const std::string& name, uint32_t shard_count, StreamMode mode,
                              const std::map<std::string, std::string>& tags) = 0;
  // Removes the stream and all its files. NotFound if absent.
  virtual Status DeleteStream(const std::string& name) = 0;
  virtual Result<StreamMeta> DescribeStream(const std::string& name) const = 0;
  virtual std::vector<std::string> ListStreams() const = 0;  // sorted by name

  virtual Status SetRetentionHours(const std::string& name, int32_t hours) = 0;
  virtual Status AddTags(const std::string& name,
                         const std::map<std::string, std::string>& tags) = 0;
  virtual Status RemoveTags(const std::string& name, const std::vector<std::string>& keys) = 0;

  // --- resharding ------------------------------------------------------------------
  // Closes `shard` and creates two children [start, new_starting_hash_key-1] and
  // [new_starting_hash_key, end]. InvalidArgument if the key is outside the range or the
  // shard is closed.
  virtual Status SplitShard(const std::string& name, uint32_t shard,
                            u128 new_starting_hash_key) = 0;
  // Closes both (their ranges must be adjacent) and creates one child covering the union.
  virtual Status MergeShards(const std::string& name, uint32_t shard, uint32_t adjacent) = 0;
  // Reshapes the open shards into `target` uniform ranges (closing all current open
  // shards and creating new children; each child lists the parent(s) it overlaps most).
  virtual Status UpdateShardCount(const std::string& name, uint32_t target) = 0;

  // --- data ------------------------------------------------------------------------
  // Routes each record (ExplicitHashKey or MD5 of the partition key) to the open shard
  // holding its hash key, appends it, and calls `done` once every record in the batch is
  // durable (or failed). The result vector matches `records` in length and order.
  // The returned Status is non-OK only if the whole batch was refused (e.g. NotFound).
  virtual Status Append(const std::string& name, std::span<const AppendRecord> records,
                        AppendCallback done) = 0;

  // Reads durable records of one shard starting at `from` (clamped up to the trim offset),
  // up to max_records and roughly max_bytes (at least one record if any is available).
  virtual Result<ReadResult> Read(const std::string& name, uint32_t shard, ShardOffset from,
                                  uint32_t max_records, uint64_t max_bytes) const = 0;
  // Read() into `out`, reusing the string buffers of the records it already holds, so a
  // reader that keeps one ReadResult allocates nothing per record once warm.
  virtual Status ReadInto(const std::string& name, uint32_t shard, ShardOffset from,
                          uint32_t max_records, uint64_t max_bytes, ReadResult* out) const = 0;
  // First offset whose arrival time is >= ts_ms (end offset if none).
  virtual Result<ShardOffset> OffsetForTime(const std::string& name, uint32_t shard,
                                            int64_t ts_ms) const = 0;
  // Trim offset (oldest retained) and end offset (one past the newest durable record).
  virtual Result<std::pair<ShardOffset, ShardOffset>> ShardBounds(const std::string& name,
                                                                  uint32_t shard) const = 0;

  // Write counters of every shard, open and closed, sorted by stream then shard. Cheap
  // (atomics read under the stream locks); for scrapes, not for the hot path.
  virtual std::vector<ShardTraffic> Traffic() const { return {}; }

  // Deletes whole expired segments now (also runs periodically in the background) and
  // drops closed shards whose every record has expired. Returns segments deleted.
  virtual Result<int> EnforceRetention() = 0;

  // Flushes and fsyncs everything queued, then stops background threads. Idempotent.
  virtual Status Close() = 0;

  // Notified after every commit round that made records readable (append_signal.h).
  AppendSignal& append_signal() { return append_signal_; }

 private:
  AppendSignal append_signal_;
};

}  // namespace fluxgate::log
