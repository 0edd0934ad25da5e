// SQL data types of the Flink SQL subset fluxgate supports.
//
// A DataType is a small value (kind plus parameters) shared by the parser (column
// declarations, CAST), the binder (expression typing) and the runtime (row layout,
// JSON decoding, sinks). Thread-safe as a value.
#pragma once

#include <cstdint>
#include <string>

namespace fluxgate::sql {

enum class TypeKind : uint8_t {
  kNull,        // the type of the literal NULL before coercion
  kBoolean,
  kInt,         // 32-bit
  kBigInt,      // 64-bit
  kDouble,      // also FLOAT / REAL
  kDecimal,     // DECIMAL(precision, scale), precision <= 38
  kString,      // STRING, VARCHAR(n), CHAR(n): n is kept but not enforced
  kTimestamp,   // TIMESTAMP(p): wall-clock time without zone
  kTimestampLtz,  // TIMESTAMP_LTZ(p): an instant
  kInterval,    // day-time interval, milliseconds (INTERVAL '5' MINUTE)
};

struct DataType {
  TypeKind kind = TypeKind::kNull;
  int32_t precision = 0;  // DECIMAL precision, TIMESTAMP fractional digits (default 6 in
                          // SQL, 3 for rowtime attributes), VARCHAR length (0 = unbounded)
  int32_t scale = 0;      // DECIMAL scale
  bool nullable = true;

  static DataType Boolean() { return {TypeKind::kBoolean}; }
  static DataType Int() { return {TypeKind::kInt}; }
  static DataType BigInt() { return {TypeKind::kBigInt}; }
  static DataType Double() { return {TypeKind::kDouble}; }
  static DataType Decimal(int32_t p, int32_t s) { return {TypeKind::kDecimal, p, s}; }
  static DataType String() { return {TypeKind::kString}; }
  static DataType Timestamp(int32_t p = 3) { return {TypeKind::kTimestamp, p}; }
  static DataType TimestampLtz(int32_t p = 3) { return {TypeKind::kTimestampLtz, p}; }
  static DataType Interval() { return {TypeKind::kInterval}; }

  bool IsNumeric() const {
    return kind == TypeKind::kInt || kind == TypeKind::kBigInt || kind == TypeKind::kDouble ||
           kind == TypeKind::kDecimal;
  }
  bool IsTimestamp() const {
    return kind == TypeKind::kTimestamp || kind == TypeKind::kTimestampLtz;
  }
  bool operator==(const DataType& o) const {
    return kind == o.kind && precision == o.precision && scale == o.scale &&
           nullable == o.nullable;
  }

  // "TIMESTAMP(3)", "DECIMAL(10, 2)", "STRING", "INT NOT NULL".
  std::string ToString() const;
};

}  // namespace fluxgate::sql
