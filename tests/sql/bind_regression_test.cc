// Inputs found by fuzz/sql_fuzzer.cc (docs/design/fuzzing.md), each kept as the test that
// would have caught it.
#include <gtest/gtest.h>

#include "sql/binder.h"

namespace fluxgate::sql {
namespace {

// An INT column inserted into a BIGINT sink gets an implicit CAST (Binder::Coerce). Coerce
// read the expression's nullability in the same argument list that moved the expression
// away; clang evaluates arguments left to right, so a clang build dereferenced a null
// pointer here (UBSan: member access within null pointer, bind_expr.cc). GCC happened to
// evaluate the other way round.
TEST(BindRegression, ImplicitCastOfAMovedExpression) {
  Catalog catalog;
  auto bound = BindSql(R"(
CREATE TABLE src (a INT) WITH ('connector' = 'stream', 'stream' = 'in', 'shards' = '4');
CREATE TABLE back (a BIGINT) WITH ('connector' = 'stream', 'stream' = 'out');
INSERT INTO back SELECT a FROM src;
)",
                       &catalog);
  ASSERT_TRUE(bound.ok()) << bound.status().ToString();
  ASSERT_EQ(bound->pipelines.size(), 1u);
}

// The same coercion in a comparison (INT column against a BIGINT literal) and in a
// function argument, where the operand is nullable.
TEST(BindRegression, ImplicitCastKeepsNullability) {
  Catalog catalog;
  auto bound = BindSql(R"(
CREATE TABLE src (a INT, b DOUBLE) WITH ('connector' = 'stream', 'stream' = 'in');
CREATE TABLE dst (x DOUBLE, y BIGINT) WITH ('connector' = 'print');
INSERT INTO dst SELECT a + b, a FROM src WHERE a > 9999999999;
)",
                       &catalog);
  ASSERT_TRUE(bound.ok()) << bound.status().ToString();
}

}  // namespace
}  // namespace fluxgate::sql
