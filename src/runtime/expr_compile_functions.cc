// Compilation of the registry functions beyond the core set (string, math, NULLIF, time,
// JSON_VALUE, regex) into kString / kMath / kTime / kJson / kRegex instructions.
// Constant arguments that shape a kernel (a date pattern, a regex, a JSON path, a time
// unit, ROUND/TRUNCATE digits, a RAND seed) are read here, once.
#include <cmath>

#include "runtime/expr_compiler.h"
#include "sql/bound_expr.h"

namespace fluxgate::runtime {
namespace {

// The literal argument i, or nullptr when it is not a (non-NULL) literal.
const BoundExpr* LiteralArg(const BoundExpr& e, size_t i) {
  if (i >= e.args.size()) return nullptr;
  const BoundExpr& a = *e.args[i];
  return a.IsLiteral() && !a.is_null && a.type.kind != TypeKind::kNull ? &a : nullptr;
}

bool IsNullArg(const BoundExpr& e, size_t i) {
  const BoundExpr& a = *e.args[i];
  return a.type.kind == TypeKind::kNull || (a.IsLiteral() && a.is_null);
}

bool IsIntegral(const DataType& t) {
  return t.kind == TypeKind::kInt || t.kind == TypeKind::kBigInt;
}

}  // namespace

int ExprCompiler::NullConst(const DataType& t, const BoundExpr& e) {
  const DataType type = t.kind == TypeKind::kNull ? DataType::Boolean() : t;
  auto c = std::make_unique<Column>(type);
  c->AppendNull();
  ExprInstr& ins = Emit(ExprOp::kConst, 0, type, {}, -1, e);
  ins.constant = std::move(c);
  return ins.out;
}

int ExprCompiler::StringConst(std::string_view text, const BoundExpr& e) {
  auto c = std::make_unique<Column>(DataType::String());
  c->AppendString(text);
  ExprInstr& ins = Emit(ExprOp::kConst, 0, DataType::String(), {}, -1, e);
  ins.constant = std::move(c);
  return ins.out;
}

Result<int> ExprCompiler::MoreFunctions(const BoundExpr& e, int guard) {
  const std::string& f = e.function;
  const size_t n = e.args.size();
  const DataType rt = e.type;

  static const std::pair<const char*, int> kStr2[] = {
      {"INITCAP", kInitCap}, {"REVERSE", kReverse},    {"LEFT", kLeft},
      {"RIGHT", kRight},     {"REPEAT", kRepeat},      {"LPAD", kLPad},
      {"RPAD", kRPad},       {"REPLACE", kReplace},    {"CONCAT_WS", kConcatWs},
      {"LOCATE", kLocate},   {"INSTR", kInstr},        {"SPLIT_INDEX", kSplitIndex},
      {"MD5", kMd5},         {"TO_BASE64", kToBase64}, {"JSON_QUOTE", kJsonQuote}};
  for (const auto& [name, sub] : kStr2) {
    if (f != name || n == 0) continue;
    std::vector<int> in;
    for (size_t i = 0; i < n; ++i) {
      const bool integer = (i == 1 && (sub == kLeft || sub == kRight || sub == kRepeat ||
                                       sub == kLPad || sub == kRPad)) ||
                           (i == 2 && sub == kSplitIndex);
      FG_ASSIGN_OR_RETURN(
          int r, CompileAs(*e.args[i], integer ? DataType::BigInt() : DataType::String(), guard));
      in.push_back(r);
    }
    Emit(ExprOp::kString, sub, rt.kind == TypeKind::kNull ? DataType::String() : rt, std::move(in),
         guard, e);
    return Out();
  }
  if (f == "UUID" && n == 0) {
    ExprInstr& ins = Emit(ExprOp::kString, kUuid, DataType::String(), {}, -1, e);
    ins.state = MakeUuidState();
    return ins.out;
  }
  if (f == "TYPEOF" && n == 1) return StringConst(e.args[0]->type.ToString(), e);
  if (f == "PI" && n == 0) {
    auto c = std::make_unique<Column>(DataType::Double());
    c->AppendDouble(M_PI);
    ExprInstr& ins = Emit(ExprOp::kConst, 0, DataType::Double(), {}, -1, e);
    ins.constant = std::move(c);
    return ins.out;
  }
  static const std::pair<const char*, int> kDoubleFns[] = {
      {"EXP", kExp}, {"LN", kLn},   {"LOG10", kLog10}, {"LOG2", kLog2},
      {"LOG", kLn},  {"SIN", kSin}, {"COS", kCos},     {"TAN", kTan}};
  for (const auto& [name, sub0] : kDoubleFns) {
    if (f != name || n == 0) continue;
    int sub = sub0;
    if (f == "LOG" && n == 2) sub = kLogBase;  // LOG(base, x)
    std::vector<int> in;
    for (size_t i = 0; i < n; ++i) {
      FG_ASSIGN_OR_RETURN(int r, CompileAs(*e.args[i], DataType::Double(), guard));
      in.push_back(r);
    }
    Emit(ExprOp::kMath, sub, DataType::Double(), std::move(in), guard, e);
    return Out();
  }
  if ((f == "SIGN" || f == "TRUNCATE") && n >= 1) {
    const DataType t = rt.kind == TypeKind::kNull ? DataType::Int() : rt;
    FG_ASSIGN_OR_RETURN(int a, CompileAs(*e.args[0], t, guard));
    int64_t digits = 0;
    if (n == 2) {
      const BoundExpr* d = LiteralArg(e, 1);
      if (d == nullptr) return Unsupported(e, "TRUNCATE with a non-constant number of digits");
      digits = d->int_value;
    }
    ExprInstr& ins = Emit(ExprOp::kMath, f == "SIGN" ? kSign : kTruncate, t, {a}, guard, e);
    ins.a = t.kind == TypeKind::kDecimal ? t.scale : 0;
    ins.factor = digits;
    return ins.out;
  }
  if (f == "RAND" && n <= 1) {
    std::vector<int> in;
    std::unique_ptr<ExprState> state;
    if (n == 1 && IsNullArg(e, 0)) return NullConst(DataType::Double(), e);
    if (n == 0) {
      state = MakeRandState(false, 0);
    } else if (const BoundExpr* seed = LiteralArg(e, 0)) {
      state = MakeRandState(true, seed->int_value);
    } else {
      FG_ASSIGN_OR_RETURN(int s, CompileAs(*e.args[0], DataType::BigInt(), guard));
      in.push_back(s);
    }
    ExprInstr& ins = Emit(ExprOp::kMath, kRand, DataType::Double(), std::move(in), guard, e);
    ins.state = std::move(state);
    return ins.out;
  }
  if ((f == "GREATEST" || f == "LEAST") && n >= 1) {
    const DataType t = rt.kind == TypeKind::kNull ? DataType::Boolean() : rt;
    std::vector<int> in;
    for (size_t i = 0; i < n; ++i) {
      FG_ASSIGN_OR_RETURN(int r, CompileAs(*e.args[i], t, guard));
      in.push_back(r);
    }
    Emit(ExprOp::kMath, f == "GREATEST" ? kGreatest : kLeast, t, std::move(in), guard, e);
    return Out();
  }
  if (f == "NULLIF" && n == 2) {
    // NULLIF(a, b) = CASE WHEN a = b THEN NULL ELSE a END.
    const DataType t = rt.kind == TypeKind::kNull ? DataType::Boolean() : rt;
    FG_ASSIGN_OR_RETURN(int a, CompileAs(*e.args[0], t, guard));
    FG_ASSIGN_OR_RETURN(int b, CompileAs(*e.args[1], t, guard));
    FG_ASSIGN_OR_RETURN(int eq, Comparison(kEq, a, b, e, guard));
    const int null = NullConst(t, e);
    Emit(ExprOp::kCase, 0, t, {eq, null, a}, -1, e);
    return Out();
  }
  if (f == "JSON_VALUE" && n == 2) {
    const BoundExpr* path = LiteralArg(e, 1);
    if (path == nullptr) return Unsupported(e, "JSON_VALUE with a non-constant path");
    std::string error;
    std::unique_ptr<ExprState> state = MakeJsonPathState(path->text, &error);
    if (!state) return Status::InvalidArgument("expression evaluator: " + error);
    FG_ASSIGN_OR_RETURN(int v, CompileAs(*e.args[0], DataType::String(), guard));
    ExprInstr& ins = Emit(ExprOp::kJson, 0, DataType::String(), {v}, guard, e);
    ins.state = std::move(state);
    const int out = ins.out;
    if (rt.kind == TypeKind::kString || rt.kind == TypeKind::kNull) return out;
    // RETURNING <type>: the scalar's text cast with TRY_CAST semantics (NULL ON ERROR).
    return Cast(out, rt, /*try_cast=*/true, guard, e);
  }
  static const std::pair<const char*, int> kRegexFns[] = {{"REGEXP", kRegexpMatch},
                                                          {"REGEXP_REPLACE", kRegexpReplace},
                                                          {"REGEXP_EXTRACT", kRegexpExtract}};
  for (const auto& [name, sub] : kRegexFns) {
    if (f != name || n < 2) continue;
    std::unique_ptr<ExprState> state;
    std::string error;
    const BoundExpr* pattern = LiteralArg(e, 1);
    state = MakeRegexState(pattern != nullptr ? &pattern->text : nullptr, &error);
    if (!state) {
      return Status::InvalidArgument("expression evaluator: " + error + " in '" + sql::ToString(e) +
                                     "'");
    }
    std::vector<int> in;
    for (size_t i = 0; i < n; ++i) {
      const bool integer = sub == kRegexpExtract && i == 2;
      FG_ASSIGN_OR_RETURN(
          int r, CompileAs(*e.args[i], integer ? DataType::BigInt() : DataType::String(), guard));
      in.push_back(r);
    }
    ExprInstr& ins =
        Emit(ExprOp::kRegex, sub, sub == kRegexpMatch ? DataType::Boolean() : DataType::String(),
             std::move(in), guard, e);
    ins.state = std::move(state);
    return ins.out;
  }
  return TimeFunction(e, guard);
}

Result<int> ExprCompiler::TimeFunction(const BoundExpr& e, int guard) {
  const std::string& f = e.function;
  const size_t n = e.args.size();
  const DataType rt = e.type;

  auto unit_of = [&](const char* what) -> Result<int> {
    const BoundExpr* u = LiteralArg(e, 0);
    const int unit = u != nullptr ? TimeUnitFromName(u->text) : -1;
    if (unit < 0) return Unsupported(e, std::string(what) + " without a time unit");
    return unit;
  };

  if (f == "EXTRACT" && n == 2) {
    FG_ASSIGN_OR_RETURN(int unit, unit_of("EXTRACT"));
    if (IsNullArg(e, 1)) return NullConst(DataType::BigInt(), e);
    FG_ASSIGN_OR_RETURN(int v, Compile(*e.args[1], guard));
    const DataType vt = TypeOf(v);
    if (vt.kind == TypeKind::kInterval) {
      if (unit != kUnitDay && unit != kUnitHour && unit != kUnitMinute && unit != kUnitSecond &&
          unit != kUnitMillisecond && unit != kUnitEpoch) {
        return Unsupported(e, "EXTRACT(" + e.args[0]->text + " FROM a day-time INTERVAL)");
      }
    } else if (!vt.IsTimestamp()) {
      return Unsupported(e, "EXTRACT from " + vt.ToString());
    }
    ExprInstr& ins = Emit(ExprOp::kTime, kExtract, DataType::BigInt(), {v}, guard, e);
    ins.a = unit;
    return ins.out;
  }
  if ((f == "TIMESTAMPDIFF" || f == "TIMESTAMPADD") && n == 3) {
    FG_ASSIGN_OR_RETURN(int unit, unit_of(f.c_str()));
    if (unit == kUnitNanosecond || unit == kUnitDow || unit == kUnitDoy || unit == kUnitEpoch) {
      return Unsupported(e, f + " in " + e.args[0]->text);
    }
    const bool diff = f == "TIMESTAMPDIFF";
    const DataType out_type = diff ? DataType::Int() : rt;
    if (IsNullArg(e, 1) || IsNullArg(e, 2)) return NullConst(out_type, e);
    int a, b;
    if (diff) {
      FG_ASSIGN_OR_RETURN(a, Compile(*e.args[1], guard));
    } else {
      FG_ASSIGN_OR_RETURN(a, CompileAs(*e.args[1], DataType::BigInt(), guard));
    }
    FG_ASSIGN_OR_RETURN(b, Compile(*e.args[2], guard));
    if ((diff && !TypeOf(a).IsTimestamp()) || !TypeOf(b).IsTimestamp()) {
      return Unsupported(e, f + " on " + TypeOf(a).ToString() + " and " + TypeOf(b).ToString());
    }
    ExprInstr& ins = Emit(ExprOp::kTime, diff ? kTimestampDiff : kTimestampAdd,
                          diff ? DataType::Int() : TypeOf(b), {a, b}, guard, e);
    ins.a = unit;
    return ins.out;
  }

  // The clock: one reading per batch.
  static const char* kNowFns[] = {"CURRENT_TIMESTAMP", "NOW", "CURRENT_ROW_TIMESTAMP",
                                  "LOCALTIMESTAMP", "PROCTIME"};
  for (const char* name : kNowFns) {
    if (f != name || n != 0) continue;
    p_->uses_clock_ = true;
    Emit(ExprOp::kTime, kNow, rt.IsTimestamp() ? rt : DataType::TimestampLtz(3), {}, -1, e);
    return Out();
  }
  if (f == "CURRENT_DATE" && n == 0) {
    p_->uses_clock_ = true;
    Emit(ExprOp::kTime, kCurrentDate, rt.IsTimestamp() ? rt : DataType::Timestamp(0), {}, -1, e);
    return Out();
  }
  if (f == "UNIX_TIMESTAMP" && n == 0) {
    p_->uses_clock_ = true;
    Emit(ExprOp::kTime, kUnixTimestampNow, DataType::BigInt(), {}, -1, e);
    return Out();
  }
  if (f == "CURRENT_WATERMARK" && n == 1) {
    DataType t = rt.IsTimestamp() ? rt : DataType::Timestamp(3);
    Emit(ExprOp::kTime, kCurrentWatermark, t, {}, -1, e);
    return Out();
  }

  // Functions with an optional date pattern at `fmt_index`: a constant pattern is compiled
  // here; a column pattern becomes the kernel's second input.
  auto with_pattern = [&](int sub, const DataType& out_type, int value, size_t fmt_index,
                          const char* default_pattern, bool java_time) -> Result<int> {
    std::vector<int> in = {value};
    std::string error;
    std::unique_ptr<ExprState> state;
    if (fmt_index < n) {
      if (IsNullArg(e, fmt_index)) return NullConst(out_type, e);
      if (const BoundExpr* fmt = LiteralArg(e, fmt_index)) {
        state = MakeDatePatternState(&fmt->text, java_time, &error);
      } else {
        FG_ASSIGN_OR_RETURN(int r, CompileAs(*e.args[fmt_index], DataType::String(), guard));
        in.push_back(r);
        state = MakeDatePatternState(nullptr, java_time, &error);
      }
    } else if (default_pattern != nullptr) {
      const std::string d = default_pattern;
      state = MakeDatePatternState(&d, java_time, &error);
    } else {
      state = MakeDatePatternState(nullptr, java_time, &error);
    }
    if (!state) {
      return Status::InvalidArgument("expression evaluator: " + error + " in '" + sql::ToString(e) +
                                     "'");
    }
    ExprInstr& ins = Emit(ExprOp::kTime, sub, out_type, std::move(in), guard, e);
    ins.state = std::move(state);
    return ins.out;
  };

  const bool string_arg = n >= 1 && (e.args[0]->type.kind == TypeKind::kString);
  if ((f == "TO_TIMESTAMP" || (f == "TO_TIMESTAMP_LTZ" && string_arg)) && (n == 1 || n == 2)) {
    const DataType out_type = rt.IsTimestamp() ? rt : DataType::Timestamp(3);
    if (IsNullArg(e, 0)) return NullConst(out_type, e);
    FG_ASSIGN_OR_RETURN(int v, CompileAs(*e.args[0], DataType::String(), guard));
    // No pattern: Flink's default parser (ParseTimestampLenient), not a DatePattern.
    return with_pattern(kToTimestamp, out_type, v, 1, nullptr, true);
  }
  if (f == "TO_TIMESTAMP_LTZ" && (n == 1 || n == 2)) {
    const DataType out_type = rt.IsTimestamp() ? rt : DataType::TimestampLtz(3);
    int64_t precision = 3;
    if (n == 2) {
      const BoundExpr* p = LiteralArg(e, 1);
      if (p == nullptr || !IsIntegral(p->type)) {
        return Unsupported(e, "TO_TIMESTAMP_LTZ with a non-constant precision");
      }
      precision = p->int_value;
    }
    if (precision != 0 && precision != 3) {
      return Status::InvalidArgument(
          "expression evaluator: TO_TIMESTAMP_LTZ precision must be 0 (epoch seconds) or 3 "
          "(epoch milliseconds), not " +
          std::to_string(precision) + " (in '" + sql::ToString(e) + "')");
    }
    if (IsNullArg(e, 0)) return NullConst(out_type, e);
    const DataType in_type = IsIntegral(e.args[0]->type) ? DataType::BigInt() : DataType::Double();
    FG_ASSIGN_OR_RETURN(int v, CompileAs(*e.args[0], in_type, guard));
    ExprInstr& ins = Emit(ExprOp::kTime, kToTimestampLtz, out_type, {v}, guard, e);
    ins.factor = precision == 0 ? 1 : 1000;
    return ins.out;
  }
  if (f == "DATE_FORMAT" && n == 2) {
    if (IsNullArg(e, 0)) return NullConst(DataType::String(), e);
    FG_ASSIGN_OR_RETURN(int v, Compile(*e.args[0], guard));
    if (!TypeOf(v).IsTimestamp() && TypeOf(v).kind != TypeKind::kString) {
      return Unsupported(e, "DATE_FORMAT of " + TypeOf(v).ToString());
    }
    return with_pattern(kDateFormat, DataType::String(), v, 1, nullptr, true);
  }
  if (f == "UNIX_TIMESTAMP" && (n == 1 || n == 2)) {
    if (IsNullArg(e, 0)) return NullConst(DataType::BigInt(), e);
    FG_ASSIGN_OR_RETURN(int v, CompileAs(*e.args[0], DataType::String(), guard));
    return with_pattern(kUnixTimestamp, DataType::BigInt(), v, 1, "yyyy-MM-dd HH:mm:ss", false);
  }
  if (f == "FROM_UNIXTIME" && (n == 1 || n == 2)) {
    if (IsNullArg(e, 0)) return NullConst(DataType::String(), e);
    const DataType in_type = IsIntegral(e.args[0]->type) ? DataType::BigInt() : DataType::Double();
    FG_ASSIGN_OR_RETURN(int v, CompileAs(*e.args[0], in_type, guard));
    return with_pattern(kFromUnixtime, DataType::String(), v, 1, "yyyy-MM-dd HH:mm:ss", false);
  }
  return Unsupported(e, "function " + f);
}

}  // namespace fluxgate::runtime
