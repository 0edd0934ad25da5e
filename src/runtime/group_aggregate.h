// GroupAggregateOperator: non-windowed GROUP BY key with aggregates -> an updating result
// (Flink's changelog; reference §5: "A non-windowed GROUP BY on a stream produces an
// updating result").
//
// Input rows carry pre-interned dense key ids (the caller interns the GROUP BY tuple) and
// are insert-only; each aggregate reads its own argument column. Output rows are
// `key_id BIGINT NOT NULL, <one column per aggregate>`: the caller joins the key columns
// back by id (as for the window operators) and applies HAVING to the output.
//
// Emission is per batch (Flink's mini-batch), not per record: after folding a batch, every
// key it touched emits, in key id order,
//   +I new            the first time the key is seen, or
//   -U old, +U new    when its aggregate values changed (-U only with emit_update_before);
// a key whose values did not change emits nothing (Flink's GroupAggFunction equaliser,
// with state TTL off). Values are compared exactly (DOUBLE bitwise).
//
// State: one aggregate block per key in a StateArena, indexed by key id; memory is the
// number of distinct keys times the block (plus what COUNT DISTINCT / percentile states
// own), reported by MemoryUsage(). Keys are never expired (no state TTL yet).
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

struct GroupAggInput {
  const uint32_t* key_ids;    // num_rows pre-interned group keys
  const Column* const* args;  // one per aggregate; nullptr for COUNT(*)
  size_t num_rows;
};

class GroupAggregateState;

class GroupAggregateOperator {
 public:
  // emit_update_before = false leaves out -U rows (enough for an upsert sink keyed by the
  // group key, as Flink does when no downstream operator needs them).
  static Result<std::unique_ptr<GroupAggregateOperator>> Make(
      std::vector<std::unique_ptr<AggregateFunction>> aggregates,
      std::vector<std::string> output_names = {}, bool emit_update_before = true);

  // key_id BIGINT NOT NULL, then one column per aggregate.
  const std::shared_ptr<const Schema>& output_schema() const { return output_; }
  std::unique_ptr<GroupAggregateState> NewState() const;

  // Folds the batch and appends the changelog rows of every key it changed to `out`
  // (schema output_schema()), with one kind per row in *kinds.
  void ProcessBatch(GroupAggregateState& state, const GroupAggInput& input, RecordBatchBuilder& out,
                    std::vector<RowKind>* kinds) const;

  // Checkpoint: version, aggregate count, then every key with its aggregate states.
  void Snapshot(const GroupAggregateState& state, std::string& out) const;
  // Replaces `state`'s contents. InvalidArgument for another plan's aggregates, Corruption
  // for a truncated or malformed checkpoint.
  Status Restore(GroupAggregateState& state, std::string_view in) const;

 private:
  friend class GroupAggregateState;
  GroupAggregateOperator(std::vector<std::unique_ptr<AggregateFunction>> aggregates,
                         std::vector<std::string> names, bool emit_update_before);
  void Flush(GroupAggregateState& st, const GroupAggInput& in, size_t n) const;

  AggregateLayout layout_;  // block layout only; its (window) output schema is unused
  std::shared_ptr<const Schema> output_;
  std::shared_ptr<const Schema> values_;  // the aggregate columns alone (scratch rows)
  bool emit_update_before_;
};

class GroupAggregateState {
 public:
  ~GroupAggregateState();
  size_t groups() const { return groups_; }
  // Bytes of state: blocks, per-key index, heap owned by aggregates, scratch.
  size_t MemoryUsage() const;

 private:
  friend class GroupAggregateOperator;
  static constexpr uint32_t kUntouched = UINT32_MAX;
  struct Touched {
    uint32_t key;
    uint32_t before;  // row in before_ holding the values last emitted; kUntouched if new
  };
  explicit GroupAggregateState(const GroupAggregateOperator* op);
  void Clear();
  void Reserve(uint32_t key);

  const GroupAggregateOperator* op_;  // outlives the state
  std::vector<std::byte*> blocks_;    // by key id; nullptr = no state yet
  std::vector<uint32_t> touched_at_;  // by key id: index in touched_, kUntouched between batches
  size_t groups_ = 0;
  StateArena arena_;
  // Per-batch scratch, reused.
  std::vector<Touched> touched_;
  RecordBatchBuilder before_;  // values of touched keys before the batch
  RecordBatchBuilder after_;   // and after it, in touched_ (key id) order
  std::vector<std::byte*> chunk_groups_;
  std::vector<uint32_t> chunk_rows_;
};

}  // namespace fluxgate::runtime
