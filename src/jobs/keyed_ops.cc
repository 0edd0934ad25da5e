// GROUP BY without a window and event-time OVER aggregations as keyed job operators: they
// evaluate keys and aggregate arguments per batch, intern keys into dense ids, and drive
// the runtime's GroupAggregateOperator / OverAggregateOperator (semantics in their
// headers and docs/design/runtime.md), turning key ids back into key columns on output.
#include "jobs/keyed_operator.h"
#include "jobs/make_operator.h"
#include "runtime/group_aggregate.h"
#include "runtime/over_aggregate.h"

namespace fluxgate::jobs {

namespace {

using runtime::Column;
using runtime::RowKind;

// ---- GROUP BY: [keys..., aggregates...] as a changelog -----------------------------

class GroupAggregateOp final : public KeyedOperator {
 public:
  Status Init(const PhysicalNode& node, SideOutput* side) {
    const auto& plan = node.plan->As<sql::AggregateNode>();
    output_ = node.schema;
    FG_RETURN_IF_ERROR(InitKeyed(plan.keys, plan.aggregates, node.input_schema, node.label, side));
    FG_ASSIGN_OR_RETURN(
        op_, runtime::GroupAggregateOperator::Make(std::move(aggs_.functions), aggs_.names));
    state_ = op_->NewState();
    fired_ = std::make_unique<runtime::RecordBatchBuilder>(op_->output_schema());
    return Status::Ok();
  }

  Status Push(int, Chunk chunk) override {
    const runtime::RecordBatch& batch = chunk.batch;
    const size_t n = batch.num_rows();
    if (n == 0) return Status::Ok();
    if (!chunk.kinds.empty()) {
      for (size_t r = 0; r < n; ++r) {
        if (chunk.kind(r) != RowKind::kInsert) {
          return Status::InvalidArgument(
              "GROUP BY over an updating input (an aggregate of an aggregate) is not supported");
        }
      }
    }
    FG_RETURN_IF_ERROR(PrepareBatch(chunk));
    kinds_.clear();
    op_->ProcessBatch(*state_, runtime::GroupAggInput{ids_.data(), aggs_.arg_columns.data(), n},
                      *fired_, &kinds_);
    if (fired_->num_rows() == 0) return Status::Ok();
    // Runtime output: [key_id, aggregates...].
    runtime::RecordBatch fired = fired_->Finish();
    std::vector<Column> columns = interner_->KeyColumns(fired.column(0));
    for (size_t c = 1; c < fired.num_columns(); ++c) columns.push_back(fired.column(c));
    Chunk out;
    out.batch = runtime::RecordBatch::FromColumns(output_, std::move(columns), fired.num_rows());
    out.kinds = kinds_;
    fired_->Recycle(std::move(fired));
    return Emit(std::move(out));
  }

  Status Snapshot(uint64_t, std::string& out) override {
    std::string state;
    op_->Snapshot(*state_, state);
    SnapshotKeyed(state, out);
    return Status::Ok();
  }

  Status Restore(std::string_view in) override {
    FG_ASSIGN_OR_RETURN(std::string_view state, RestoreKeys(in));
    return op_->Restore(*state_, state);
  }

  size_t StateMemory() const override { return state_->MemoryUsage(); }

 private:
  std::shared_ptr<const runtime::Schema> output_;
  std::unique_ptr<runtime::GroupAggregateOperator> op_;
  std::unique_ptr<runtime::GroupAggregateState> state_;
  std::unique_ptr<runtime::RecordBatchBuilder> fired_;
  std::vector<RowKind> kinds_;
};

// ---- OVER: input columns + one column per aggregate ----------------------------------
//
// The runtime operator reads each aggregate's argument from a column of its input, so a
// batch is extended with the evaluated arguments (FILTER and expressions included) and
// those extra columns are dropped again from its output.

class OverAggregateOp final : public KeyedOperator {
 public:
  Status Init(const PhysicalNode& node, SideOutput* side) {
    const auto& plan = node.plan->As<sql::OverAggregateNode>();
    FG_RETURN_IF_ERROR(
        InitKeyed(plan.partition_by, plan.aggregates, node.input_schema, node.label, side));
    output_ = node.schema;
    time_column_ = plan.order_column;
    std::vector<runtime::Field> fields = input_->fields();
    std::vector<int> arg_columns;
    for (size_t a = 0; a < aggs_.args.size(); ++a) {
      const int passthrough = aggs_.passthrough[a];
      if (!aggs_.args[a] && passthrough < 0) {
        arg_columns.push_back(-1);  // COUNT(*)
        continue;
      }
      arg_columns.push_back(static_cast<int>(fields.size()));
      fields.push_back({"$arg" + std::to_string(a), passthrough >= 0
                                                        ? input_->field(passthrough).type
                                                        : aggs_.args[a]->type()});
    }
    extended_ = std::make_shared<const runtime::Schema>(std::move(fields));
    runtime::OverFrameSpec frame;
    frame.rows = plan.frame.rows;
    frame.unbounded = plan.frame.unbounded;
    frame.preceding = plan.frame.preceding;
    FG_ASSIGN_OR_RETURN(
        op_, runtime::OverAggregateOperator::Make(extended_, frame, std::move(aggs_.functions),
                                                  arg_columns, aggs_.names));
    state_ = op_->NewState();
    fired_ = std::make_unique<runtime::RecordBatchBuilder>(op_->output_schema());
    return Status::Ok();
  }

  Status Push(int, Chunk chunk) override {
    const runtime::RecordBatch& batch = chunk.batch;
    const size_t n = batch.num_rows();
    if (n == 0) return Status::Ok();
    FG_RETURN_IF_ERROR(PrepareBatch(chunk));
    std::vector<Column> columns;
    columns.reserve(extended_->size());
    for (size_t c = 0; c < batch.num_columns(); ++c) columns.push_back(batch.column(c));
    for (const Column* arg : aggs_.arg_columns) {
      if (arg) columns.push_back(*arg);
    }
    runtime::RecordBatch ext = runtime::RecordBatch::FromColumns(extended_, std::move(columns), n);
    const Column& ts = batch.column(time_column_);
    late_.clear();
    op_->ProcessBatch(*state_, ext, ids_.data(), ts.int64_data(), &late_,
                      ts.NoNulls() ? nullptr : ts.validity());
    ReportLate(batch, late_);
    return Status::Ok();
  }

  Status OnWatermark(int64_t watermark) override {
    op_->OnWatermark(*state_, watermark, *fired_);
    if (fired_->num_rows() == 0) return Status::Ok();
    runtime::RecordBatch fired = fired_->Finish();
    // [input..., $args..., aggregates...] -> [input..., aggregates...]
    std::vector<Column> columns;
    const size_t in_cols = input_->size();
    const size_t args = extended_->size() - in_cols;
    for (size_t c = 0; c < fired.num_columns(); ++c) {
      if (c >= in_cols && c < in_cols + args) continue;
      columns.push_back(fired.column(c));
    }
    Chunk out;
    out.batch = runtime::RecordBatch::FromColumns(output_, std::move(columns), fired.num_rows());
    fired_->Recycle(std::move(fired));
    return Emit(std::move(out));
  }

  Status Snapshot(uint64_t, std::string& out) override {
    std::string state;
    op_->Snapshot(*state_, state);
    SnapshotKeyed(state, out);
    return Status::Ok();
  }

  Status Restore(std::string_view in) override {
    FG_ASSIGN_OR_RETURN(std::string_view state, RestoreKeys(in));
    return op_->Restore(*state_, state);
  }

  size_t StateMemory() const override { return state_->MemoryUsage(); }

 private:
  std::shared_ptr<const runtime::Schema> output_, extended_;
  int time_column_ = -1;
  std::unique_ptr<runtime::OverAggregateOperator> op_;
  std::unique_ptr<runtime::OverAggregateState> state_;
  std::unique_ptr<runtime::RecordBatchBuilder> fired_;
  std::vector<runtime::OverLateRecord> late_;
};

}  // namespace

Result<std::unique_ptr<Operator>> MakeGroupAggregateOp(const PhysicalNode& node,
                                                       const OperatorEnv& env) {
  auto op = std::make_unique<GroupAggregateOp>();
  FG_RETURN_IF_ERROR(op->Init(node, env.side));
  return std::unique_ptr<Operator>(std::move(op));
}

Result<std::unique_ptr<Operator>> MakeOverAggregateOp(const PhysicalNode& node,
                                                      const OperatorEnv& env) {
  auto op = std::make_unique<OverAggregateOp>();
  FG_RETURN_IF_ERROR(op->Init(node, env.side));
  return std::unique_ptr<Operator>(std::move(op));
}

}  // namespace fluxgate::jobs
