// OverAggregateOperator: event-time OVER aggregation,
//   AGG(x) OVER (PARTITION BY key ORDER BY rowtime
//                {ROWS n | ROWS UNBOUNDED | RANGE INTERVAL d | RANGE UNBOUNDED} PRECEDING
//                AND CURRENT ROW)
// with several aggregates sharing one frame. Output: every input column, then one column
// per aggregate; one row per accepted input row (append-only, RowKind::kInsert).
//
// Semantics (reference §4, Flink's RowTime*PrecedingFunction):
//  - rows buffer per key until the watermark reaches them (ts <= watermark); a watermark
//    that advances processes every ready row, in (timestamp, key, arrival) order;
//  - RANGE gives same-timestamp peers one result (all peers are in each other's frame);
//    ROWS takes peers one by one in arrival order;
//  - RANGE d frames hold rows with ts >= current ts - d (the bound is inclusive); ROWS n
//    frames hold the current row and the n rows before it;
//  - late rows: UNBOUNDED frames reject ts <= the watermark at arrival; bounded frames
//    (ROWS n, RANGE d) reject ts <= the last timestamp already processed for the key, which
//    starts at 0, so rowtime <= epoch 0 is rejected there (Flink's lastTriggeringTs). A
//    bounded-frame row with ts <= watermark but after that timestamp is accepted and runs
//    at the next watermark. A NULL rowtime is rejected too. Rejected rows are returned as
//    OverLateRecord and counted, never silently dropped (Flink drops them silently).
//
// State: whole input rows are buffered columnar in one RecordBatchBuilder per state (the
// output repeats them); keys hold (ts, row) lists into it: pending rows, and for bounded
// frames the fired rows still inside the frame. The buffer is compacted when dead rows
// outnumber live ones. UNBOUNDED frames accumulate incrementally in one state block per
// key; bounded frames recompute their aggregate from the kept rows (no retraction API),
// O(frame) per output row. Memory per key: pending rows (bounded by the watermark delay),
// at most n + 1 frame rows (ROWS) or the rows of the last d ms (RANGE), one block
// (UNBOUNDED). With state_retention_ms > 0 a key whose newest processed row is that far
// behind the watermark and that has nothing pending is forgotten (Flink's state TTL: a
// later row for it starts afresh).
//
// Thread-safety: the operator is immutable and may be shared; a state belongs to one
// thread at a time.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/agg_layout.h"
#include "runtime/record_batch.h"
#include "runtime/state_arena.h"

namespace fluxgate::runtime {

struct OverFrameSpec {
  bool rows = true;       // ROWS (a row count) or RANGE (a time interval)
  bool unbounded = true;  // UNBOUNDED PRECEDING
  int64_t preceding = 0;  // ROWS: rows before the current one; RANGE: milliseconds
};

enum class OverLateKind : uint8_t {
  kNotAfterWatermark,  // UNBOUNDED frame: ts <= watermark
  kNotAfterLastFired,  // bounded frame: ts <= last timestamp processed for the key
  kNullTime,           // NULL rowtime
};

// A rejected input row. The reason text is built only when asked for.
struct OverLateRecord {
  uint32_t row;        // index in the input batch
  uint32_t key;        // key id
  int64_t event_time;  // epoch ms (0 for kNullTime)
  OverLateKind kind;
  int64_t bound;  // the watermark or last processed timestamp it was compared with
  std::string Reason() const;
};

class OverAggregateState;

class OverAggregateOperator {
 public:
  // `arg_columns[i]` is aggregate i's argument column in `input` (-1 for COUNT(*)); its
  // type must be the aggregate's input type. InvalidArgument on a negative preceding or
  // retention, mismatched arity or types, or more output names than aggregates.
  static Result<std::unique_ptr<OverAggregateOperator>> Make(
      std::shared_ptr<const Schema> input, OverFrameSpec frame,
      std::vector<std::unique_ptr<AggregateFunction>> aggregates, std::vector<int> arg_columns,
      std::vector<std::string> output_names = {}, int64_t state_retention_ms = 0);

  const std::shared_ptr<const Schema>& input_schema() const { return input_; }
  // Input columns, then one column per aggregate (named output_names[i] or AGG(TYPE)).
  const std::shared_ptr<const Schema>& output_schema() const { return output_; }
  const OverFrameSpec& frame() const { return frame_; }
  std::unique_ptr<OverAggregateState> NewState() const;

  // Buffers the batch's rows (schema input_schema()); rejected rows are appended to *late
  // (may be null: they are still counted). `event_time_validity` is an optional bitmap
  // (1 = not NULL) for the rowtime.
  void ProcessBatch(OverAggregateState& state, const RecordBatch& batch, const uint32_t* key_ids,
                    const int64_t* event_time, std::vector<OverLateRecord>* late,
                    const uint64_t* event_time_validity = nullptr) const;
  // Advances the watermark (ignored unless greater than the current one) and appends one
  // row per ready buffered row to `out` (schema output_schema()).
  void OnWatermark(OverAggregateState& state, int64_t watermark, RecordBatchBuilder& out) const;

  // Checkpoint: version, frame and input shape, watermark, late count, then per key its
  // last processed timestamp, accumulators (UNBOUNDED), frame rows and pending rows.
  void Snapshot(const OverAggregateState& state, std::string& out) const;
  // Replaces `state`'s contents. InvalidArgument when the checkpoint was taken with another
  // frame, input schema or aggregates; Corruption when it is truncated or malformed.
  Status Restore(OverAggregateState& state, std::string_view in) const;

 private:
  friend class OverAggregateState;
  OverAggregateOperator(std::shared_ptr<const Schema> input, OverFrameSpec frame,
                        std::vector<std::unique_ptr<AggregateFunction>> aggregates,
                        std::vector<int> arg_columns, std::vector<std::string> names,
                        int64_t retention);
  void Fire(OverAggregateState& st, RecordBatchBuilder& out) const;
  void ExpireIdleKeys(OverAggregateState& st) const;
  void Compact(OverAggregateState& st) const;

  std::shared_ptr<const Schema> input_;
  OverFrameSpec frame_;
  AggregateLayout layout_;  // block layout only; its (window) output schema is unused
  std::vector<int> args_;
  std::shared_ptr<const Schema> output_;
  int64_t retention_;
};

class OverAggregateState {
 public:
  ~OverAggregateState();
  int64_t watermark() const { return watermark_; }
  uint64_t late_records() const { return late_records_; }
  // Rows held: waiting for the watermark, and kept inside bounded frames.
  size_t pending_rows() const { return pending_rows_; }
  size_t buffered_rows() const { return buffer_.num_rows() - dead_rows_; }
  // Keys holding any state (accumulators, rows or a last processed timestamp).
  size_t keys() const;
  // Bytes of state: the row buffer, per-key lists, blocks and scratch.
  size_t MemoryUsage() const;

 private:
  friend class OverAggregateOperator;
  static constexpr int64_t kNone = INT64_MIN;  // no row processed yet

  struct Entry {
    int64_t ts;
    uint32_t row;  // index in buffer_
  };
  struct KeyState {
    std::vector<Entry> pending;  // not yet processed, arrival order
    std::vector<Entry> frame;    // processed rows still in a bounded frame: [frame_head, end)
    size_t frame_head = 0;
    std::byte* acc = nullptr;  // UNBOUNDED: running accumulators
    int64_t last_fired = kNone;
    bool pending_listed = false;  // in pending_keys_
    bool rows_listed = false;     // in row_keys_
  };
  struct Ready {
    int64_t ts;
    uint32_t key;
    uint32_t row;
  };
  explicit OverAggregateState(const OverAggregateOperator* op);
  void Clear();
  KeyState& Key(uint32_t key);
  void ListPending(uint32_t key);
  void ListRows(uint32_t key);

  const OverAggregateOperator* op_;     // outlives the state
  std::vector<KeyState> keys_;          // indexed by key id
  std::vector<uint32_t> pending_keys_;  // keys with pending rows (exactly those flagged)
  std::vector<uint32_t> row_keys_;      // superset of keys referencing buffer rows
  RecordBatchBuilder buffer_;           // buffered input rows
  RecordBatchBuilder spare_;            // compaction target, swapped with buffer_
  size_t dead_rows_ = 0;                // buffer_ rows no key references any more
  size_t pending_rows_ = 0;
  StateArena arena_;
  std::byte* scratch_block_;  // bounded frames recompute into this block
  int64_t watermark_ = INT64_MIN;
  int64_t min_pending_ = INT64_MAX;  // lower bound of pending rows' timestamps
  int64_t next_expiry_check_ = INT64_MIN;
  uint64_t late_records_ = 0;
  // Per-watermark scratch, reused.
  std::vector<Ready> ready_;
  std::vector<uint32_t> emit_rows_;
  std::vector<uint32_t> rows_;
  std::vector<std::byte*> groups_;
  std::vector<uint32_t> remap_;
};

}  // namespace fluxgate::runtime
