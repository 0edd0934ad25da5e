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

#include "data_file.h"
#include "sql/binder.h"
#include "sql/parser.h"

namespace fluxgate::sql {
namespace {

namespace fs = std::filesystem;
using testing::Record;

fs::path DataDir() { return fs::path(__FILE__).parent_path() / "binder"; }

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

class BinderFileTest : public ::testing::TestWithParam<std::string> {};

TEST_P(BinderFileTest, Matches) {
  Catalog catalog;  // shared by the file's records; "catalog" records add to it
  testing::RunDataFile(DataDir() / GetParam(), GetParam(),
                       [&](const Record& r) { return RunRecord(r, &catalog); });
}

INSTANTIATE_TEST_SUITE_P(Files, BinderFileTest,
                         ::testing::ValuesIn(testing::ListDataFiles(DataDir())),
                         testing::DataFileTestName);

}  // namespace
}  // namespace fluxgate::sql
