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
  kTime,      // sub: ExprTimeFn; a = time unit (ExprTimeUnit) where the function takes one
  kJson,      // JSON_VALUE; state: JsonPathState
  kRegex,     // sub: ExprRegexFn; state: RegexState
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
enum ExprStrFn : int {
  kUpper,
  kLower,
  kTrim,
  kLTrim,
  kRTrim,
  kCharLength,
  kSubstring,
  kConcat,
  // expr_kernels_string.cc
  kInitCap,
  kReverse,
  kLeft,
  kRight,
  kRepeat,
  kLPad,
  kRPad,
  kReplace,
  kConcatWs,
  kLocate,  // LOCATE(needle, haystack)
  kInstr,   // INSTR(haystack, needle)
  kSplitIndex,
  kMd5,
  kToBase64,
  kUuid,
  kJsonQuote,
};
enum ExprMathFn : int {
  kAbs,
  kNegate,
  kFloor,
  kCeil,
  kRound,
  kSqrt,
  kPower,
  // expr_kernels_math.cc
  kSign,
  kTruncate,  // factor = digits
  kExp,
  kLn,
  kLog10,
  kLog2,
  kLogBase,  // LOG(base, x)
  kSin,
  kCos,
  kTan,
  kRand,  // state: RandState
  kGreatest,
  kLeast,
};
// expr_time.cc
enum ExprTimeFn : int {
  kExtract,           // in: value (TIMESTAMP / INTERVAL)
  kTimestampDiff,     // in: a, b
  kTimestampAdd,      // in: n, ts
  kToTimestamp,       // in: text[, format]; result TIMESTAMP(3) / TIMESTAMP_LTZ(3)
  kToTimestampLtz,    // in: epoch (BIGINT or DOUBLE); factor = units per second of the input
  kDateFormat,        // in: ts (TIMESTAMP or STRING), format
  kUnixTimestampNow,  // no input
  kUnixTimestamp,     // in: text[, format]
  kFromUnixtime,      // in: seconds (BIGINT or DOUBLE)[, format]
  kNow,               // no input; result any TIMESTAMP type
  kCurrentDate,       // no input
  kCurrentWatermark,  // in: rowtime (only its type matters)
};
enum ExprTimeUnit : int {
  kUnitYear,
  kUnitQuarter,
  kUnitMonth,
  kUnitWeek,
  kUnitDay,
  kUnitHour,
  kUnitMinute,
  kUnitSecond,
  kUnitMillisecond,
  kUnitMicrosecond,
  kUnitNanosecond,
  kUnitDow,
  kUnitDoy,
  kUnitEpoch,
};
// expr_regex.cc
enum ExprRegexFn : int { kRegexpMatch, kRegexpReplace, kRegexpExtract };

// Per-instruction compiled state (a parsed date pattern, a compiled regex, a JSON path,
// a random generator). Kernels downcast to the concrete type their opcode implies; the
// dispatch is once per batch, never per row.
struct ExprState {
  virtual ~ExprState() = default;
};

// What a kernel may read besides its operands, fixed for one Evaluate() call.
struct ExprEnv {
  std::string& buf;                    // scratch for building one string value
  int64_t now_ms = 0;                  // the clock, read once per batch
  const int64_t* watermark = nullptr;  // CompileOptions::watermark
};

struct ExprInstr {
  ExprOp op = ExprOp::kConst;
  int sub = 0;
  int out = -1;
  std::vector<int> in;
  int guard = -1;  // a BOOLEAN register (no NULLs): run-time errors only count where set
  int a = 0, b = 0, c = 0;
  int64_t factor = 1;
  std::unique_ptr<Column> constant;  // kConst
  std::unique_ptr<ExprState> state;  // kTime / kJson / kRegex / some kString and kMath
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
size_t RunStringKernel2(const ExprInstr& ins, const std::vector<const Column*>& regs, Column& out,
                        size_t n, const uint8_t* guard, std::string& buf);
size_t RunMathKernel2(const ExprInstr& ins, const std::vector<const Column*>& regs, Column& out,
                      size_t n, const uint8_t* guard);
size_t RunTimeKernel(const ExprInstr& ins, const std::vector<const Column*>& regs, Column& out,
                     size_t n, const uint8_t* guard, ExprEnv& env);
size_t RunJsonKernel(const ExprInstr& ins, const std::vector<const Column*>& regs, Column& out,
                     size_t n, const uint8_t* guard, std::string& buf);
size_t RunRegexKernel(const ExprInstr& ins, const std::vector<const Column*>& regs, Column& out,
                      size_t n, const uint8_t* guard, std::string& buf);

// Compile-time state builders (nullptr state + message on a bad constant argument).
// RAND([seed]): a java.util.Random seeded with `seed`, or from the OS when !has_seed.
std::unique_ptr<ExprState> MakeRandState(bool has_seed, int64_t seed);
// UUID(): a per-program random generator.
std::unique_ptr<ExprState> MakeUuidState();
// JSON_VALUE path ('$.a.b', '$.a[0]', '$["k"]'); *error set when malformed.
std::unique_ptr<ExprState> MakeJsonPathState(std::string_view path, std::string* error);
// A regex; `pattern` may be absent (non-constant: compiled per row, one-entry cache).
std::unique_ptr<ExprState> MakeRegexState(const std::string* pattern, std::string* error);
// A date pattern for DATE_FORMAT / TO_TIMESTAMP / UNIX_TIMESTAMP / FROM_UNIXTIME; absent
// pattern = default of the function (per-row patterns are compiled with a cache).
// java_time: DateTimeFormatter letters (DATE_FORMAT, TO_TIMESTAMP) vs SimpleDateFormat
// (UNIX_TIMESTAMP, FROM_UNIXTIME).
std::unique_ptr<ExprState> MakeDatePatternState(const std::string* pattern, bool java_time,
                                                std::string* error);
// Maps "YEAR", "DOW", ... to ExprTimeUnit; -1 if unknown.
int TimeUnitFromName(std::string_view name);

// 1 match, 0 no match, -1 malformed pattern (escape not followed by %, _ or itself).
int LikeMatch(std::string_view s, std::string_view p, int escape);
// UTF-8: bytes of the sequence a lead byte starts (1 for an invalid one), code points in
// `s`, and the byte offset of code point `cp` (clamped to the end).
size_t Utf8Len(unsigned char lead);
size_t CodePoints(std::string_view s);
size_t ByteOffset(std::string_view s, int64_t cp);
// Java's Double.toString: "22.5", "100.0", "1.0E7", "1.0E-4".
void AppendJavaDouble(double v, std::string& out);
// The same text written at `dst` (room for kMaxJavaDoubleText bytes); returns its length.
inline constexpr size_t kMaxJavaDoubleText = 40;
size_t WriteJavaDouble(double v, char* dst);

}  // namespace fluxgate::runtime
