// Expressions with their own syntax: CASE, CAST, EXTRACT, JSON_VALUE, TIMESTAMPDIFF /
// TIMESTAMPADD, INTERVAL and TIMESTAMP/DATE/TIME literals, and time units.
#include <optional>

#include "sql/keywords.h"
#include "sql/parser_impl.h"

namespace fluxgate::sql {

namespace {

struct UnitName {
  std::string_view name;
  TimeUnit unit;
  bool interval;  // allowed as an INTERVAL qualifier
};

// Plural forms (MINUTES) are what Flink's docs write in window examples; Calcite accepts
// both.
constexpr UnitName kUnits[] = {
    {"YEAR", TimeUnit::kYear, true},
    {"YEARS", TimeUnit::kYear, true},
    {"QUARTER", TimeUnit::kQuarter, false},
    {"QUARTERS", TimeUnit::kQuarter, false},
    {"MONTH", TimeUnit::kMonth, true},
    {"MONTHS", TimeUnit::kMonth, true},
    {"WEEK", TimeUnit::kWeek, false},
    {"WEEKS", TimeUnit::kWeek, false},
    {"DAY", TimeUnit::kDay, true},
    {"DAYS", TimeUnit::kDay, true},
    {"HOUR", TimeUnit::kHour, true},
    {"HOURS", TimeUnit::kHour, true},
    {"MINUTE", TimeUnit::kMinute, true},
    {"MINUTES", TimeUnit::kMinute, true},
    {"SECOND", TimeUnit::kSecond, true},
    {"SECONDS", TimeUnit::kSecond, true},
    {"MILLISECOND", TimeUnit::kMillisecond, false},
    {"MILLISECONDS", TimeUnit::kMillisecond, false},
    {"MICROSECOND", TimeUnit::kMicrosecond, false},
    {"MICROSECONDS", TimeUnit::kMicrosecond, false},
    {"NANOSECOND", TimeUnit::kNanosecond, false},
    {"NANOSECONDS", TimeUnit::kNanosecond, false},
    {"DOW", TimeUnit::kDayOfWeek, false},
    {"DOY", TimeUnit::kDayOfYear, false},
    {"EPOCH", TimeUnit::kEpoch, false},
};

std::optional<UnitName> FindUnit(const Token& t) {
  if (t.kind != TokenKind::kWord) return std::nullopt;
  const std::string upper = ToUpper(t.text);
  for (const UnitName& u : kUnits) {
    if (u.name == upper) return u;
  }
  return std::nullopt;
}

}  // namespace

bool Parser::PeekTimeUnit() const { return FindUnit(Peek()).has_value(); }

TimeUnit Parser::ParseTimeUnit(bool interval_only) {
  std::optional<UnitName> u = FindUnit(Peek());
  if (!u || (interval_only && !u->interval)) {
    FailExpected(interval_only ? "an interval unit (SECOND, MINUTE, HOUR, DAY, MONTH or YEAR)"
                               : "a time unit (SECOND, MINUTE, HOUR, DAY, WEEK, MONTH, ...)");
  }
  Next();
  return u->unit;
}

ExprPtr Parser::ParseInterval() {
  auto e = std::make_unique<LiteralExpr>(Expect("INTERVAL").pos);
  e->literal_kind = LiteralKind::kInterval;
  if (Peek().kind == TokenKind::kInteger || Peek().kind == TokenKind::kDecimal) {
    // INTERVAL 5 SECOND: Flink wants the number quoted.
    std::optional<UnitName> unit = FindUnit(Peek(1));
    std::string example = "INTERVAL '" + Peek().text + "' " +
                          (unit ? std::string(TimeUnitName(unit->unit)) : "MINUTE");
    Fail(Peek().pos, "expected a quoted interval value but found " + Peek().Describe() +
                         " (write " + example + ")");
  }
  e->text = ParseString("a quoted interval value, as in INTERVAL '5' MINUTE");
  e->unit = ParseTimeUnit(/*interval_only=*/true);
  if (Accept("TO")) e->end_unit = ParseTimeUnit(/*interval_only=*/true);
  return e;
}

ExprPtr Parser::ParseTypedLiteral(LiteralKind kind) {
  auto e = std::make_unique<LiteralExpr>(Next().pos);
  e->literal_kind = kind;
  e->text = Next().text;
  return e;
}

ExprPtr Parser::ParseCase() {
  auto e = std::make_unique<CaseExpr>(Expect("CASE").pos);
  if (!PeekIs("WHEN")) e->operand = ParseExpr();
  if (!PeekIs("WHEN")) FailExpected("WHEN after CASE");
  while (Accept("WHEN")) {
    CaseExpr::When w;
    w.condition = ParseExpr();
    Expect("THEN");
    w.result = ParseExpr();
    e->whens.push_back(std::move(w));
  }
  if (Accept("ELSE")) e->else_result = ParseExpr();
  if (!PeekIs("END")) FailExpected(e->else_result ? "END" : "WHEN, ELSE or END");
  Next();
  return e;
}

ExprPtr Parser::ParseCast() {
  const Token& name = Next();
  auto e = std::make_unique<CastExpr>(name.pos);
  e->try_cast = name.Is("TRY_CAST");
  ExpectSymbol("(");
  e->operand = ParseExpr();
  if (!PeekIs("AS")) FailExpected("AS and a type in " + ToUpper(name.text));
  Next();
  e->type = ParseType();
  ExpectSymbol(")");
  return e;
}

ExprPtr Parser::ParseExtract() {
  auto e = std::make_unique<ExtractExpr>(Next().pos);
  ExpectSymbol("(");
  e->unit = ParseTimeUnit(/*interval_only=*/false);
  Expect("FROM");
  e->operand = ParseExpr();
  ExpectSymbol(")");
  return e;
}

ExprPtr Parser::ParseJsonValue() {
  auto e = std::make_unique<JsonValueExpr>(Next().pos);
  ExpectSymbol("(");
  e->operand = ParseExpr();
  ExpectSymbol(",");
  e->path = ParseExpr();
  if (Accept("RETURNING")) e->returning = ParseType();
  if (!PeekSymbol(")")) {
    FailExpected(e->returning ? "')'" : "RETURNING or ')'");
  }
  Next();
  return e;
}

ExprPtr Parser::ParseTimestampArith() {
  auto e = std::make_unique<FunctionExpr>(Peek().pos);
  e->name = Next().text;
  ExpectSymbol("(");
  auto unit = std::make_unique<TimeUnitExpr>(Peek().pos);
  unit->unit = ParseTimeUnit(/*interval_only=*/false);
  e->args.push_back(std::move(unit));
  for (int i = 0; i < 2; ++i) {
    ExpectSymbol(",");
    e->args.push_back(ParseExpr());
  }
  ExpectSymbol(")");
  return e;
}

}  // namespace fluxgate::sql
