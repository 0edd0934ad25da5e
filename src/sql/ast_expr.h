// AST of scalar expressions, as the parser reads them (nothing resolved or typed yet).
//
// Nodes are plain structs owned through std::unique_ptr. Each derives from Expr, whose
// `kind` says which struct it is, so the binder switches on kind and calls As<T>() (the
// DuckDB pattern) rather than using a visitor. Every node carries the SourcePos of its
// first token; binder errors should quote it. Names are kept as written: Flink matches
// identifiers case-sensitively, while function names and keywords are case-insensitive
// (FunctionExpr::name keeps the spelling; compare it case-insensitively).
//
// Not thread-safe to mutate; immutable once parsed.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sql/ast_node.h"
#include "sql/source_pos.h"
#include "sql/types.h"

namespace fluxgate::sql {

struct Query;  // ast_query.h

enum class ExprKind : uint8_t {
  kLiteral,
  kColumnRef,     // a, t.a, t.a.b (the binder decides which part is the table)
  kStar,          // * or t.* in a select list
  kUnary,         // -x, +x, NOT x
  kBinary,        // arithmetic, comparison, AND/OR, ||
  kIs,            // x IS [NOT] NULL / TRUE / FALSE / UNKNOWN
  kBetween,       // x [NOT] BETWEEN a AND b
  kInList,        // x [NOT] IN (a, b)
  kInSubquery,    // x [NOT] IN (SELECT ...)
  kLike,          // x [NOT] LIKE p [ESCAPE e]
  kCase,          // CASE [x] WHEN ... THEN ... [ELSE ...] END
  kCast,          // CAST(x AS type), TRY_CAST(x AS type)
  kFunction,      // f(args), COUNT(*), COUNT(DISTINCT x), aggregates with FILTER/OVER
  kExtract,       // EXTRACT(unit FROM x)
  kTimeUnit,      // the unit argument of TIMESTAMPDIFF / TIMESTAMPADD
  kJsonValue,     // JSON_VALUE(x, 'path' [RETURNING type])
  kSubquery,      // (SELECT ...) as a scalar, or EXISTS (SELECT ...)
  kGroupingSets,  // GROUPING SETS (...), ROLLUP (...), CUBE (...) in GROUP BY
};

struct Expr : AstNode<ExprKind> {
  using AstNode::AstNode;
};
using ExprPtr = std::unique_ptr<Expr>;

// Units of INTERVAL literals, EXTRACT and TIMESTAMPDIFF/TIMESTAMPADD. Plural spellings
// (MINUTES) are accepted by the parser and mean the same unit.
enum class TimeUnit : uint8_t {
  kYear,
  kQuarter,
  kMonth,
  kWeek,
  kDay,
  kHour,
  kMinute,
  kSecond,
  kMillisecond,
  kMicrosecond,
  kNanosecond,
  kDayOfWeek,  // DOW
  kDayOfYear,  // DOY
  kEpoch,
};
const char* TimeUnitName(TimeUnit unit);  // "MINUTE", "DOW"

enum class LiteralKind : uint8_t {
  kNull,
  kBoolean,
  kInteger,      // 42; text holds the digits (the binder picks INT or BIGINT)
  kExact,        // 4.20: exact numeric (DECIMAL), text as written
  kApproximate,  // 4.2E1: DOUBLE, text as written
  kString,       // text unescaped
  kInterval,     // INTERVAL 'text' unit [TO end_unit]
  kTimestamp,    // TIMESTAMP 'text'
  kDate,         // DATE 'text'
  kTime,         // TIME 'text'
};

struct LiteralExpr : Expr {
  explicit LiteralExpr(SourcePos p) : Expr(ExprKind::kLiteral, p) {}
  LiteralKind literal_kind = LiteralKind::kNull;
  std::string text;
  bool bool_value = false;
  TimeUnit unit = TimeUnit::kSecond;  // kInterval: leading unit
  std::optional<TimeUnit> end_unit;   // kInterval: INTERVAL '1:30' HOUR TO MINUTE
};

struct ColumnRefExpr : Expr {
  explicit ColumnRefExpr(SourcePos p) : Expr(ExprKind::kColumnRef, p) {}
  std::vector<std::string> parts;  // as written, unquoted; at least one
};

struct StarExpr : Expr {
  explicit StarExpr(SourcePos p) : Expr(ExprKind::kStar, p) {}
  std::vector<std::string> qualifier;  // empty for a bare *
};

enum class UnaryOp : uint8_t { kMinus, kPlus, kNot };

struct UnaryExpr : Expr {
  explicit UnaryExpr(SourcePos p) : Expr(ExprKind::kUnary, p) {}
  UnaryOp op = UnaryOp::kMinus;
  ExprPtr operand;
};

enum class BinaryOp : uint8_t {
  kOr,
  kAnd,
  kEq,
  kNe,  // <> and != both
  kLt,
  kLe,
  kGt,
  kGe,
  kIsDistinctFrom,
  kIsNotDistinctFrom,
  kConcat,  // ||
  kAdd,
  kSub,
  kMul,
  kDiv,
  kMod,  // %
};
const char* BinaryOpSql(BinaryOp op);  // "<>", "IS DISTINCT FROM"

struct BinaryExpr : Expr {
  explicit BinaryExpr(SourcePos p) : Expr(ExprKind::kBinary, p) {}
  BinaryOp op = BinaryOp::kAnd;
  ExprPtr left;
  ExprPtr right;
};

enum class IsTest : uint8_t { kNull, kTrue, kFalse, kUnknown };

struct IsExpr : Expr {
  explicit IsExpr(SourcePos p) : Expr(ExprKind::kIs, p) {}
  ExprPtr operand;
  IsTest test = IsTest::kNull;
  bool negated = false;  // IS NOT ...
};

struct BetweenExpr : Expr {
  explicit BetweenExpr(SourcePos p) : Expr(ExprKind::kBetween, p) {}
  ExprPtr operand, low, high;
  bool negated = false;
};

struct InListExpr : Expr {
  explicit InListExpr(SourcePos p) : Expr(ExprKind::kInList, p) {}
  ExprPtr operand;
  std::vector<ExprPtr> list;
  bool negated = false;
};

struct InSubqueryExpr : Expr {
  explicit InSubqueryExpr(SourcePos p) : Expr(ExprKind::kInSubquery, p) {}
  ~InSubqueryExpr() override;  // Query is incomplete here
  ExprPtr operand;
  std::unique_ptr<Query> query;
  bool negated = false;
};

struct LikeExpr : Expr {
  explicit LikeExpr(SourcePos p) : Expr(ExprKind::kLike, p) {}
  ExprPtr operand, pattern;
  ExprPtr escape;  // may be null
  bool negated = false;
};

struct CaseExpr : Expr {
  explicit CaseExpr(SourcePos p) : Expr(ExprKind::kCase, p) {}
  struct When {
    ExprPtr condition;  // compared with `operand` when there is one
    ExprPtr result;
  };
  ExprPtr operand;  // simple CASE x WHEN ...; null for a searched CASE
  std::vector<When> whens;
  ExprPtr else_result;  // may be null (ELSE NULL)
};

struct CastExpr : Expr {
  explicit CastExpr(SourcePos p) : Expr(ExprKind::kCast, p) {}
  ExprPtr operand;
  DataType type;
  bool try_cast = false;  // TRY_CAST: NULL instead of an error
};

struct OrderItem {
  SourcePos pos;
  ExprPtr expr;
  bool descending = false;
  enum class Nulls : uint8_t { kDefault, kFirst, kLast } nulls = Nulls::kDefault;
};

struct FrameBound {
  enum class Kind : uint8_t {
    kUnboundedPreceding,
    kPreceding,  // offset PRECEDING: a row count (ROWS) or an interval (RANGE)
    kCurrentRow,
    kFollowing,
    kUnboundedFollowing,
  };
  SourcePos pos;
  Kind kind = Kind::kCurrentRow;
  ExprPtr offset;  // kPreceding / kFollowing only
};

struct WindowFrame {
  SourcePos pos;
  enum class Unit : uint8_t { kRows, kRange } unit = Unit::kRows;
  FrameBound start;
  std::optional<FrameBound> end;  // set when written with BETWEEN ... AND ...
};

// The body of OVER (...) or of a WINDOW clause entry.
struct WindowSpec {
  SourcePos pos;
  std::string base_window;      // OVER w / OVER (w ORDER BY ...): a WINDOW clause name
  bool reference_only = false;  // OVER w, without parentheses
  std::vector<ExprPtr> partition_by;
  std::vector<OrderItem> order_by;
  std::optional<WindowFrame> frame;
};

struct FunctionExpr : Expr {
  explicit FunctionExpr(SourcePos p) : Expr(ExprKind::kFunction, p) {}
  std::string name;  // as written: TUMBLE_START, count, CURRENT_TIMESTAMP
  std::vector<ExprPtr> args;
  bool star = false;                 // COUNT(*)
  bool distinct = false;             // COUNT(DISTINCT x)
  bool no_parens = false;            // CURRENT_TIMESTAMP, LOCALTIMESTAMP, ... written bare
  ExprPtr filter;                    // agg(x) FILTER (WHERE cond); may be null
  std::unique_ptr<WindowSpec> over;  // agg(x) OVER (...); may be null
};

struct ExtractExpr : Expr {
  explicit ExtractExpr(SourcePos p) : Expr(ExprKind::kExtract, p) {}
  TimeUnit unit = TimeUnit::kSecond;
  ExprPtr operand;
};

struct TimeUnitExpr : Expr {
  explicit TimeUnitExpr(SourcePos p) : Expr(ExprKind::kTimeUnit, p) {}
  TimeUnit unit = TimeUnit::kSecond;
};

struct JsonValueExpr : Expr {
  explicit JsonValueExpr(SourcePos p) : Expr(ExprKind::kJsonValue, p) {}
  ExprPtr operand;
  ExprPtr path;                       // usually a string literal '$.a.b'
  std::optional<DataType> returning;  // default STRING
};

struct SubqueryExpr : Expr {
  explicit SubqueryExpr(SourcePos p) : Expr(ExprKind::kSubquery, p) {}
  ~SubqueryExpr() override;  // Query is incomplete here
  std::unique_ptr<Query> query;
  bool exists = false;  // EXISTS (query) rather than a scalar subquery
};

struct GroupingSetsExpr : Expr {
  explicit GroupingSetsExpr(SourcePos p) : Expr(ExprKind::kGroupingSets, p) {}
  enum class Form : uint8_t { kGroupingSets, kRollup, kCube } form = Form::kGroupingSets;
  // One entry per parenthesized set; `a` alone is a set of one, `()` the empty set.
  std::vector<std::vector<ExprPtr>> sets;
};

// Canonical SQL for an expression: keywords upper case, identifiers back-quoted when they
// need it, and only the parentheses precedence requires. Re-parsing the text gives the
// same tree. With `fully_parenthesized`, every operator application is wrapped in
// parentheses, which shows how the parser grouped it (used by the precedence tests).
std::string ToSql(const Expr& expr, bool fully_parenthesized = false);
std::string ToSql(const WindowSpec& spec);
std::string ToSql(const OrderItem& item);

}  // namespace fluxgate::sql
