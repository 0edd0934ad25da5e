// SessionAggregateOperator: GROUP BY key, SESSION(ts, gap) -> one row per session.
//
// Each record opens [ts, ts + gap); windows of one key that overlap or touch merge
// (TimeWindow.intersects: rows exactly `gap` apart share a session), merging their
// aggregate states. window_start = first ts, window_end = last ts + gap. A session fires
// when the watermark >= end - 1. Lateness follows Flink's MergingWindowSet: a record is
// late only if its own window merges with nothing kept and is itself past
// end - 1 + allowed lateness; a record that extends a kept session is accepted. A fired
// session kept for allowed lateness that is extended or merged fires again as
// RowKind::kUpdateAfter. Keys are dense pre-interned ids; per key the live sessions are a
// short vector sorted by start. Definition immutable; state single-threaded.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "runtime/agg_layout.h"
#include "runtime/state_arena.h"
#include "runtime/window_aggregate.h"

namespace fluxgate::runtime {

class SessionAggregateState;

class SessionAggregateOperator {
 public:
  static Result<std::unique_ptr<SessionAggregateOperator>> Make(
      int64_t gap_ms, std::vector<std::unique_ptr<AggregateFunction>> aggregates,
      int64_t allowed_lateness_ms = 0, std::vector<std::string> output_names = {});

  const std::shared_ptr<const Schema>& output_schema() const { return layout_.output_schema(); }
  std::unique_ptr<SessionAggregateState> NewState() const;
  void ProcessBatch(SessionAggregateState& state, const WindowAggInput& input,
                    std::vector<LateRecord>* late) const;
  void OnWatermark(SessionAggregateState& state, int64_t watermark, RecordBatchBuilder& out,
                   std::vector<RowKind>* kinds) const;
  void Snapshot(const SessionAggregateState& state, std::string& out) const;
  Status Restore(SessionAggregateState& state, std::string_view in) const;

 private:
  friend class SessionAggregateState;
  SessionAggregateOperator(int64_t gap, std::vector<std::unique_ptr<AggregateFunction>> aggs,
                           int64_t lateness, std::vector<std::string> names)
      : gap_(gap), layout_(std::move(aggs), std::move(names)), allowed_lateness_(lateness) {}
  void Flush(SessionAggregateState& st, const WindowAggInput& in) const;

  int64_t gap_;
  AggregateLayout layout_;
  int64_t allowed_lateness_;
};

class SessionAggregateState {
 public:
  ~SessionAggregateState();
  int64_t watermark() const { return watermark_; }
  size_t open_sessions() const;
  uint64_t late_records() const { return late_records_; }
  size_t MemoryUsage() const;

 private:
  friend class SessionAggregateOperator;
  struct Session {
    int64_t start;
    int64_t end;
    std::byte* block;
    bool fired;
    bool dirty;
  };
  explicit SessionAggregateState(const SessionAggregateOperator* op)
      : op_(op), arena_(op->layout_.block_size()) {}
  void Clear();

  const SessionAggregateOperator* op_;        // outlives the state
  std::vector<std::vector<Session>> by_key_;  // indexed by key id
  StateArena arena_;
  int64_t watermark_ = INT64_MIN;
  int64_t min_unfired_end_ = INT64_MAX;
  int64_t min_fired_end_ = INT64_MAX;  // lower bound of fired, kept windows' ends
  bool any_dirty_ = false;
  uint64_t late_records_ = 0;
  std::vector<std::byte*> groups_;  // pending updates (scratch)
  std::vector<uint32_t> rows_;
};

}  // namespace fluxgate::runtime
