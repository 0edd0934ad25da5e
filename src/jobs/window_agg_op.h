// WindowAggOp: the plan's WindowAggregate (TUMBLE / HOP / CUMULATE / SESSION, window TVF or
// legacy GROUP BY window) as a keyed operator instance: evaluates the group keys and
// aggregate arguments per batch, interns keys into dense ids for the runtime window
// operators, and turns fired windows back into the plan's output row
//   [keys..., window_start, window_end, window_time, aggregates...].
// Late records go to the job's SideOutput with their reason. One instance per stage
// partition; single-threaded.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "jobs/keyed_operator.h"
#include "runtime/session_aggregate.h"
#include "runtime/window_aggregate.h"

namespace fluxgate::jobs {

class WindowAggOp final : public KeyedOperator {
 public:
  // `side` must outlive the operator.
  static Result<std::unique_ptr<WindowAggOp>> Make(const sql::WindowAggregateNode& node,
                                                   std::shared_ptr<const runtime::Schema> input,
                                                   int64_t allowed_lateness_ms, SideOutput* side,
                                                   std::string name);
  Status Push(int port, Chunk chunk) override;
  Status OnWatermark(int64_t watermark) override;
  Status Snapshot(uint64_t checkpoint_id, std::string& out) override;
  Status Restore(std::string_view in) override;

 private:
  WindowAggOp() = default;
  Status EmitFired(runtime::RecordBatch fired, std::vector<runtime::RowKind>& kinds);
  size_t StateMemory() const override;

  int time_column_ = -1;
  std::shared_ptr<const runtime::Schema> output_;
  // Exactly one of the two pairs is set.
  std::unique_ptr<runtime::WindowAggregateOperator> window_;
  std::unique_ptr<runtime::WindowAggregateState> window_state_;
  std::unique_ptr<runtime::SessionAggregateOperator> session_;
  std::unique_ptr<runtime::SessionAggregateState> session_state_;
  std::unique_ptr<runtime::RecordBatchBuilder> fired_;
  std::vector<runtime::LateRecord> late_;
  std::vector<runtime::RowKind> kinds_;
};

}  // namespace fluxgate::jobs
