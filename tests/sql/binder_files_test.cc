// Runs the SQL binder data files in tests/sql/binder/*.test (DuckDB-style).
//
// A file is a list of records separated by blank lines; '#' lines are comments:
//
//   catalog               the input script is bound into the file's catalog, which every
//   <sql>                 later record of the file starts from (a copy); expected: the
//   ----                  notices, if any
//
//   bind ok               the input script is bound (against a copy of the file's catalog);
//   <sql>                 expected: the notices ("notice: line L, column C: ..."), then
//   ----                  each EXPLAIN's plan, each pipeline ("pipeline NAME checkpoint=MS
//   <expected>            idle-timeout=MS lateness=MS" and its plan) and each ad-hoc query
//                         ("query" and its plan), in that order.
//
//   bind error            binding (or parsing) must fail; expected: the error text.
//
// Set FG_SQL_TEST_REWRITE=1 to write the actual results into the files (then review the
// diff: a rewrite accepts whatever the binder does today).
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "sql/binder.h"
#include "sql/parser.h"

namespace fluxgate::sql {
namespace {

namespace fs = std::filesystem;

fs::path DataDir() { return fs::path(__FILE__).parent_path() / "binder"; }

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

std::string Describe(const BoundScript& b) {
  std::string out;
  auto add = [&](const std::string& s) {
    if (!out.empty() && out.back() != '\n') out += '\n';
    out += s;
  };
  for (const Notice& n : b.notices) add("notice: " + n.ToString());
  for (const std::string& e : b.explains) add(e);
  for (const Pipeline& p : b.pipelines) {
    add("pipeline " + (p.name.empty() ? std::string("<unnamed>") : p.name) +
        " checkpoint=" + std::to_string(p.settings.checkpoint_interval_ms) +
        " idle-timeout=" + std::to_string(p.settings.idle_timeout_ms) +
        " lateness=" + std::to_string(p.settings.allowed_lateness_ms));
    add(ExplainPipeline(p));
  }
  for (const AdHocQuery& q : b.queries) {
    add("query");
    add(ExplainPlan(*q.plan));
  }
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

// The actual output for a record, or a string starting "!" describing a runner failure.
std::string RunRecord(const Record& r, Catalog* file_catalog) {
  if (r.directive == "catalog") {
    auto bound = BindSql(r.input, file_catalog);
    return bound.ok() ? Describe(*bound) : "!" + bound.status().message();
  }
  Catalog catalog = *file_catalog;
  auto bound = BindSql(r.input, &catalog);
  if (r.directive == "bind ok")
    return bound.ok() ? Describe(*bound) : "!" + bound.status().message();
  if (r.directive == "bind error") {
    return bound.ok() ? "!bound, but an error was expected:\n" + Describe(*bound)
                      : bound.status().message();
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

class BinderFileTest : public ::testing::TestWithParam<std::string> {};

TEST_P(BinderFileTest, Matches) {
  const fs::path path = DataDir() / GetParam();
  std::vector<std::string> lines = ReadLines(path);
  std::vector<Record> records = ParseRecords(lines);
  ASSERT_FALSE(records.empty()) << path;

  const char* rewrite_env = std::getenv("FG_SQL_TEST_REWRITE");
  const bool rewrite = rewrite_env != nullptr && std::string(rewrite_env) == "1";
  std::vector<std::string> rewritten;
  Catalog catalog;
  size_t copied = 0;

  for (const Record& r : records) {
    SCOPED_TRACE(GetParam() + ":" + std::to_string(r.directive_line + 1) + " (" + r.directive +
                 ")");
    const std::string actual = RunRecord(r, &catalog);
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

INSTANTIATE_TEST_SUITE_P(Files, BinderFileTest, ::testing::ValuesIn(ListFiles()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           std::string name = fs::path(info.param).stem().string();
                           for (char& c : name) {
                             if (!isalnum(static_cast<unsigned char>(c))) c = '_';
                           }
                           return name;
                         });

}  // namespace
}  // namespace fluxgate::sql
