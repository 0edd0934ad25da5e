// Canonical SQL for queries and table references (ToSql in ast_query.h).
#include "sql/ast_query.h"
#include "sql/keywords.h"

namespace fluxgate::sql {

namespace {

std::string Names(const std::vector<std::string>& names, std::string_view sep) {
  std::string out;
  for (size_t i = 0; i < names.size(); ++i) {
    if (i) out += sep;
    out += QuoteIdentifier(names[i]);
  }
  return out;
}

std::string Exprs(const std::vector<ExprPtr>& exprs) {
  std::string out;
  for (size_t i = 0; i < exprs.size(); ++i) {
    if (i) out += ", ";
    out += ToSql(*exprs[i]);
  }
  return out;
}

std::string Alias(const TableRef& ref) {
  if (ref.alias.empty()) return "";
  std::string out = " AS " + QuoteIdentifier(ref.alias);
  if (!ref.column_aliases.empty()) out += " (" + Names(ref.column_aliases, ", ") + ")";
  return out;
}

std::string ParamName(const std::string& name) {
  // A back-quoted name that is not a plain word keeps its spelling and its quotes (printed
  // bare, `a b` or `x;` did not parse back; found by fuzz/sql_fuzzer.cc).
  if (!IsPlainWord(name)) return QuoteIdentifier(name);
  // DATA, TIMECOL, SIZE ... are printed bare as in Flink's docs; OFFSET is reserved and
  // must be back-quoted.
  const std::string upper = ToUpper(name);
  return IsReservedWord(upper) ? "`" + upper + "`" : upper;
}

std::string TableFunctionArgSql(const TableFunctionArg& arg) {
  std::string out;
  if (!arg.param_name.empty()) out = ParamName(arg.param_name) + " => ";
  switch (arg.kind) {
    case TableFunctionArg::Kind::kTable:
      out += "TABLE " + Names(arg.table_name, ".");
      if (arg.partition_by.size() == 1) {
        out += " PARTITION BY " + QuoteIdentifier(arg.partition_by[0]);
      } else if (!arg.partition_by.empty()) {
        out += " PARTITION BY (" + Names(arg.partition_by, ", ") + ")";
      }
      break;
    case TableFunctionArg::Kind::kDescriptor:
      out += "DESCRIPTOR(" + Names(arg.columns, ", ") + ")";
      break;
    case TableFunctionArg::Kind::kExpr:
      out += ToSql(*arg.expr);
      break;
  }
  return out;
}

std::string Body(const QueryBody& body, const char* sep);

std::string SelectSql(const SelectBody& s, const char* sep) {
  std::string out = s.distinct ? "SELECT DISTINCT " : "SELECT ";
  for (size_t i = 0; i < s.items.size(); ++i) {
    if (i) out += ", ";
    out += ToSql(*s.items[i].expr);
    if (!s.items[i].alias.empty()) out += " AS " + QuoteIdentifier(s.items[i].alias);
  }
  if (s.from) out += sep + std::string("FROM ") + ToSql(*s.from);
  if (s.where) out += sep + std::string("WHERE ") + ToSql(*s.where);
  if (!s.group_by.empty()) out += sep + std::string("GROUP BY ") + Exprs(s.group_by);
  if (s.having) out += sep + std::string("HAVING ") + ToSql(*s.having);
  if (!s.windows.empty()) {
    out += sep + std::string("WINDOW ");
    for (size_t i = 0; i < s.windows.size(); ++i) {
      if (i) out += ", ";
      out += QuoteIdentifier(s.windows[i].name) + " AS " + ToSql(s.windows[i].spec);
    }
  }
  return out;
}

std::string Body(const QueryBody& body, const char* sep) {
  switch (body.kind) {
    case QueryBodyKind::kSelect:
      return SelectSql(body.As<SelectBody>(), sep);
    case QueryBodyKind::kSetOperation: {
      const auto& op = body.As<SetOperationBody>();
      static constexpr const char* kOps[] = {"UNION", "INTERSECT", "EXCEPT"};
      return Body(*op.left, sep) + sep + kOps[static_cast<int>(op.op)] + (op.all ? " ALL" : "") +
             sep + Body(*op.right, sep);
    }
    case QueryBodyKind::kValues: {
      std::string out = "VALUES ";
      const auto& rows = body.As<ValuesBody>().rows;
      for (size_t i = 0; i < rows.size(); ++i) {
        if (i) out += ", ";
        out += "(" + Exprs(rows[i]) + ")";
      }
      return out;
    }
    case QueryBodyKind::kNested:
      return "(" + ToSql(*body.As<NestedBody>().query) + ")";
  }
  return "?";
}

}  // namespace

std::string ToSql(const TableRef& ref) {
  switch (ref.kind) {
    case TableRefKind::kTable: {
      const auto& t = ref.As<BaseTableRef>();
      std::string out = Names(t.name, ".");
      if (t.system_time_as_of) out += " FOR SYSTEM_TIME AS OF " + ToSql(*t.system_time_as_of);
      return out + Alias(ref);
    }
    case TableRefKind::kSubquery: {
      const auto& s = ref.As<SubqueryRef>();
      return (s.lateral ? "LATERAL (" : "(") + ToSql(*s.query) + ")" + Alias(ref);
    }
    case TableRefKind::kJoin: {
      const auto& j = ref.As<JoinRef>();
      static constexpr const char* kJoins[] = {" JOIN ",      " LEFT JOIN ",  " RIGHT JOIN ",
                                               " FULL JOIN ", " CROSS JOIN ", ", "};
      std::string right = ToSql(*j.right);
      // The parser builds joins left-deep; a join on the right came from parentheses.
      if (j.right->kind == TableRefKind::kJoin) right = "(" + right + ")";
      std::string out = ToSql(*j.left) + kJoins[static_cast<int>(j.type)] + right;
      if (j.condition) out += " ON " + ToSql(*j.condition);
      if (!j.using_columns.empty()) out += " USING (" + Names(j.using_columns, ", ") + ")";
      return out;
    }
    case TableRefKind::kTableFunction: {
      const auto& f = ref.As<TableFunctionRef>();
      std::string out = "TABLE(" + ToUpper(f.name) + "(";
      for (size_t i = 0; i < f.args.size(); ++i) {
        if (i) out += ", ";
        out += TableFunctionArgSql(f.args[i]);
      }
      return out + "))" + Alias(ref);
    }
  }
  return "?";
}

std::string ToSql(const Query& query, bool multiline) {
  const char* sep = multiline ? "\n" : " ";
  std::string out;
  if (!query.ctes.empty()) {
    out += "WITH ";
    for (size_t i = 0; i < query.ctes.size(); ++i) {
      const CommonTableExpr& cte = query.ctes[i];
      if (i) out += ", ";
      out += QuoteIdentifier(cte.name);
      if (!cte.columns.empty()) out += " (" + Names(cte.columns, ", ") + ")";
      out += " AS (" + ToSql(*cte.query) + ")";
    }
    out += sep;
  }
  out += Body(*query.body, sep);
  if (!query.order_by.empty()) {
    out += sep + std::string("ORDER BY ");
    for (size_t i = 0; i < query.order_by.size(); ++i) {
      if (i) out += ", ";
      out += ToSql(query.order_by[i]);
    }
  }
  if (query.limit) out += sep + std::string("LIMIT ") + ToSql(*query.limit);
  if (query.offset) out += sep + std::string("OFFSET ") + ToSql(*query.offset);
  return out;
}

}  // namespace fluxgate::sql
