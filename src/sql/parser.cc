// The token cursor, shared name and literal helpers, and the public entry points, which
// are the only places a ParseError is caught.
#include "sql/parser.h"

#include "sql/keywords.h"
#include "sql/lexer_internal.h"
#include "sql/parser_impl.h"

namespace fluxgate::sql {

const Token& Parser::Peek(size_t ahead) const {
  size_t i = next_ + ahead;
  return i < tokens_.size() ? tokens_[i] : tokens_.back();
}

const Token& Parser::Next() {
  const Token& t = tokens_[next_];
  if (t.kind != TokenKind::kEnd) ++next_;
  return t;
}

bool Parser::Accept(std::string_view keyword) {
  if (!Peek().Is(keyword)) return false;
  Next();
  return true;
}

bool Parser::AcceptSymbol(std::string_view symbol) {
  if (!Peek().IsSymbol(symbol)) return false;
  Next();
  return true;
}

const Token& Parser::Expect(std::string_view keyword) {
  if (!Peek().Is(keyword)) FailExpected(std::string(keyword));
  return Next();
}

const Token& Parser::ExpectSymbol(std::string_view symbol) {
  if (!Peek().IsSymbol(symbol)) FailExpected("'" + std::string(symbol) + "'");
  return Next();
}

void Parser::Fail(SourcePos pos, std::string message) const {
  throw ParseError{pos, std::move(message)};
}

void Parser::FailExpected(std::string_view what) const { FailExpectedAt(Peek(), what); }

void Parser::FailExpectedAt(const Token& at, std::string_view what) const {
  Fail(at.pos, "expected " + std::string(what) + " but found " + at.Describe());
}

bool Parser::PeekIdentifier(size_t ahead) const {
  const Token& t = Peek(ahead);
  return t.kind == TokenKind::kQuotedIdent ||
         (t.kind == TokenKind::kWord && !IsReservedWord(ToUpper(t.text)));
}

std::string Parser::ParseIdentifier(std::string_view what) {
  if (!PeekIdentifier()) {
    const Token& t = Peek();
    if (t.kind == TokenKind::kWord) {
      Fail(t.pos, "expected " + std::string(what) + " but found reserved word " + t.Describe() +
                      " (back-quote it to use it as a name: `" + t.text + "`)");
    }
    FailExpected(what);
  }
  return Next().text;
}

std::string Parser::ParseAnyName(std::string_view what) {
  const Token& t = Peek();
  if (t.kind != TokenKind::kWord && t.kind != TokenKind::kQuotedIdent) FailExpected(what);
  return Next().text;
}

std::vector<std::string> Parser::ParseQualifiedName(std::string_view what) {
  std::vector<std::string> parts;
  parts.push_back(ParseIdentifier(what));
  while (PeekSymbol(".")) {
    Next();
    parts.push_back(ParseAnyName("a name after '.'"));
  }
  return parts;
}

std::vector<std::string> Parser::ParseIdentifierList() {
  ExpectSymbol("(");
  std::vector<std::string> names;
  do {
    names.push_back(ParseAnyName("a column name"));
  } while (AcceptSymbol(","));
  if (!PeekSymbol(")")) FailExpected("',' or ')'");
  Next();
  return names;
}

std::string Parser::ParseString(std::string_view what) {
  if (Peek().kind != TokenKind::kString) FailExpected(what);
  return Next().text;
}

std::string Parser::ParseAlias() {
  if (Accept("AS")) return ParseAnyName("an alias after AS");
  if (PeekIdentifier()) return Next().text;
  return "";
}

Parser::DepthGuard::DepthGuard(Parser& p) : p_(p) {
  if (++p_.depth_ > kMaxDepth) {
    --p_.depth_;
    p_.Fail(p_.Peek().pos, "expression or query nested too deeply (more than " +
                               std::to_string(kMaxDepth) + " levels)");
  }
}

// ---- Entry points ----

std::vector<StatementPtr> Parser::ParseScript() {
  std::vector<StatementPtr> out;
  for (;;) {
    while (AcceptSymbol(";")) {
    }
    if (Peek().kind == TokenKind::kEnd) return out;
    out.push_back(ParseStatement());
    if (Peek().kind == TokenKind::kEnd) return out;
    if (!PeekSymbol(";")) FailExpected("';' or end of input after the statement");
  }
}

StatementPtr Parser::ParseOnlyStatement() {
  while (AcceptSymbol(";")) {
  }
  if (Peek().kind == TokenKind::kEnd) FailExpected("a statement");
  StatementPtr s = ParseStatement();
  while (AcceptSymbol(";")) {
  }
  if (Peek().kind != TokenKind::kEnd) FailExpected("end of input after the statement");
  return s;
}

ExprPtr Parser::ParseOnlyExpr() {
  ExprPtr e = ParseExpr();
  if (Peek().kind != TokenKind::kEnd) FailExpected("end of input after the expression");
  return e;
}

DataType Parser::ParseOnlyType() {
  DataType t = ParseType();
  if (Peek().kind != TokenKind::kEnd) FailExpected("end of input after the type");
  return t;
}

namespace {

template <typename T, typename Fn>
Result<T> RunParser(std::string_view sql, Fn fn) {
  try {
    Parser parser(sql, LexOrThrow(sql));
    return fn(parser);
  } catch (const ParseError& e) {
    return Status::InvalidArgument(FormatParseError(sql, e));
  }
}

}  // namespace

Result<std::vector<StatementPtr>> ParseScript(std::string_view sql) {
  return RunParser<std::vector<StatementPtr>>(sql, [](Parser& p) { return p.ParseScript(); });
}

Result<StatementPtr> ParseStatement(std::string_view sql) {
  return RunParser<StatementPtr>(sql, [](Parser& p) { return p.ParseOnlyStatement(); });
}

Result<ExprPtr> ParseExpression(std::string_view sql) {
  return RunParser<ExprPtr>(sql, [](Parser& p) { return p.ParseOnlyExpr(); });
}

Result<DataType> ParseDataType(std::string_view sql) {
  return RunParser<DataType>(sql, [](Parser& p) { return p.ParseOnlyType(); });
}

}  // namespace fluxgate::sql
