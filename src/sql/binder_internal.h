// Internals shared by the bind_*.cc files. Not part of the public API (binder.h).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "sql/ast_statement.h"
#include "sql/bind_error.h"
#include "sql/binder.h"
#include "sql/logical_plan.h"

namespace fluxgate::sql {

// The columns visible to expressions in a clause, parallel to a plan node's schema.
struct ScopeColumn {
  std::string table;  // the qualifier that reaches it (table name or alias); may be empty
  std::string name;
  DataType type;
  TimeAttr time_attr = TimeAttr::kNone;
};

struct Scope {
  std::vector<ScopeColumn> columns;
};

Scope ScopeFromSchema(const Schema& schema, const std::string& table);
Schema SchemaFromScope(const Scope& scope);

// A window from a TVF in FROM or a legacy GROUP BY TUMBLE(...).
struct WindowInfo {
  WindowDef def;
  std::string function;               // TUMBLE, HOP, CUMULATE, SESSION
  std::vector<std::string> args_sql;  // legacy: canonical SQL of the call's arguments
  int tvf_window_start = -1;          // TVF: input columns of window_start/_end/_time
  int tvf_window_end = -1;
  int tvf_window_time = -1;
  SourcePos pos;
};

// State of a SELECT with GROUP BY or aggregates, while its select list is bound.
struct AggregateState {
  const Scope* input = nullptr;      // scope of the aggregate's input
  std::vector<BoundExprPtr> keys;    // over the input
  std::vector<std::string> key_sql;  // canonical SQL of each key, to match select items
  std::vector<int> key_column;       // input column of a key that is a plain column, or -1
  std::optional<WindowInfo> window;  // windowed: output has window columns after the keys
  std::vector<AggregateCall> aggregates;
  std::vector<std::string> aggregate_sql;
  int AggregateBase() const { return static_cast<int>(keys.size()) + (window ? 3 : 0); }
};

// State of a SELECT with OVER aggregates.
struct OverState {
  const Scope* input = nullptr;
  std::string spec_sql;  // every OVER window must be the same
  SourcePos spec_pos;
  std::vector<BoundExprPtr> partition_by;
  int order_column = -1;
  OverFrame frame;
  std::vector<AggregateCall> aggregates;
};

class Binder {
 public:
  Binder(Catalog* catalog, BoundScript* out, BindOptions options = {})
      : catalog_(catalog), out_(out), options_(options) {}

  void BindStatement(const Statement& statement);
  const JobSettings& settings() const { return settings_; }

  // ---- bind_ddl.cc ----
  void BindCreateTable(const CreateTableStatement& s);
  void BindCreateView(const CreateViewStatement& s);
  void BindDrop(const DropStatement& s);

  // ---- bind_query.cc ----
  struct BoundRelation {
    PlanPtr plan;
    Scope scope;
  };
  BoundRelation BindQuery(const Query& query);
  BoundRelation BindQueryBody(const QueryBody& body);
  BoundRelation BindSelect(const SelectBody& select);
  BoundRelation BindTableRef(const TableRef& ref);

  // ---- bind_window.cc ----
  BoundRelation BindWindowTvf(const TableFunctionRef& ref);
  WindowInfo BindGroupWindow(const FunctionExpr& call, const Scope& scope);
  static int64_t IntervalMs(const Expr& expr, const char* what);

  // ---- bind_expr.cc ----
  struct ExprContext {
    const Scope* scope = nullptr;
    AggregateState* aggregate = nullptr;  // set while binding a grouped select list
    OverState* over = nullptr;            // set while binding a select list with OVER
    const char* clause = "";              // "WHERE", for messages
  };
  BoundExprPtr BindExpr(const Expr& expr, ExprContext& ctx);
  BoundExprPtr BindColumnRef(const ColumnRefExpr& ref, const Scope& scope);
  BoundExprPtr BindFunction(const FunctionExpr& f, ExprContext& ctx);
  AggregateCall BindAggregateCall(const FunctionExpr& f, const Scope& input,
                                  const std::string& name);
  BoundExprPtr BindOverCall(const FunctionExpr& f, ExprContext& ctx);
  // Coerces `e` to `type` with an implicit CAST when the types differ.
  static BoundExprPtr Coerce(BoundExprPtr e, const DataType& type);

  // ---- bind_statement.cc ----
  std::shared_ptr<const SinkNode> BindInsert(const InsertStatement& s);
  void BindPipeline(const Statement& s, std::vector<const InsertStatement*> inserts, bool explain);

  // Source scans shared within one pipeline (a statement set scans each table once).
  std::map<std::string, PlanPtr> shared_sources_;
  // The names of views being expanded, to reject a view that refers to itself.
  std::vector<std::string> expanding_views_;
  // WITH clauses in scope, innermost last.
  std::vector<const CommonTableExpr*> ctes_;

 private:
  Catalog* catalog_;
  BoundScript* out_;
  BindOptions options_;
  JobSettings settings_;
  std::vector<std::string> pipeline_names_;
};

// Output column name of a select item without an alias (Flink: the column name, or
// EXPR$n for other expressions).
std::string DefaultColumnName(const Expr& expr, size_t index);

}  // namespace fluxgate::sql
