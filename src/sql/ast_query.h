// AST of queries: SELECT blocks, set operations, VALUES, CTEs, and FROM-clause table
// references, including the windowing table functions (TABLE(TUMBLE(...)) and friends).
//
// Same conventions as ast_expr.h: plain structs owned by std::unique_ptr, a `kind` tag
// and As<T>() for downcasts, a SourcePos on every node. Immutable once parsed.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "sql/ast_expr.h"

namespace fluxgate::sql {

// ---- FROM clause ----

enum class TableRefKind : uint8_t {
  kTable,          // a catalog table or view, or a CTE name
  kSubquery,       // (SELECT ...) [AS] alias
  kJoin,           // a JOIN b ON ..., and the comma join a, b
  kTableFunction,  // TABLE(TUMBLE(TABLE t, DESCRIPTOR(ts), INTERVAL '5' MINUTE))
};

struct TableRef : AstNode<TableRefKind> {
  using AstNode::AstNode;
  std::string alias;                        // empty when none
  std::vector<std::string> column_aliases;  // AS t (a, b)
};
using TableRefPtr = std::unique_ptr<TableRef>;

struct BaseTableRef : TableRef {
  explicit BaseTableRef(SourcePos p) : TableRef(TableRefKind::kTable, p) {}
  std::vector<std::string> name;  // 1 to 3 parts: [catalog.][database.]table
  ExprPtr system_time_as_of;      // FOR SYSTEM_TIME AS OF x (temporal join); may be null
};

struct SubqueryRef : TableRef {
  explicit SubqueryRef(SourcePos p) : TableRef(TableRefKind::kSubquery, p) {}
  ~SubqueryRef() override;
  std::unique_ptr<Query> query;
  bool lateral = false;  // LATERAL (SELECT ...)
};

enum class JoinType : uint8_t { kInner, kLeft, kRight, kFull, kCross, kComma };

struct JoinRef : TableRef {
  explicit JoinRef(SourcePos p) : TableRef(TableRefKind::kJoin, p) {}
  JoinType type = JoinType::kInner;
  TableRefPtr left, right;
  ExprPtr condition;                       // ON ...; null for CROSS, comma and USING
  std::vector<std::string> using_columns;  // USING (a, b)
};

// One argument of a table function call. Flink's window TVFs take a table, a descriptor
// and intervals, positionally or by name (DATA => TABLE t, TIMECOL => DESCRIPTOR(ts)).
struct TableFunctionArg {
  enum class Kind : uint8_t {
    kTable,       // TABLE t [PARTITION BY k | (k1, k2)]
    kDescriptor,  // DESCRIPTOR(c1, ...)
    kExpr,        // any scalar expression, e.g. INTERVAL '5' MINUTE
  };
  SourcePos pos;
  std::string param_name;  // DATA, TIMECOL, SIZE, SLIDE, STEP, GAP, OFFSET; empty if positional
  Kind kind = Kind::kExpr;
  std::vector<std::string> table_name;    // kTable
  std::vector<std::string> partition_by;  // kTable: SESSION's PARTITION BY columns
  std::vector<std::string> columns;       // kDescriptor
  ExprPtr expr;                           // kExpr
};

struct TableFunctionRef : TableRef {
  explicit TableFunctionRef(SourcePos p) : TableRef(TableRefKind::kTableFunction, p) {}
  std::string name;  // TUMBLE, HOP, CUMULATE, SESSION as written
  std::vector<TableFunctionArg> args;
};

// ---- Query bodies ----

struct SelectItem {
  SourcePos pos;
  ExprPtr expr;       // a StarExpr for * and t.*
  std::string alias;  // empty when none
};

struct NamedWindow {  // WINDOW w AS (...)
  SourcePos pos;
  std::string name;
  WindowSpec spec;
};

enum class QueryBodyKind : uint8_t { kSelect, kSetOperation, kValues, kNested };

struct QueryBody : AstNode<QueryBodyKind> {
  using AstNode::AstNode;
};
using QueryBodyPtr = std::unique_ptr<QueryBody>;

struct SelectBody : QueryBody {
  explicit SelectBody(SourcePos p) : QueryBody(QueryBodyKind::kSelect, p) {}
  bool distinct = false;
  std::vector<SelectItem> items;
  TableRefPtr from;  // null for SELECT without FROM
  ExprPtr where;
  // Plain expressions, group-window calls such as TUMBLE(ts, INTERVAL '5' MINUTE), and
  // GroupingSetsExpr nodes, in the order written.
  std::vector<ExprPtr> group_by;
  ExprPtr having;
  std::vector<NamedWindow> windows;
};

enum class SetOp : uint8_t { kUnion, kIntersect, kExcept };

struct SetOperationBody : QueryBody {
  explicit SetOperationBody(SourcePos p) : QueryBody(QueryBodyKind::kSetOperation, p) {}
  SetOp op = SetOp::kUnion;
  bool all = false;
  QueryBodyPtr left, right;
};

struct ValuesBody : QueryBody {
  explicit ValuesBody(SourcePos p) : QueryBody(QueryBodyKind::kValues, p) {}
  std::vector<std::vector<ExprPtr>> rows;
};

// A parenthesized query used as an operand of a set operation, keeping its own WITH,
// ORDER BY and LIMIT: (SELECT ... LIMIT 3) UNION ALL (...).
struct NestedBody : QueryBody {
  explicit NestedBody(SourcePos p) : QueryBody(QueryBodyKind::kNested, p) {}
  ~NestedBody() override;
  std::unique_ptr<Query> query;
};

struct CommonTableExpr {
  SourcePos pos;
  std::string name;
  std::vector<std::string> columns;  // WITH x (a, b) AS (...)
  std::unique_ptr<Query> query;
};

// A complete query: [WITH ...] body [ORDER BY ...] [LIMIT n] [OFFSET n].
struct Query {
  SourcePos pos;
  std::vector<CommonTableExpr> ctes;
  QueryBodyPtr body;
  std::vector<OrderItem> order_by;
  ExprPtr limit;   // may be null
  ExprPtr offset;  // may be null
};

// Canonical SQL; with `multiline`, each top-level clause starts a new line (EXPLAIN and
// the tests use this), otherwise the query is one line (used for nested queries).
std::string ToSql(const Query& query, bool multiline = false);
std::string ToSql(const TableRef& ref);

}  // namespace fluxgate::sql
