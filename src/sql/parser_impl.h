// The recursive-descent parser behind parser.h. Internal to src/sql/.
//
// One Parser reads one token vector. Its methods are spread over files by grammar area
// (parse_statement.cc, parse_create.cc, parse_query.cc, parse_from.cc, parse_expr.cc,
// parse_expr_special.cc, parse_type.cc); parser.cc holds the token cursor and the public
// entry points. Syntax errors throw ParseError, which parser.cc turns into a Status.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "sql/ast_statement.h"
#include "sql/parse_error.h"
#include "sql/token.h"

namespace fluxgate::sql {

class Parser {
 public:
  Parser(std::string_view source, std::vector<Token> tokens)
      : source_(source), tokens_(std::move(tokens)) {}

  std::vector<StatementPtr> ParseScript();
  StatementPtr ParseOnlyStatement();
  ExprPtr ParseOnlyExpr();
  DataType ParseOnlyType();

 private:
  // ---- Cursor (parser.cc) ----
  const Token& Peek(size_t ahead = 0) const;
  const Token& Next();
  bool PeekIs(std::string_view keyword, size_t ahead = 0) const { return Peek(ahead).Is(keyword); }
  bool PeekSymbol(std::string_view symbol, size_t ahead = 0) const {
    return Peek(ahead).IsSymbol(symbol);
  }
  bool Accept(std::string_view keyword);
  bool AcceptSymbol(std::string_view symbol);
  const Token& Expect(std::string_view keyword);
  const Token& ExpectSymbol(std::string_view symbol);
  [[noreturn]] void Fail(SourcePos pos, std::string message) const;
  // "expected <what> but found <next token>" at the next token.
  [[noreturn]] void FailExpected(std::string_view what) const;
  [[noreturn]] void FailExpectedAt(const Token& at, std::string_view what) const;

  // An identifier: a back-quoted name or a word the grammar does not reserve.
  std::string ParseIdentifier(std::string_view what = "an identifier");
  // Any word or back-quoted name, reserved or not: used where nothing else may follow,
  // e.g. after AS or as a column name in CREATE TABLE.
  std::string ParseAnyName(std::string_view what);
  bool PeekIdentifier(size_t ahead = 0) const;  // ParseIdentifier would succeed
  std::vector<std::string> ParseQualifiedName(std::string_view what);
  std::vector<std::string> ParseIdentifierList();  // ( a, b, ... )
  std::string ParseString(std::string_view what);
  std::string ParseAlias();  // [AS] alias after a select item or table; "" if none

  // ---- Statements (parse_statement.cc, parse_create.cc) ----
  StatementPtr ParseStatement();
  StatementPtr ParseStatementBody();
  StatementPtr ParseCreate();
  StatementPtr ParseCreateTable(SourcePos pos, bool temporary);
  StatementPtr ParseCreateView(SourcePos pos, bool temporary);
  void ParseTableElement(CreateTableStatement& table);
  void ParseColumnDef(CreateTableStatement& table);
  std::vector<TableOption> ParseOptions();
  StatementPtr ParseDrop();
  std::unique_ptr<InsertStatement> ParseInsert();
  StatementPtr ParseStatementSet(SourcePos pos, bool client_form);
  StatementPtr ParseExplain();
  StatementPtr ParseSet();
  StatementPtr ParseReset();

  // ---- Queries (parse_query.cc, parse_from.cc) ----
  bool PeekQueryStart(size_t ahead = 0) const;  // SELECT, WITH, VALUES, or ( followed by one
  std::unique_ptr<Query> ParseQuery();
  QueryBodyPtr ParseSetOperation();
  QueryBodyPtr ParseQueryTerm();
  QueryBodyPtr ParseQueryPrimary();
  QueryBodyPtr ParseSelect();
  QueryBodyPtr ParseValues();
  SelectItem ParseSelectItem();
  std::vector<ExprPtr> ParseGroupBy();
  ExprPtr ParseGroupingElement();
  std::vector<OrderItem> ParseOrderByList();
  TableRefPtr ParseFrom();
  TableRefPtr ParseTablePrimary();
  TableRefPtr ParseTableFunction();
  TableFunctionArg ParseTableFunctionArg();
  void ParseTableAlias(TableRef& ref);

  // ---- Expressions (parse_expr.cc, parse_expr_special.cc) ----
  ExprPtr ParseExpr();
  ExprPtr ParseOr();
  ExprPtr ParseAnd();
  ExprPtr ParseNot();
  ExprPtr ParseComparison();
  ExprPtr ParseConcat();
  ExprPtr ParseAdditive();
  ExprPtr ParseMultiplicative();
  ExprPtr ParseUnary();
  ExprPtr ParsePrimary();
  ExprPtr ParseWordPrimary();
  ExprPtr ParseParenthesized();
  ExprPtr ParseName();  // a, t.a, t.*
  ExprPtr ParseFunctionCall();
  ExprPtr ParseCase();
  ExprPtr ParseCast();
  ExprPtr ParseExtract();
  ExprPtr ParseJsonValue();
  ExprPtr ParseTimestampArith();  // TIMESTAMPDIFF / TIMESTAMPADD
  ExprPtr ParseInterval();
  ExprPtr ParseTypedLiteral(LiteralKind kind);  // TIMESTAMP '...', DATE '...', TIME '...'
  TimeUnit ParseTimeUnit(bool interval_only);
  bool PeekTimeUnit() const;
  std::unique_ptr<WindowSpec> ParseOver();
  WindowSpec ParseWindowSpecBody();  // inside the parentheses
  FrameBound ParseFrameBound();

  // ---- Types (parse_type.cc) ----
  DataType ParseType();
  int ParseTypeParameter(std::string_view what, int min, int max);

  // Recursion guard: ParseExpr and ParseQuery nest once per level of parentheses or
  // subqueries; hostile input must get an error, not a stack overflow.
  static constexpr int kMaxDepth = 1000;
  class DepthGuard {
   public:
    explicit DepthGuard(Parser& p);
    ~DepthGuard() { --p_.depth_; }

   private:
    Parser& p_;
  };

  std::string_view source_;
  std::vector<Token> tokens_;
  int depth_ = 0;
  size_t next_ = 0;  // index of the next token; tokens_.back() is kEnd, never passed
};

}  // namespace fluxgate::sql
