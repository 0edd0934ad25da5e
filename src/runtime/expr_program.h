// ExprProgram: a bound scalar expression (sql::BoundExpr over an input schema) compiled into
// a flat list of typed, vectorised kernels, evaluated one RecordBatch at a time.
//
//   FG_ASSIGN_OR_RETURN(auto program, ExprProgram::Compile(*expr, *input_schema));
//   FG_ASSIGN_OR_RETURN(const Column* out, program->Evaluate(batch));   // per batch
//
// Compile() walks the tree once: every node becomes one instruction (opcode + typed
// operand registers) writing a scratch Column. Evaluate() runs each instruction as one loop
// over the batch's rows; the scratch columns keep their capacity across batches, so a warm
// program allocates nothing per row. Every scalar function of sql/function_registry.cc
// has a kernel (expr_kernels_*.cc, expr_time.cc, expr_json.cc, expr_regex.cc); anything
// the compiler does not support (an unsupported CAST, a JSON path, ROUND digits or
// TO_TIMESTAMP_LTZ precision that is not a constant, an invalid constant date pattern or
// regex) fails Compile() with a Status naming it, never a wrong result at run time.
//
// Run-time errors (integer/DECIMAL division by zero, CAST of malformed text) fail the whole
// batch with InvalidArgument naming the expression and the row. Branches not taken by
// CASE / COALESCE / AND / OR are "guarded": an error in a row that the branch does not
// decide is not raised (Flink evaluates these lazily).
//
// Time: CURRENT_TIMESTAMP, NOW(), LOCALTIMESTAMP, PROCTIME(), CURRENT_ROW_TIMESTAMP(),
// CURRENT_DATE and UNIX_TIMESTAMP() read CompileOptions::clock once per Evaluate() call, so
// every row of a batch sees the same instant. CURRENT_WATERMARK(rowtime) reads
// *CompileOptions::watermark at each Evaluate(). The session time zone is UTC.
//
// A program holds mutable scratch state: one instance per operator instance / thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "runtime/column.h"
#include "runtime/record_batch.h"
#include "runtime/schema.h"
#include "sql/bound_expr.h"

namespace fluxgate::runtime {

class Clock;
struct ExprInstr;

struct CompileOptions {
  // The processing-time clock; nullptr = the system clock. Must outlive the program.
  const Clock* clock = nullptr;
  // The operator's current watermark in epoch milliseconds, updated by the operator
  // between Evaluate() calls (from the same thread); nullptr or INT64_MIN = none yet, and
  // CURRENT_WATERMARK gives NULL. Must outlive the program.
  const int64_t* watermark = nullptr;
};

class ExprProgram {
 public:
  ~ExprProgram();
  ExprProgram(const ExprProgram&) = delete;
  ExprProgram& operator=(const ExprProgram&) = delete;

  // `expr` is only read during the call.
  static Result<std::unique_ptr<ExprProgram>> Compile(const sql::BoundExpr& expr,
                                                      const Schema& input,
                                                      const CompileOptions& options = {});

  // The result type (the expression's type; NULL-typed expressions yield BOOLEAN NULLs).
  const sql::DataType& type() const;

  // Evaluates over `batch` (whose schema must match the compiled one). The returned column
  // has batch.num_rows() rows; it belongs to the program and is valid until the next call.
  Result<const Column*> Evaluate(const RecordBatch& batch);

  // For a BOOLEAN expression: the rows where it is TRUE (NULL and FALSE drop), ascending.
  Status Filter(const RecordBatch& batch, std::vector<uint32_t>* selection);

  size_t num_instructions() const { return instrs_.size(); }

 private:
  friend class ExprCompiler;
  ExprProgram() = default;

  std::vector<std::unique_ptr<ExprInstr>> instrs_;
  // Registers: < 0 not used; [0, num_inputs_) are the batch's columns, the rest scratch_.
  size_t num_inputs_ = 0;
  std::vector<std::unique_ptr<Column>> scratch_;
  std::vector<const Column*> regs_;  // resolved per batch
  int result_ = -1;
  sql::DataType type_;
  std::string buf_;  // string kernels build a value here before appending it
  CompileOptions options_;
  bool uses_clock_ = false;  // some instruction reads the clock (read once per batch)
};

// Copies the rows `selection` of `in` into a new batch (same schema). Uses `builder`'s
// recycled buffers, so steady-state compaction does not allocate per row.
RecordBatch CompactBatch(const RecordBatch& in, const std::vector<uint32_t>& selection,
                         RecordBatchBuilder* builder);

// Appends row `row` of `src` (NULL or value) to `dst`, which has the same physical type.
void AppendValueFrom(const Column& src, size_t row, Column& dst);

}  // namespace fluxgate::runtime
