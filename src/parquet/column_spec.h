// ColumnSpec: one leaf column of a flat Parquet schema as fluxgate sees it, and how it maps
// to the Parquet physical/logical types and to the runtime's SQL types.
//
// Writing: each ColumnType reads one runtime::Column physical storage (the "input" below);
// Parquet-only types (TINYINT, SMALLINT, FLOAT, DATE) are declared with an explicit spec:
//   kBoolean          <- kBool     BOOLEAN
//   kInt8/16/32       <- kInt64    INT32 + INTEGER(8/16/32, signed) + INT_8/16/32
//   kInt64            <- kInt64    INT64 (no annotation; also INTERVAL milliseconds)
//   kFloat            <- kDouble   FLOAT
//   kDouble           <- kDouble   DOUBLE
//   kDecimal(p, s)    <- kDecimal  INT32 (p <= 9) / INT64 (p <= 18) / FIXED_LEN_BYTE_ARRAY
//                                  (big-endian, smallest width) + DECIMAL(p, s) both ways
//   kString           <- kString   BYTE_ARRAY + STRING + UTF8
//   kTimestamp        <- kInt64    INT64 + TIMESTAMP(utc, MILLIS|MICROS) + TIMESTAMP_*
//   kDate             <- kInt64    INT32 days since 1970-01-01 + DATE
// Plain values; thread-safe as values.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "parquet/format.h"
#include "runtime/column.h"
#include "runtime/schema.h"

namespace fluxgate::parquet {

enum class ColumnType : uint8_t {
  kBoolean,
  kInt8,
  kInt16,
  kInt32,
  kInt64,
  kFloat,
  kDouble,
  kDecimal,
  kString,
  kTimestamp,
  kDate,
};

struct ColumnSpec {
  std::string name;
  ColumnType type = ColumnType::kInt64;
  bool nullable = true;
  int32_t precision = 0;              // kDecimal
  int32_t scale = 0;                  // kDecimal
  TimeUnit unit = TimeUnit::kMillis;  // kTimestamp (kNanos only when read from elsewhere)
  bool utc = false;                   // kTimestamp: isAdjustedToUTC (TIMESTAMP_LTZ)
  // Set by the reader: INT32/INT64 annotated unsigned (values read zero-extended).
  bool is_unsigned = false;
  // Set by the reader for FIXED_LEN_BYTE_ARRAY columns: the file's type_length.
  int32_t fixed_length = 0;

  // Parquet physical type and FIXED_LEN_BYTE_ARRAY width (0 otherwise) for this spec
  // (a read spec keeps the file's physical type in the reader, not here).
  Type physical_type() const;
  int32_t type_length() const;
  // The runtime storage a writer reads this column from.
  runtime::PhysicalType input_physical() const;
  // "STRING", "DECIMAL(10,2)", "TIMESTAMP(MILLIS, utc)", ... for messages and tools.
  std::string ToString() const;
};

// Bytes of the smallest two's-complement big-endian integer holding `precision` digits.
int32_t DecimalByteWidth(int32_t precision);

// The spec a runtime field is written with (INT -> kInt32, TIMESTAMP(p) -> millis for
// p <= 3 else micros, TIMESTAMP_LTZ -> utc, INTERVAL -> kInt64). InvalidArgument for a
// type with no Parquet mapping (the NULL type).
Result<ColumnSpec> SpecFromField(const runtime::Field& field);
Result<std::vector<ColumnSpec>> SpecsFromSchema(const runtime::Schema& schema);

// The runtime type a reader decodes this column into (see docs/design/parquet.md):
// kInt8/16/32 -> INT, kInt64 -> BIGINT (unsigned 32-bit too), kFloat -> DOUBLE,
// kTimestamp -> TIMESTAMP(3|6)/TIMESTAMP_LTZ(3|6) (NANOS read as micros), kDate ->
// TIMESTAMP(3) at midnight.
sql::DataType RuntimeType(const ColumnSpec& spec);

// The SchemaElement of a leaf (writer side).
SchemaElement ToSchemaElement(const ColumnSpec& spec);
// The spec of a leaf element (reader side); InvalidArgument for unsupported types.
Result<ColumnSpec> FromSchemaElement(const SchemaElement& e);

}  // namespace fluxgate::parquet
