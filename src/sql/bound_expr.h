// Bound (resolved and typed) scalar expressions: what the binder produces from the AST and
// what the logical plan carries. Column references are indexes into the input schema of
// the plan node that evaluates the expression.
//
// Every operator and function is a kCall whose `function` is the canonical upper-case
// name: arithmetic and comparison operators by symbol ("+", "=", "<>"), then "AND", "OR",
// "NOT", "IS NULL", "IS NOT NULL", "IS TRUE", "IS DISTINCT FROM", "IN" (args: value, list...),
// "BETWEEN" (value, low, high), "LIKE" (value, pattern[, escape]), "CASE" (cond1, result1,
// ..., else), "CAST" (value; target is `type`; `try_cast` for TRY_CAST, `implicit` when the
// binder inserted it), "EXTRACT" (unit literal, value), "TIMESTAMPDIFF"/"TIMESTAMPADD"
// (unit literal, ...), "JSON_VALUE" (value, path), and registry functions by name.
//
// Immutable once built; shared (std::shared_ptr<const>) because one expression can be
// referenced from several plan nodes (a statement set shares its source scan) and plans are
// read from several threads.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "sql/source_pos.h"
#include "sql/types.h"

namespace fluxgate::sql {

// Whether a column is an event-time (rowtime) or processing-time attribute. Only such
// columns can drive windows and OVER aggregations.
enum class TimeAttr : uint8_t { kNone, kRowtime, kProctime };

enum class BoundExprKind : uint8_t { kLiteral, kColumn, kCall };

struct BoundExpr;
using BoundExprPtr = std::shared_ptr<const BoundExpr>;

struct BoundExpr {
  BoundExprKind kind = BoundExprKind::kLiteral;
  DataType type;
  SourcePos pos;

  // kLiteral. NULL literals have is_null. Integers and intervals (milliseconds) use
  // int_value, DOUBLE uses double_value, BOOLEAN bool_value; DECIMAL, STRING and
  // TIMESTAMP keep their text (timestamps as 'YYYY-MM-DD HH:MM:SS[.fff]'). A time unit
  // argument (EXTRACT, TIMESTAMPDIFF) is a STRING literal holding the unit name.
  bool is_null = false;
  int64_t int_value = 0;
  double double_value = 0;
  bool bool_value = false;
  std::string text;

  // kColumn: index into the input schema, and its name for printing.
  int column = -1;
  std::string name;

  // kCall
  std::string function;
  std::vector<BoundExprPtr> args;
  bool try_cast = false;
  bool implicit = false;

  bool IsLiteral() const { return kind == BoundExprKind::kLiteral; }
};

BoundExprPtr MakeColumn(int index, std::string name, DataType type, SourcePos pos = {});
BoundExprPtr MakeCall(std::string function, std::vector<BoundExprPtr> args, DataType type,
                      SourcePos pos = {});
BoundExprPtr MakeCast(BoundExprPtr value, DataType type, bool implicit);

// Readable rendering for EXPLAIN: `value`, `(a + 1)`, `CAST(x AS DOUBLE)`, `AVG(value)`.
std::string ToString(const BoundExpr& expr);

}  // namespace fluxgate::sql
