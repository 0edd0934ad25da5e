// KeyedOperator: what the keyed job operators (window aggregation, GROUP BY, OVER) share.
// Each compiles its key expressions and aggregate arguments over its input, interns every
// batch's keys into dense ids for a runtime operator (taking the encodings a hash exchange
// already computed when the chunk carries them), reports late rows to the job's side
// output, and checkpoints its keys together with the runtime operator's state.
// Single-threaded, like every operator instance.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "jobs/aggregate_calls.h"
#include "jobs/key_interner.h"
#include "jobs/operator.h"
#include "jobs/side_output.h"
#include "runtime/json_encoder.h"

namespace fluxgate::jobs {

class KeyedOperator : public Operator {
 public:
  size_t MemoryUsage() const override { return interner_->MemoryUsage() + StateMemory(); }

 protected:
  // `side` must outlive the operator; `label` names it in late-row reports.
  Status InitKeyed(const std::vector<sql::BoundExprPtr>& keys,
                   const std::vector<sql::AggregateCall>& aggregates,
                   std::shared_ptr<const runtime::Schema> input, std::string label,
                   SideOutput* side);
  // ids_ := the chunk's key ids; aggs_.arg_columns := its aggregate arguments.
  Status PrepareBatch(const Chunk& chunk);
  // Writes each late row of `batch` with its reason (LateRecord or OverLateRecord).
  template <class Late>
  void ReportLate(const runtime::RecordBatch& batch, const std::vector<Late>& late) {
    if (late.empty()) return;
    std::string row;
    for (const Late& lr : late) {
      row.clear();
      late_encoder_->AppendRow(batch, lr.row, row);
      side_->Late(label_, row, lr.Reason());
    }
    counters_.late_records += late.size();
  }
  // Checkpoint framing: the keys, then the runtime operator's state.
  void SnapshotKeyed(std::string_view operator_state, std::string& out) const {
    interner_->SnapshotWith(operator_state, out);
  }
  Result<std::string_view> RestoreKeys(std::string_view in) { return interner_->RestoreWith(in); }
  virtual size_t StateMemory() const = 0;

  std::string label_;
  SideOutput* side_ = nullptr;
  std::shared_ptr<const runtime::Schema> input_;
  CompiledKeys keys_;
  CompiledAggregates aggs_;
  std::unique_ptr<KeyInterner> interner_;
  std::unique_ptr<runtime::JsonRowEncoder> late_encoder_;
  std::vector<uint32_t> ids_;
};

}  // namespace fluxgate::jobs
