#include "jobs/stateless_ops.h"

#include "jobs/schema_util.h"

namespace fluxgate::jobs {

Result<std::unique_ptr<FilterOp>> FilterOp::Make(const sql::BoundExpr& predicate,
                                                 const runtime::Schema& input,
                                                 const runtime::Clock* clock) {
  auto op = std::unique_ptr<FilterOp>(new FilterOp());
  runtime::CompileOptions options{clock, &op->watermark_};
  FG_ASSIGN_OR_RETURN(op->program_, runtime::ExprProgram::Compile(predicate, input, options));
  return op;
}

Status FilterOp::Push(int, Chunk chunk) {
  if (chunk.num_rows() == 0) return Status::Ok();
  FG_RETURN_IF_ERROR(program_->Filter(chunk.batch, &selection_));
  if (selection_.empty()) return Status::Ok();
  if (selection_.size() == chunk.num_rows()) return Emit(std::move(chunk));
  return Emit(SelectRows(chunk, selection_));
}

Result<std::unique_ptr<ProjectOp>> ProjectOp::Make(const std::vector<sql::BoundExprPtr>& exprs,
                                                   const runtime::Schema& input,
                                                   std::shared_ptr<const runtime::Schema> output,
                                                   const runtime::Clock* clock) {
  auto op = std::unique_ptr<ProjectOp>(new ProjectOp());
  runtime::CompileOptions options{clock, &op->watermark_};
  op->output_ = std::move(output);
  for (const auto& e : exprs) {
    if (e->kind == sql::BoundExprKind::kColumn && input.field(e->column).type == e->type) {
      op->passthrough_.push_back(e->column);
      op->programs_.push_back(nullptr);
      continue;
    }
    op->passthrough_.push_back(-1);
    FG_ASSIGN_OR_RETURN(auto program, runtime::ExprProgram::Compile(*e, input, options));
    op->programs_.push_back(std::move(program));
  }
  op->last_use_.assign(exprs.size(), false);
  for (size_t i = 0; i < exprs.size(); ++i) {
    const int src = op->passthrough_[i];
    if (src < 0) continue;
    bool later = false;
    for (size_t j = i + 1; j < exprs.size(); ++j) later |= op->passthrough_[j] == src;
    op->last_use_[i] = !later;
  }
  return op;
}

Result<runtime::RecordBatch> ProjectOp::Apply(runtime::RecordBatch&& in) {
  // Computed columns first, while every input column is still in place (each program keeps
  // its result until its next Evaluate); then the output in order, passed-through columns
  // moved out of the input on their last use instead of copied.
  computed_.assign(programs_.size(), nullptr);
  for (size_t i = 0; i < programs_.size(); ++i) {
    if (passthrough_[i] >= 0) continue;
    FG_ASSIGN_OR_RETURN(computed_[i], programs_[i]->Evaluate(in));
  }
  std::vector<runtime::Column> columns;
  columns.reserve(programs_.size());
  for (size_t i = 0; i < programs_.size(); ++i) {
    const int src = passthrough_[i];
    if (src < 0) {
      columns.push_back(*computed_[i]);
    } else if (last_use_[i]) {
      columns.push_back(std::move(in.mutable_column(src)));
    } else {
      columns.push_back(in.column(src));
    }
  }
  return runtime::RecordBatch::FromColumns(output_, std::move(columns), in.num_rows());
}

Status ProjectOp::Push(int, Chunk chunk) {
  if (chunk.num_rows() == 0) return Status::Ok();
  FG_ASSIGN_OR_RETURN(runtime::RecordBatch out, Apply(std::move(chunk.batch)));
  chunk.batch = std::move(out);
  return Emit(std::move(chunk));
}

WindowAssignOp::WindowAssignOp(const sql::WindowDef& window,
                               std::shared_ptr<const runtime::Schema> output)
    : window_(window), output_(std::move(output)) {}

Status WindowAssignOp::Push(int, Chunk chunk) {
  const size_t n = chunk.num_rows();
  if (n == 0) return Status::Ok();
  const runtime::Column& ts = chunk.batch.column(window_.time_column);
  runtime::WindowAssigner assigner = MakeAssigner(window_);
  selection_.clear();
  windows_.clear();
  runtime::Window buf[256];
  for (size_t r = 0; r < n; ++r) {
    if (ts.IsNull(r)) continue;  // a row without a time belongs to no window
    int k = std::visit([&](const auto& a) { return a.Assign(ts.Int64(r), buf); }, assigner);
    for (int i = 0; i < k; ++i) {
      selection_.push_back(static_cast<uint32_t>(r));
      windows_.push_back(buf[i]);
    }
  }
  Chunk out = selection_.size() == n ? std::move(chunk) : SelectRows(chunk, selection_);
  std::vector<runtime::Column> columns;
  for (size_t c = 0; c < out.batch.num_columns(); ++c) columns.push_back(out.batch.column(c));
  const size_t base = columns.size();
  for (int k = 0; k < 3; ++k) columns.emplace_back(output_->field(base + k).type);
  for (const runtime::Window& w : windows_) {
    columns[base].AppendInt64(w.start);
    columns[base + 1].AppendInt64(w.end);
    columns[base + 2].AppendInt64(w.max_timestamp());
  }
  out.batch = runtime::RecordBatch::FromColumns(output_, std::move(columns), windows_.size());
  return Emit(std::move(out));
}

}  // namespace fluxgate::jobs
