// Statement dispatch, INSERT, statement sets, EXPLAIN, SET and RESET.
#include "sql/keywords.h"
#include "sql/parser_impl.h"

namespace fluxgate::sql {

StatementPtr Parser::ParseStatement() {
  const Token& first = Peek();
  StatementPtr s = ParseStatementBody();
  const Token& last = tokens_[next_ - 1];
  s->text = std::string(source_.substr(first.offset, last.offset + last.length - first.offset));
  return s;
}

StatementPtr Parser::ParseStatementBody() {
  const Token& t = Peek();
  if (t.Is("CREATE")) return ParseCreate();
  if (t.Is("DROP")) return ParseDrop();
  if (t.Is("INSERT")) return ParseInsert();
  if (t.Is("EXECUTE")) {
    SourcePos pos = Next().pos;
    if (PeekIs("INSERT")) return ParseInsert();  // EXECUTE INSERT INTO ... (Flink 1.15+)
    Expect("STATEMENT");
    Expect("SET");
    return ParseStatementSet(pos, /*client_form=*/false);
  }
  if (t.Is("BEGIN")) {
    SourcePos pos = Next().pos;
    Expect("STATEMENT");
    Expect("SET");
    ExpectSymbol(";");
    return ParseStatementSet(pos, /*client_form=*/true);
  }
  if (t.Is("EXPLAIN")) return ParseExplain();
  if (t.Is("SET")) return ParseSet();
  if (t.Is("RESET")) return ParseReset();
  if (PeekQueryStart()) {
    auto s = std::make_unique<QueryStatement>(t.pos);
    s->query = ParseQuery();
    return s;
  }
  FailExpected(
      "a statement (SELECT, INSERT, CREATE, DROP, EXECUTE STATEMENT SET, EXPLAIN, SET or "
      "RESET)");
}

std::unique_ptr<InsertStatement> Parser::ParseInsert() {
  auto s = std::make_unique<InsertStatement>(Expect("INSERT").pos);
  if (Accept("OVERWRITE")) {
    s->overwrite = true;
  } else {
    Expect("INTO");
  }
  s->table = ParseQualifiedName("a table name");
  if (Accept("PARTITION")) {
    ExpectSymbol("(");
    do {
      InsertStatement::StaticPartition part;
      part.pos = Peek().pos;
      part.column = ParseAnyName("a partition column");
      ExpectSymbol("=");
      part.value = ParsePrimary();
      s->partition.push_back(std::move(part));
    } while (AcceptSymbol(","));
    ExpectSymbol(")");
  }
  // "(" starts either a column list or a parenthesized query.
  if (PeekSymbol("(") && !PeekQueryStart()) s->columns = ParseIdentifierList();
  if (!PeekQueryStart())
    FailExpected("a query (SELECT, VALUES or WITH) after INSERT INTO " +
                 QuoteIdentifier(s->table.back()));
  s->query = ParseQuery();
  return s;
}

StatementPtr Parser::ParseStatementSet(SourcePos pos, bool client_form) {
  auto s = std::make_unique<StatementSetStatement>(pos);
  s->client_form = client_form;
  if (!client_form) Expect("BEGIN");
  for (;;) {
    while (AcceptSymbol(";")) {
    }
    if (PeekIs("END")) break;
    if (!PeekIs("INSERT")) {
      FailExpected(s->inserts.empty() ? "INSERT in the statement set"
                                      : "INSERT or END in the statement set");
    }
    const Token& first = Peek();
    auto insert = ParseInsert();
    const Token& last = tokens_[next_ - 1];
    insert->text =
        std::string(source_.substr(first.offset, last.offset + last.length - first.offset));
    s->inserts.push_back(std::move(insert));
    if (!PeekSymbol(";") && !PeekIs("END")) FailExpected("';' after the INSERT statement");
  }
  if (s->inserts.empty()) FailExpected("at least one INSERT in the statement set");
  Expect("END");
  return s;
}

StatementPtr Parser::ParseExplain() {
  auto s = std::make_unique<ExplainStatement>(Expect("EXPLAIN").pos);
  if (Accept("PLAN")) {
    Expect("FOR");
    s->plan_for = true;
  } else {
    static constexpr std::string_view kDetails[] = {"ESTIMATED_COST", "CHANGELOG_MODE",
                                                    "JSON_EXECUTION_PLAN", "PLAN_ADVICE"};
    for (;;) {
      bool found = false;
      for (std::string_view d : kDetails) {
        if (PeekIs(d)) {
          Next();
          s->details.emplace_back(d);
          found = true;
          break;
        }
      }
      if (!found) break;
      if (!AcceptSymbol(",")) break;
    }
  }
  if (!PeekIs("INSERT") && !PeekIs("EXECUTE") && !PeekIs("BEGIN") && !PeekQueryStart()) {
    FailExpected("a query, INSERT or statement set after EXPLAIN");
  }
  s->statement = ParseStatement();
  return s;
}

StatementPtr Parser::ParseSet() {
  auto s = std::make_unique<SetStatement>(Expect("SET").pos);
  if (PeekSymbol(";") || Peek().kind == TokenKind::kEnd) {
    s->list = true;
    return s;
  }
  if (Peek().kind != TokenKind::kString) {
    FailExpected("a quoted key (SET 'key' = 'value')");
  }
  s->key_pos = Peek().pos;
  s->key = Next().text;
  ExpectSymbol("=");
  s->value_pos = Peek().pos;
  s->value = ParseString("a quoted value (SET 'key' = 'value')");
  return s;
}

StatementPtr Parser::ParseReset() {
  auto s = std::make_unique<ResetStatement>(Expect("RESET").pos);
  if (Peek().kind == TokenKind::kString) {
    s->key_pos = Peek().pos;
    s->key = Next().text;
  } else if (!PeekSymbol(";") && Peek().kind != TokenKind::kEnd) {
    FailExpected("a quoted key or ';' after RESET");
  }
  return s;
}

StatementPtr Parser::ParseDrop() {
  SourcePos pos = Expect("DROP").pos;
  bool temporary = Accept("TEMPORARY");
  StatementKind kind;
  if (Accept("TABLE")) {
    kind = StatementKind::kDropTable;
  } else if (Accept("VIEW")) {
    kind = StatementKind::kDropView;
  } else {
    FailExpected("TABLE or VIEW after DROP");
  }
  auto s = std::make_unique<DropStatement>(kind, pos);
  s->temporary = temporary;
  if (Accept("IF")) {
    Expect("EXISTS");
    s->if_exists = true;
  }
  s->name = ParseQualifiedName(kind == StatementKind::kDropTable ? "a table name" : "a view name");
  return s;
}

}  // namespace fluxgate::sql
