// The catalog: tables and views created by a script's DDL, with their validated connector
// configuration, computed columns and watermark.
//
// A Catalog is filled by the binder (BindScript) as it reads CREATE/DROP statements and is
// read by later statements of the same script, or of later scripts bound against it. Not
// thread-safe; the definitions it hands out are immutable and may be shared across threads.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sql/bound_expr.h"
#include "sql/connector_options.h"
#include "sql/types.h"

namespace fluxgate::sql {

struct Query;

struct TableColumn {
  enum class Kind : uint8_t { kPhysical, kComputed, kMetadata };
  std::string name;
  Kind kind = Kind::kPhysical;
  DataType type;
  TimeAttr time_attr = TimeAttr::kNone;  // kRowtime on the WATERMARK column
  BoundExprPtr expr;                     // kComputed: over the table's columns, by index
  std::string metadata_key;              // kMetadata
  bool is_virtual = false;               // kMetadata VIRTUAL
  SourcePos pos;

  // Columns an INSERT writes: physical, and non-virtual metadata.
  bool Writable() const {
    return kind == Kind::kPhysical || (kind == Kind::kMetadata && !is_virtual);
  }
};

// WATERMARK FOR column AS column [- INTERVAL ...]: bounded out-of-orderness.
struct WatermarkSpec {
  int column = -1;  // index of the rowtime column in TableDef::columns
  std::string column_name;
  int64_t delay_ms = 0;  // watermark = max(rowtime) - delay_ms
  BoundExprPtr expr;     // the bound expression, for printing
  SourcePos pos;
};

struct TableDef {
  std::string name;
  std::vector<TableColumn> columns;  // in declaration order
  std::optional<WatermarkSpec> watermark;
  std::vector<std::string> partitioned_by;
  std::vector<std::string> primary_key;
  ConnectorConfig connector;
  std::string ddl;  // the CREATE TABLE text as written
  SourcePos pos;

  int FindColumn(const std::string& name) const;  // -1 if absent
};

struct ViewColumn {
  std::string name;
  DataType type;
  TimeAttr time_attr = TimeAttr::kNone;
};

struct ViewDef {
  std::string name;
  std::vector<std::string> column_aliases;  // CREATE VIEW v (a, b)
  std::vector<ViewColumn> columns;          // the bound output schema
  // The view's query, re-parsed from its canonical SQL so the catalog owns it; inlined at
  // each use. shared_ptr: a Query is move-only and ViewDefs are copied between catalogs.
  std::shared_ptr<const Query> query;
  std::string sql;  // canonical SQL of the query
  SourcePos pos;
};

class Catalog {
 public:
  Catalog() = default;

  const TableDef* FindTable(const std::string& name) const;
  const ViewDef* FindView(const std::string& name) const;
  // A name that differs only in case from `name`, for "did you mean" hints; empty if none.
  std::string SimilarName(const std::string& name) const;

  void PutTable(std::shared_ptr<const TableDef> table);
  void PutView(std::shared_ptr<const ViewDef> view);
  bool DropTable(const std::string& name);
  bool DropView(const std::string& name);

  std::shared_ptr<const TableDef> SharedTable(const std::string& name) const;

 private:
  std::map<std::string, std::shared_ptr<const TableDef>> tables_;
  std::map<std::string, std::shared_ptr<const ViewDef>> views_;
};

}  // namespace fluxgate::sql
