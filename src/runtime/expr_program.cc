#include "runtime/expr_program.h"

#include <algorithm>
#include <cmath>

#include "runtime/clock.h"
#include "runtime/decimal.h"
#include "runtime/expr_compiler.h"
#include "runtime/expr_kernels.h"
#include "runtime/timestamp_text.h"
#include "sql/type_rules.h"

namespace fluxgate::runtime {

namespace {

ExprCat CatOf(const DataType& t) {
  switch (t.kind) {
    case TypeKind::kNull:
      return kCatNull;
    case TypeKind::kBoolean:
      return kCatBool;
    case TypeKind::kInt:
      return kCatInt;
    case TypeKind::kBigInt:
      return kCatBigInt;
    case TypeKind::kDouble:
      return kCatDouble;
    case TypeKind::kDecimal:
      return kCatDecimal;
    case TypeKind::kString:
      return kCatString;
    case TypeKind::kTimestamp:
    case TypeKind::kTimestampLtz:
      return kCatTimestamp;
    case TypeKind::kInterval:
      return kCatInterval;
  }
  return kCatNull;
}

// Whether values of `a` and `b` have the same in-memory representation (no CAST needed to
// compare or combine them).
bool SameRepr(const DataType& a, const DataType& b) {
  if (a.kind == TypeKind::kNull || b.kind == TypeKind::kNull) return a.kind == b.kind;
  if (PhysicalTypeOf(a) != PhysicalTypeOf(b)) return false;
  if (a.kind == TypeKind::kDecimal) return a.scale == b.scale;
  if (a.IsTimestamp() != b.IsTimestamp()) return false;
  if (a.IsTimestamp()) return a.precision == b.precision;
  if ((a.kind == TypeKind::kInterval) != (b.kind == TypeKind::kInterval)) return false;
  return true;
}

// The type both sides of a comparison are brought to.
DataType ComparisonType(const DataType& a, const DataType& b) {
  if (a.kind == TypeKind::kNull) return b;
  if (b.kind == TypeKind::kNull) return a;
  if (a.IsNumeric() && b.IsNumeric()) {
    if (a.kind == TypeKind::kDouble || b.kind == TypeKind::kDouble) return DataType::Double();
    if (a.kind == TypeKind::kDecimal || b.kind == TypeKind::kDecimal) {
      DataType da = sql::AsDecimal(a), db = sql::AsDecimal(b);
      return DataType::Decimal(38, std::max(da.scale, db.scale));
    }
    return DataType::BigInt();
  }
  if (a.IsTimestamp() && b.IsTimestamp()) return a.precision >= b.precision ? a : b;
  return a;
}

int64_t FloorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

Status RowError(const ExprInstr& ins, size_t row, const char* what) {
  return Status::InvalidArgument(std::string(what) + " in '" + ins.where + "' at row " +
                                 std::to_string(row));
}

const char* ErrorText(const ExprInstr& ins) {
  switch (ins.op) {
    case ExprOp::kArithInt:
    case ExprOp::kArithDec:
      return "division by zero";
    case ExprOp::kCast:
      return "invalid value for CAST (use TRY_CAST to get NULL)";
    case ExprOp::kLike:
      return "invalid LIKE pattern or escape";
    default:
      return "invalid argument";
  }
}

// ---- core kernels -------------------------------------------------------------------

size_t ArithInt(const ExprInstr& ins, const Column& a, const Column& b, Column& out, size_t n,
                const uint8_t* g) {
  const bool wrap32 = ins.a != 0;
  auto fix = [wrap32](uint64_t v) {
    return wrap32 ? static_cast<int64_t>(static_cast<int32_t>(static_cast<uint32_t>(v)))
                  : static_cast<int64_t>(v);
  };
  switch (ins.sub) {
    case '+':
      return BinaryKernel<int64_t, int64_t, int64_t>(
          a, b, out, n, g, [&](int64_t x, int64_t y, int64_t* r) {
            *r = fix(static_cast<uint64_t>(x) + static_cast<uint64_t>(y));
            return Rc::kOk;
          });
    case '-':
      return BinaryKernel<int64_t, int64_t, int64_t>(
          a, b, out, n, g, [&](int64_t x, int64_t y, int64_t* r) {
            *r = fix(static_cast<uint64_t>(x) - static_cast<uint64_t>(y));
            return Rc::kOk;
          });
    case '*':
      return BinaryKernel<int64_t, int64_t, int64_t>(
          a, b, out, n, g, [&](int64_t x, int64_t y, int64_t* r) {
            *r = fix(static_cast<uint64_t>(x) * static_cast<uint64_t>(y));
            return Rc::kOk;
          });
    case '/':
      return BinaryKernel<int64_t, int64_t, int64_t>(
          a, b, out, n, g, [&](int64_t x, int64_t y, int64_t* r) {
            if (y == 0) return Rc::kError;
            *r = y == -1 ? fix(0 - static_cast<uint64_t>(x)) : fix(static_cast<uint64_t>(x / y));
            return Rc::kOk;
          });
    default:  // '%': sign of the dividend, as Java
      return BinaryKernel<int64_t, int64_t, int64_t>(a, b, out, n, g,
                                                     [&](int64_t x, int64_t y, int64_t* r) {
                                                       if (y == 0) return Rc::kError;
                                                       *r = y == -1 ? 0 : x % y;
                                                       return Rc::kOk;
                                                     });
  }
}

size_t ArithDouble(const ExprInstr& ins, const Column& a, const Column& b, Column& out, size_t n,
                   const uint8_t* g) {
  const int op = ins.sub;
  return BinaryKernel<double, double, double>(a, b, out, n, g, [op](double x, double y, double* r) {
    switch (op) {
      case '+':
        *r = x + y;
        break;
      case '-':
        *r = x - y;
        break;
      case '*':
        *r = x * y;
        break;
      case '/':
        *r = x / y;
        break;
      default:
        *r = std::fmod(x, y);
        break;
    }
    return Rc::kOk;
  });
}

size_t ArithDec(const ExprInstr& ins, const Column& a, const Column& b, Column& out, size_t n,
                const uint8_t* g) {
  const int sa = ins.a, sb = ins.b, sr = ins.c;
  switch (ins.sub) {
    case '+':
    case '-': {
      const bool add = ins.sub == '+';
      return BinaryKernel<int128, int128, int128>(a, b, out, n, g,
                                                  [=](int128 x, int128 y, int128* r) {
                                                    x = RescaleDecimal(x, sa, sr);
                                                    y = RescaleDecimal(y, sb, sr);
                                                    *r = add ? x + y : x - y;
                                                    return Rc::kOk;
                                                  });
    }
    case '*':
      return BinaryKernel<int128, int128, int128>(a, b, out, n, g,
                                                  [=](int128 x, int128 y, int128* r) {
                                                    *r = RescaleDecimal(x * y, sa + sb, sr);
                                                    return Rc::kOk;
                                                  });
    case '/': {
      // x / 10^sa / (y / 10^sb) at scale sr = x * 10^(sr - sa + sb) / y.
      const int e = sr - sa + sb;
      return BinaryKernel<int128, int128, int128>(
          a, b, out, n, g, [=](int128 x, int128 y, int128* r) {
            if (y == 0) return Rc::kError;
            *r = e >= 0 ? DivideRoundHalfUp(x * Pow10(e), y) : DivideRoundHalfUp(x, y * Pow10(-e));
            return Rc::kOk;
          });
    }
    default: {
      const int s = std::max(sa, sb);
      return BinaryKernel<int128, int128, int128>(a, b, out, n, g,
                                                  [=](int128 x, int128 y, int128* r) {
                                                    if (y == 0) return Rc::kError;
                                                    x = RescaleDecimal(x, sa, s);
                                                    y = RescaleDecimal(y, sb, s);
                                                    *r = RescaleDecimal(x % y, s, sr);
                                                    return Rc::kOk;
                                                  });
    }
  }
}

template <class T>
void CompareKernel(const Column& a, const Column& b, Column& out, size_t n, int sub) {
  if (a.NoNulls() && b.NoNulls() && sub != kDistinct && sub != kNotDistinct) {
    // No NULL on either side: one tight loop per operator, validity set in bulk.
    uint8_t* r = out.AppendValidBools(n);
    auto fill = [&](auto op) {
      for (size_t i = 0; i < n; ++i) r[i] = op(ColumnValue<T>(a, i), ColumnValue<T>(b, i));
    };
    switch (sub) {
      case kEq:
        return fill([](const T& x, const T& y) { return x == y; });
      case kNe:
        return fill([](const T& x, const T& y) { return !(x == y); });
      case kLt:
        return fill([](const T& x, const T& y) { return x < y; });
      case kLe:
        return fill([](const T& x, const T& y) { return x <= y; });
      case kGt:
        return fill([](const T& x, const T& y) { return x > y; });
      default:
        return fill([](const T& x, const T& y) { return x >= y; });
    }
  }
  for (size_t i = 0; i < n; ++i) {
    const bool an = a.IsNull(i), bn = b.IsNull(i);
    if (sub == kDistinct || sub == kNotDistinct) {
      bool distinct = (an || bn) ? an != bn : !(ColumnValue<T>(a, i) == ColumnValue<T>(b, i));
      out.AppendBool(sub == kDistinct ? distinct : !distinct);
      continue;
    }
    if (an || bn) {
      out.AppendNull();
      continue;
    }
    const T x = ColumnValue<T>(a, i), y = ColumnValue<T>(b, i);
    bool r = false;
    switch (sub) {
      case kEq:
        r = x == y;
        break;
      case kNe:
        r = !(x == y);
        break;
      case kLt:
        r = x < y;
        break;
      case kLe:
        r = x <= y;
        break;
      case kGt:
        r = x > y;
        break;
      default:
        r = x >= y;
        break;
    }
    out.AppendBool(r);
  }
}

void Compare(const ExprInstr& ins, const Column& a, const Column& b, Column& out, size_t n) {
  switch (a.physical()) {
    case PhysicalType::kBool:
      return CompareKernel<bool>(a, b, out, n, ins.sub);
    case PhysicalType::kInt64:
      return CompareKernel<int64_t>(a, b, out, n, ins.sub);
    case PhysicalType::kDouble:
      return CompareKernel<double>(a, b, out, n, ins.sub);
    case PhysicalType::kDecimal:
      return CompareKernel<int128>(a, b, out, n, ins.sub);
    case PhysicalType::kString:
      return CompareKernel<std::string_view>(a, b, out, n, ins.sub);
  }
}

// Three-valued AND (is_and) / OR.
void Logic(bool is_and, const Column& a, const Column& b, Column& out, size_t n) {
  if (a.NoNulls() && b.NoNulls()) {
    uint8_t* r = out.AppendValidBools(n);
    const uint8_t* x = a.bool_data();
    const uint8_t* y = b.bool_data();
    if (is_and) {
      for (size_t i = 0; i < n; ++i) r[i] = x[i] & y[i];
    } else {
      for (size_t i = 0; i < n; ++i) r[i] = x[i] | y[i];
    }
    return;
  }
  // For AND the dominant value is FALSE, for OR it is TRUE.
  const bool dominant = !is_and;
  for (size_t i = 0; i < n; ++i) {
    const bool an = a.IsNull(i), bn = b.IsNull(i);
    if ((!an && a.Bool(i) == dominant) || (!bn && b.Bool(i) == dominant)) {
      out.AppendBool(dominant);
    } else if (an || bn) {
      out.AppendNull();
    } else {
      out.AppendBool(!dominant);
    }
  }
}

void IsTest(int sub, const Column& a, Column& out, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    const bool null = a.IsNull(i);
    const bool t = !null && a.physical() == PhysicalType::kBool && a.Bool(i);
    const bool f = !null && a.physical() == PhysicalType::kBool && !a.Bool(i);
    bool r = false;
    switch (sub) {
      case kIsTrue:
        r = t;
        break;
      case kIsNotTrue:
        r = !t;
        break;
      case kIsFalse:
        r = f;
        break;
      case kIsNotFalse:
        r = !f;
        break;
      case kIsNull:
        r = null;
        break;
      default:
        r = !null;
        break;
    }
    out.AppendBool(r);
  }
}

void Guard(int sub, const Column* outer, const Column& a, Column& out, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    bool live = outer == nullptr || outer->Bool(i);
    if (live) {
      const bool null = a.IsNull(i);
      switch (sub) {
        case kGuardTrue:
          live = !null && a.Bool(i);
          break;
        case kGuardNotTrue:
          live = null || !a.Bool(i);
          break;
        case kGuardNotFalse:
          live = null || a.Bool(i);
          break;
        default:
          live = null;
          break;
      }
    }
    out.AppendBool(live);
  }
}

}  // namespace

void AppendValueFrom(const Column& src, size_t row, Column& dst) {
  if (src.IsNull(row)) {
    dst.AppendNull();
    return;
  }
  switch (src.physical()) {
    case PhysicalType::kBool:
      dst.AppendBool(src.Bool(row));
      break;
    case PhysicalType::kInt64:
      dst.AppendInt64(src.Int64(row));
      break;
    case PhysicalType::kDouble:
      dst.AppendDouble(src.Double(row));
      break;
    case PhysicalType::kDecimal:
      dst.AppendDecimal(src.Decimal(row));
      break;
    case PhysicalType::kString:
      dst.AppendString(src.String(row));
      break;
  }
}

// ---- compiler -------------------------------------------------------------------------

Result<int> ExprCompiler::Compile(const BoundExpr& e, int guard) {
  switch (e.kind) {
    case BoundExprKind::kColumn:
      if (e.column < 0 || static_cast<size_t>(e.column) >= schema_.size()) {
        return Status::InvalidArgument("expression evaluator: column index " +
                                       std::to_string(e.column) + " out of range for " +
                                       schema_.ToString());
      }
      return e.column;
    case BoundExprKind::kLiteral:
      return Literal(e);
    case BoundExprKind::kCall:
      return Call(e, guard);
  }
  return Unsupported(e, "expression kind");
}

Result<int> ExprCompiler::Literal(const BoundExpr& e) {
  DataType t = e.type.kind == TypeKind::kNull ? DataType::Boolean() : e.type;
  auto c = std::make_unique<Column>(t);
  if (e.is_null || e.type.kind == TypeKind::kNull) {
    c->AppendNull();
  } else {
    switch (t.kind) {
      case TypeKind::kBoolean:
        c->AppendBool(e.bool_value);
        break;
      case TypeKind::kInt:
      case TypeKind::kBigInt:
      case TypeKind::kInterval:
        c->AppendInt64(e.int_value);
        break;
      case TypeKind::kDouble:
        c->AppendDouble(e.double_value);
        break;
      case TypeKind::kDecimal: {
        int128 v = 0;
        if (ParseDecimal(e.text, 38, t.scale, &v) != DecimalParse::kOk) {
          return Unsupported(e, "DECIMAL literal '" + e.text + "'");
        }
        c->AppendDecimal(v);
        break;
      }
      case TypeKind::kString:
        c->AppendString(e.text);
        break;
      case TypeKind::kTimestamp:
      case TypeKind::kTimestampLtz: {
        ParsedTimestamp ts;
        if (ParseTimestamp(e.text, &ts) != nullptr) {
          return Unsupported(e, "TIMESTAMP literal '" + e.text + "'");
        }
        int64_t unit = TimestampUnitPerSecond(t);
        c->AppendInt64(unit == 1000 ? FloorDiv(ts.epoch_micros, 1000) : ts.epoch_micros);
        break;
      }
      case TypeKind::kNull:
        break;
    }
  }
  ExprInstr& ins = Emit(ExprOp::kConst, 0, e.type, {}, -1, e);
  ins.constant = std::move(c);
  return ins.out;
}

Result<int> ExprCompiler::Cast(int reg, const DataType& to, bool try_cast, int guard,
                               const BoundExpr& e) {
  const DataType from = TypeOf(reg);  // a copy: Emit() may grow types_
  if (SameRepr(from, to) && !(from.kind == TypeKind::kBigInt && to.kind == TypeKind::kInt) &&
      !(from.IsTimestamp() && (from.precision != to.precision || from.kind != to.kind)) &&
      !(from.kind == TypeKind::kDecimal && to.precision < from.precision)) {
    return reg;
  }
  const int fc = CatOf(from), tc = CatOf(to);
  bool ok = false;
  switch (fc) {
    case kCatNull:
      ok = true;
      break;
    case kCatBool:
      ok = tc != kCatTimestamp && tc != kCatInterval;
      break;
    case kCatInt:
    case kCatBigInt:
    case kCatDouble:
    case kCatDecimal:
      ok = tc >= kCatBool && tc <= kCatString;
      break;
    case kCatString:
      ok = tc >= kCatBool && tc <= kCatTimestamp;
      break;
    case kCatTimestamp:
      ok = tc == kCatString || tc == kCatTimestamp;
      break;
    default:
      break;
  }
  if (!ok) return Unsupported(e, "CAST from " + from.ToString() + " to " + to.ToString());
  ExprInstr& ins = Emit(ExprOp::kCast, fc * 16 + tc, to, {reg}, guard, e);
  ins.a = to.kind == TypeKind::kDecimal ? to.scale : to.precision;
  ins.b = try_cast ? 1 : 0;
  ins.c = from.kind == TypeKind::kDecimal ? from.scale : from.precision;
  return ins.out;
}

Result<int> ExprCompiler::Comparison(int sub, int a, int b, const BoundExpr& e, int guard) {
  DataType common = ComparisonType(TypeOf(a), TypeOf(b));
  if (common.kind == TypeKind::kNull) common = DataType::Boolean();
  FG_ASSIGN_OR_RETURN(a, Cast(a, common, false, guard, e));
  FG_ASSIGN_OR_RETURN(b, Cast(b, common, false, guard, e));
  if (PhysicalTypeOf(TypeOf(a)) != PhysicalTypeOf(TypeOf(b))) {
    return Unsupported(e, "comparing " + TypeOf(a).ToString() + " with " + TypeOf(b).ToString());
  }
  Emit(ExprOp::kCompare, sub, DataType::Boolean(), {a, b}, -1, e);
  return Out();
}

Result<int> ExprCompiler::Arithmetic(char op, const BoundExpr& e, int guard) {
  if (e.args.size() != 2) return Unsupported(e, "arity of '" + e.function + "'");
  FG_ASSIGN_OR_RETURN(int a, Compile(*e.args[0], guard));
  FG_ASSIGN_OR_RETURN(int b, Compile(*e.args[1], guard));
  DataType ta = TypeOf(a), tb = TypeOf(b);
  const DataType& rt = e.type;
  if (ta.IsTimestamp() && tb.kind == TypeKind::kInterval && (op == '+' || op == '-')) {
    ExprInstr& ins = Emit(ExprOp::kArithInt, op, rt, {a, b}, guard, e);
    ins.op = ExprOp::kTsInterval;
    ins.factor = TimestampUnitPerSecond(ta) / 1000;
    return ins.out;
  }
  if (rt.kind == TypeKind::kInterval) {
    FG_ASSIGN_OR_RETURN(b, Cast(b, DataType::BigInt(), false, guard, e));
    FG_ASSIGN_OR_RETURN(a, Cast(a, DataType::BigInt(), false, guard, e));
    Emit(ExprOp::kArithInt, op, rt, {a, b}, guard, e);
    return Out();
  }
  if (!rt.IsNumeric() && rt.kind != TypeKind::kNull) {
    return Unsupported(e, "'" + e.function + "' on " + ta.ToString() + " and " + tb.ToString());
  }
  switch (rt.kind) {
    case TypeKind::kDouble: {
      FG_ASSIGN_OR_RETURN(a, Cast(a, DataType::Double(), false, guard, e));
      FG_ASSIGN_OR_RETURN(b, Cast(b, DataType::Double(), false, guard, e));
      Emit(ExprOp::kArithDouble, op, rt, {a, b}, guard, e);
      return Out();
    }
    case TypeKind::kDecimal: {
      FG_ASSIGN_OR_RETURN(
          a, Cast(a, sql::AsDecimal(ta.kind == TypeKind::kNull ? rt : ta), false, guard, e));
      FG_ASSIGN_OR_RETURN(
          b, Cast(b, sql::AsDecimal(tb.kind == TypeKind::kNull ? rt : tb), false, guard, e));
      if (TypeOf(a).kind != TypeKind::kDecimal || TypeOf(b).kind != TypeKind::kDecimal) {
        return Unsupported(e, "DECIMAL '" + e.function + "' on " + ta.ToString());
      }
      ExprInstr& ins = Emit(ExprOp::kArithDec, op, rt, {a, b}, guard, e);
      ins.a = TypeOf(a).scale;
      ins.b = TypeOf(b).scale;
      ins.c = rt.scale;
      return ins.out;
    }
    default: {
      FG_ASSIGN_OR_RETURN(a, Cast(a, DataType::BigInt(), false, guard, e));
      FG_ASSIGN_OR_RETURN(b, Cast(b, DataType::BigInt(), false, guard, e));
      ExprInstr& ins = Emit(ExprOp::kArithInt, op, rt, {a, b}, guard, e);
      ins.a = rt.kind == TypeKind::kInt ? 1 : 0;
      return ins.out;
    }
  }
}

Result<int> ExprCompiler::Call(const BoundExpr& e, int guard) {
  const std::string& f = e.function;
  const size_t n = e.args.size();
  auto arg = [&](size_t i) { return Compile(*e.args[i], guard); };

  if (f.size() == 1 && std::string_view("+-*/%").find(f[0]) != std::string_view::npos) {
    return Arithmetic(f[0], e, guard);
  }
  if (f == "MOD" && n == 2) return Arithmetic('%', e, guard);
  static const std::pair<const char*, int> kCmps[] = {{"=", kEq},
                                                      {"<>", kNe},
                                                      {"!=", kNe},
                                                      {"<", kLt},
                                                      {"<=", kLe},
                                                      {">", kGt},
                                                      {">=", kGe},
                                                      {"IS DISTINCT FROM", kDistinct},
                                                      {"IS NOT DISTINCT FROM", kNotDistinct}};
  for (const auto& [name, sub] : kCmps) {
    if (f == name && n == 2) {
      FG_ASSIGN_OR_RETURN(int a, arg(0));
      FG_ASSIGN_OR_RETURN(int b, arg(1));
      return Comparison(sub, a, b, e, guard);
    }
  }
  if ((f == "AND" || f == "OR") && n == 2) {
    FG_ASSIGN_OR_RETURN(int a, arg(0));
    // The right side only decides rows the left side leaves open (Flink short-circuits).
    int g = GuardReg(f == "AND" ? kGuardNotFalse : kGuardNotTrue, guard, a, e);
    FG_ASSIGN_OR_RETURN(int b, Compile(*e.args[1], g));
    Emit(f == "AND" ? ExprOp::kAnd : ExprOp::kOr, 0, DataType::Boolean(), {a, b}, -1, e);
    return Out();
  }
  if (f == "NOT" && n == 1) {
    FG_ASSIGN_OR_RETURN(int a, arg(0));
    Emit(ExprOp::kNot, 0, DataType::Boolean(), {a}, -1, e);
    return Out();
  }
  static const std::pair<const char*, int> kIs[] = {
      {"IS NULL", kIsNull},        {"IS NOT NULL", kIsNotNull},   {"IS TRUE", kIsTrue},
      {"IS NOT TRUE", kIsNotTrue}, {"IS FALSE", kIsFalse},        {"IS NOT FALSE", kIsNotFalse},
      {"IS UNKNOWN", kIsNull},     {"IS NOT UNKNOWN", kIsNotNull}};
  for (const auto& [name, sub] : kIs) {
    if (f == name && n == 1) {
      FG_ASSIGN_OR_RETURN(int a, arg(0));
      Emit(ExprOp::kIsTest, sub, DataType::Boolean(), {a}, -1, e);
      return Out();
    }
  }
  if (f == "IN" && n >= 2) {
    // v IN (x1, ..., xk) == v = x1 OR ... OR v = xk under three-valued logic.
    FG_ASSIGN_OR_RETURN(int v, arg(0));
    int acc = -1;
    for (size_t i = 1; i < n; ++i) {
      FG_ASSIGN_OR_RETURN(int x, arg(i));
      FG_ASSIGN_OR_RETURN(int eq, Comparison(kEq, v, x, e, guard));
      if (acc < 0) {
        acc = eq;
      } else {
        Emit(ExprOp::kOr, 0, DataType::Boolean(), {acc, eq}, -1, e);
        acc = Out();
      }
    }
    return acc;
  }
  if (f == "BETWEEN" && n == 3) {
    FG_ASSIGN_OR_RETURN(int v, arg(0));
    FG_ASSIGN_OR_RETURN(int lo, arg(1));
    FG_ASSIGN_OR_RETURN(int hi, arg(2));
    FG_ASSIGN_OR_RETURN(int ge, Comparison(kGe, v, lo, e, guard));
    FG_ASSIGN_OR_RETURN(int le, Comparison(kLe, v, hi, e, guard));
    Emit(ExprOp::kAnd, 0, DataType::Boolean(), {ge, le}, -1, e);
    return Out();
  }
  if ((f == "CASE" && n >= 3 && n % 2 == 1) || (f == "IF" && n == 3)) {
    DataType rt = e.type.kind == TypeKind::kNull ? DataType::Boolean() : e.type;
    std::vector<int> in;
    int remaining = guard;  // rows no earlier WHEN has taken
    for (size_t i = 0; i + 1 < n; i += 2) {
      FG_ASSIGN_OR_RETURN(int c, Compile(*e.args[i], remaining));
      int live = GuardReg(kGuardTrue, remaining, c, e);
      FG_ASSIGN_OR_RETURN(int r, CompileAs(*e.args[i + 1], rt, live));
      remaining = GuardReg(kGuardNotTrue, remaining, c, e);
      in.push_back(c);
      in.push_back(r);
    }
    FG_ASSIGN_OR_RETURN(int el, CompileAs(*e.args[n - 1], rt, remaining));
    in.push_back(el);
    Emit(ExprOp::kCase, 0, rt, std::move(in), -1, e);
    return Out();
  }
  if ((f == "COALESCE" || f == "IFNULL") && n >= 1) {
    DataType rt = e.type.kind == TypeKind::kNull ? DataType::Boolean() : e.type;
    std::vector<int> in;
    int remaining = guard;
    for (size_t i = 0; i < n; ++i) {
      FG_ASSIGN_OR_RETURN(int r, CompileAs(*e.args[i], rt, remaining));
      in.push_back(r);
      if (i + 1 < n) remaining = GuardReg(kGuardNull, remaining, r, e);
    }
    Emit(ExprOp::kCoalesce, 0, rt, std::move(in), -1, e);
    return Out();
  }
  if ((f == "CAST" || f == "TRY_CAST") && n == 1) {
    FG_ASSIGN_OR_RETURN(int a, arg(0));
    return Cast(a, e.type, e.try_cast || f == "TRY_CAST", guard, e);
  }
  if (f == "LIKE" && (n == 2 || n == 3)) {
    std::vector<int> in;
    for (size_t i = 0; i < n; ++i) {
      FG_ASSIGN_OR_RETURN(int r, arg(i));
      if (TypeOf(r).kind != TypeKind::kString) {
        FG_ASSIGN_OR_RETURN(r, Cast(r, DataType::String(), false, guard, e));
      }
      in.push_back(r);
    }
    Emit(ExprOp::kLike, 0, DataType::Boolean(), std::move(in), guard, e);
    return Out();
  }
  static const std::pair<const char*, int> kStr[] = {{"UPPER", kUpper},
                                                     {"LOWER", kLower},
                                                     {"TRIM", kTrim},
                                                     {"LTRIM", kLTrim},
                                                     {"RTRIM", kRTrim},
                                                     {"CHAR_LENGTH", kCharLength},
                                                     {"CHARACTER_LENGTH", kCharLength},
                                                     {"SUBSTRING", kSubstring},
                                                     {"SUBSTR", kSubstring},
                                                     {"CONCAT", kConcat},
                                                     {"||", kConcat}};
  for (const auto& [name, sub] : kStr) {
    if (f != name) continue;
    if (n == 0) break;
    std::vector<int> in;
    for (size_t i = 0; i < n; ++i) {
      const bool want_string = sub != kSubstring || i == 0;
      FG_ASSIGN_OR_RETURN(
          int r,
          CompileAs(*e.args[i], want_string ? DataType::String() : DataType::BigInt(), guard));
      in.push_back(r);
    }
    Emit(ExprOp::kString, sub, e.type, std::move(in), guard, e);
    return Out();
  }
  static const std::pair<const char*, int> kMathFns[] = {
      {"ABS", kAbs},   {"NEGATE", kNegate}, {"FLOOR", kFloor},
      {"CEIL", kCeil}, {"CEILING", kCeil},  {"ROUND", kRound},
      {"SQRT", kSqrt}, {"POWER", kPower},   {"POW", kPower}};
  for (const auto& [name, sub] : kMathFns) {
    if (f != name) continue;
    if (n == 0) break;
    const DataType rt = e.type.kind == TypeKind::kNull ? DataType::Int() : e.type;
    std::vector<int> in;
    if (sub == kSqrt || sub == kPower) {
      for (size_t i = 0; i < n; ++i) {
        FG_ASSIGN_OR_RETURN(int r, CompileAs(*e.args[i], DataType::Double(), guard));
        in.push_back(r);
      }
    } else {
      FG_ASSIGN_OR_RETURN(int r, arg(0));
      // Bring INT/BIGINT/DECIMAL/DOUBLE input to the result's representation, except
      // FLOOR/CEIL on DECIMAL (scale s in, scale 0 out) which the kernel does itself.
      if (!(rt.kind == TypeKind::kDecimal && (sub == kFloor || sub == kCeil))) {
        FG_ASSIGN_OR_RETURN(r, Cast(r, rt, false, guard, e));
      }
      in.push_back(r);
    }
    ExprInstr& ins = Emit(ExprOp::kMath, sub, rt, std::move(in), guard, e);
    ins.a = rt.kind == TypeKind::kDecimal ? rt.scale : 0;
    ins.b = TypeOf(ins.in[0]).kind == TypeKind::kDecimal ? TypeOf(ins.in[0]).scale : 0;
    if (sub == kRound) ins.factor = 0;  // ROUND(x) = ROUND(x, 0)
    if (sub == kRound && n == 2) {
      const BoundExpr& d = *e.args[1];
      if (!d.IsLiteral() || d.is_null) {
        return Unsupported(e, "ROUND with a non-constant number of digits");
      }
      ins.factor = d.int_value;
    }
    return ins.out;
  }
  return MoreFunctions(e, guard);
}

// ---- program --------------------------------------------------------------------------

ExprProgram::~ExprProgram() = default;

Result<std::unique_ptr<ExprProgram>> ExprProgram::Compile(const sql::BoundExpr& expr,
                                                          const Schema& input,
                                                          const CompileOptions& options) {
  std::unique_ptr<ExprProgram> p(new ExprProgram());
  p->options_ = options;
  ExprCompiler c(p.get(), input);
  FG_ASSIGN_OR_RETURN(int r, c.Compile(expr, -1));
  if (static_cast<size_t>(r) < input.size()) {
    // A bare column reference: copy it so the result is owned by the program.
    auto ins = std::make_unique<ExprInstr>();
    ins->op = ExprOp::kCoalesce;
    ins->in = {r};
    p->scratch_.push_back(std::make_unique<Column>(input.field(r).type));
    ins->out = static_cast<int>(input.size() + p->scratch_.size() - 1);
    ins->where = sql::ToString(expr);
    p->instrs_.push_back(std::move(ins));
    r = p->instrs_.back()->out;
  }
  p->result_ = r;
  p->type_ = p->scratch_[r - input.size()]->type();
  return p;
}

const sql::DataType& ExprProgram::type() const { return type_; }

Result<const Column*> ExprProgram::Evaluate(const RecordBatch& batch) {
  const size_t n = batch.num_rows();
  if (batch.num_columns() != num_inputs_) {
    return Status::InvalidArgument("expression evaluator: batch has " +
                                   std::to_string(batch.num_columns()) + " columns, expected " +
                                   std::to_string(num_inputs_));
  }
  regs_.resize(num_inputs_ + scratch_.size());
  for (size_t i = 0; i < num_inputs_; ++i) regs_[i] = &batch.column(i);
  for (size_t i = 0; i < scratch_.size(); ++i) regs_[num_inputs_ + i] = scratch_[i].get();
  ExprEnv env{buf_};
  env.watermark = options_.watermark;
  if (uses_clock_) {
    static const SystemClock kSystemClock;
    env.now_ms = (options_.clock != nullptr ? options_.clock : &kSystemClock)->NowMillis();
  }

  for (const auto& ip : instrs_) {
    const ExprInstr& ins = *ip;
    Column& out = *scratch_[ins.out - num_inputs_];
    if (ins.op == ExprOp::kConst) {
      // Only this instruction writes its register, so the rows a previous batch filled
      // with the constant stay valid: adjust the length instead of refilling.
      out.Truncate(n);
      for (size_t i = out.size(); i < n; ++i) AppendValueFrom(*ins.constant, 0, out);
      continue;
    }
    out.Clear();
    out.Reserve(n);
    const uint8_t* g = ins.guard >= 0 ? regs_[ins.guard]->bool_data() : nullptr;
    auto in = [&](size_t k) -> const Column& { return *regs_[ins.in[k]]; };
    size_t bad = kNoError;
    switch (ins.op) {
      case ExprOp::kConst:
        for (size_t i = 0; i < n; ++i) AppendValueFrom(*ins.constant, 0, out);
        break;
      case ExprOp::kArithInt:
        bad = ArithInt(ins, in(0), in(1), out, n, g);
        break;
      case ExprOp::kArithDouble:
        bad = ArithDouble(ins, in(0), in(1), out, n, g);
        break;
      case ExprOp::kArithDec:
        bad = ArithDec(ins, in(0), in(1), out, n, g);
        break;
      case ExprOp::kTsInterval: {
        const int64_t f = ins.factor, sign = ins.sub == '+' ? 1 : -1;
        bad = BinaryKernel<int64_t, int64_t, int64_t>(in(0), in(1), out, n, g,
                                                      [=](int64_t t, int64_t ms, int64_t* r) {
                                                        *r = t + sign * ms * f;
                                                        return Rc::kOk;
                                                      });
        break;
      }
      case ExprOp::kCompare:
        Compare(ins, in(0), in(1), out, n);
        break;
      case ExprOp::kAnd:
      case ExprOp::kOr:
        Logic(ins.op == ExprOp::kAnd, in(0), in(1), out, n);
        break;
      case ExprOp::kNot:
        bad = UnaryKernel<bool, bool>(in(0), out, n, g, [](bool v, bool* r) {
          *r = !v;
          return Rc::kOk;
        });
        break;
      case ExprOp::kIsTest:
        IsTest(ins.sub, in(0), out, n);
        break;
      case ExprOp::kGuard:
        Guard(ins.sub, ins.in[0] >= 0 ? &in(0) : nullptr, in(1), out, n);
        break;
      case ExprOp::kCase: {
        const size_t k = ins.in.size();
        for (size_t i = 0; i < n; ++i) {
          size_t src = k - 1;
          for (size_t j = 0; j + 1 < k; j += 2) {
            const Column& c = in(j);
            if (c.IsValid(i) && c.Bool(i)) {
              src = j + 1;
              break;
            }
          }
          AppendValueFrom(in(src), i, out);
        }
        break;
      }
      case ExprOp::kCoalesce: {
        const size_t k = ins.in.size();
        for (size_t i = 0; i < n; ++i) {
          size_t src = k - 1;
          for (size_t j = 0; j < k; ++j) {
            if (in(j).IsValid(i)) {
              src = j;
              break;
            }
          }
          AppendValueFrom(in(src), i, out);
        }
        break;
      }
      case ExprOp::kCast:
        bad = RunCastKernel(ins, in(0), out, n, g, buf_);
        break;
      case ExprOp::kLike: {
        const bool has_escape = ins.in.size() == 3;
        for (size_t i = 0; i < n; ++i) {
          if (in(0).IsNull(i) || in(1).IsNull(i) || (has_escape && in(2).IsNull(i))) {
            out.AppendNull();
            continue;
          }
          int esc = -1;
          if (has_escape) {
            std::string_view es = in(2).String(i);
            if (es.size() != 1) {
              if (g == nullptr || g[i]) {
                bad = i;
                break;
              }
              out.AppendNull();
              continue;
            }
            esc = static_cast<unsigned char>(es[0]);
          }
          int m = LikeMatch(in(0).String(i), in(1).String(i), esc);
          if (m < 0) {
            if (g == nullptr || g[i]) {
              bad = i;
              break;
            }
            out.AppendNull();
          } else {
            out.AppendBool(m == 1);
          }
        }
        break;
      }
      case ExprOp::kString:
        bad = ins.sub >= kInitCap ? RunStringKernel2(ins, regs_, out, n, g, buf_)
                                  : RunStringKernel(ins, regs_, out, n, g, buf_);
        break;
      case ExprOp::kMath:
        bad = ins.sub >= kSign ? RunMathKernel2(ins, regs_, out, n, g)
                               : RunMathKernel(ins, regs_, out, n, g);
        break;
      case ExprOp::kTime:
        bad = RunTimeKernel(ins, regs_, out, n, g, env);
        break;
      case ExprOp::kJson:
        bad = RunJsonKernel(ins, regs_, out, n, g, buf_);
        break;
      case ExprOp::kRegex:
        bad = RunRegexKernel(ins, regs_, out, n, g, buf_);
        break;
    }
    if (bad != kNoError) return RowError(ins, bad, ErrorText(ins));
  }
  return regs_[result_];
}

Status ExprProgram::Filter(const RecordBatch& batch, std::vector<uint32_t>* selection) {
  selection->clear();
  if (type_.kind != TypeKind::kBoolean) {
    return Status::InvalidArgument("filter expression is " + type_.ToString() + ", not BOOLEAN");
  }
  FG_ASSIGN_OR_RETURN(const Column* c, Evaluate(batch));
  const size_t n = batch.num_rows();
  const uint8_t* v = c->bool_data();
  if (c->NoNulls()) {
    for (size_t i = 0; i < n; ++i) {
      if (v[i]) selection->push_back(static_cast<uint32_t>(i));
    }
  } else {
    for (size_t i = 0; i < n; ++i) {
      if (v[i] && c->IsValid(i)) selection->push_back(static_cast<uint32_t>(i));
    }
  }
  return Status::Ok();
}

RecordBatch CompactBatch(const RecordBatch& in, const std::vector<uint32_t>& selection,
                         RecordBatchBuilder* builder) {
  builder->Truncate(0);
  for (size_t c = 0; c < in.num_columns(); ++c) {
    const Column& src = in.column(c);
    Column& dst = builder->column(c);
    dst.Reserve(selection.size());
    for (uint32_t row : selection) AppendValueFrom(src, row, dst);
  }
  for (size_t i = 0; i < selection.size(); ++i) builder->CommitRow();
  return builder->Finish();
}

}  // namespace fluxgate::runtime
