// The binder: resolves names and types in parsed statements against a Catalog and turns a
// script into logical plans (logical_plan.h), one Pipeline per INSERT or statement set.
//
//   auto statements = ParseScript(sql);
//   Catalog catalog;
//   auto bound = BindScript(sql, *statements, &catalog);
//
// DDL updates `catalog`; SET/RESET update the job settings each later pipeline snapshots.
// Every failure is Status::InvalidArgument in the parser's layout:
//
//   SQL error at line 12, column 5: unknown column 'vaule'; did you mean 'value'?
//     AVG(vaule) AS avg_value,
//         ^
//
// Not thread-safe with respect to `catalog`; the results are immutable values.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "sql/ast_statement.h"
#include "sql/bind_error.h"
#include "sql/catalog.h"
#include "sql/logical_plan.h"

namespace fluxgate::sql {

// A plain SELECT in a script (`fluxgate sql --print`): its plan, printed as it runs.
struct AdHocQuery {
  PlanPtr plan;
  std::string sql;
  SourcePos pos;
};

struct BoundScript {
  std::vector<Pipeline> pipelines;
  std::vector<AdHocQuery> queries;
  std::vector<std::string> explains;  // the text of each EXPLAIN, in order
  std::vector<Notice> notices;        // ignored options and settings, in script order
  JobSettings settings;               // the settings at the end of the script
};

// How a script is bound. Batch mode (`fluxgate query`, docs/design/query.md) reads
// 'filesystem'/'s3' tables as bounded sources, and only those; as in Flink's batch mode,
// any TIMESTAMP / TIMESTAMP_LTZ column of such a table can drive a window (it is marked
// as a rowtime attribute in the scan's schema).
struct BindOptions {
  bool batch = false;
};

// `source` is the script text `statements` were parsed from (for error carets).
Result<BoundScript> BindScript(std::string_view source, const std::vector<StatementPtr>& statements,
                               Catalog* catalog, const BindOptions& options = {});

// ParseScript then BindScript.
Result<BoundScript> BindSql(std::string_view sql, Catalog* catalog,
                            const BindOptions& options = {});

}  // namespace fluxgate::sql
