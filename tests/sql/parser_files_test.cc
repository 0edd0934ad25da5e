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

#include "sql/parser.h"

namespace fluxgate::sql {
namespace {

namespace fs = std::filesystem;

fs::path DataDir() { return fs::path(__FILE__).parent_path() / "parser"; }

std::vector<std::string> ListFiles() {
  std::vector<std::string> out;
  for (const auto& entry : fs::directory_iterator(DataDir())) {
    if (entry.path().extension() == ".test") out.push_back(entry.path().filename().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::string> ReadLines(const fs::path& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  std::string line;
  while (std::getline(in, line)) lines.push_back(line);
  return lines;
}

std::string Join(const std::vector<std::string>& lines, size_t begin, size_t end) {
  std::string out;
  for (size_t i = begin; i < end; ++i) {
    if (i > begin) out += '\n';
    out += lines[i];
  }
  return out;
}

struct Record {
  size_t directive_line;  // 0-based
  std::string directive;
  std::string input;
  size_t expected_begin, expected_end;  // line range of the expected output
  std::string expected;
};

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

std::vector<Record> ParseRecords(const std::vector<std::string>& lines) {
  std::vector<Record> records;
  size_t i = 0;
  while (i < lines.size()) {
    if (lines[i].empty() || lines[i][0] == '#') {
      ++i;
      continue;
    }
    Record r;
    r.directive_line = i;
    r.directive = lines[i++];
    size_t input_begin = i;
    while (i < lines.size() && lines[i] != "----") {
      if (lines[i].empty()) break;
      ++i;
    }
    r.input = Join(lines, input_begin, i);
    if (i < lines.size() && lines[i] == "----") ++i;
    r.expected_begin = i;
    while (i < lines.size() && !lines[i].empty()) ++i;
    r.expected_end = i;
    r.expected = Join(lines, r.expected_begin, r.expected_end);
    records.push_back(std::move(r));
  }
  return records;
}

class ParserFileTest : public ::testing::TestWithParam<std::string> {};

TEST_P(ParserFileTest, Matches) {
  const fs::path path = DataDir() / GetParam();
  std::vector<std::string> lines = ReadLines(path);
  std::vector<Record> records = ParseRecords(lines);
  ASSERT_FALSE(records.empty()) << path;

  const char* rewrite_env = std::getenv("FG_SQL_TEST_REWRITE");
  const bool rewrite = rewrite_env != nullptr && std::string(rewrite_env) == "1";
  std::vector<std::string> rewritten;
  size_t copied = 0;

  for (const Record& r : records) {
    SCOPED_TRACE(GetParam() + ":" + std::to_string(r.directive_line + 1) + " (" + r.directive +
                 ")");
    const std::string actual = RunRecord(r);
    EXPECT_FALSE(!actual.empty() && actual[0] == '!') << actual << "\ninput:\n" << r.input;
    EXPECT_EQ(actual, r.expected) << "input:\n" << r.input;
    if (rewrite) {
      // Copy everything up to the expected block, then the new expected text.
      for (; copied < r.expected_begin; ++copied) rewritten.push_back(lines[copied]);
      if (r.expected_begin == r.expected_end &&
          (r.expected_begin == 0 || lines[r.expected_begin - 1] != "----")) {
        rewritten.push_back("----");
      }
      std::istringstream in(actual);
      std::string line;
      while (std::getline(in, line)) rewritten.push_back(line);
      copied = r.expected_end;
    }
  }
  if (rewrite) {
    for (; copied < lines.size(); ++copied) rewritten.push_back(lines[copied]);
    std::ofstream out(path);
    for (const std::string& line : rewritten) out << line << '\n';
  }
}

INSTANTIATE_TEST_SUITE_P(Files, ParserFileTest, ::testing::ValuesIn(ListFiles()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           std::string name = fs::path(info.param).stem().string();
                           for (char& c : name) {
                             if (!isalnum(static_cast<unsigned char>(c))) c = '_';
                           }
                           return name;
                         });

}  // namespace
}  // namespace fluxgate::sql
