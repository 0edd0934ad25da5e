// Expressions: the precedence chain, primaries, names, function calls and OVER windows.
//
// Precedence, loosest first: OR, AND, NOT, comparisons (= <> != < <= > >= IS BETWEEN IN
// LIKE), ||, + -, * / %, unary + -. Binary operators are left-associative. Operator nodes
// carry the operator's position, so a type error can point at the operator.
#include "sql/keywords.h"
#include "sql/parser_impl.h"

namespace fluxgate::sql {

namespace {

ExprPtr MakeBinary(BinaryOp op, SourcePos pos, ExprPtr left, ExprPtr right) {
  auto e = std::make_unique<BinaryExpr>(pos);
  e->op = op;
  e->left = std::move(left);
  e->right = std::move(right);
  return e;
}

}  // namespace

ExprPtr Parser::ParseExpr() {
  DepthGuard guard(*this);
  return ParseOr();
}

ExprPtr Parser::ParseOr() {
  ExprPtr left = ParseAnd();
  while (PeekIs("OR")) {
    SourcePos pos = Next().pos;
    left = MakeBinary(BinaryOp::kOr, pos, std::move(left), ParseAnd());
  }
  return left;
}

ExprPtr Parser::ParseAnd() {
  ExprPtr left = ParseNot();
  while (PeekIs("AND")) {
    SourcePos pos = Next().pos;
    left = MakeBinary(BinaryOp::kAnd, pos, std::move(left), ParseNot());
  }
  return left;
}

ExprPtr Parser::ParseNot() {
  if (PeekIs("NOT")) {
    DepthGuard guard(*this);
    auto e = std::make_unique<UnaryExpr>(Next().pos);
    e->op = UnaryOp::kNot;
    e->operand = ParseNot();
    return e;
  }
  return ParseComparison();
}

ExprPtr Parser::ParseComparison() {
  static constexpr struct {
    std::string_view symbol;
    BinaryOp op;
  } kComparisons[] = {{"=", BinaryOp::kEq}, {"<>", BinaryOp::kNe}, {"!=", BinaryOp::kNe},
                      {"<", BinaryOp::kLt}, {"<=", BinaryOp::kLe}, {">", BinaryOp::kGt},
                      {">=", BinaryOp::kGe}};
  ExprPtr left = ParseConcat();
  for (;;) {
    const Token& t = Peek();
    bool matched = false;
    for (const auto& c : kComparisons) {
      if (t.IsSymbol(c.symbol)) {
        Next();
        left = MakeBinary(c.op, t.pos, std::move(left), ParseConcat());
        matched = true;
        break;
      }
    }
    if (matched) continue;

    if (t.Is("IS")) {
      Next();
      bool negated = Accept("NOT");
      if (Accept("DISTINCT")) {
        Expect("FROM");
        left = MakeBinary(negated ? BinaryOp::kIsNotDistinctFrom : BinaryOp::kIsDistinctFrom, t.pos,
                          std::move(left), ParseConcat());
        continue;
      }
      auto e = std::make_unique<IsExpr>(t.pos);
      e->negated = negated;
      if (Accept("NULL")) {
        e->test = IsTest::kNull;
      } else if (Accept("TRUE")) {
        e->test = IsTest::kTrue;
      } else if (Accept("FALSE")) {
        e->test = IsTest::kFalse;
      } else if (Accept("UNKNOWN")) {
        e->test = IsTest::kUnknown;
      } else {
        FailExpected(negated ? "NULL, TRUE, FALSE, UNKNOWN or DISTINCT FROM after IS NOT"
                             : "NULL, TRUE, FALSE, UNKNOWN or DISTINCT FROM after IS");
      }
      e->operand = std::move(left);
      left = std::move(e);
      continue;
    }

    bool negated = false;
    if (t.Is("NOT") && (PeekIs("BETWEEN", 1) || PeekIs("IN", 1) || PeekIs("LIKE", 1))) {
      Next();
      negated = true;
    }
    const Token& op = Peek();
    if (op.Is("BETWEEN")) {
      Next();
      auto e = std::make_unique<BetweenExpr>(t.pos);
      e->negated = negated;
      e->operand = std::move(left);
      Accept("ASYMMETRIC");  // the default; SYMMETRIC is not supported
      e->low = ParseConcat();
      if (!PeekIs("AND")) FailExpected("AND between the BETWEEN bounds");
      Next();
      e->high = ParseConcat();
      left = std::move(e);
    } else if (op.Is("IN")) {
      Next();
      ExpectSymbol("(");
      if (PeekQueryStart()) {
        auto e = std::make_unique<InSubqueryExpr>(t.pos);
        e->negated = negated;
        e->operand = std::move(left);
        e->query = ParseQuery();
        ExpectSymbol(")");
        left = std::move(e);
      } else {
        auto e = std::make_unique<InListExpr>(t.pos);
        e->negated = negated;
        e->operand = std::move(left);
        do {
          e->list.push_back(ParseExpr());
        } while (AcceptSymbol(","));
        if (!PeekSymbol(")")) FailExpected("',' or ')' in the IN list");
        Next();
        left = std::move(e);
      }
    } else if (op.Is("LIKE")) {
      Next();
      auto e = std::make_unique<LikeExpr>(t.pos);
      e->negated = negated;
      e->operand = std::move(left);
      e->pattern = ParseConcat();
      if (Accept("ESCAPE")) e->escape = ParseConcat();
      left = std::move(e);
    } else {
      return left;
    }
  }
}

ExprPtr Parser::ParseConcat() {
  ExprPtr left = ParseAdditive();
  while (PeekSymbol("||")) {
    SourcePos pos = Next().pos;
    left = MakeBinary(BinaryOp::kConcat, pos, std::move(left), ParseAdditive());
  }
  return left;
}

ExprPtr Parser::ParseAdditive() {
  ExprPtr left = ParseMultiplicative();
  while (PeekSymbol("+") || PeekSymbol("-")) {
    const Token& t = Next();
    BinaryOp op = t.text == "+" ? BinaryOp::kAdd : BinaryOp::kSub;
    left = MakeBinary(op, t.pos, std::move(left), ParseMultiplicative());
  }
  return left;
}

ExprPtr Parser::ParseMultiplicative() {
  ExprPtr left = ParseUnary();
  while (PeekSymbol("*") || PeekSymbol("/") || PeekSymbol("%")) {
    const Token& t = Next();
    BinaryOp op = t.text == "*" ? BinaryOp::kMul : t.text == "/" ? BinaryOp::kDiv : BinaryOp::kMod;
    left = MakeBinary(op, t.pos, std::move(left), ParseUnary());
  }
  return left;
}

ExprPtr Parser::ParseUnary() {
  if (PeekSymbol("-") || PeekSymbol("+")) {
    DepthGuard guard(*this);  // - - - - x recurses without parentheses
    const Token& t = Next();
    auto e = std::make_unique<UnaryExpr>(t.pos);
    e->op = t.text == "-" ? UnaryOp::kMinus : UnaryOp::kPlus;
    e->operand = ParseUnary();
    return e;
  }
  return ParsePrimary();
}

ExprPtr Parser::ParsePrimary() {
  const Token& t = Peek();
  auto literal = [&](LiteralKind kind) {
    auto e = std::make_unique<LiteralExpr>(t.pos);
    e->literal_kind = kind;
    e->text = Next().text;
    return e;
  };
  switch (t.kind) {
    case TokenKind::kInteger:
      return literal(LiteralKind::kInteger);
    case TokenKind::kDecimal:
      return literal(LiteralKind::kExact);
    case TokenKind::kFloat:
      return literal(LiteralKind::kApproximate);
    case TokenKind::kString:
      return literal(LiteralKind::kString);
    case TokenKind::kQuotedIdent:
      return ParseName();
    case TokenKind::kWord:
      return ParseWordPrimary();
    case TokenKind::kSymbol:
      if (t.IsSymbol("(")) return ParseParenthesized();
      break;
    case TokenKind::kEnd:
      break;
  }
  FailExpected("an expression");
}

ExprPtr Parser::ParseParenthesized() {
  SourcePos pos = ExpectSymbol("(").pos;
  if (PeekQueryStart()) {
    auto e = std::make_unique<SubqueryExpr>(pos);
    e->query = ParseQuery();
    ExpectSymbol(")");
    return e;
  }
  ExprPtr inner = ParseExpr();
  ExpectSymbol(")");
  return inner;
}

ExprPtr Parser::ParseWordPrimary() {
  const Token& t = Peek();
  const std::string upper = ToUpper(t.text);
  const bool call = PeekSymbol("(", 1);

  if (upper == "NULL" || upper == "TRUE" || upper == "FALSE") {
    auto e = std::make_unique<LiteralExpr>(Next().pos);
    e->literal_kind = upper == "NULL" ? LiteralKind::kNull : LiteralKind::kBoolean;
    e->bool_value = upper == "TRUE";
    return e;
  }
  if (upper == "CASE") return ParseCase();
  if (upper == "INTERVAL") return ParseInterval();
  if (call && (upper == "CAST" || upper == "TRY_CAST")) return ParseCast();
  if (call && upper == "EXTRACT") return ParseExtract();
  if (call && upper == "JSON_VALUE") return ParseJsonValue();
  if (call && (upper == "TIMESTAMPDIFF" || upper == "TIMESTAMPADD")) return ParseTimestampArith();
  if (call && upper == "EXISTS") {
    SourcePos pos = Next().pos;
    ExpectSymbol("(");
    auto e = std::make_unique<SubqueryExpr>(pos);
    e->exists = true;
    if (!PeekQueryStart()) FailExpected("a query after EXISTS (");
    e->query = ParseQuery();
    ExpectSymbol(")");
    return e;
  }
  // TIMESTAMP, DATE and TIME start a literal only before a string; otherwise they are
  // column names (the recipe's `timestamp`).
  if (Peek(1).kind == TokenKind::kString) {
    if (upper == "TIMESTAMP") return ParseTypedLiteral(LiteralKind::kTimestamp);
    if (upper == "DATE") return ParseTypedLiteral(LiteralKind::kDate);
    if (upper == "TIME") return ParseTypedLiteral(LiteralKind::kTime);
  }
  if (!call && (upper == "CURRENT_TIMESTAMP" || upper == "CURRENT_DATE" ||
                upper == "CURRENT_TIME" || upper == "LOCALTIMESTAMP" || upper == "LOCALTIME")) {
    auto e = std::make_unique<FunctionExpr>(t.pos);
    e->name = Next().text;
    e->no_parens = true;
    return e;
  }
  if (call && (!IsReservedWord(upper) || upper == "LEFT" || upper == "RIGHT")) {
    return ParseFunctionCall();
  }
  if (IsReservedWord(upper)) FailExpected("an expression");
  return ParseName();
}

ExprPtr Parser::ParseName() {
  const Token& first = Next();
  std::vector<std::string> parts{first.text};
  while (PeekSymbol(".")) {
    Next();
    if (PeekSymbol("*")) {
      Next();
      auto star = std::make_unique<StarExpr>(first.pos);
      star->qualifier = std::move(parts);
      return star;
    }
    parts.push_back(ParseAnyName("a field name after '.'"));
  }
  auto e = std::make_unique<ColumnRefExpr>(first.pos);
  e->parts = std::move(parts);
  return e;
}

ExprPtr Parser::ParseFunctionCall() {
  auto e = std::make_unique<FunctionExpr>(Peek().pos);
  e->name = Next().text;
  ExpectSymbol("(");
  if (PeekSymbol("*") && PeekSymbol(")", 1)) {
    Next();
    e->star = true;
  } else if (!PeekSymbol(")")) {
    if (Accept("DISTINCT")) {
      e->distinct = true;
    } else {
      Accept("ALL");
    }
    do {
      e->args.push_back(ParseExpr());
    } while (AcceptSymbol(","));
  }
  if (!PeekSymbol(")")) FailExpected("',' or ')' after the arguments of " + e->name);
  Next();
  if (PeekIs("FILTER") && PeekSymbol("(", 1)) {
    Next();
    Next();
    Expect("WHERE");
    e->filter = ParseExpr();
    ExpectSymbol(")");
  }
  if (PeekIs("OVER")) e->over = ParseOver();
  return e;
}

std::unique_ptr<WindowSpec> Parser::ParseOver() {
  SourcePos pos = Expect("OVER").pos;
  if (AcceptSymbol("(")) {
    auto spec = std::make_unique<WindowSpec>(ParseWindowSpecBody());
    spec->pos = pos;
    ExpectSymbol(")");
    return spec;
  }
  auto spec = std::make_unique<WindowSpec>();
  spec->pos = pos;
  spec->base_window = ParseIdentifier("a window name or '(' after OVER");
  spec->reference_only = true;
  return spec;
}

WindowSpec Parser::ParseWindowSpecBody() {
  WindowSpec spec;
  spec.pos = Peek().pos;
  if (PeekIdentifier() && !PeekIs("PARTITION") && !PeekIs("ROWS") && !PeekIs("RANGE")) {
    spec.base_window = Next().text;
  }
  if (Accept("PARTITION")) {
    Expect("BY");
    do {
      spec.partition_by.push_back(ParseExpr());
    } while (AcceptSymbol(","));
  }
  if (Accept("ORDER")) {
    Expect("BY");
    spec.order_by = ParseOrderByList();
  }
  if (PeekIs("ROWS") || PeekIs("RANGE")) {
    WindowFrame frame;
    frame.pos = Peek().pos;
    frame.unit = Next().Is("ROWS") ? WindowFrame::Unit::kRows : WindowFrame::Unit::kRange;
    if (Accept("BETWEEN")) {
      frame.start = ParseFrameBound();
      if (!PeekIs("AND")) FailExpected("AND between the frame bounds");
      Next();
      frame.end = ParseFrameBound();
    } else {
      frame.start = ParseFrameBound();
    }
    spec.frame = std::move(frame);
  }
  return spec;
}

FrameBound Parser::ParseFrameBound() {
  FrameBound b;
  b.pos = Peek().pos;
  if (Accept("UNBOUNDED")) {
    if (Accept("PRECEDING")) {
      b.kind = FrameBound::Kind::kUnboundedPreceding;
    } else if (Accept("FOLLOWING")) {
      b.kind = FrameBound::Kind::kUnboundedFollowing;
    } else {
      FailExpected("PRECEDING or FOLLOWING after UNBOUNDED");
    }
    return b;
  }
  if (PeekIs("CURRENT") && PeekIs("ROW", 1)) {
    Next();
    Next();
    b.kind = FrameBound::Kind::kCurrentRow;
    return b;
  }
  b.offset = ParseAdditive();
  if (Accept("PRECEDING")) {
    b.kind = FrameBound::Kind::kPreceding;
  } else if (Accept("FOLLOWING")) {
    b.kind = FrameBound::Kind::kFollowing;
  } else {
    FailExpected("PRECEDING or FOLLOWING after the frame offset");
  }
  return b;
}

}  // namespace fluxgate::sql
