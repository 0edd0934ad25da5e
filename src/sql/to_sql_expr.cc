// Canonical SQL for expressions (ToSql in ast_expr.h).
//
// Parentheses come from precedence, not from the source: a child is wrapped when it binds
// looser than its position in the parent requires. The levels mirror parse_expr.cc.
#include "sql/ast_query.h"
#include "sql/keywords.h"

namespace fluxgate::sql {

namespace {

enum Level : int {
  kOrLevel = 1,
  kAndLevel = 2,
  kNotLevel = 3,
  kComparisonLevel = 4,
  kConcatLevel = 5,
  kAdditiveLevel = 6,
  kMultiplicativeLevel = 7,
  kUnaryLevel = 8,
  kPrimaryLevel = 9,
};

int LevelOf(const Expr& e) {
  switch (e.kind) {
    case ExprKind::kBinary:
      switch (e.As<BinaryExpr>().op) {
        case BinaryOp::kOr:
          return kOrLevel;
        case BinaryOp::kAnd:
          return kAndLevel;
        case BinaryOp::kConcat:
          return kConcatLevel;
        case BinaryOp::kAdd:
        case BinaryOp::kSub:
          return kAdditiveLevel;
        case BinaryOp::kMul:
        case BinaryOp::kDiv:
        case BinaryOp::kMod:
          return kMultiplicativeLevel;
        default:
          return kComparisonLevel;
      }
    case ExprKind::kUnary:
      return e.As<UnaryExpr>().op == UnaryOp::kNot ? kNotLevel : kUnaryLevel;
    case ExprKind::kIs:
    case ExprKind::kBetween:
    case ExprKind::kInList:
    case ExprKind::kInSubquery:
    case ExprKind::kLike:
      return kComparisonLevel;
    default:
      return kPrimaryLevel;
  }
}

class ExprPrinter {
 public:
  explicit ExprPrinter(bool full) : full_(full) {}

  // `e` where the grammar needs at least `level` without parentheses.
  std::string At(const Expr& e, int level) {
    std::string s = Render(e);
    const bool is_operator = LevelOf(e) < kPrimaryLevel;
    if ((full_ && is_operator) || (!full_ && LevelOf(e) < level)) return "(" + s + ")";
    return s;
  }

  std::string Top(const Expr& e) {
    std::string s = Render(e);
    return full_ && LevelOf(e) < kPrimaryLevel ? "(" + s + ")" : s;
  }

  std::string List(const std::vector<ExprPtr>& items) {
    std::string out;
    for (size_t i = 0; i < items.size(); ++i) {
      if (i) out += ", ";
      out += Top(*items[i]);
    }
    return out;
  }

  std::string Render(const Expr& e) {
    switch (e.kind) {
      case ExprKind::kLiteral:
        return Literal(e.As<LiteralExpr>());
      case ExprKind::kColumnRef: {
        std::string out;
        for (const std::string& part : e.As<ColumnRefExpr>().parts) {
          if (!out.empty()) out += '.';
          out += QuoteIdentifier(part);
        }
        return out;
      }
      case ExprKind::kStar: {
        std::string out;
        for (const std::string& part : e.As<StarExpr>().qualifier)
          out += QuoteIdentifier(part) + ".";
        return out + "*";
      }
      case ExprKind::kUnary: {
        const auto& u = e.As<UnaryExpr>();
        if (u.op == UnaryOp::kNot) return "NOT " + At(*u.operand, kNotLevel);
        std::string operand = At(*u.operand, kUnaryLevel);
        // "--" would start a comment.
        if (!operand.empty() && (operand[0] == '-' || operand[0] == '+')) operand = " " + operand;
        return (u.op == UnaryOp::kMinus ? "-" : "+") + operand;
      }
      case ExprKind::kBinary: {
        const auto& b = e.As<BinaryExpr>();
        const int level = LevelOf(e);
        return At(*b.left, level) + " " + BinaryOpSql(b.op) + " " + At(*b.right, level + 1);
      }
      case ExprKind::kIs: {
        const auto& is = e.As<IsExpr>();
        static constexpr const char* kTests[] = {"NULL", "TRUE", "FALSE", "UNKNOWN"};
        return At(*is.operand, kComparisonLevel) + (is.negated ? " IS NOT " : " IS ") +
               kTests[static_cast<int>(is.test)];
      }
      case ExprKind::kBetween: {
        const auto& b = e.As<BetweenExpr>();
        return At(*b.operand, kComparisonLevel) + (b.negated ? " NOT BETWEEN " : " BETWEEN ") +
               At(*b.low, kConcatLevel) + " AND " + At(*b.high, kConcatLevel);
      }
      case ExprKind::kInList: {
        const auto& in = e.As<InListExpr>();
        return At(*in.operand, kComparisonLevel) + (in.negated ? " NOT IN (" : " IN (") +
               List(in.list) + ")";
      }
      case ExprKind::kInSubquery: {
        const auto& in = e.As<InSubqueryExpr>();
        return At(*in.operand, kComparisonLevel) + (in.negated ? " NOT IN (" : " IN (") +
               ToSql(*in.query) + ")";
      }
      case ExprKind::kLike: {
        const auto& l = e.As<LikeExpr>();
        std::string out = At(*l.operand, kComparisonLevel) + (l.negated ? " NOT LIKE " : " LIKE ") +
                          At(*l.pattern, kConcatLevel);
        if (l.escape) out += " ESCAPE " + At(*l.escape, kConcatLevel);
        return out;
      }
      case ExprKind::kCase: {
        const auto& c = e.As<CaseExpr>();
        std::string out = "CASE";
        if (c.operand) out += " " + Top(*c.operand);
        for (const auto& w : c.whens) {
          out += " WHEN " + Top(*w.condition) + " THEN " + Top(*w.result);
        }
        if (c.else_result) out += " ELSE " + Top(*c.else_result);
        return out + " END";
      }
      case ExprKind::kCast: {
        const auto& c = e.As<CastExpr>();
        return std::string(c.try_cast ? "TRY_CAST(" : "CAST(") + Top(*c.operand) + " AS " +
               c.type.ToString() + ")";
      }
      case ExprKind::kFunction:
        return Function(e.As<FunctionExpr>());
      case ExprKind::kExtract: {
        const auto& x = e.As<ExtractExpr>();
        return std::string("EXTRACT(") + TimeUnitName(x.unit) + " FROM " + Top(*x.operand) + ")";
      }
      case ExprKind::kTimeUnit:
        return TimeUnitName(e.As<TimeUnitExpr>().unit);
      case ExprKind::kJsonValue: {
        const auto& j = e.As<JsonValueExpr>();
        std::string out = "JSON_VALUE(" + Top(*j.operand) + ", " + Top(*j.path);
        if (j.returning) out += " RETURNING " + j.returning->ToString();
        return out + ")";
      }
      case ExprKind::kSubquery: {
        const auto& s = e.As<SubqueryExpr>();
        return (s.exists ? "EXISTS (" : "(") + ToSql(*s.query) + ")";
      }
      case ExprKind::kGroupingSets:
        return GroupingSets(e.As<GroupingSetsExpr>());
    }
    return "?";
  }

 private:
  std::string Literal(const LiteralExpr& l) {
    switch (l.literal_kind) {
      case LiteralKind::kNull:
        return "NULL";
      case LiteralKind::kBoolean:
        return l.bool_value ? "TRUE" : "FALSE";
      case LiteralKind::kInteger:
      case LiteralKind::kExact:
      case LiteralKind::kApproximate:
        return l.text;
      case LiteralKind::kString:
        return QuoteString(l.text);
      case LiteralKind::kInterval: {
        std::string out = "INTERVAL " + QuoteString(l.text) + " " + TimeUnitName(l.unit);
        if (l.end_unit) out += std::string(" TO ") + TimeUnitName(*l.end_unit);
        return out;
      }
      case LiteralKind::kTimestamp:
        return "TIMESTAMP " + QuoteString(l.text);
      case LiteralKind::kDate:
        return "DATE " + QuoteString(l.text);
      case LiteralKind::kTime:
        return "TIME " + QuoteString(l.text);
    }
    return "?";
  }

  std::string Function(const FunctionExpr& f) {
    std::string out = ToUpper(f.name);
    if (f.no_parens) return out;
    out += "(";
    if (f.star) {
      out += "*";
    } else {
      if (f.distinct) out += "DISTINCT ";
      out += List(f.args);
    }
    out += ")";
    if (f.filter) out += " FILTER (WHERE " + Top(*f.filter) + ")";
    if (f.over) out += " OVER " + ToSql(*f.over);
    return out;
  }

  std::string GroupingSets(const GroupingSetsExpr& g) {
    static constexpr const char* kForms[] = {"GROUPING SETS", "ROLLUP", "CUBE"};
    std::string out = std::string(kForms[static_cast<int>(g.form)]) + " (";
    for (size_t i = 0; i < g.sets.size(); ++i) {
      if (i) out += ", ";
      if (g.sets[i].size() == 1) {
        // A lone expression needs no set parentheses, unless it would then read as
        // one: (a + b) is printed as a set of one, which means the same.
        out += Top(*g.sets[i][0]);
      } else {
        out += "(" + List(g.sets[i]) + ")";
      }
    }
    return out + ")";
  }

  bool full_;
};

}  // namespace

std::string ToSql(const Expr& expr, bool fully_parenthesized) {
  return ExprPrinter(fully_parenthesized).Top(expr);
}

std::string ToSql(const OrderItem& item) {
  std::string out = ToSql(*item.expr);
  if (item.descending) out += " DESC";
  if (item.nulls == OrderItem::Nulls::kFirst) out += " NULLS FIRST";
  if (item.nulls == OrderItem::Nulls::kLast) out += " NULLS LAST";
  return out;
}

namespace {

std::string Bound(const FrameBound& b) {
  switch (b.kind) {
    case FrameBound::Kind::kUnboundedPreceding:
      return "UNBOUNDED PRECEDING";
    case FrameBound::Kind::kPreceding:
      return ToSql(*b.offset) + " PRECEDING";
    case FrameBound::Kind::kCurrentRow:
      return "CURRENT ROW";
    case FrameBound::Kind::kFollowing:
      return ToSql(*b.offset) + " FOLLOWING";
    case FrameBound::Kind::kUnboundedFollowing:
      return "UNBOUNDED FOLLOWING";
  }
  return "?";
}

}  // namespace

std::string ToSql(const WindowSpec& spec) {
  if (spec.reference_only) return QuoteIdentifier(spec.base_window);
  std::string out;
  auto add = [&](const std::string& part) {
    if (!out.empty()) out += ' ';
    out += part;
  };
  if (!spec.base_window.empty()) add(QuoteIdentifier(spec.base_window));
  if (!spec.partition_by.empty()) {
    std::string p = "PARTITION BY ";
    for (size_t i = 0; i < spec.partition_by.size(); ++i) {
      if (i) p += ", ";
      p += ToSql(*spec.partition_by[i]);
    }
    add(p);
  }
  if (!spec.order_by.empty()) {
    std::string o = "ORDER BY ";
    for (size_t i = 0; i < spec.order_by.size(); ++i) {
      if (i) o += ", ";
      o += ToSql(spec.order_by[i]);
    }
    add(o);
  }
  if (spec.frame) {
    std::string f = spec.frame->unit == WindowFrame::Unit::kRows ? "ROWS " : "RANGE ";
    if (spec.frame->end) {
      f += "BETWEEN " + Bound(spec.frame->start) + " AND " + Bound(*spec.frame->end);
    } else {
      f += Bound(spec.frame->start);
    }
    add(f);
  }
  return "(" + out + ")";
}

}  // namespace fluxgate::sql
