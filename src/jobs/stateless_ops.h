// Stateless operators: WHERE / HAVING (Filter), SELECT lists and computed columns
// (Project), window table functions without aggregation (WindowAssign), UNION ALL
// (Union: every port forwards). Each compiles its expressions once per task instance.
#pragma once

#include <memory>
#include <vector>

#include "jobs/operator.h"
#include "runtime/clock.h"
#include "runtime/expr_program.h"
#include "sql/logical_plan.h"

namespace fluxgate::jobs {

class FilterOp final : public Operator {
 public:
  static Result<std::unique_ptr<FilterOp>> Make(const sql::BoundExpr& predicate,
                                                const runtime::Schema& input,
                                                const runtime::Clock* clock);
  Status Push(int port, Chunk chunk) override;
  Status OnWatermark(int64_t watermark) override {
    watermark_ = watermark;
    return Status::Ok();
  }

 private:
  int64_t watermark_ = INT64_MIN;  // CURRENT_WATERMARK reads it
  std::unique_ptr<runtime::ExprProgram> program_;
  std::vector<uint32_t> selection_;
};

class ProjectOp final : public Operator {
 public:
  static Result<std::unique_ptr<ProjectOp>> Make(const std::vector<sql::BoundExprPtr>& exprs,
                                                 const runtime::Schema& input,
                                                 std::shared_ptr<const runtime::Schema> output,
                                                 const runtime::Clock* clock);
  Status Push(int port, Chunk chunk) override;
  Status OnWatermark(int64_t watermark) override {
    watermark_ = watermark;
    return Status::Ok();
  }
  // The projection itself: passed-through columns are taken from `in` (moved on their last
  // use, copied before it), computed ones evaluated.
  Result<runtime::RecordBatch> Apply(runtime::RecordBatch&& in);

 private:
  int64_t watermark_ = INT64_MIN;  // CURRENT_WATERMARK reads it
  std::vector<std::unique_ptr<runtime::ExprProgram>> programs_;
  // Expressions that only read a column are copied without a program.
  std::vector<int> passthrough_;
  std::vector<bool> last_use_;  // passthrough_[i]'s input column is not used after i
  std::vector<const runtime::Column*> computed_;
  std::shared_ptr<const runtime::Schema> output_;
};

// Appends window_start, window_end, window_time to each row; HOP and CUMULATE repeat a
// row once per window it belongs to.
class WindowAssignOp final : public Operator {
 public:
  WindowAssignOp(const sql::WindowDef& window, std::shared_ptr<const runtime::Schema> output);
  Status Push(int port, Chunk chunk) override;

 private:
  sql::WindowDef window_;
  std::shared_ptr<const runtime::Schema> output_;
  std::vector<uint32_t> selection_;
  std::vector<runtime::Window> windows_;
};

class UnionOp final : public Operator {
 public:
  Status Push(int /*port*/, Chunk chunk) override { return Emit(std::move(chunk)); }
};

}  // namespace fluxgate::jobs
