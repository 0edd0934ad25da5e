// Plain value types shared by the log's public API.
//
// Offsets that mean different things have different names: a ShardOffset is the index of
// a record within one shard (0, 1, 2, ... dense, never reused); a Kinesis sequence number
// is a separate encoding of (shard, offset, time) produced by sequence_number.h.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace fluxgate::log {

using u128 = unsigned __int128;
inline constexpr u128 kMaxHashKey = ~static_cast<u128>(0);

using ShardOffset = uint64_t;

// "shardId-000000000007" for index 7.
std::string ShardIdFor(uint32_t index);
// Parses "shardId-000000000007" (also accepts a bare number "7"); nullopt if malformed.
std::optional<uint32_t> ParseShardId(std::string_view shard_id);

// Decimal <-> u128 for hash keys. ParseU128 fails on anything but digits or on overflow.
std::string U128ToString(u128 v);
std::optional<u128> ParseU128(std::string_view s);

// MD5 of the partition key read as a big-endian unsigned 128-bit integer (Kinesis routing).
u128 HashPartitionKey(std::string_view partition_key);

enum class StreamMode { kProvisioned, kOnDemand };

struct ShardMeta {
  uint32_t index = 0;
  u128 starting_hash_key = 0;
  u128 ending_hash_key = kMaxHashKey;       // inclusive
  std::optional<uint32_t> parent;           // set for split/merge children
  std::optional<uint32_t> adjacent_parent;  // merge children; UpdateShardCount 2nd overlap
  int64_t created_ms = 0;                   // creation wall-clock time of this shard
  // Set when the shard is closed by a split/merge: the offset one past its last record.
  // A closed shard accepts no appends but stays readable until retention removes it.
  std::optional<ShardOffset> end_offset;
  int64_t closed_ms = 0;
  bool open() const { return !end_offset.has_value(); }
};

struct StreamMeta {
  std::string name;
  StreamMode mode = StreamMode::kProvisioned;
  int64_t created_ms = 0;
  int32_t retention_hours = 24;
  std::map<std::string, std::string> tags;
  std::vector<ShardMeta> shards;  // ordered by index; includes closed shards until expired
  uint32_t next_shard_index = 0;
  int32_t max_record_size_kib = 1024;
};

// One record to append. Views must stay valid until Append returns (the log copies them).
struct AppendRecord {
  std::string_view partition_key;
  std::string_view data;
  std::optional<u128> explicit_hash_key;
};

// Outcome of one record of an Append batch.
struct AppendResult {
  bool ok = false;
  uint32_t shard_index = 0;
  ShardOffset offset = 0;
  int64_t arrival_ms = 0;
  // When !ok: "ProvisionedThroughputExceededException" or "InternalFailure" plus a message.
  std::string error_code;
  std::string error_message;
};

// One record as read back.
struct StoredRecord {
  ShardOffset offset = 0;
  int64_t arrival_ms = 0;
  std::string partition_key;
  std::string data;
};

// Reads leave at least this many bytes of capacity after each record's data (its std::string
// is reserved larger), so parsers that read past the end, as simdjson does, can use the
// record in place instead of copying it.
inline constexpr size_t kRecordReadPadding = 64;

struct ReadResult {
  std::vector<StoredRecord> records;
  ShardOffset next_offset = 0;    // where the next read should start
  ShardOffset trim_offset = 0;    // oldest offset still retained in the shard
  ShardOffset end_offset = 0;     // one past the newest durable record
  int64_t newest_arrival_ms = 0;  // arrival time of the newest durable record (0 if empty)
  bool shard_closed = false;
  // True when the shard is closed and next_offset has reached its end: the reader is done.
  bool shard_drained = false;
};

}  // namespace fluxgate::log
