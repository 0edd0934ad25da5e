#include "parquet/column_spec.h"

#include <fmt/format.h>

namespace fluxgate::parquet {

int32_t DecimalByteWidth(int32_t precision) {
  // Max digits per width from the format spec: floor(log10(2^(8n-1) - 1)).
  static constexpr int kMaxDigits[] = {0,  2,  4,  6,  9,  11, 14, 16, 18,
                                       21, 23, 26, 28, 31, 33, 35, 38};
  for (int32_t n = 1; n <= 16; ++n) {
    if (precision <= kMaxDigits[n]) return n;
  }
  return 16;
}

Type ColumnSpec::physical_type() const {
  switch (type) {
    case ColumnType::kBoolean:
      return Type::kBoolean;
    case ColumnType::kInt8:
    case ColumnType::kInt16:
    case ColumnType::kInt32:
    case ColumnType::kDate:
      return Type::kInt32;
    case ColumnType::kInt64:
    case ColumnType::kTimestamp:
      return Type::kInt64;
    case ColumnType::kFloat:
      return Type::kFloat;
    case ColumnType::kDouble:
      return Type::kDouble;
    case ColumnType::kDecimal:
      if (precision <= 9) return Type::kInt32;
      if (precision <= 18) return Type::kInt64;
      return Type::kFixedLenByteArray;
    case ColumnType::kString:
      return Type::kByteArray;
  }
  return Type::kInt64;
}

int32_t ColumnSpec::type_length() const {
  return physical_type() == Type::kFixedLenByteArray ? DecimalByteWidth(precision) : 0;
}

runtime::PhysicalType ColumnSpec::input_physical() const {
  switch (type) {
    case ColumnType::kBoolean:
      return runtime::PhysicalType::kBool;
    case ColumnType::kFloat:
    case ColumnType::kDouble:
      return runtime::PhysicalType::kDouble;
    case ColumnType::kDecimal:
      return runtime::PhysicalType::kDecimal;
    case ColumnType::kString:
      return runtime::PhysicalType::kString;
    default:
      return runtime::PhysicalType::kInt64;
  }
}

std::string ColumnSpec::ToString() const {
  std::string t;
  switch (type) {
    case ColumnType::kBoolean:
      t = "BOOLEAN";
      break;
    case ColumnType::kInt8:
      t = "TINYINT";
      break;
    case ColumnType::kInt16:
      t = "SMALLINT";
      break;
    case ColumnType::kInt32:
      t = "INT";
      break;
    case ColumnType::kInt64:
      t = is_unsigned ? "UINT32" : "BIGINT";
      break;
    case ColumnType::kFloat:
      t = "FLOAT";
      break;
    case ColumnType::kDouble:
      t = "DOUBLE";
      break;
    case ColumnType::kDecimal:
      t = fmt::format("DECIMAL({},{})", precision, scale);
      break;
    case ColumnType::kString:
      t = "STRING";
      break;
    case ColumnType::kTimestamp:
      t = fmt::format("TIMESTAMP({}{})",
                      unit == TimeUnit::kMillis   ? "MILLIS"
                      : unit == TimeUnit::kMicros ? "MICROS"
                                                  : "NANOS",
                      utc ? ", utc" : "");
      break;
    case ColumnType::kDate:
      t = "DATE";
      break;
  }
  return nullable ? t : t + " NOT NULL";
}

Result<ColumnSpec> SpecFromField(const runtime::Field& field) {
  ColumnSpec s;
  s.name = field.name;
  s.nullable = field.type.nullable;
  switch (field.type.kind) {
    case sql::TypeKind::kBoolean:
      s.type = ColumnType::kBoolean;
      break;
    case sql::TypeKind::kInt:
      s.type = ColumnType::kInt32;
      break;
    case sql::TypeKind::kBigInt:
    case sql::TypeKind::kInterval:
      s.type = ColumnType::kInt64;
      break;
    case sql::TypeKind::kDouble:
      s.type = ColumnType::kDouble;
      break;
    case sql::TypeKind::kDecimal:
      if (field.type.precision < 1 || field.type.precision > 38 || field.type.scale < 0 ||
          field.type.scale > field.type.precision) {
        return Status::InvalidArgument(
            fmt::format("column '{}': bad decimal {}", field.name, field.type.ToString()));
      }
      s.type = ColumnType::kDecimal;
      s.precision = field.type.precision;
      s.scale = field.type.scale;
      break;
    case sql::TypeKind::kString:
      s.type = ColumnType::kString;
      break;
    case sql::TypeKind::kTimestamp:
    case sql::TypeKind::kTimestampLtz:
      s.type = ColumnType::kTimestamp;
      s.unit = runtime::TimestampUnitPerSecond(field.type) == 1000 ? TimeUnit::kMillis
                                                                   : TimeUnit::kMicros;
      s.utc = field.type.kind == sql::TypeKind::kTimestampLtz;
      break;
    default:
      return Status::InvalidArgument(fmt::format("column '{}': type {} has no Parquet mapping",
                                                 field.name, field.type.ToString()));
  }
  return s;
}

Result<std::vector<ColumnSpec>> SpecsFromSchema(const runtime::Schema& schema) {
  std::vector<ColumnSpec> out;
  for (const runtime::Field& f : schema.fields()) {
    FG_ASSIGN_OR_RETURN(ColumnSpec s, SpecFromField(f));
    out.push_back(std::move(s));
  }
  return out;
}

sql::DataType RuntimeType(const ColumnSpec& spec) {
  sql::DataType t;
  switch (spec.type) {
    case ColumnType::kBoolean:
      t = sql::DataType::Boolean();
      break;
    case ColumnType::kInt8:
    case ColumnType::kInt16:
    case ColumnType::kInt32:
      t = sql::DataType::Int();
      break;
    case ColumnType::kInt64:
      t = sql::DataType::BigInt();
      break;
    case ColumnType::kFloat:
    case ColumnType::kDouble:
      t = sql::DataType::Double();
      break;
    case ColumnType::kDecimal:
      t = sql::DataType::Decimal(spec.precision, spec.scale);
      break;
    case ColumnType::kString:
      t = sql::DataType::String();
      break;
    case ColumnType::kTimestamp: {
      int p = spec.unit == TimeUnit::kMillis ? 3 : 6;
      t = spec.utc ? sql::DataType::TimestampLtz(p) : sql::DataType::Timestamp(p);
      break;
    }
    case ColumnType::kDate:
      t = sql::DataType::Timestamp(3);
      break;
  }
  t.nullable = spec.nullable;
  return t;
}

SchemaElement ToSchemaElement(const ColumnSpec& spec) {
  SchemaElement e;
  e.name = spec.name;
  e.type = spec.physical_type();
  e.repetition = spec.nullable ? Repetition::kOptional : Repetition::kRequired;
  switch (spec.type) {
    case ColumnType::kInt8:
    case ColumnType::kInt16:
    case ColumnType::kInt32: {
      int8_t bits = spec.type == ColumnType::kInt8 ? 8 : spec.type == ColumnType::kInt16 ? 16 : 32;
      e.logical.kind = LogicalType::Kind::kInteger;
      e.logical.bit_width = bits;
      e.logical.is_signed = true;
      e.converted_type = bits == 8    ? ConvertedType::kInt8
                         : bits == 16 ? ConvertedType::kInt16
                                      : ConvertedType::kInt32;
      break;
    }
    case ColumnType::kDecimal:
      if (spec.type_length() > 0) e.type_length = spec.type_length();
      e.logical.kind = LogicalType::Kind::kDecimal;
      e.logical.precision = spec.precision;
      e.logical.scale = spec.scale;
      e.converted_type = ConvertedType::kDecimal;
      e.precision = spec.precision;
      e.scale = spec.scale;
      break;
    case ColumnType::kString:
      e.logical.kind = LogicalType::Kind::kString;
      e.converted_type = ConvertedType::kUtf8;
      break;
    case ColumnType::kTimestamp:
      e.logical.kind = LogicalType::Kind::kTimestamp;
      e.logical.utc = spec.utc;
      e.logical.unit = spec.unit;
      // LogicalTypes.md asks writers to annotate local (utc = false) timestamps with the
      // legacy converted type too, for readers that only know converted types.
      e.converted_type = spec.unit == TimeUnit::kMillis ? ConvertedType::kTimestampMillis
                                                        : ConvertedType::kTimestampMicros;
      break;
    case ColumnType::kDate:
      e.logical.kind = LogicalType::Kind::kDate;
      e.converted_type = ConvertedType::kDate;
      break;
    default:
      break;
  }
  return e;
}

Result<ColumnSpec> FromSchemaElement(const SchemaElement& e) {
  ColumnSpec s;
  s.name = e.name;
  if (!e.type) {
    return Status::InvalidArgument(
        fmt::format("parquet column '{}': nested (group) columns are not supported", e.name));
  }
  Repetition rep = e.repetition.value_or(Repetition::kOptional);
  if (rep == Repetition::kRepeated) {
    return Status::InvalidArgument(
        fmt::format("parquet column '{}': repeated columns are not supported", e.name));
  }
  s.nullable = rep == Repetition::kOptional;
  const LogicalType& lt = e.logical;
  auto conv = e.converted_type;
  auto unsupported = [&](const char* what) {
    return Status::InvalidArgument(
        fmt::format("parquet column '{}': {} is not supported", e.name, what));
  };
  bool is_decimal = lt.kind == LogicalType::Kind::kDecimal ||
                    (lt.kind == LogicalType::Kind::kNone && conv == ConvertedType::kDecimal);
  if (is_decimal) {
    s.type = ColumnType::kDecimal;
    s.precision = lt.kind == LogicalType::Kind::kDecimal ? lt.precision : e.precision.value_or(0);
    s.scale = lt.kind == LogicalType::Kind::kDecimal ? lt.scale : e.scale.value_or(0);
    if (s.precision < 1 || s.precision > 38 || s.scale < 0 || s.scale > s.precision) {
      return Status::InvalidArgument(
          fmt::format("parquet column '{}': DECIMAL({},{}) is outside 1..38 digits", e.name,
                      s.precision, s.scale));
    }
  }
  switch (*e.type) {
    case Type::kBoolean:
      s.type = ColumnType::kBoolean;
      break;
    case Type::kInt32:
      if (is_decimal) break;
      if (lt.kind == LogicalType::Kind::kDate || conv == ConvertedType::kDate) {
        s.type = ColumnType::kDate;
      } else if (lt.kind == LogicalType::Kind::kInteger && !lt.is_signed) {
        s.type = lt.bit_width == 32 ? ColumnType::kInt64 : ColumnType::kInt32;
        s.is_unsigned = true;
      } else if (conv == ConvertedType::kUint32) {
        s.type = ColumnType::kInt64;
        s.is_unsigned = true;
      } else if (conv == ConvertedType::kUint8 || conv == ConvertedType::kUint16) {
        s.type = ColumnType::kInt32;
        s.is_unsigned = true;
      } else if (lt.kind == LogicalType::Kind::kInteger && lt.bit_width == 8) {
        s.type = ColumnType::kInt8;
      } else if (lt.kind == LogicalType::Kind::kInteger && lt.bit_width == 16) {
        s.type = ColumnType::kInt16;
      } else if (conv == ConvertedType::kInt8) {
        s.type = ColumnType::kInt8;
      } else if (conv == ConvertedType::kInt16) {
        s.type = ColumnType::kInt16;
      } else {
        s.type = ColumnType::kInt32;
      }
      break;
    case Type::kInt64:
      if (is_decimal) break;
      if ((lt.kind == LogicalType::Kind::kInteger && !lt.is_signed) ||
          conv == ConvertedType::kUint64) {
        return unsupported("unsigned 64-bit integer");
      }
      if (lt.kind == LogicalType::Kind::kTimestamp) {
        s.type = ColumnType::kTimestamp;
        s.unit = lt.unit;
        s.utc = lt.utc;
      } else if (lt.kind == LogicalType::Kind::kNone && (conv == ConvertedType::kTimestampMillis ||
                                                         conv == ConvertedType::kTimestampMicros)) {
        s.type = ColumnType::kTimestamp;
        s.unit = conv == ConvertedType::kTimestampMillis ? TimeUnit::kMillis : TimeUnit::kMicros;
        s.utc = true;
      } else {
        s.type = ColumnType::kInt64;
      }
      break;
    case Type::kInt96:
      return unsupported("INT96 (legacy timestamp)");
    case Type::kFloat:
      s.type = ColumnType::kFloat;
      break;
    case Type::kDouble:
      s.type = ColumnType::kDouble;
      break;
    case Type::kByteArray:
      if (!is_decimal) s.type = ColumnType::kString;
      break;
    case Type::kFixedLenByteArray:
      if (!e.type_length || *e.type_length < 1) {
        return Status::InvalidArgument(
            fmt::format("parquet column '{}': FIXED_LEN_BYTE_ARRAY without a length", e.name));
      }
      if (is_decimal && *e.type_length > 16) return unsupported("a decimal wider than 16 bytes");
      s.fixed_length = *e.type_length;
      if (!is_decimal) s.type = ColumnType::kString;
      break;
    default:
      return unsupported(fmt::format("physical type {}", static_cast<int>(*e.type)).c_str());
  }
  return s;
}

}  // namespace fluxgate::parquet
