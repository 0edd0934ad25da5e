// The Flink SQL parser: text to AST (ast_statement.h, ast_query.h, ast_expr.h).
//
// Syntax only: names are not resolved and types are not checked; that is the binder's
// job. Every failure is Status::InvalidArgument with a message of the form
//
//   SQL parse error at line 3, column 15: expected ')' but found 'FROM'
//     SELECT a, (b + FROM t
//                    ^
//
// docs/sql.md lists the statements and syntax accepted. Stateless; safe to call from any
// thread.
#pragma once

#include <string_view>
#include <vector>

#include "common/status.h"
#include "sql/ast_statement.h"

namespace fluxgate::sql {

// A script: statements separated by ';' (a pipeline file). Empty statements are skipped,
// so an empty script gives an empty vector. BEGIN STATEMENT SET; ...; END; counts as one
// statement.
Result<std::vector<StatementPtr>> ParseScript(std::string_view sql);

// Exactly one statement, optionally followed by ';'.
Result<StatementPtr> ParseStatement(std::string_view sql);

// One scalar expression and nothing else (tests, tools, option values).
Result<ExprPtr> ParseExpression(std::string_view sql);

// One data type, e.g. "DECIMAL(10, 2) NOT NULL".
Result<DataType> ParseDataType(std::string_view sql);

}  // namespace fluxgate::sql
