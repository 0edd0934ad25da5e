// Internal to the expression evaluator (expr_program.cc, expr_kernels_*.cc): the
// instruction format and the typed per-row access helpers the kernels are built from.
// Not a public interface.
#pragma once

#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "runtime/column.h"

namespace fluxgate::runtime {

enum class ExprOp : uint8_t {
  kConst,        // broadcast `constant` (one row) to every row
  kArithInt,     // sub: + - * / %; a = 1: wrap to 32 bits (INT result)
  kArithDouble,  // sub: + - * / %
  kArithDec,     // sub: + - * / %; a, b, c = scales of lhs, rhs, result
  kTsInterval,   // timestamp +/- interval (ms); sub: + -; factor = units per ms
  kCompare,      // sub: ExprCmp; operands share one representation
  kAnd,
  kOr,
  kNot,
  kIsTest,    // sub: ExprIsTest
  kGuard,     // out = (in[0] < 0 || in[0][i]) && pred(in[1][i]); sub: ExprGuard
  kCase,      // in: cond1, res1, ..., else
  kCoalesce,  // in: args
  kCast,      // sub: from * 16 + to (ExprCat); a = target scale / precision; try_cast in b
  kLike,      // in: value, pattern[, escape]
  kString,    // sub: ExprStrFn
  kMath,      // sub: ExprMathFn
};

enum ExprCmp : int { kEq, kNe, kLt, kLe, kGt, kGe, kDistinct, kNotDistinct };
enum ExprIsTest : int { kIsTrue, kIsNotTrue, kIsFalse, kIsNotFalse, kIsNull, kIsNotNull };
enum ExprGuard : int { kGuardTrue, kGuardNotTrue, kGuardNotFalse, kGuardNull };
// Value categories for CAST.
enum ExprCat : int {
  kCatNull,
  kCatBool,
  kCatInt,
  kCatBigInt,
  kCatDouble,
  kCatDecimal,
  kCatString,
  kCatTimestamp,
  kCatInterval
};
enum ExprStrFn : int { kUpper, kLower, kTrim, kLTrim, kRTrim, kCharLength, kSubstring, kConcat };
enum ExprMathFn : int { kAbs, kNegate, kFloor, kCeil, kRound, kSqrt, kPower };

struct ExprInstr {
  ExprOp op = ExprOp::kConst;
  int sub = 0;
  int out = -1;
  std::vector<int> in;
  int guard = -1;  // a BOOLEAN register (no NULLs): run-time errors only count where set
  int a = 0, b = 0, c = 0;
  int64_t factor = 1;
  std::unique_ptr<Column> constant;  // kConst
  std::string where;                 // the expression, for run-time error messages
};

// Returned by kernels when no row failed.
inline constexpr size_t kNoError = std::numeric_limits<size_t>::max();

// Per-row outcome of a scalar function inside a kernel loop.
enum class Rc : uint8_t { kOk, kNull, kError };

inline void Put(Column& c, bool v) { c.AppendBool(v); }
inline void Put(Column& c, int64_t v) { c.AppendInt64(v); }
inline void Put(Column& c, double v) { c.AppendDouble(v); }
inline void Put(Column& c, int128 v) { c.AppendDecimal(v); }
inline void Put(Column& c, std::string_view v) { c.AppendString(v); }

// out[i] = f(a[i]) with NULL in -> NULL out. Returns the first failing row or kNoError;
// a failure where guard[i] == 0 becomes NULL instead.
template <class A, class R, class F>
size_t UnaryKernel(const Column& a, Column& out, size_t n, const uint8_t* guard, F&& f) {
  for (size_t i = 0; i < n; ++i) {
    if (a.IsNull(i)) {
      out.AppendNull();
      continue;
    }
    R r{};
    Rc rc = f(ColumnValue<A>(a, i), &r);
    if (rc == Rc::kOk) {
      Put(out, r);
    } else if (rc == Rc::kNull || (guard != nullptr && guard[i] == 0)) {
      out.AppendNull();
    } else {
      return i;
    }
  }
  return kNoError;
}

template <class A, class B, class R, class F>
size_t BinaryKernel(const Column& a, const Column& b, Column& out, size_t n, const uint8_t* guard,
                    F&& f) {
  for (size_t i = 0; i < n; ++i) {
    if (a.IsNull(i) || b.IsNull(i)) {
      out.AppendNull();
      continue;
    }
    R r{};
    Rc rc = f(ColumnValue<A>(a, i), ColumnValue<B>(b, i), &r);
    if (rc == Rc::kOk) {
      Put(out, r);
    } else if (rc == Rc::kNull || (guard != nullptr && guard[i] == 0)) {
      out.AppendNull();
    } else {
      return i;
    }
  }
  return kNoError;
}

// Kernel families (expr_kernels_*.cc). `regs` maps register -> column; each returns the
// first failing row or kNoError. `buf` is scratch for building strings.
size_t RunCastKernel(const ExprInstr& ins, const Column& in, Column& out, size_t n,
                     const uint8_t* guard, std::string& buf);
size_t RunStringKernel(const ExprInstr& ins, const std::vector<const Column*>& regs, Column& out,
                       size_t n, const uint8_t* guard, std::string& buf);
size_t RunMathKernel(const ExprInstr& ins, const std::vector<const Column*>& regs, Column& out,
                     size_t n, const uint8_t* guard);
// 1 match, 0 no match, -1 malformed pattern (escape not followed by %, _ or itself).
int LikeMatch(std::string_view s, std::string_view p, int escape);
// Java's Double.toString: "22.5", "100.0", "1.0E7", "1.0E-4".
void AppendJavaDouble(double v, std::string& out);

}  // namespace fluxgate::runtime
