// Turns the plan's aggregate calls (sql::AggregateCall) into runtime aggregate functions
// plus the argument expression each one reads. FILTER (WHERE c) becomes the argument
// CASE WHEN c THEN arg END, since every aggregate skips NULLs (COUNT(*) FILTER counts a
// non-NULL marker instead).
#pragma once

#include <memory>
#include <vector>

#include "common/status.h"
#include "runtime/aggregate.h"
#include "runtime/column.h"
#include "runtime/expr_program.h"
#include "runtime/record_batch.h"
#include "sql/logical_plan.h"

namespace fluxgate::jobs {

struct CompiledAggregates {
  std::vector<std::unique_ptr<runtime::AggregateFunction>> functions;
  std::vector<std::unique_ptr<runtime::ExprProgram>> args;  // nullptr for COUNT(*)
  // Per argument: the input column it reads as is (no program, no copy), or -1.
  std::vector<int> passthrough;
  std::vector<std::string> names;
  std::vector<const runtime::Column*> arg_columns;  // per batch, from Evaluate()

  // Evaluates every argument over `batch` into arg_columns.
  Status Evaluate(const runtime::RecordBatch& batch);
};

Result<CompiledAggregates> CompileAggregates(const std::vector<sql::AggregateCall>& calls,
                                             const runtime::Schema& input);

// Key expressions evaluated per batch into key columns.
struct CompiledKeys {
  std::vector<std::unique_ptr<runtime::ExprProgram>> programs;
  std::vector<int> passthrough;  // input column index, or -1 when a program computes it
  std::vector<const runtime::Column*> columns;
  std::vector<sql::DataType> types;
  Status Evaluate(const runtime::RecordBatch& batch);
};

Result<CompiledKeys> CompileKeys(const std::vector<sql::BoundExprPtr>& keys,
                                 const runtime::Schema& input);

}  // namespace fluxgate::jobs
