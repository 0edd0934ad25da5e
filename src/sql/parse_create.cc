// CREATE TABLE and CREATE VIEW.
#include "sql/keywords.h"
#include "sql/parser_impl.h"

namespace fluxgate::sql {

StatementPtr Parser::ParseCreate() {
  SourcePos pos = Expect("CREATE").pos;
  bool temporary = Accept("TEMPORARY");
  if (PeekIs("TABLE")) return ParseCreateTable(pos, temporary);
  if (PeekIs("VIEW")) return ParseCreateView(pos, temporary);
  FailExpected("TABLE or VIEW after CREATE");
}

StatementPtr Parser::ParseCreateTable(SourcePos pos, bool temporary) {
  Expect("TABLE");
  auto s = std::make_unique<CreateTableStatement>(pos);
  s->temporary = temporary;
  if (Accept("IF")) {
    Expect("NOT");
    Expect("EXISTS");
    s->if_not_exists = true;
  }
  s->name = ParseQualifiedName("a table name");
  ExpectSymbol("(");
  for (;;) {
    ParseTableElement(*s);
    if (AcceptSymbol(",")) continue;
    if (PeekSymbol(")")) break;
    // The commonest mistake here is a missing comma between two column definitions.
    const Token& t = Peek();
    if (t.kind == TokenKind::kWord || t.kind == TokenKind::kQuotedIdent) {
      Fail(t.pos, "expected ',' or ')' but found " + t.Describe() +
                      " (is a comma missing between the column definitions?)");
    }
    FailExpected("',' or ')'");
  }
  Next();  // )
  if (Accept("COMMENT")) s->comment = ParseString("a quoted comment");
  if (Accept("PARTITIONED")) {
    Expect("BY");
    s->partitioned_by = ParseIdentifierList();
  }
  if (Accept("WITH")) s->options = ParseOptions();
  return s;
}

void Parser::ParseTableElement(CreateTableStatement& table) {
  // WATERMARK, PRIMARY and CONSTRAINT start a clause only when followed by the rest of
  // it, so they still work as column names.
  if (PeekIs("WATERMARK") && PeekIs("FOR", 1)) {
    WatermarkDef w;
    w.pos = Next().pos;
    Next();  // FOR
    if (table.watermark) Fail(w.pos, "a table can have only one WATERMARK definition");
    w.column_pos = Peek().pos;
    w.column = ParseAnyName("the time column after WATERMARK FOR");
    Expect("AS");
    w.expr = ParseExpr();
    table.watermark = std::move(w);
    return;
  }
  if ((PeekIs("PRIMARY") && PeekIs("KEY", 1)) || (PeekIs("CONSTRAINT") && !PeekSymbol(",", 1))) {
    PrimaryKeyDef pk;
    pk.pos = Peek().pos;
    if (Accept("CONSTRAINT")) pk.constraint_name = ParseAnyName("a constraint name");
    Expect("PRIMARY");
    Expect("KEY");
    if (table.primary_key) Fail(pk.pos, "a table can have only one PRIMARY KEY");
    pk.columns = ParseIdentifierList();
    if (!PeekIs("NOT")) {
      FailExpected("NOT ENFORCED (Flink does not enforce primary keys and requires saying so)");
    }
    Next();
    Expect("ENFORCED");
    table.primary_key = std::move(pk);
    return;
  }
  ParseColumnDef(table);
}

void Parser::ParseColumnDef(CreateTableStatement& table) {
  ColumnDef c;
  c.pos = Peek().pos;
  c.name = ParseAnyName("a column definition");
  if (Accept("AS")) {
    c.kind = ColumnDef::Kind::kComputed;
    c.expr = ParseExpr();
  } else {
    if (PeekSymbol(",") || PeekSymbol(")")) {
      FailExpected("a type for column " + QuoteIdentifier(c.name));
    }
    c.type = ParseType();
    if (Accept("METADATA")) {
      c.kind = ColumnDef::Kind::kMetadata;
      if (Accept("FROM")) c.metadata_key = ParseString("a quoted metadata key");
      c.is_virtual = Accept("VIRTUAL");
    }
  }
  if (Accept("COMMENT")) c.comment = ParseString("a quoted comment");
  table.columns.push_back(std::move(c));
}

std::vector<TableOption> Parser::ParseOptions() {
  ExpectSymbol("(");
  std::vector<TableOption> options;
  if (PeekSymbol(")")) {
    Next();
    return options;
  }
  do {
    TableOption o;
    o.pos = Peek().pos;
    if (Peek().kind != TokenKind::kString) {
      const Token& t = Peek();
      if (t.kind == TokenKind::kWord || t.kind == TokenKind::kQuotedIdent) {
        Fail(t.pos, "expected a quoted option key but found " + t.Describe() +
                        " (option keys and values are string literals: '" + t.text + "' = '...')");
      }
      FailExpected("a quoted option key");
    }
    o.key = Next().text;
    ExpectSymbol("=");
    o.value_pos = Peek().pos;
    if (Peek().kind != TokenKind::kString) {
      FailExpected("a quoted value for option '" + o.key + "'");
    }
    o.value = Next().text;
    options.push_back(std::move(o));
  } while (AcceptSymbol(","));
  if (!PeekSymbol(")")) {
    if (Peek().kind == TokenKind::kString) {
      Fail(Peek().pos, "expected ',' or ')' but found " + Peek().Describe() +
                           " (is a comma missing between the options?)");
    }
    FailExpected("',' or ')'");
  }
  Next();
  return options;
}

StatementPtr Parser::ParseCreateView(SourcePos pos, bool temporary) {
  Expect("VIEW");
  auto s = std::make_unique<CreateViewStatement>(pos);
  s->temporary = temporary;
  if (Accept("IF")) {
    Expect("NOT");
    Expect("EXISTS");
    s->if_not_exists = true;
  }
  s->name = ParseQualifiedName("a view name");
  if (PeekSymbol("(")) s->columns = ParseIdentifierList();
  if (Accept("COMMENT")) s->comment = ParseString("a quoted comment");
  Expect("AS");
  if (!PeekQueryStart()) FailExpected("a query after AS");
  s->query = ParseQuery();
  return s;
}

}  // namespace fluxgate::sql
