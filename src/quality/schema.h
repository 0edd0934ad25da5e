// Schema: the declared shape of a stream's JSON records, from either source the config
// accepts (docs/design/quality.md, "Schemas"):
//
//   schema = "device_id STRING NOT NULL, timestamp TIMESTAMP(3) NOT NULL, value DOUBLE"
//       an SQL column list; types parsed by sql::ParseDataType, NOT NULL = required
//   json_schema = "path/to/schema.json"
//       a JSON Schema subset: top-level "type": "object", "properties", "required",
//       "additionalProperties" (bool); per property "type" (a name or a list of names from
//       string, number, integer, boolean, object, array, null), "minimum", "maximum",
//       "enum" (strings or numbers) and "format": "date-time" (a timestamp string).
//
// Plain values and pure functions; safe from any thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace fluxgate::quality {

enum class FieldType : uint8_t {
  kAny,  // no type constraint (a role field the schema does not declare)
  kString,
  kNumber,   // SQL DOUBLE / DECIMAL, JSON Schema "number"
  kInteger,  // SQL BIGINT, JSON Schema "integer": a JSON number without fraction
  kInt32,    // SQL INT
  kBoolean,
  kTimestamp,  // SQL TIMESTAMP(p) / TIMESTAMP_LTZ(p), "format": "date-time": an ISO string
  kObject,
  kArray,
};

// "STRING", "DOUBLE", ... as an error message names the expected type.
const char* FieldTypeName(FieldType type);

struct FieldRule {
  std::string name;
  FieldType type = FieldType::kAny;
  bool required = false;                   // must be present
  bool nullable = true;                    // may be JSON null
  std::optional<double> minimum, maximum;  // numbers only, inclusive
  std::vector<std::string> enum_strings;   // allowed string values (empty = any)
  std::vector<double> enum_numbers;        // allowed numeric values (empty = any)
};

struct Schema {
  std::vector<FieldRule> fields;
  bool additional_properties = true;  // false: a field not declared is invalid
};

// "name TYPE [NOT NULL], ..." (names may be `quoted`). InvalidArgument naming the column.
Result<Schema> ParseSqlColumns(std::string_view text);
// The JSON Schema subset above, from the document's text.
Result<Schema> ParseJsonSchema(std::string_view json);
// ParseJsonSchema of a file's contents; errors name the path.
Result<Schema> LoadJsonSchemaFile(const std::string& path);

}  // namespace fluxgate::quality
