#include "sql/bound_expr.h"

namespace fluxgate::sql {

BoundExprPtr MakeColumn(int index, std::string name, DataType type, SourcePos pos) {
  auto e = std::make_shared<BoundExpr>();
  e->kind = BoundExprKind::kColumn;
  e->column = index;
  e->name = std::move(name);
  e->type = type;
  e->pos = pos;
  return e;
}

BoundExprPtr MakeCall(std::string function, std::vector<BoundExprPtr> args, DataType type,
                      SourcePos pos) {
  auto e = std::make_shared<BoundExpr>();
  e->kind = BoundExprKind::kCall;
  e->function = std::move(function);
  e->args = std::move(args);
  e->type = type;
  e->pos = pos;
  return e;
}

BoundExprPtr MakeCast(BoundExprPtr value, DataType type, bool implicit) {
  SourcePos pos = value->pos;
  auto e = std::make_shared<BoundExpr>();
  e->kind = BoundExprKind::kCall;
  e->function = "CAST";
  e->args = {std::move(value)};
  e->type = type;
  e->implicit = implicit;
  e->pos = pos;
  return e;
}

namespace {

bool IsInfix(const std::string& f) {
  static const char* kInfix[] = {"+",
                                 "-",
                                 "*",
                                 "/",
                                 "%",
                                 "=",
                                 "<>",
                                 "<",
                                 "<=",
                                 ">",
                                 ">=",
                                 "||",
                                 "AND",
                                 "OR",
                                 "IS DISTINCT FROM",
                                 "IS NOT DISTINCT FROM"};
  for (const char* op : kInfix) {
    if (f == op) return true;
  }
  return false;
}

std::string Quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    out += c;
    if (c == '\'') out += '\'';
  }
  return out + "'";
}

}  // namespace

std::string ToString(const BoundExpr& e) {
  switch (e.kind) {
    case BoundExprKind::kLiteral:
      if (e.is_null) return "NULL";
      switch (e.type.kind) {
        case TypeKind::kBoolean:
          return e.bool_value ? "TRUE" : "FALSE";
        case TypeKind::kInt:
        case TypeKind::kBigInt:
          return std::to_string(e.int_value);
        case TypeKind::kDouble:
          return e.text.empty() ? std::to_string(e.double_value) : e.text;
        case TypeKind::kInterval:
          return "INTERVAL " + std::to_string(e.int_value) + " ms";
        case TypeKind::kString:
          return Quote(e.text);
        case TypeKind::kTimestamp:
          return "TIMESTAMP " + Quote(e.text);
        default:
          return e.text;
      }
    case BoundExprKind::kColumn:
      return e.name.empty() ? "$" + std::to_string(e.column) : e.name;
    case BoundExprKind::kCall:
      break;
  }
  const std::string& f = e.function;
  if (IsInfix(f) && e.args.size() == 2) {
    return "(" + ToString(*e.args[0]) + " " + f + " " + ToString(*e.args[1]) + ")";
  }
  if (f == "CAST") {
    return std::string(e.try_cast ? "TRY_CAST(" : "CAST(") + ToString(*e.args[0]) + " AS " +
           e.type.ToString() + ")";
  }
  if (f.rfind("IS ", 0) == 0 && e.args.size() == 1)
    return "(" + ToString(*e.args[0]) + " " + f + ")";
  if (f == "NOT") return "NOT " + ToString(*e.args[0]);
  if (f == "NEGATE") return "-" + ToString(*e.args[0]);
  if (f == "CASE") {
    std::string s = "CASE";
    for (size_t i = 0; i + 1 < e.args.size(); i += 2) {
      s += " WHEN " + ToString(*e.args[i]) + " THEN " + ToString(*e.args[i + 1]);
    }
    return s + " ELSE " + ToString(*e.args.back()) + " END";
  }
  std::string s = f + "(";
  for (size_t i = 0; i < e.args.size(); ++i) s += (i ? ", " : "") + ToString(*e.args[i]);
  return s + ")";
}

}  // namespace fluxgate::sql
