// Binding scalar expressions: name resolution, typing, implicit casts, function calls.
#include <cctype>
#include <cstdlib>
#include <limits>

#include "common/ascii.h"
#include "sql/binder_internal.h"
#include "sql/function_registry.h"
#include "sql/type_rules.h"

namespace fluxgate::sql {

namespace {

bool IsBooleanish(const DataType& t) {
  return t.kind == TypeKind::kBoolean || t.kind == TypeKind::kNull;
}

BoundExprPtr MakeLiteral(DataType type, SourcePos pos) {
  auto e = std::make_shared<BoundExpr>();
  e->kind = BoundExprKind::kLiteral;
  e->type = type;
  e->pos = pos;
  return e;
}

BoundExprPtr UnitLiteral(TimeUnit unit, SourcePos pos) {
  auto e = std::make_shared<BoundExpr>();
  e->kind = BoundExprKind::kLiteral;
  e->type = WithNullable(DataType::String(), false);
  e->text = TimeUnitName(unit);
  e->pos = pos;
  return e;
}

std::string PrettyName(const std::vector<std::string>& parts) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) out += (i ? "." : "") + parts[i];
  return out;
}

void CheckTimestampText(const LiteralExpr& lit, const char* what) {
  const std::string& t = lit.text;
  auto digit = [&](size_t i) { return i < t.size() && std::isdigit((unsigned char)t[i]); };
  bool ok = t.size() >= 10 && digit(0) && digit(1) && digit(2) && digit(3) && t[4] == '-' &&
            digit(5) && digit(6) && t[7] == '-' && digit(8) && digit(9);
  if (ok && t.size() > 10) {
    ok = t.size() >= 19 && (t[10] == ' ' || t[10] == 'T') && digit(11) && digit(12) &&
         t[13] == ':' && digit(14) && digit(15) && t[16] == ':' && digit(17) && digit(18);
    if (ok && t.size() > 19) {
      ok = t[19] == '.' && t.size() > 20 && t.size() <= 29;
      for (size_t i = 20; ok && i < t.size(); ++i) ok = digit(i);
    }
  }
  if (!ok) {
    ThrowBindError(lit.pos, "invalid " + std::string(what) + " literal '" + t +
                                "': expected 'YYYY-MM-DD HH:MM:SS[.fff]'");
  }
}

BoundExprPtr BindLiteral(const LiteralExpr& lit) {
  auto e = std::make_shared<BoundExpr>();
  e->kind = BoundExprKind::kLiteral;
  e->pos = lit.pos;
  e->text = lit.text;
  switch (lit.literal_kind) {
    case LiteralKind::kNull:
      e->is_null = true;
      e->type = DataType();
      break;
    case LiteralKind::kBoolean:
      e->bool_value = lit.bool_value;
      e->type = WithNullable(DataType::Boolean(), false);
      break;
    case LiteralKind::kInteger: {
      errno = 0;
      char* end = nullptr;
      long long v = std::strtoll(lit.text.c_str(), &end, 10);
      if (errno == ERANGE) {
        // Too big for BIGINT: an exact DECIMAL, as in Flink.
        if (lit.text.size() > 38) {
          ThrowBindError(lit.pos, "numeric literal '" + lit.text + "' is out of range");
        }
        e->type = WithNullable(DataType::Decimal(static_cast<int>(lit.text.size()), 0), false);
        break;
      }
      e->int_value = v;
      e->type = WithNullable(
          v >= std::numeric_limits<int32_t>::min() && v <= std::numeric_limits<int32_t>::max()
              ? DataType::Int()
              : DataType::BigInt(),
          false);
      break;
    }
    case LiteralKind::kExact: {
      int digits = 0, scale = 0;
      bool after_dot = false;
      for (char c : lit.text) {
        if (c == '.') {
          after_dot = true;
        } else if (std::isdigit(static_cast<unsigned char>(c))) {
          ++digits;
          if (after_dot) ++scale;
        }
      }
      if (digits > 38) {
        ThrowBindError(lit.pos, "numeric literal '" + lit.text + "' has more than 38 digits");
      }
      e->type = WithNullable(DataType::Decimal(std::max(digits, 1), scale), false);
      break;
    }
    case LiteralKind::kApproximate:
      e->double_value = std::strtod(lit.text.c_str(), nullptr);
      e->type = WithNullable(DataType::Double(), false);
      break;
    case LiteralKind::kString:
      e->type = WithNullable(DataType::String(), false);
      break;
    case LiteralKind::kInterval:
      e->int_value = Binder::IntervalMs(lit, "interval");
      e->type = WithNullable(DataType::Interval(), false);
      break;
    case LiteralKind::kTimestamp: {
      CheckTimestampText(lit, "TIMESTAMP");
      int precision = lit.text.size() > 20 ? static_cast<int>(lit.text.size()) - 20 : 0;
      e->type = WithNullable(DataType::Timestamp(precision), false);
      break;
    }
    case LiteralKind::kDate:
      CheckTimestampText(lit, "DATE");
      if (lit.text.size() != 10) ThrowBindError(lit.pos, "invalid DATE literal '" + lit.text + "'");
      e->text = lit.text + " 00:00:00";
      e->type = WithNullable(DataType::Timestamp(0), false);
      break;
    case LiteralKind::kTime:
      ThrowBindError(lit.pos, "TIME values are not supported; use a TIMESTAMP");
  }
  return e;
}

// Brings both sides of a comparison to one type; throws when they can't be compared.
std::pair<BoundExprPtr, BoundExprPtr> CoerceComparison(BoundExprPtr l, BoundExprPtr r,
                                                       SourcePos pos, const std::string& op) {
  const DataType& a = l->type;
  const DataType& b = r->type;
  // A string literal compared with a timestamp is read as a timestamp (Flink does this).
  if (a.IsTimestamp() && b.kind == TypeKind::kString && r->IsLiteral()) {
    return {l, Binder::Coerce(r, WithNullable(a, false))};
  }
  if (b.IsTimestamp() && a.kind == TypeKind::kString && l->IsLiteral()) {
    return {Binder::Coerce(l, WithNullable(b, false)), r};
  }
  if (!Comparable(a, b)) {
    ThrowBindError(pos, "cannot compare " + a.ToString() + " with " + b.ToString() + " using '" +
                            op + "'; add a CAST");
  }
  auto common = CommonType({a, b});
  if (!common || common->kind == TypeKind::kNull) return {l, r};
  return {Binder::Coerce(l, WithNullable(*common, a.nullable)),
          Binder::Coerce(r, WithNullable(*common, b.nullable))};
}

}  // namespace

BoundExprPtr Binder::Coerce(BoundExprPtr e, const DataType& type) {
  if (SameType(e->type, type) || type.kind == TypeKind::kNull) return e;
  // Fold numeric literals: `value > 80` compares with the DOUBLE 80, not CAST(80 AS DOUBLE).
  if (e->IsLiteral() && !e->is_null && e->type.IsNumeric() && type.IsNumeric() &&
      (e->type.kind == TypeKind::kInt || e->type.kind == TypeKind::kBigInt ||
       type.kind == TypeKind::kDouble)) {
    auto lit = std::make_shared<BoundExpr>(*e);
    const bool integral = e->type.kind == TypeKind::kInt || e->type.kind == TypeKind::kBigInt;
    if (integral && lit->text.empty()) lit->text = std::to_string(e->int_value);
    if (type.kind == TypeKind::kDouble) {
      lit->double_value = e->type.kind == TypeKind::kDouble ? e->double_value
                          : integral                        ? static_cast<double>(e->int_value)
                                                            : std::strtod(e->text.c_str(), nullptr);
    }
    lit->type = WithNullable(type, false);
    return lit;
  }
  // Read `e` before moving it: the order in which arguments are evaluated is unspecified
  // (clang goes left to right, so reading it in the argument list dereferenced null).
  const bool nullable = e->type.nullable || e->is_null;
  return MakeCast(std::move(e), WithNullable(type, nullable), true);
}

BoundExprPtr Binder::BindColumnRef(const ColumnRefExpr& ref, const Scope& scope) {
  if (ref.parts.size() > 2) {
    ThrowBindError(ref.pos, "nested field access '" + PrettyName(ref.parts) + "' is not supported");
  }
  const std::string& name = ref.parts.back();
  const std::string* qualifier = ref.parts.size() == 2 ? &ref.parts[0] : nullptr;
  if (qualifier != nullptr) {
    bool known = false;
    for (const ScopeColumn& c : scope.columns) known |= c.table == *qualifier;
    if (!known) {
      std::vector<std::string> tables;
      for (const ScopeColumn& c : scope.columns) {
        if (!c.table.empty()) tables.push_back(c.table);
      }
      std::string hint = ClosestName(*qualifier, tables);
      ThrowBindError(ref.pos, "unknown table or alias '" + *qualifier + "'" +
                                  (hint.empty() ? "" : "; did you mean '" + hint + "'?"));
    }
  }
  int found = -1;
  std::vector<std::string> candidates;
  for (size_t i = 0; i < scope.columns.size(); ++i) {
    const ScopeColumn& c = scope.columns[i];
    if (qualifier != nullptr && c.table != *qualifier) continue;
    candidates.push_back(c.name);
    if (c.name != name) continue;
    if (found >= 0) {
      ThrowBindError(ref.pos, "column '" + name + "' is ambiguous; qualify it with a table name");
    }
    found = static_cast<int>(i);
  }
  if (found < 0) {
    std::string hint = ClosestName(name, candidates);
    ThrowBindError(ref.pos, "unknown column '" + PrettyName(ref.parts) + "'" +
                                (hint.empty() ? "" : "; did you mean '" + hint + "'?"));
  }
  const ScopeColumn& c = scope.columns[found];
  return MakeColumn(found, c.name, c.type, ref.pos);
}

BoundExprPtr Binder::BindExpr(const Expr& expr, ExprContext& ctx) {
  // In a grouped select list, an expression equal to a GROUP BY key is that key.
  if (AggregateState* agg = ctx.aggregate; agg != nullptr && expr.kind != ExprKind::kLiteral) {
    const std::string sql = ToSql(expr);
    for (size_t i = 0; i < agg->keys.size(); ++i) {
      if (agg->key_sql[i] == sql) {
        return MakeColumn(static_cast<int>(i), sql, agg->keys[i]->type, expr.pos);
      }
    }
    if (expr.kind == ExprKind::kColumnRef) {
      BoundExprPtr col = BindColumnRef(expr.As<ColumnRefExpr>(), *agg->input);
      for (size_t i = 0; i < agg->keys.size(); ++i) {
        if (agg->key_column[i] == col->column) {
          return MakeColumn(static_cast<int>(i), col->name, agg->keys[i]->type, expr.pos);
        }
      }
      if (agg->window && agg->window->tvf_window_start >= 0) {
        const WindowInfo& w = *agg->window;
        const int base = static_cast<int>(agg->keys.size());
        if (col->column == w.tvf_window_start) {
          return MakeColumn(base, col->name, DataType::Timestamp(3), expr.pos);
        }
        if (col->column == w.tvf_window_end) {
          return MakeColumn(base + 1, col->name, DataType::Timestamp(3), expr.pos);
        }
        if (col->column == w.tvf_window_time) {
          return MakeColumn(base + 2, col->name, col->type, expr.pos);
        }
      }
      ThrowBindError(expr.pos, "column '" + col->name +
                                   "' must appear in GROUP BY or be used in an aggregate "
                                   "function");
    }
  }

  switch (expr.kind) {
    case ExprKind::kLiteral:
      return BindLiteral(expr.As<LiteralExpr>());
    case ExprKind::kColumnRef:
      return BindColumnRef(expr.As<ColumnRefExpr>(), *ctx.scope);
    case ExprKind::kStar:
      ThrowBindError(expr.pos, "'*' is only allowed as a select item or in COUNT(*)");
    case ExprKind::kUnary: {
      const auto& u = expr.As<UnaryExpr>();
      BoundExprPtr operand = BindExpr(*u.operand, ctx);
      if (u.op == UnaryOp::kNot) {
        if (!IsBooleanish(operand->type)) {
          ThrowBindError(expr.pos, "NOT needs a BOOLEAN operand, not " + operand->type.ToString());
        }
        return MakeCall("NOT", {operand}, WithNullable(DataType::Boolean(), operand->type.nullable),
                        expr.pos);
      }
      if (!operand->type.IsNumeric() && operand->type.kind != TypeKind::kInterval) {
        ThrowBindError(expr.pos, "unary '" + std::string(u.op == UnaryOp::kMinus ? "-" : "+") +
                                     "' needs a numeric operand, not " + operand->type.ToString());
      }
      if (u.op == UnaryOp::kPlus) return operand;
      if (operand->IsLiteral() && operand->type.kind != TypeKind::kDecimal) {
        auto neg = std::make_shared<BoundExpr>(*operand);
        neg->int_value = -neg->int_value;
        neg->double_value = -neg->double_value;
        neg->pos = expr.pos;
        return neg;
      }
      return MakeCall("NEGATE", {operand}, operand->type, expr.pos);
    }
    case ExprKind::kBinary: {
      const auto& b = expr.As<BinaryExpr>();
      BoundExprPtr l = BindExpr(*b.left, ctx);
      BoundExprPtr r = BindExpr(*b.right, ctx);
      const std::string op = BinaryOpSql(b.op);
      const bool nullable = l->type.nullable || r->type.nullable;
      const DataType& lt = l->type;
      const DataType& rt = r->type;
      auto mismatch = [&]() {
        ThrowBindError(expr.pos,
                       "cannot apply '" + op + "' to " + lt.ToString() + " and " + rt.ToString());
      };
      switch (b.op) {
        case BinaryOp::kAnd:
        case BinaryOp::kOr:
          if (!IsBooleanish(lt) || !IsBooleanish(rt)) mismatch();
          return MakeCall(op, {l, r}, WithNullable(DataType::Boolean(), nullable), expr.pos);
        case BinaryOp::kEq:
        case BinaryOp::kNe:
        case BinaryOp::kLt:
        case BinaryOp::kLe:
        case BinaryOp::kGt:
        case BinaryOp::kGe:
        case BinaryOp::kIsDistinctFrom:
        case BinaryOp::kIsNotDistinctFrom: {
          auto [cl, cr] = CoerceComparison(l, r, expr.pos, op);
          bool distinct = b.op == BinaryOp::kIsDistinctFrom || b.op == BinaryOp::kIsNotDistinctFrom;
          return MakeCall(op, {cl, cr}, WithNullable(DataType::Boolean(), nullable && !distinct),
                          expr.pos);
        }
        case BinaryOp::kConcat:
          if ((lt.kind != TypeKind::kString && lt.kind != TypeKind::kNull) ||
              (rt.kind != TypeKind::kString && rt.kind != TypeKind::kNull)) {
            mismatch();
          }
          return MakeCall(op, {l, r}, WithNullable(DataType::String(), nullable), expr.pos);
        case BinaryOp::kAdd:
        case BinaryOp::kSub: {
          if (lt.IsTimestamp() && rt.kind == TypeKind::kInterval) {
            return MakeCall(op, {l, r}, WithNullable(DataType{lt.kind, lt.precision}, nullable),
                            expr.pos);
          }
          if (b.op == BinaryOp::kAdd && lt.kind == TypeKind::kInterval && rt.IsTimestamp()) {
            return MakeCall(op, {r, l}, WithNullable(DataType{rt.kind, rt.precision}, nullable),
                            expr.pos);
          }
          if (lt.kind == TypeKind::kInterval && rt.kind == TypeKind::kInterval) {
            return MakeCall(op, {l, r}, WithNullable(DataType::Interval(), nullable), expr.pos);
          }
          if (lt.IsTimestamp() && rt.IsTimestamp()) {
            ThrowBindError(expr.pos,
                           "cannot subtract timestamps with '-'; use "
                           "TIMESTAMPDIFF(unit, a, b)");
          }
          [[fallthrough]];
        }
        case BinaryOp::kMul:
        case BinaryOp::kDiv:
        case BinaryOp::kMod: {
          if (b.op == BinaryOp::kMul || b.op == BinaryOp::kDiv) {
            if (lt.kind == TypeKind::kInterval && rt.IsNumeric()) {
              return MakeCall(op, {l, r}, WithNullable(DataType::Interval(), nullable), expr.pos);
            }
            if (b.op == BinaryOp::kMul && lt.IsNumeric() && rt.kind == TypeKind::kInterval) {
              return MakeCall(op, {r, l}, WithNullable(DataType::Interval(), nullable), expr.pos);
            }
          }
          const bool ln = lt.IsNumeric() || lt.kind == TypeKind::kNull;
          const bool rn = rt.IsNumeric() || rt.kind == TypeKind::kNull;
          if (!ln || !rn) mismatch();
          DataType result = ArithmeticType(op[0], lt, rt);
          if (result.kind == TypeKind::kNull) result = DataType::Int();
          DataType operands = PromoteNumeric(lt, rt);
          if (operands.kind == TypeKind::kNull) operands = DataType::Int();
          return MakeCall(op, {Coerce(l, operands), Coerce(r, operands)},
                          WithNullable(result, nullable), expr.pos);
        }
      }
      ThrowBindError(expr.pos, "unsupported operator '" + op + "'");
    }
    case ExprKind::kIs: {
      const auto& is = expr.As<IsExpr>();
      BoundExprPtr operand = BindExpr(*is.operand, ctx);
      std::string name = is.negated ? "IS NOT " : "IS ";
      switch (is.test) {
        case IsTest::kNull:
          name += "NULL";
          break;
        case IsTest::kTrue:
          name += "TRUE";
          break;
        case IsTest::kFalse:
          name += "FALSE";
          break;
        case IsTest::kUnknown:
          name += "UNKNOWN";
          break;
      }
      if (is.test != IsTest::kNull && !IsBooleanish(operand->type)) {
        ThrowBindError(expr.pos,
                       name + " needs a BOOLEAN operand, not " + operand->type.ToString());
      }
      return MakeCall(name, {operand}, WithNullable(DataType::Boolean(), false), expr.pos);
    }
    case ExprKind::kBetween: {
      const auto& bt = expr.As<BetweenExpr>();
      std::vector<BoundExprPtr> args = {BindExpr(*bt.operand, ctx), BindExpr(*bt.low, ctx),
                                        BindExpr(*bt.high, ctx)};
      auto [v, lo] = CoerceComparison(args[0], args[1], bt.low->pos, "BETWEEN");
      auto [v2, hi] = CoerceComparison(v, args[2], bt.high->pos, "BETWEEN");
      BoundExprPtr call =
          MakeCall("BETWEEN", {v2, lo, hi}, WithNullable(DataType::Boolean(), true), expr.pos);
      return bt.negated ? MakeCall("NOT", {call}, call->type, expr.pos) : call;
    }
    case ExprKind::kInList: {
      const auto& in = expr.As<InListExpr>();
      std::vector<BoundExprPtr> args = {BindExpr(*in.operand, ctx)};
      std::vector<DataType> types = {args[0]->type};
      for (const ExprPtr& item : in.list) {
        args.push_back(BindExpr(*item, ctx));
        if (!Comparable(args[0]->type, args.back()->type)) {
          ThrowBindError(item->pos, "IN list value of type " + args.back()->type.ToString() +
                                        " cannot be compared with " + args[0]->type.ToString());
        }
        types.push_back(args.back()->type);
      }
      auto common = CommonType(types);
      if (common && common->kind != TypeKind::kNull) {
        for (BoundExprPtr& a : args) a = Coerce(a, *common);
      }
      BoundExprPtr call = MakeCall("IN", args, WithNullable(DataType::Boolean(), true), expr.pos);
      return in.negated ? MakeCall("NOT", {call}, call->type, expr.pos) : call;
    }
    case ExprKind::kLike: {
      const auto& like = expr.As<LikeExpr>();
      std::vector<BoundExprPtr> args = {BindExpr(*like.operand, ctx), BindExpr(*like.pattern, ctx)};
      if (like.escape) args.push_back(BindExpr(*like.escape, ctx));
      for (size_t i = 0; i < args.size(); ++i) {
        if (args[i]->type.kind != TypeKind::kString && args[i]->type.kind != TypeKind::kNull) {
          ThrowBindError(args[i]->pos,
                         "LIKE needs STRING operands, not " + args[i]->type.ToString());
        }
      }
      BoundExprPtr call = MakeCall("LIKE", args, WithNullable(DataType::Boolean(), true), expr.pos);
      return like.negated ? MakeCall("NOT", {call}, call->type, expr.pos) : call;
    }
    case ExprKind::kCase: {
      const auto& c = expr.As<CaseExpr>();
      BoundExprPtr operand = c.operand ? BindExpr(*c.operand, ctx) : nullptr;
      std::vector<BoundExprPtr> conditions, results;
      std::vector<DataType> result_types;
      for (const CaseExpr::When& w : c.whens) {
        BoundExprPtr cond = BindExpr(*w.condition, ctx);
        if (operand) {
          auto [l, r] = CoerceComparison(operand, cond, w.condition->pos, "=");
          cond = MakeCall("=", {l, r}, WithNullable(DataType::Boolean(), true), w.condition->pos);
        } else if (!IsBooleanish(cond->type)) {
          ThrowBindError(w.condition->pos,
                         "WHEN condition must be BOOLEAN, not " + cond->type.ToString());
        }
        conditions.push_back(cond);
        results.push_back(BindExpr(*w.result, ctx));
        result_types.push_back(results.back()->type);
      }
      BoundExprPtr else_result =
          c.else_result ? BindExpr(*c.else_result, ctx) : MakeLiteral(DataType(), expr.pos);
      if (!c.else_result) std::const_pointer_cast<BoundExpr>(else_result)->is_null = true;
      result_types.push_back(else_result->type);
      auto common = CommonType(result_types);
      if (!common) {
        // Point at the first branch that disagrees with the ones before it.
        std::vector<DataType> so_far;
        for (size_t i = 0; i < results.size(); ++i) {
          so_far.push_back(results[i]->type);
          if (!CommonType(so_far)) {
            ThrowBindError(results[i]->pos, "CASE branch of type " + results[i]->type.ToString() +
                                                " has no common type with the branches before it");
          }
        }
        ThrowBindError(else_result->pos, "ELSE of type " + else_result->type.ToString() +
                                             " has no common type with the THEN branches");
      }
      DataType type = *common;
      if (!c.else_result) type.nullable = true;
      std::vector<BoundExprPtr> args;
      for (size_t i = 0; i < conditions.size(); ++i) {
        args.push_back(conditions[i]);
        args.push_back(Coerce(results[i], type));
      }
      args.push_back(Coerce(else_result, type));
      return MakeCall("CASE", args, type, expr.pos);
    }
    case ExprKind::kCast: {
      const auto& c = expr.As<CastExpr>();
      BoundExprPtr operand = BindExpr(*c.operand, ctx);
      if (!CanCast(operand->type, c.type)) {
        ThrowBindError(expr.pos,
                       "cannot cast " + operand->type.ToString() + " to " + c.type.ToString());
      }
      DataType type = c.type;
      type.nullable = c.type.nullable && (operand->type.nullable || c.try_cast);
      if (c.try_cast) type.nullable = true;
      auto e = std::make_shared<BoundExpr>(*MakeCast(operand, type, false));
      e->try_cast = c.try_cast;
      e->pos = expr.pos;
      return e;
    }
    case ExprKind::kFunction:
      return BindFunction(expr.As<FunctionExpr>(), ctx);
    case ExprKind::kExtract: {
      const auto& x = expr.As<ExtractExpr>();
      BoundExprPtr operand = BindExpr(*x.operand, ctx);
      if (!operand->type.IsTimestamp() && operand->type.kind != TypeKind::kInterval &&
          operand->type.kind != TypeKind::kNull) {
        ThrowBindError(x.operand->pos,
                       "EXTRACT needs a TIMESTAMP or INTERVAL, not " + operand->type.ToString());
      }
      return MakeCall("EXTRACT", {UnitLiteral(x.unit, expr.pos), operand},
                      WithNullable(DataType::BigInt(), operand->type.nullable), expr.pos);
    }
    case ExprKind::kTimeUnit:
      return UnitLiteral(expr.As<TimeUnitExpr>().unit, expr.pos);
    case ExprKind::kJsonValue: {
      const auto& j = expr.As<JsonValueExpr>();
      BoundExprPtr operand = BindExpr(*j.operand, ctx);
      BoundExprPtr path = BindExpr(*j.path, ctx);
      if (operand->type.kind != TypeKind::kString && operand->type.kind != TypeKind::kNull) {
        ThrowBindError(j.operand->pos,
                       "JSON_VALUE needs a STRING, not " + operand->type.ToString());
      }
      if (path->type.kind != TypeKind::kString) {
        ThrowBindError(j.path->pos, "JSON_VALUE path must be a STRING such as '$.a.b'");
      }
      DataType type = j.returning ? *j.returning : DataType::String();
      type.nullable = true;
      return MakeCall("JSON_VALUE", {operand, path}, type, expr.pos);
    }
    case ExprKind::kInSubquery:
    case ExprKind::kSubquery:
      ThrowBindError(expr.pos, "subqueries in expressions are not supported yet");
    case ExprKind::kGroupingSets:
      ThrowBindError(expr.pos, "GROUPING SETS, ROLLUP and CUBE are not supported yet");
  }
  ThrowBindError(expr.pos, "unsupported expression");
}

BoundExprPtr Binder::BindFunction(const FunctionExpr& f, ExprContext& ctx) {
  const std::string name = AsciiToUpper(f.name);
  if (f.over) return BindOverCall(f, ctx);

  // Auxiliary group-window functions: TUMBLE_START(ts, size) and friends.
  static const char* kAux[] = {"_START", "_END", "_ROWTIME", "_PROCTIME"};
  for (const char* window : {"TUMBLE", "HOP", "SESSION"}) {
    for (int k = 0; k < 4; ++k) {
      if (name != std::string(window) + kAux[k]) continue;
      AggregateState* agg = ctx.aggregate;
      if (agg == nullptr || !agg->window || agg->window->tvf_window_start >= 0) {
        ThrowBindError(f.pos, name + " needs GROUP BY " + window + "(...) with the same arguments");
      }
      const WindowInfo& w = *agg->window;
      bool same = w.function == window && f.args.size() == w.args_sql.size();
      for (size_t i = 0; same && i < f.args.size(); ++i) same = ToSql(*f.args[i]) == w.args_sql[i];
      if (!same) {
        ThrowBindError(
            f.pos, name + " must repeat the arguments of GROUP BY " + w.function + "(" + [&] {
              std::string s;
              for (size_t i = 0; i < w.args_sql.size(); ++i) {
                s += (i ? ", " : "") + w.args_sql[i];
              }
              return s;
            }() + ")");
      }
      if (k == 3) ThrowBindError(f.pos, "processing-time windows are not supported yet");
      const int base = static_cast<int>(agg->keys.size());
      if (k == 2) {
        const ScopeColumn& tc = agg->input->columns[w.def.time_column];
        return MakeColumn(base + 2, name, WithNullable(DataType{tc.type.kind, 3}, false), f.pos);
      }
      return MakeColumn(base + k, name, WithNullable(DataType::Timestamp(3), false), f.pos);
    }
  }
  if (name == "TUMBLE" || name == "HOP" || name == "SESSION" || name == "CUMULATE") {
    ThrowBindError(f.pos, name + "(...) is a window: use it in GROUP BY, or as FROM TABLE(" + name +
                              "(TABLE t, DESCRIPTOR(ts), ...))");
  }

  if (name == "TIMESTAMPDIFF" || name == "TIMESTAMPADD") {
    if (f.args.size() != 3 || f.args[0]->kind != ExprKind::kTimeUnit) {
      ThrowBindError(f.pos,
                     name + " takes (unit, " +
                         (name == "TIMESTAMPDIFF" ? "timestamp, timestamp)" : "n, timestamp)"));
    }
    BoundExprPtr unit = BindExpr(*f.args[0], ctx);
    BoundExprPtr a = BindExpr(*f.args[1], ctx);
    BoundExprPtr b = BindExpr(*f.args[2], ctx);
    const bool nullable = a->type.nullable || b->type.nullable;
    if (name == "TIMESTAMPDIFF") {
      for (const BoundExprPtr& x : {a, b}) {
        if (!x->type.IsTimestamp() && x->type.kind != TypeKind::kNull) {
          ThrowBindError(x->pos,
                         "TIMESTAMPDIFF needs TIMESTAMP arguments, not " + x->type.ToString());
        }
      }
      return MakeCall(name, {unit, a, b}, WithNullable(DataType::Int(), nullable), f.pos);
    }
    if (a->type.kind != TypeKind::kInt && a->type.kind != TypeKind::kBigInt) {
      ThrowBindError(a->pos, "TIMESTAMPADD needs an integer count, not " + a->type.ToString());
    }
    if (!b->type.IsTimestamp()) {
      ThrowBindError(b->pos, "TIMESTAMPADD needs a TIMESTAMP, not " + b->type.ToString());
    }
    return MakeCall(name, {unit, a, b},
                    WithNullable(DataType{b->type.kind, b->type.precision}, nullable), f.pos);
  }

  const FunctionInfo* info = LookupFunction(name);
  if (info == nullptr) {
    std::string hint = ClosestName(name, FunctionNames());
    ThrowBindError(f.pos, "unknown function '" + f.name + "'" +
                              (hint.empty() ? "" : "; did you mean " + hint + "?"));
  }
  if (info->kind == FunctionKind::kAggregate) {
    if (ctx.aggregate == nullptr) {
      ThrowBindError(f.pos, std::string("aggregate function ") + info->name + " is not allowed " +
                                (*ctx.clause ? std::string("in ") + ctx.clause
                                             : "here (aggregates cannot be nested)"));
    }
    const std::string sql = ToSql(f);
    AggregateState& agg = *ctx.aggregate;
    for (size_t i = 0; i < agg.aggregate_sql.size(); ++i) {
      if (agg.aggregate_sql[i] == sql) {
        return MakeColumn(agg.AggregateBase() + static_cast<int>(i), agg.aggregates[i].name,
                          agg.aggregates[i].type, f.pos);
      }
    }
    AggregateCall call =
        BindAggregateCall(f, *agg.input, "EXPR$" + std::to_string(agg.aggregates.size()));
    agg.aggregates.push_back(call);
    agg.aggregate_sql.push_back(sql);
    return MakeColumn(agg.AggregateBase() + static_cast<int>(agg.aggregates.size()) - 1, call.name,
                      call.type, f.pos);
  }

  if (f.distinct || f.star || f.filter) {
    ThrowBindError(f.pos, std::string(info->name) + " is not an aggregate function");
  }
  const int n = static_cast<int>(f.args.size());
  if (n < info->min_args || (info->max_args >= 0 && n > info->max_args)) {
    ThrowBindError(f.pos, std::string("wrong number of arguments to ") + info->name +
                              ": expected " + info->signature);
  }
  std::vector<BoundExprPtr> args;
  std::vector<DataType> types;
  bool nullable = false;
  for (const ExprPtr& a : f.args) {
    args.push_back(BindExpr(*a, ctx));
    types.push_back(args.back()->type);
    nullable |= args.back()->type.nullable;
  }
  std::string error;
  DataType type = info->result(types, &error);
  if (!error.empty()) {
    ThrowBindError(f.pos,
                   std::string(info->name) + ": " + error + " (expected " + info->signature + ")");
  }
  if (name == "COALESCE" || name == "GREATEST" || name == "LEAST" || name == "IFNULL" ||
      name == "NULLIF") {
    for (BoundExprPtr& a : args) a = Coerce(a, type);
    if (name == "COALESCE" || name == "IFNULL") {
      type.nullable = true;
      for (const DataType& t : types) type.nullable &= t.nullable || t.kind == TypeKind::kNull;
    }
    if (name == "NULLIF") type.nullable = true;
  } else if (name == "IF") {
    args[1] = Coerce(args[1], type);
    args[2] = Coerce(args[2], type);
  } else if (info->min_args > 0 && type.nullable) {
    type.nullable = nullable;
  }
  if (name == "PROCTIME") {
    // PROCTIME() marks a processing-time attribute; the binder reads it from the type's
    // call name, the plan from TableColumn::time_attr.
  }
  return MakeCall(info->name, args, type, f.pos);
}

AggregateCall Binder::BindAggregateCall(const FunctionExpr& f, const Scope& input,
                                        const std::string& name) {
  const FunctionInfo* info = LookupFunction(f.name);
  ExprContext inner;
  inner.scope = &input;
  inner.clause = "";
  AggregateCall call;
  call.function = info->name;
  call.distinct = f.distinct;
  call.name = name;
  if (f.star) {
    if (call.function != "COUNT") {
      ThrowBindError(f.pos, call.function + "(*) is not allowed; only COUNT(*)");
    }
  } else {
    for (const ExprPtr& a : f.args) call.args.push_back(BindExpr(*a, inner));
  }
  if (call.function == "COUNT") {
    if (!f.star && call.args.empty()) ThrowBindError(f.pos, "COUNT needs an argument or *");
  } else if (static_cast<int>(call.args.size()) < info->min_args ||
             static_cast<int>(call.args.size()) > info->max_args) {
    ThrowBindError(
        f.pos, "wrong number of arguments to " + call.function + ": expected " + info->signature);
  }
  std::vector<DataType> types;
  for (const BoundExprPtr& a : call.args) types.push_back(a->type);
  if (types.empty()) types.push_back(DataType::BigInt());
  std::string error;
  call.type = info->result(types, &error);
  if (!error.empty()) {
    ThrowBindError(f.pos, call.function + ": " + error + " (expected " + info->signature + ")");
  }
  if (call.function == "PERCENTILE_APPROX" || call.function == "PERCENTILE") {
    const BoundExpr& p = *call.args[1];
    double v = p.type.kind == TypeKind::kDouble    ? p.double_value
               : p.type.kind == TypeKind::kDecimal ? std::strtod(p.text.c_str(), nullptr)
                                                   : static_cast<double>(p.int_value);
    if (!p.IsLiteral() || p.is_null || v < 0 || v > 1) {
      ThrowBindError(f.args[1]->pos,
                     call.function + ": the fraction must be a literal between 0 and 1");
    }
  }
  if (f.filter) {
    call.filter = BindExpr(*f.filter, inner);
    if (!IsBooleanish(call.filter->type)) {
      ThrowBindError(f.filter->pos,
                     "FILTER condition must be BOOLEAN, not " + call.filter->type.ToString());
    }
  }
  return call;
}

BoundExprPtr Binder::BindOverCall(const FunctionExpr& f, ExprContext& ctx) {
  OverState* over = ctx.over;
  if (over == nullptr) {
    ThrowBindError(f.pos,
                   "OVER windows are only allowed in the select list of a query "
                   "without GROUP BY");
  }
  const FunctionInfo* info = LookupFunction(f.name);
  if (info == nullptr || info->kind != FunctionKind::kAggregate) {
    ThrowBindError(f.pos, "function '" + f.name +
                              "' cannot be used with OVER; use an "
                              "aggregate function");
  }
  const WindowSpec& spec = *f.over;
  if (spec.reference_only || !spec.base_window.empty()) {
    ThrowBindError(spec.pos,
                   "named windows (OVER w) are not supported yet; write the window "
                   "inline");
  }
  const std::string sql = ToSql(spec);
  if (over->spec_sql.empty()) {
    over->spec_sql = sql;
    over->spec_pos = spec.pos;
    ExprContext inner;
    inner.scope = over->input;
    for (const ExprPtr& p : spec.partition_by) over->partition_by.push_back(BindExpr(*p, inner));
    if (spec.order_by.size() != 1 || spec.order_by[0].descending ||
        spec.order_by[0].expr->kind != ExprKind::kColumnRef) {
      ThrowBindError(spec.pos, "OVER windows must be ordered by one time attribute, ascending");
    }
    BoundExprPtr order = BindExpr(*spec.order_by[0].expr, inner);
    const ScopeColumn& oc = over->input->columns[order->column];
    if (oc.time_attr != TimeAttr::kRowtime) {
      ThrowBindError(spec.order_by[0].expr->pos,
                     "OVER windows must be ordered by a rowtime attribute (a column declared "
                     "with WATERMARK); '" +
                         oc.name + "' is a plain " + oc.type.ToString());
    }
    over->order_column = order->column;
    if (spec.frame) {
      const WindowFrame& fr = *spec.frame;
      over->frame.rows = fr.unit == WindowFrame::Unit::kRows;
      if (fr.end && fr.end->kind != FrameBound::Kind::kCurrentRow) {
        ThrowBindError(fr.end->pos, "the upper bound of an OVER window must be CURRENT ROW");
      }
      switch (fr.start.kind) {
        case FrameBound::Kind::kUnboundedPreceding:
          over->frame.unbounded = true;
          break;
        case FrameBound::Kind::kCurrentRow:
          over->frame.unbounded = false;
          over->frame.preceding = 0;
          break;
        case FrameBound::Kind::kPreceding: {
          over->frame.unbounded = false;
          if (over->frame.rows) {
            const Expr& off = *fr.start.offset;
            if (off.kind != ExprKind::kLiteral ||
                off.As<LiteralExpr>().literal_kind != LiteralKind::kInteger) {
              ThrowBindError(off.pos,
                             "ROWS frames take a row count: ROWS BETWEEN n PRECEDING "
                             "AND CURRENT ROW");
            }
            over->frame.preceding = std::strtoll(off.As<LiteralExpr>().text.c_str(), nullptr, 10);
          } else {
            over->frame.preceding = IntervalMs(*fr.start.offset, "RANGE frame");
          }
          break;
        }
        default:
          ThrowBindError(fr.start.pos, "the lower bound of an OVER window must be PRECEDING");
      }
    } else {
      over->frame.rows = false;  // RANGE UNBOUNDED PRECEDING, Flink's default
      over->frame.unbounded = true;
    }
  } else if (sql != over->spec_sql) {
    ThrowBindError(spec.pos,
                   "all OVER windows of one SELECT must be the same (as in Flink); "
                   "this one differs from the window at line " +
                       std::to_string(over->spec_pos.line) + ", column " +
                       std::to_string(over->spec_pos.column));
  }
  AggregateCall call =
      BindAggregateCall(f, *over->input, "w0$o" + std::to_string(over->aggregates.size()));
  over->aggregates.push_back(call);
  return MakeColumn(static_cast<int>(over->input->columns.size() + over->aggregates.size() - 1),
                    call.name, call.type, f.pos);
}

std::string DefaultColumnName(const Expr& expr, size_t index) {
  if (expr.kind == ExprKind::kColumnRef) return expr.As<ColumnRefExpr>().parts.back();
  return "EXPR$" + std::to_string(index);
}

}  // namespace fluxgate::sql
