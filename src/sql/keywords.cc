#include "sql/keywords.h"

#include <algorithm>
#include <array>

#include "common/ascii.h"

namespace fluxgate::sql {

namespace {

// Sorted; see IsReservedWord.
constexpr std::array<std::string_view, 52> kReserved = {
    "ALL",      "AND",     "AS",    "ASC",    "BETWEEN", "BY",     "CASE",      "CROSS",    "DESC",
    "DISTINCT", "ELSE",    "END",   "ESCAPE", "EXCEPT",  "EXISTS", "FALSE",     "FETCH",    "FOR",
    "FROM",     "FULL",    "GROUP", "HAVING", "IN",      "INNER",  "INTERSECT", "INTERVAL", "IS",
    "JOIN",     "LATERAL", "LEFT",  "LIKE",   "LIMIT",   "MINUS",  "NATURAL",   "NOT",      "NULL",
    "OFFSET",   "ON",      "OR",    "ORDER",  "OUTER",   "OVER",   "RIGHT",     "SELECT",   "THEN",
    "TRUE",     "UNION",   "USING", "WHEN",   "WHERE",   "WINDOW", "WITH"};

// Flink reserved words we accept unquoted but still quote on output, so canonical SQL
// also parses in Flink. Not Flink's whole list (about 300 words); a word missing here is
// printed bare, which Flink may reject but we accept. Sorted.
constexpr std::array<std::string_view, 72> kFlinkReserved = {
    "ARRAY",      "AT",          "BEGIN",     "BOTH",     "CAST",       "COLLECT",  "COUNT",
    "CUBE",       "CURRENT",     "DATA",      "DATE",     "DAY",        "DEFAULT",  "DESCRIBE",
    "DESCRIPTOR", "DROP",        "EVERY",     "EXEC",     "EXECUTE",    "EXPLAIN",  "EXTRACT",
    "FILTER",     "FIRST_VALUE", "FLOAT",     "FUNCTION", "GROUPING",   "HOUR",     "INSERT",
    "INT",        "INTEGER",     "INTO",      "KEY",      "LAST_VALUE", "LOCAL",    "MATCH",
    "MAX",        "MERGE",       "MIN",       "MINUTE",   "MONTH",      "MULTISET", "NEW",
    "OLD",        "PARTITION",   "PRIMARY",   "RANGE",    "RESET",      "RESULT",   "ROLLUP",
    "ROW",        "ROWS",        "SECOND",    "SET",      "SUM",        "SYSTEM",   "SYSTEM_TIME",
    "TABLE",      "TIME",        "TIMESTAMP", "TO",       "TRIM",       "TRUNCATE", "UNKNOWN",
    "UPDATE",     "UPPER",       "USER",      "VALUE",    "VALUES",     "VARCHAR",  "WATERMARK",
    "WITHIN",     "YEAR"};

bool Contains(const auto& sorted, std::string_view word) {
  return std::binary_search(sorted.begin(), sorted.end(), word);
}

}  // namespace

bool IsPlainWord(std::string_view s) {
  if (s.empty()) return false;
  auto start = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; };
  if (!start(s[0])) return false;
  return std::all_of(s.begin(), s.end(),
                     [&](char c) { return start(c) || (c >= '0' && c <= '9') || c == '$'; });
}

std::string ToUpper(std::string_view s) { return AsciiToUpper(s); }

bool IsReservedWord(std::string_view upper) { return Contains(kReserved, upper); }

std::string QuoteIdentifier(std::string_view name) {
  if (IsPlainWord(name)) {
    const std::string upper = ToUpper(name);
    if (!Contains(kReserved, upper) && !Contains(kFlinkReserved, upper)) return std::string(name);
  }
  std::string out = "`";
  for (char c : name) {
    if (c == '`') out += '`';
    out += c;
  }
  out += '`';
  return out;
}

std::string QuoteString(std::string_view text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'') out += '\'';
    out += c;
  }
  out += '\'';
  return out;
}

}  // namespace fluxgate::sql
