// DuckDB-style SQL data files shared by the parser and binder test runners.
//
// A file is a list of records separated by blank lines; '#' lines are comments. A record
// is a directive line, the input lines, a "----" line and the expected output lines. Each
// runner decides what a directive means; this header only reads files, compares results
// and, with FG_SQL_TEST_REWRITE=1, writes the actual results back (review that diff: a
// rewrite accepts whatever the code does today).
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

namespace fluxgate::sql::testing {

namespace fs = std::filesystem;

struct Record {
  size_t directive_line = 0;  // 0-based
  std::string directive;
  std::string input;
  size_t expected_begin = 0, expected_end = 0;  // line range of the expected output
  std::string expected;
};

inline std::vector<std::string> ListDataFiles(const fs::path& dir) {
  std::vector<std::string> out;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() == ".test") out.push_back(entry.path().filename().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

inline std::vector<std::string> ReadLines(const fs::path& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  std::string line;
  while (std::getline(in, line)) lines.push_back(line);
  return lines;
}

inline std::string Join(const std::vector<std::string>& lines, size_t begin, size_t end) {
  std::string out;
  for (size_t i = begin; i < end; ++i) {
    if (i > begin) out += '\n';
    out += lines[i];
  }
  return out;
}

inline std::vector<Record> ParseRecords(const std::vector<std::string>& lines) {
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

// Runs every record of `path` through `run` (which returns the actual output, or text
// starting with '!' for a failure that can never be expected) and compares it with the
// expected block; rewrites the file when FG_SQL_TEST_REWRITE=1.
inline void RunDataFile(const fs::path& path, const std::string& label,
                        const std::function<std::string(const Record&)>& run) {
  std::vector<std::string> lines = ReadLines(path);
  std::vector<Record> records = ParseRecords(lines);
  ASSERT_FALSE(records.empty()) << path;

  const char* rewrite_env = std::getenv("FG_SQL_TEST_REWRITE");
  const bool rewrite = rewrite_env != nullptr && std::string(rewrite_env) == "1";
  std::vector<std::string> rewritten;
  size_t copied = 0;
  for (const Record& r : records) {
    SCOPED_TRACE(label + ":" + std::to_string(r.directive_line + 1) + " (" + r.directive + ")");
    const std::string actual = run(r);
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

// gtest parameter names from file names ("windows.test" -> "windows").
inline std::string DataFileTestName(const ::testing::TestParamInfo<std::string>& info) {
  std::string name = fs::path(info.param).stem().string();
  for (char& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return name;
}

}  // namespace fluxgate::sql::testing
