// The FROM clause: tables, subqueries, joins and window table functions.
#include "sql/keywords.h"
#include "sql/parser_impl.h"

namespace fluxgate::sql {

TableRefPtr Parser::ParseFrom() {
  TableRefPtr left = ParseTablePrimary();
  for (;;) {
    const Token& t = Peek();
    JoinType type;
    if (t.IsSymbol(",")) {
      Next();
      type = JoinType::kComma;
    } else if (t.Is("JOIN")) {
      Next();
      type = JoinType::kInner;
    } else if (t.Is("INNER")) {
      Next();
      Expect("JOIN");
      type = JoinType::kInner;
    } else if (t.Is("CROSS")) {
      Next();
      Expect("JOIN");
      type = JoinType::kCross;
    } else if (t.Is("LEFT") || t.Is("RIGHT") || t.Is("FULL")) {
      type = t.Is("LEFT") ? JoinType::kLeft : t.Is("RIGHT") ? JoinType::kRight : JoinType::kFull;
      Next();
      Accept("OUTER");
      Expect("JOIN");
    } else {
      return left;
    }
    auto join = std::make_unique<JoinRef>(t.pos);
    join->type = type;
    join->left = std::move(left);
    join->right = ParseTablePrimary();
    if (type != JoinType::kComma && type != JoinType::kCross) {
      if (Accept("ON")) {
        join->condition = ParseExpr();
      } else if (Accept("USING")) {
        join->using_columns = ParseIdentifierList();
      } else {
        FailExpected("ON or USING after the joined table");
      }
    }
    left = std::move(join);
  }
}

TableRefPtr Parser::ParseTablePrimary() {
  DepthGuard guard(*this);
  const Token& t = Peek();
  if (t.IsSymbol("(") || (t.Is("LATERAL") && PeekSymbol("(", 1))) {
    bool lateral = Accept("LATERAL");
    if (PeekQueryStart()) {
      auto sub = std::make_unique<SubqueryRef>(t.pos);
      sub->lateral = lateral;
      ExpectSymbol("(");
      sub->query = ParseQuery();
      ExpectSymbol(")");
      ParseTableAlias(*sub);
      return sub;
    }
    Next();  // (: a parenthesized join
    TableRefPtr inner = ParseFrom();
    ExpectSymbol(")");
    return inner;
  }
  if (t.Is("TABLE") && PeekSymbol("(", 1)) return ParseTableFunction();
  auto table = std::make_unique<BaseTableRef>(t.pos);
  table->name = ParseQualifiedName("a table name");
  if (PeekIs("FOR") && PeekIs("SYSTEM_TIME", 1)) {
    Next();
    Next();
    Expect("AS");
    Expect("OF");
    table->system_time_as_of = ParseAdditive();
  }
  ParseTableAlias(*table);
  return table;
}

void Parser::ParseTableAlias(TableRef& ref) {
  ref.alias = ParseAlias();
  if (!ref.alias.empty() && PeekSymbol("(")) ref.column_aliases = ParseIdentifierList();
}

TableRefPtr Parser::ParseTableFunction() {
  auto fn = std::make_unique<TableFunctionRef>(Expect("TABLE").pos);
  ExpectSymbol("(");
  if (Peek().kind != TokenKind::kWord && Peek().kind != TokenKind::kQuotedIdent) {
    FailExpected("a table function such as TUMBLE, HOP, CUMULATE or SESSION");
  }
  fn->name = Next().text;
  ExpectSymbol("(");
  if (!PeekSymbol(")")) {
    do {
      fn->args.push_back(ParseTableFunctionArg());
    } while (AcceptSymbol(","));
  }
  ExpectSymbol(")");
  ExpectSymbol(")");
  ParseTableAlias(*fn);
  return fn;
}

TableFunctionArg Parser::ParseTableFunctionArg() {
  TableFunctionArg arg;
  arg.pos = Peek().pos;
  const Token& t = Peek();
  if ((t.kind == TokenKind::kWord || t.kind == TokenKind::kQuotedIdent) && PeekSymbol("=>", 1)) {
    arg.param_name = Next().text;
    Next();  // =>
  }
  if (PeekIs("TABLE")) {
    Next();
    arg.kind = TableFunctionArg::Kind::kTable;
    arg.table_name = ParseQualifiedName("a table name after TABLE");
    if (Accept("PARTITION")) {
      Expect("BY");
      if (PeekSymbol("(")) {
        arg.partition_by = ParseIdentifierList();
      } else {
        // One key without parentheses: a comma would be ambiguous with the next argument.
        arg.partition_by.push_back(ParseIdentifier("a partition column"));
      }
    }
  } else if (PeekIs("DESCRIPTOR") && PeekSymbol("(", 1)) {
    Next();
    arg.kind = TableFunctionArg::Kind::kDescriptor;
    arg.columns = ParseIdentifierList();
  } else {
    arg.expr = ParseExpr();
  }
  return arg;
}

}  // namespace fluxgate::sql
