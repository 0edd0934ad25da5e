// Runs the SQL parser data files in tests/sql/parser/*.test (DuckDB-style).
//
// A file is a list of records separated by blank lines; '#' lines are comments:
//
//   statement ok          the input is a script; expected: ToSql of each statement,
//   <sql>                 joined by ";\n". The output must parse again to itself.
//   ----
//   <expected>
//
//   statement error       the input must fail ParseScript; expected: the error text.
//   expression ok         ParseExpression; expected: the fully parenthesized rendering.
//                         The canonical (minimal-parenthesis) text must parse back to it.
//   expression error      the input must fail ParseExpression.
//   type ok / type error  ParseDataType; expected: DataType::ToString() or the error.
//
// Set FG_SQL_TEST_REWRITE=1 to write the actual results into the files (then review the
// diff: a rewrite accepts whatever the parser does today).
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "data_file.h"
#include "sql/parser.h"

namespace fluxgate::sql {
namespace {

namespace fs = std::filesystem;
using testing::Record;

fs::path DataDir() { return fs::path(__FILE__).parent_path() / "parser"; }

std::string ScriptSql(const std::vector<StatementPtr>& statements) {
  std::string out;
  for (size_t i = 0; i < statements.size(); ++i) {
    if (i) out += ";\n";
    out += ToSql(*statements[i]);
  }
  return out;
}

// The actual output for a record, or a string starting "!" describing a runner failure.
std::string RunRecord(const Record& r) {
  if (r.directive == "statement ok" || r.directive == "statement error") {
    auto parsed = ParseScript(r.input);
    if (r.directive == "statement error") {
      return parsed.ok() ? "!parsed, but an error was expected:\n" + ScriptSql(*parsed)
                         : parsed.status().message();
    }
    if (!parsed.ok()) return "!" + parsed.status().message();
    if (parsed->empty()) return "!no statement";
    std::string sql = ScriptSql(*parsed);
    auto again = ParseScript(sql);
    if (!again.ok()) return "!canonical SQL does not parse:\n" + again.status().message();
    if (ScriptSql(*again) != sql)
      return "!canonical SQL changes when re-parsed:\n" + ScriptSql(*again);
    return sql;
  }
  if (r.directive == "expression ok" || r.directive == "expression error") {
    auto parsed = ParseExpression(r.input);
    if (r.directive == "expression error") {
      return parsed.ok() ? "!parsed, but an error was expected: " + ToSql(**parsed, true)
                         : parsed.status().message();
    }
    if (!parsed.ok()) return "!" + parsed.status().message();
    std::string full = ToSql(**parsed, true);
    std::string canonical = ToSql(**parsed);
    auto again = ParseExpression(canonical);
    if (!again.ok()) return "!canonical SQL does not parse: " + canonical;
    if (ToSql(**again, true) != full) {
      return "!canonical SQL " + canonical + " re-parses as " + ToSql(**again, true);
    }
    return full;
  }
  if (r.directive == "type ok" || r.directive == "type error") {
    auto parsed = ParseDataType(r.input);
    if (r.directive == "type error") {
      return parsed.ok() ? "!parsed, but an error was expected: " + parsed->ToString()
                         : parsed.status().message();
    }
    return parsed.ok() ? parsed->ToString() : "!" + parsed.status().message();
  }
  return "!unknown directive '" + r.directive + "'";
}

class ParserFileTest : public ::testing::TestWithParam<std::string> {};

TEST_P(ParserFileTest, Matches) {
  testing::RunDataFile(DataDir() / GetParam(), GetParam(), RunRecord);
}

INSTANTIATE_TEST_SUITE_P(Files, ParserFileTest,
                         ::testing::ValuesIn(testing::ListDataFiles(DataDir())),
                         testing::DataFileTestName);

}  // namespace
}  // namespace fluxgate::sql
