// Data types in column definitions, CAST and JSON_VALUE ... RETURNING.
//
// Types outside the engine's set map onto it where the meaning is kept (TINYINT and
// SMALLINT widen to INT, FLOAT and REAL to DOUBLE, CHAR(n) to VARCHAR(n), DATE to
// TIMESTAMP(0)); types with no counterpart are an error that names the type.
#include <string>

#include "sql/keywords.h"
#include "sql/parser_impl.h"

namespace fluxgate::sql {

namespace {

constexpr std::string_view kSupported =
    "STRING, VARCHAR(n), CHAR(n), BOOLEAN, TINYINT, SMALLINT, INT, BIGINT, FLOAT, DOUBLE, "
    "DECIMAL(p, s), DATE, TIMESTAMP(p), TIMESTAMP_LTZ(p)";

}  // namespace

int Parser::ParseTypeParameter(std::string_view what, int min, int max) {
  const Token& t = Peek();
  if (t.kind != TokenKind::kInteger) FailExpected(what);
  long long v = t.text.size() > 10 ? max + 1LL : std::stoll(t.text);
  if (v < min || v > max) {
    Fail(t.pos, std::string(what) + " must be between " + std::to_string(min) + " and " +
                    std::to_string(max) + ", found " + t.text);
  }
  Next();
  return static_cast<int>(v);
}

DataType Parser::ParseType() {
  const Token& t = Peek();
  if (t.kind != TokenKind::kWord) FailExpected("a type");
  const std::string upper = ToUpper(t.text);
  Next();
  DataType type;
  auto optional_length = [&](DataType& d) {
    if (AcceptSymbol("(")) {
      d.precision = ParseTypeParameter("the length", 1, 2147483647);
      ExpectSymbol(")");
    }
  };
  if (upper == "STRING") {
    type = DataType::String();
  } else if (upper == "VARCHAR" || upper == "CHAR" || upper == "CHARACTER") {
    type = DataType::String();
    if (upper == "CHARACTER") Accept("VARYING");
    optional_length(type);
  } else if (upper == "BOOLEAN") {
    type = DataType::Boolean();
  } else if (upper == "TINYINT" || upper == "SMALLINT" || upper == "INT" || upper == "INTEGER") {
    type = DataType::Int();
  } else if (upper == "BIGINT") {
    type = DataType::BigInt();
  } else if (upper == "FLOAT" || upper == "REAL") {
    type = DataType::Double();
  } else if (upper == "DOUBLE") {
    Accept("PRECISION");
    type = DataType::Double();
  } else if (upper == "DECIMAL" || upper == "DEC" || upper == "NUMERIC") {
    type = DataType::Decimal(10, 0);  // Flink's default precision and scale
    if (AcceptSymbol("(")) {
      type.precision = ParseTypeParameter("the DECIMAL precision", 1, 38);
      if (AcceptSymbol(","))
        type.scale = ParseTypeParameter("the DECIMAL scale", 0, type.precision);
      ExpectSymbol(")");
    }
  } else if (upper == "TIMESTAMP") {
    type = DataType::Timestamp(6);  // SQL's default precision
    if (AcceptSymbol("(")) {
      type.precision = ParseTypeParameter("the TIMESTAMP precision", 0, 9);
      ExpectSymbol(")");
    }
    if (Accept("WITHOUT")) {
      Expect("TIME");
      Expect("ZONE");
    } else if (PeekIs("WITH")) {
      const Token& with = Next();
      if (Accept("LOCAL")) {
        Expect("TIME");
        Expect("ZONE");
        type.kind = TypeKind::kTimestampLtz;
      } else {
        Fail(with.pos, "TIMESTAMP WITH TIME ZONE is not supported; use TIMESTAMP_LTZ(p)");
      }
    }
  } else if (upper == "TIMESTAMP_LTZ") {
    type = DataType::TimestampLtz(6);
    if (AcceptSymbol("(")) {
      type.precision = ParseTypeParameter("the TIMESTAMP_LTZ precision", 0, 9);
      ExpectSymbol(")");
    }
  } else if (upper == "DATE") {
    // No DATE kind yet: a date is the timestamp of its midnight (docs/sql.md).
    type = DataType::Timestamp(0);
  } else if (upper == "TIME" || upper == "ARRAY" || upper == "MAP" || upper == "MULTISET" ||
             upper == "ROW" || upper == "BINARY" || upper == "VARBINARY" || upper == "BYTES" ||
             upper == "RAW" || upper == "INTERVAL" || upper == "STRUCTURED" || upper == "VARIANT") {
    Fail(t.pos,
         "type " + upper + " is not supported yet; supported types: " + std::string(kSupported));
  } else {
    Fail(t.pos, "unknown type " + t.Describe() + "; supported types: " + std::string(kSupported));
  }
  if (Accept("NOT")) {
    Expect("NULL");
    type.nullable = false;
  } else if (PeekIs("NULL")) {
    Next();
  }
  return type;
}

}  // namespace fluxgate::sql
