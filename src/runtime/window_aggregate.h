// WindowAggregateOperator: GROUP BY key, TUMBLE/HOP/CUMULATE window -> one row per key
// and window when the watermark closes it.
//
// The operator is an immutable definition (assigner, aggregates, allowed lateness); all
// run-time data is in a WindowAggregateState, one per parallel instance, which is what a
// checkpoint captures. Input rows carry a pre-interned key id and an event time in epoch
// ms (TIMESTAMP(3) rowtime); each aggregate reads its own argument column.
//
// Semantics (reference §1-3):
//  - a window fires when the watermark w >= end - 1, emitting RowKind::kInsert;
//  - with allowed lateness L > 0 its state is kept until w >= end - 1 + L; a record for a
//    fired-but-kept window updates it and the window fires again at the next watermark as
//    RowKind::kUpdateAfter (Flink's late-fire with delay 0, which makes output an update
//    stream); with L = 0 output is append-only;
//  - a record none of whose windows is still kept is late: it is returned as a
//    LateRecord with its reason and counted, never silently dropped. For HOP/CUMULATE a
//    record with at least one kept window updates those only.
//  - output rows of one watermark are ordered by (window end, key id).
// Thread-safety: the operator may be shared; a state belongs to one thread at a time.
#pragma once

#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "runtime/agg_layout.h"
#include "runtime/cumulating_window.h"
#include "runtime/hopping_window.h"
#include "runtime/state_arena.h"
#include "runtime/tumbling_window.h"
#include "runtime/window_table.h"

namespace fluxgate::runtime {

using WindowAssigner = std::variant<TumblingAssigner, HoppingAssigner, CumulatingAssigner>;

// One batch of input for a window aggregation.
struct WindowAggInput {
  const uint32_t* key_ids;                        // num_rows pre-interned group keys
  const int64_t* event_time;                      // num_rows epoch ms
  const Column* const* args;                      // one per aggregate; nullptr for COUNT(*)
  const uint64_t* event_time_validity = nullptr;  // optional bitmap: NULL rowtime rows skip
  size_t num_rows;
};

class WindowAggregateState;

class WindowAggregateOperator {
 public:
  // InvalidArgument for a non-positive size/slide/step or HOP/CUMULATE sizes that are not
  // multiples of the slide/step (the window-TVF rule).
  static Result<std::unique_ptr<WindowAggregateOperator>> Make(
      WindowAssigner assigner, std::vector<std::unique_ptr<AggregateFunction>> aggregates,
      int64_t allowed_lateness_ms = 0, std::vector<std::string> output_names = {});

  const std::shared_ptr<const Schema>& output_schema() const { return layout_.output_schema(); }
  const AggregateLayout& layout() const { return layout_; }
  std::unique_ptr<WindowAggregateState> NewState() const;

  // Folds a batch into the state; late records are appended to *late.
  void ProcessBatch(WindowAggregateState& state, const WindowAggInput& input,
                    std::vector<LateRecord>* late) const;
  // Advances the watermark (ignored unless greater than the current one) and appends every
  // window it fires to `out` (schema output_schema()) with its kind in *kinds.
  void OnWatermark(WindowAggregateState& state, int64_t watermark, RecordBatchBuilder& out,
                   std::vector<RowKind>* kinds) const;

  // Checkpoint: version byte, watermark, then every kept window with its states.
  void Snapshot(const WindowAggregateState& state, std::string& out) const;
  // Replaces `state`'s contents; fails on a version or aggregate-shape mismatch.
  Status Restore(WindowAggregateState& state, std::string_view in) const;

 private:
  WindowAggregateOperator(WindowAssigner assigner,
                          std::vector<std::unique_ptr<AggregateFunction>> aggregates,
                          int64_t allowed_lateness_ms, std::vector<std::string> names);
  template <class Assigner>
  void Process(const Assigner& assigner, WindowAggregateState& state, const WindowAggInput& input,
               std::vector<LateRecord>* late) const;
  void Flush(WindowAggregateState& state, const WindowAggInput& input, size_t n) const;

  WindowAssigner assigner_;
  AggregateLayout layout_;
  int64_t allowed_lateness_;
  int max_windows_;
};

class WindowAggregateState {
 public:
  ~WindowAggregateState();
  int64_t watermark() const { return watermark_; }
  size_t open_windows() const { return table_.size(); }
  uint64_t late_records() const { return late_records_; }
  // Bytes of keyed state (table, blocks, heap owned by aggregates).
  size_t MemoryUsage() const;

 private:
  friend class WindowAggregateOperator;
  explicit WindowAggregateState(const WindowAggregateOperator* op);
  void Clear();

  const WindowAggregateOperator* op_;  // outlives the state
  WindowTable table_;
  StateArena arena_;
  int64_t watermark_ = INT64_MIN;
  int64_t min_unfired_end_ = INT64_MAX;  // lower bound of unfired windows' ends
  int64_t min_fired_end_ = INT64_MAX;    // lower bound of fired, kept windows' ends
  bool any_dirty_ = false;
  uint64_t late_records_ = 0;
  // Per-batch scratch, reused: parallel arrays of (group block, input row).
  std::vector<std::byte*> groups_;
  std::vector<uint32_t> rows_;
};

}  // namespace fluxgate::runtime
