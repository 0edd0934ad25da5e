#include "jobs/window_agg_op.h"

#include "jobs/schema_util.h"

namespace fluxgate::jobs {

Result<std::unique_ptr<WindowAggOp>> WindowAggOp::Make(const sql::WindowAggregateNode& node,
                                                       std::shared_ptr<const runtime::Schema> input,
                                                       int64_t allowed_lateness_ms,
                                                       SideOutput* side, std::string name) {
  auto op = std::unique_ptr<WindowAggOp>(new WindowAggOp());
  FG_RETURN_IF_ERROR(op->InitKeyed(node.keys, node.aggregates, input, std::move(name), side));
  op->output_ = ToRuntimeSchema(node.schema);
  op->time_column_ = node.window.time_column;
  std::vector<std::unique_ptr<runtime::AggregateFunction>> fns = std::move(op->aggs_.functions);
  if (node.window.kind == sql::WindowKind::kSession) {
    FG_ASSIGN_OR_RETURN(op->session_, runtime::SessionAggregateOperator::Make(
                                          node.window.gap_ms, std::move(fns), allowed_lateness_ms,
                                          op->aggs_.names));
    op->session_state_ = op->session_->NewState();
    op->fired_ = std::make_unique<runtime::RecordBatchBuilder>(op->session_->output_schema());
  } else {
    FG_ASSIGN_OR_RETURN(op->window_, runtime::WindowAggregateOperator::Make(
                                         MakeAssigner(node.window), std::move(fns),
                                         allowed_lateness_ms, op->aggs_.names));
    op->window_state_ = op->window_->NewState();
    op->fired_ = std::make_unique<runtime::RecordBatchBuilder>(op->window_->output_schema());
  }
  return op;
}

Status WindowAggOp::Push(int, Chunk chunk) {
  const runtime::RecordBatch& batch = chunk.batch;
  const size_t n = batch.num_rows();
  if (n == 0) return Status::Ok();
  FG_RETURN_IF_ERROR(PrepareBatch(chunk));
  const runtime::Column& ts = batch.column(time_column_);
  runtime::WindowAggInput in{ids_.data(), ts.int64_data(), aggs_.arg_columns.data(),
                             ts.NoNulls() ? nullptr : ts.validity(), n};
  late_.clear();
  if (window_) {
    window_->ProcessBatch(*window_state_, in, &late_);
  } else {
    session_->ProcessBatch(*session_state_, in, &late_);
  }
  ReportLate(batch, late_);
  return Status::Ok();
}

Status WindowAggOp::OnWatermark(int64_t watermark) {
  kinds_.clear();
  if (window_) {
    window_->OnWatermark(*window_state_, watermark, *fired_, &kinds_);
  } else {
    session_->OnWatermark(*session_state_, watermark, *fired_, &kinds_);
  }
  if (fired_->num_rows() == 0) return Status::Ok();
  return EmitFired(fired_->Finish(), kinds_);
}

// Runtime output: [key_id BIGINT, window_start, window_end, aggregates...].
Status WindowAggOp::EmitFired(runtime::RecordBatch fired, std::vector<runtime::RowKind>& kinds) {
  const size_t n = fired.num_rows();
  const size_t num_keys = keys_.types.size();
  std::vector<runtime::Column> columns = interner_->KeyColumns(fired.column(0));
  columns.push_back(fired.column(1));  // window_start
  columns.push_back(fired.column(2));  // window_end
  runtime::Column window_time(output_->field(num_keys + 2).type);
  const runtime::Column& end = fired.column(2);
  for (size_t r = 0; r < n; ++r) window_time.AppendInt64(end.Int64(r) - 1);
  columns.push_back(std::move(window_time));
  for (size_t c = 3; c < fired.num_columns(); ++c) columns.push_back(fired.column(c));
  Chunk out;
  out.batch = runtime::RecordBatch::FromColumns(output_, std::move(columns), n);
  bool all_insert = true;
  for (runtime::RowKind k : kinds) all_insert &= k == runtime::RowKind::kInsert;
  if (!all_insert) out.kinds = kinds;
  fired_->Recycle(std::move(fired));
  return Emit(std::move(out));
}

Status WindowAggOp::Snapshot(uint64_t, std::string& out) {
  std::string state;
  if (window_) {
    window_->Snapshot(*window_state_, state);
  } else {
    session_->Snapshot(*session_state_, state);
  }
  SnapshotKeyed(state, out);
  return Status::Ok();
}

Status WindowAggOp::Restore(std::string_view in) {
  FG_ASSIGN_OR_RETURN(std::string_view state, RestoreKeys(in));
  if (window_) return window_->Restore(*window_state_, state);
  return session_->Restore(*session_state_, state);
}

size_t WindowAggOp::StateMemory() const {
  return window_ ? window_state_->MemoryUsage() : session_state_->MemoryUsage();
}

}  // namespace fluxgate::jobs
