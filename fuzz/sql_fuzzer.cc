// Fuzzes the SQL front end: lexer, parser (ParseScript) and binder (BindScript against an
// empty catalog, so a script's own CREATE TABLE/VIEW statements feed its queries), plus the
// expression and data-type entry points.
//
// Invariants: no crash, sanitizer report or stack overflow; every failure is an
// InvalidArgument with a message; the canonical SQL of each parsed statement (ToSql, which
// views are stored as and re-parsed from) parses again and is a fixed point of ToSql.
#include <string>

#include "fuzz_util.h"
#include "sql/binder.h"
#include "sql/parser.h"

namespace fluxgate::sql {
namespace {

void CheckError(const Status& st) {
  FUZZ_CHECK(!st.ok());
  FUZZ_CHECK(st.IsInvalidArgument());
  FUZZ_CHECK(!st.message().empty());
}

void CheckCanonical(const std::string& canonical) {
  auto again = ParseStatement(canonical);
  if (!again.ok()) {
    std::fprintf(stderr, "canonical SQL does not parse:\n%s\n%s\n", canonical.c_str(),
                 again.status().ToString().c_str());
    FUZZ_CHECK(again.ok());
  }
  const std::string twice = ToSql(**again);
  if (twice != canonical) {
    std::fprintf(stderr, "ToSql is not a fixed point:\n%s\n%s\n", canonical.c_str(), twice.c_str());
    FUZZ_CHECK(twice == canonical);
  }
}

}  // namespace
}  // namespace fluxgate::sql

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace fluxgate::sql;
  if (size > 16 * 1024) return 0;  // pipeline files are a few KiB
  const std::string_view sql = fluxgate::fuzz::AsView(data, size);

  auto statements = ParseScript(sql);
  if (!statements.ok()) {
    CheckError(statements.status());
  } else {
    for (const StatementPtr& s : *statements) CheckCanonical(ToSql(*s));
    Catalog catalog;
    auto bound = BindScript(sql, *statements, &catalog);
    if (!bound.ok()) CheckError(bound.status());
  }

  auto expr = ParseExpression(sql);
  if (expr.ok()) {
    const std::string canonical = ToSql(**expr);
    auto again = ParseExpression(canonical);
    if (!again.ok()) {
      std::fprintf(stderr, "canonical expression does not parse: %s\n%s\n", canonical.c_str(),
                   again.status().ToString().c_str());
      FUZZ_CHECK(again.ok());
    }
    FUZZ_CHECK(ToSql(**again) == canonical);
  } else {
    CheckError(expr.status());
  }
  auto type = ParseDataType(sql);
  if (!type.ok()) CheckError(type.status());
  return 0;
}
