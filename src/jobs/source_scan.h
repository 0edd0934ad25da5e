// Reading a source table: one ScanDef per table scan of the plan (immutable), and one
// ScanTask per (scan, parallel task) holding that task's shards and their read positions.
//
// A step reads up to `max_records` from each of the task's shards, decodes them into the
// table's physical columns (JSON via simdjson, or 'raw': the record's bytes as one STRING
// column), adds metadata columns ('timestamp' = arrival time, 'shard-id',
// 'sequence-number', 'partition-key'), evaluates computed columns, and hands one chunk per
// shard to the scan's downstream operators. It reports each shard's largest rowtime so the
// job can advance the scan's watermark. Records that do not fit go to the SideOutput as
// dead letters with stream, shard and sequence number.
// A ScanTask is driven by one thread at a time.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "jobs/operator.h"
#include "jobs/side_output.h"
#include "jobs/stateless_ops.h"
#include "log/log_manager.h"
#include "runtime/json_decoder.h"
#include "sql/logical_plan.h"

namespace fluxgate::jobs {

enum class MetadataKind : uint8_t { kNone, kArrivalTime, kShardId, kSequenceNumber, kPartitionKey };

struct ScanDef {
  int id = 0;
  const sql::SourceNode* node = nullptr;
  std::string table;
  std::string stream;
  bool raw_format = false;
  std::shared_ptr<const runtime::Schema> physical;  // decoded columns
  std::shared_ptr<const runtime::Schema> output;    // the table's columns
  // Per table column: index into `physical`, or -1 (metadata / computed).
  std::vector<int> physical_index;
  std::vector<MetadataKind> metadata;  // per table column
  // Which per-record facts the metadata columns read (copied per row only when needed).
  bool needs_arrival = false;
  bool needs_offsets = false;
  bool needs_partition_keys = false;
  std::vector<int> computed;  // table columns computed by expression
  runtime::JsonFormatOptions json;
  int rowtime_column = -1;  // -1: no WATERMARK clause
  int64_t watermark_delay_ms = 0;

  static Result<std::shared_ptr<const ScanDef>> Make(int id, const sql::SourceNode& node);
};

struct ShardPosition {
  uint32_t shard = 0;
  uint64_t next_offset = 0;
  int64_t shard_created_ms = 0;
};

// The records a task read this step, by (stream, shard): two tables over one stream (the
// shipped pipeline's JSON source and raw archive) read each shard once per step instead of
// twice when they are at the same offset, which they are when they started together.
// One per parallel task; used by that task's thread only.
class ReadCache {
 public:
  // Forgets what was read (the entries keep their buffers for the next step).
  void NewStep();
  // The records of ReadInto(stream, shard, offset, max_records, max_bytes): those read
  // earlier in this step with the same arguments, else freshly read. Valid until the next
  // Read of the same shard or NewStep().
  Result<const log::ReadResult*> Read(log::LogManager* log, const std::string& stream,
                                      uint32_t shard, uint64_t offset, uint32_t max_records,
                                      uint64_t max_bytes);
  uint64_t hits() const { return hits_; }

 private:
  struct Entry {
    std::string stream;
    uint32_t shard = 0;
    uint64_t offset = 0;
    uint32_t max_records = 0;
    uint64_t max_bytes = 0;
    bool valid = false;
    log::ReadResult result;
  };
  std::vector<std::unique_ptr<Entry>> entries_;
  uint64_t hits_ = 0;
};

class ScanTask {
 public:
  // `log` and `side` must outlive the task.
  static Result<std::unique_ptr<ScanTask>> Make(std::shared_ptr<const ScanDef> def,
                                                log::LogManager* log, SideOutput* side,
                                                const runtime::Clock* clock);

  void AddShard(const ShardPosition& position);
  const std::vector<ShardPosition>& shards() const { return shards_; }
  void set_output(Output* output) { output_ = output; }
  // Reads through `cache` (shared with the task's other scans) instead of directly.
  void set_read_cache(ReadCache* cache) { cache_ = cache; }

  struct StepResult {
    uint64_t records = 0;
    // (shard, largest rowtime read this step) for shards that produced rows with a time.
    std::vector<std::pair<uint32_t, int64_t>> max_rowtime;
  };
  Status Step(uint32_t max_records, StepResult* result);

 private:
  ScanTask() = default;
  Status EmitRows(const ShardPosition& pos, uint32_t shard, size_t first_row, StepResult* result);

  std::shared_ptr<const ScanDef> def_;
  log::LogManager* log_ = nullptr;
  SideOutput* side_ = nullptr;
  Output* output_ = nullptr;
  ReadCache* cache_ = nullptr;
  std::vector<ShardPosition> shards_;
  std::unique_ptr<runtime::JsonDecoder> decoder_;
  std::unique_ptr<runtime::RecordBatchBuilder> builder_;
  std::vector<std::unique_ptr<runtime::ExprProgram>> computed_;  // by def_->computed
  // Per decoded row: where it came from (metadata columns).
  std::vector<int64_t> arrival_;
  std::vector<uint64_t> offsets_;
  std::vector<std::string> partition_keys_;
  std::string seq_;
  log::ReadResult read_;  // reused: its record buffers keep their capacity
};

}  // namespace fluxgate::jobs
