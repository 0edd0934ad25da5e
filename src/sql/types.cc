#include "sql/types.h"

namespace fluxgate::sql {

std::string DataType::ToString() const {
  std::string s;
  switch (kind) {
    case TypeKind::kNull:
      s = "NULL";
      break;
    case TypeKind::kBoolean:
      s = "BOOLEAN";
      break;
    case TypeKind::kInt:
      s = "INT";
      break;
    case TypeKind::kBigInt:
      s = "BIGINT";
      break;
    case TypeKind::kDouble:
      s = "DOUBLE";
      break;
    case TypeKind::kDecimal:
      s = "DECIMAL(" + std::to_string(precision) + ", " + std::to_string(scale) + ")";
      break;
    case TypeKind::kString:
      s = precision > 0 ? "VARCHAR(" + std::to_string(precision) + ")" : "STRING";
      break;
    case TypeKind::kTimestamp:
      s = "TIMESTAMP(" + std::to_string(precision) + ")";
      break;
    case TypeKind::kTimestampLtz:
      s = "TIMESTAMP_LTZ(" + std::to_string(precision) + ")";
      break;
    case TypeKind::kInterval:
      s = "INTERVAL";
      break;
  }
  if (!nullable) s += " NOT NULL";
  return s;
}

}  // namespace fluxgate::sql
