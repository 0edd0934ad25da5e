// AST of statements: DDL (CREATE/DROP TABLE and VIEW), DML (INSERT, statement sets),
// EXPLAIN, the SQL-client SET/RESET settings, and plain queries.
//
// Same conventions as ast_expr.h. Each statement also keeps its own source text (from its
// first token to its last, comments inside included), for logs and job descriptions.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sql/ast_query.h"

namespace fluxgate::sql {

enum class StatementKind : uint8_t {
  kQuery,  // SELECT ... (an ad-hoc query)
  kCreateTable,
  kCreateView,
  kDropTable,
  kDropView,
  kInsert,
  kStatementSet,  // EXECUTE STATEMENT SET BEGIN ... END, BEGIN STATEMENT SET; ... END
  kExplain,
  kSet,    // SET 'key' = 'value'; SET; (list)
  kReset,  // RESET 'key'; RESET; (all)
};

struct Statement : AstNode<StatementKind> {
  using AstNode::AstNode;
  std::string text;  // the statement as written, without the trailing ';'
};
using StatementPtr = std::unique_ptr<Statement>;

struct QueryStatement : Statement {
  explicit QueryStatement(SourcePos p) : Statement(StatementKind::kQuery, p) {}
  std::unique_ptr<Query> query;
};

// ---- CREATE TABLE ----

struct ColumnDef {
  enum class Kind : uint8_t {
    kPhysical,  // name TYPE [NOT NULL]
    kComputed,  // name AS expr (virtual: not an INSERT target)
    kMetadata,  // name TYPE METADATA [FROM 'key'] [VIRTUAL]
  };
  SourcePos pos;
  std::string name;
  Kind kind = Kind::kPhysical;
  DataType type;             // kPhysical, kMetadata; NOT NULL sets type.nullable = false
  ExprPtr expr;              // kComputed
  std::string metadata_key;  // kMetadata: FROM 'key'; empty means the column name
  bool is_virtual = false;   // kMetadata: VIRTUAL
  std::string comment;       // COMMENT '...'
};

struct WatermarkDef {  // WATERMARK FOR column AS expr
  SourcePos pos;
  std::string column;
  SourcePos column_pos;
  ExprPtr expr;
};

struct PrimaryKeyDef {  // [CONSTRAINT name] PRIMARY KEY (a, b) NOT ENFORCED
  SourcePos pos;
  std::string constraint_name;
  std::vector<std::string> columns;
};

struct TableOption {  // 'key' = 'value' in WITH (...)
  SourcePos pos;
  std::string key;
  std::string value;
  SourcePos value_pos;
};

struct CreateTableStatement : Statement {
  explicit CreateTableStatement(SourcePos p) : Statement(StatementKind::kCreateTable, p) {}
  std::vector<std::string> name;  // 1 to 3 parts
  bool temporary = false;
  bool if_not_exists = false;
  std::vector<ColumnDef> columns;
  std::optional<WatermarkDef> watermark;
  std::optional<PrimaryKeyDef> primary_key;
  std::string comment;
  std::vector<std::string> partitioned_by;
  std::vector<TableOption> options;
};

struct CreateViewStatement : Statement {
  explicit CreateViewStatement(SourcePos p) : Statement(StatementKind::kCreateView, p) {}
  std::vector<std::string> name;
  bool temporary = false;
  bool if_not_exists = false;
  std::vector<std::string> columns;  // CREATE VIEW v (a, b) AS ...
  std::string comment;
  std::unique_ptr<Query> query;
};

// DROP TABLE and DROP VIEW (kind tells which).
struct DropStatement : Statement {
  DropStatement(StatementKind k, SourcePos p) : Statement(k, p) {}
  std::vector<std::string> name;
  bool temporary = false;
  bool if_exists = false;
};

// ---- INSERT and statement sets ----

struct InsertStatement : Statement {
  explicit InsertStatement(SourcePos p) : Statement(StatementKind::kInsert, p) {}
  std::vector<std::string> table;
  bool overwrite = false;  // INSERT OVERWRITE
  struct StaticPartition {
    SourcePos pos;
    std::string column;
    ExprPtr value;  // a literal
  };
  std::vector<StaticPartition> partition;  // PARTITION (k = 'v', ...)
  std::vector<std::string> columns;        // INSERT INTO t (a, b) ...
  std::unique_ptr<Query> query;            // SELECT ... or VALUES ...
};

struct StatementSetStatement : Statement {
  explicit StatementSetStatement(SourcePos p) : Statement(StatementKind::kStatementSet, p) {}
  std::vector<std::unique_ptr<InsertStatement>> inserts;  // at least one
  bool client_form = false;  // written BEGIN STATEMENT SET; ... END (the SQL-client form)
};

// ---- EXPLAIN, SET, RESET ----

struct ExplainStatement : Statement {
  explicit ExplainStatement(SourcePos p) : Statement(StatementKind::kExplain, p) {}
  bool plan_for = false;             // EXPLAIN PLAN FOR
  std::vector<std::string> details;  // ESTIMATED_COST, CHANGELOG_MODE, ... (upper case)
  StatementPtr statement;            // a query, INSERT or statement set
};

struct SetStatement : Statement {
  explicit SetStatement(SourcePos p) : Statement(StatementKind::kSet, p) {}
  bool list = false;  // plain SET; lists the settings
  std::string key, value;
  SourcePos key_pos, value_pos;
};

struct ResetStatement : Statement {
  explicit ResetStatement(SourcePos p) : Statement(StatementKind::kReset, p) {}
  std::string key;  // empty: RESET; resets everything
  SourcePos key_pos;
};

// Canonical SQL, multi-line (one clause, column or option per line), no trailing ';'.
std::string ToSql(const Statement& statement);

}  // namespace fluxgate::sql
