// Internal to the expression evaluator: the compiler from sql::BoundExpr to ExprInstr
// lists (expr_program.cc for the core, expr_compile_functions.cc for the registry
// functions). Not a public interface; used only inside ExprProgram::Compile().
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "runtime/expr_kernels.h"
#include "runtime/expr_program.h"

namespace fluxgate::runtime {

using sql::BoundExpr;
using sql::BoundExprKind;
using sql::DataType;
using sql::TypeKind;

class ExprCompiler {
 public:
  ExprCompiler(ExprProgram* p, const Schema& schema) : p_(p), schema_(schema) {
    p_->num_inputs_ = schema.size();
    for (const Field& f : schema.fields()) types_.push_back(f.type);
  }

  Result<int> Compile(const BoundExpr& e, int guard);

 private:
  // A NULL-typed register keeps kNull in types_ (so CASTs from it know every row is NULL)
  // but is stored as a BOOLEAN column.
  int NewReg(const DataType& t) {
    p_->scratch_.push_back(
        std::make_unique<Column>(t.kind == TypeKind::kNull ? DataType::Boolean() : t));
    types_.push_back(t);
    return static_cast<int>(types_.size()) - 1;
  }
  ExprInstr& Emit(ExprOp op, int sub, DataType out_type, std::vector<int> in, int guard,
                  const BoundExpr& e) {
    auto ins = std::make_unique<ExprInstr>();
    ins->op = op;
    ins->sub = sub;
    ins->out = NewReg(out_type);
    ins->in = std::move(in);
    ins->guard = guard;
    ins->where = sql::ToString(e);
    p_->instrs_.push_back(std::move(ins));
    return *p_->instrs_.back();
  }
  int Out() const { return p_->instrs_.back()->out; }
  const DataType& TypeOf(int reg) const { return types_[reg]; }

  Status Unsupported(const BoundExpr& e, const std::string& what) {
    return Status::InvalidArgument("expression evaluator: " + what + " is not supported yet (in '" +
                                   sql::ToString(e) + "' at line " + std::to_string(e.pos.line) +
                                   ", column " + std::to_string(e.pos.column) + ")");
  }

  Result<int> Literal(const BoundExpr& e);
  Result<int> Cast(int reg, const DataType& to, bool try_cast, int guard, const BoundExpr& e);
  Result<int> CompileAs(const BoundExpr& e, const DataType& to, int guard) {
    FG_ASSIGN_OR_RETURN(int r, Compile(e, guard));
    return Cast(r, to, false, guard, e);
  }
  Result<int> Call(const BoundExpr& e, int guard);
  // The registry functions beyond the core set, EXTRACT, TIMESTAMPDIFF / TIMESTAMPADD and
  // JSON_VALUE (expr_compile_functions.cc).
  Result<int> MoreFunctions(const BoundExpr& e, int guard);
  Result<int> TimeFunction(const BoundExpr& e, int guard);
  // A constant register holding NULL of type `t`.
  int NullConst(const DataType& t, const BoundExpr& e);
  // A constant register holding `text` as a STRING.
  int StringConst(std::string_view text, const BoundExpr& e);
  Result<int> Comparison(int sub, int a, int b, const BoundExpr& e, int guard);
  Result<int> Arithmetic(char op, const BoundExpr& e, int guard);
  int GuardReg(int sub, int outer, int cond, const BoundExpr& e) {
    Emit(ExprOp::kGuard, sub, DataType::Boolean(), {outer, cond}, -1, e);
    return Out();
  }

  friend class ExprProgram;
  ExprProgram* p_;
  const Schema& schema_;
  std::vector<DataType> types_;  // per register
};

}  // namespace fluxgate::runtime
