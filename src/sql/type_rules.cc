#include "sql/type_rules.h"

#include <algorithm>

namespace fluxgate::sql {

namespace {

int NumericRank(TypeKind k) {
  switch (k) {
    case TypeKind::kInt:
      return 1;
    case TypeKind::kBigInt:
      return 2;
    case TypeKind::kDecimal:
      return 3;
    case TypeKind::kDouble:
      return 4;
    default:
      return 0;
  }
}

bool AnyNullable(const std::vector<DataType>& types) {
  for (const DataType& t : types) {
    if (t.nullable) return true;
  }
  return false;
}

}  // namespace

DataType WithNullable(DataType t, bool nullable) {
  t.nullable = nullable;
  return t;
}

bool SameType(const DataType& a, const DataType& b) {
  return a.kind == b.kind && a.precision == b.precision && a.scale == b.scale;
}

DataType AsDecimal(const DataType& t) {
  if (t.kind == TypeKind::kInt) return WithNullable(DataType::Decimal(10, 0), t.nullable);
  if (t.kind == TypeKind::kBigInt) return WithNullable(DataType::Decimal(19, 0), t.nullable);
  return t;
}

DataType PromoteNumeric(const DataType& a, const DataType& b) {
  if (a.kind == TypeKind::kNull) return b;
  if (b.kind == TypeKind::kNull) return a;
  const bool nullable = a.nullable || b.nullable;
  const int ra = NumericRank(a.kind), rb = NumericRank(b.kind);
  if (std::max(ra, rb) == 4) return WithNullable(DataType::Double(), nullable);
  if (std::max(ra, rb) == 3) {
    DataType da = AsDecimal(a), db = AsDecimal(b);
    int scale = std::max(da.scale, db.scale);
    int integer = std::max(da.precision - da.scale, db.precision - db.scale);
    return WithNullable(DataType::Decimal(std::min(38, integer + scale), scale), nullable);
  }
  return WithNullable(ra >= rb ? a : b, nullable);
}

DataType ArithmeticType(char op, const DataType& a, const DataType& b) {
  DataType common = PromoteNumeric(a, b);
  if (common.kind != TypeKind::kDecimal) return common;
  DataType da = AsDecimal(a), db = AsDecimal(b);
  int p = 0, s = 0;
  switch (op) {
    case '+':
    case '-':
      s = std::max(da.scale, db.scale);
      p = std::max(da.precision - da.scale, db.precision - db.scale) + s + 1;
      break;
    case '*':
      p = da.precision + db.precision;
      s = da.scale + db.scale;
      break;
    case '/':
      s = std::max(6, da.scale + db.precision + 1);
      p = da.precision - da.scale + db.scale + s;
      break;
    default:  // '%'
      s = std::max(da.scale, db.scale);
      p = std::min(da.precision - da.scale, db.precision - db.scale) + s;
      break;
  }
  if (p > 38) {
    s = std::max(0, s - (p - 38));
    p = 38;
  }
  s = std::min(s, p);
  return WithNullable(DataType::Decimal(p, s), common.nullable);
}

std::optional<DataType> CommonType(const std::vector<DataType>& types) {
  std::optional<DataType> acc;
  for (const DataType& t : types) {
    if (t.kind == TypeKind::kNull) continue;
    if (!acc) {
      acc = t;
      continue;
    }
    if (acc->IsNumeric() && t.IsNumeric()) {
      acc = PromoteNumeric(*acc, t);
    } else if (acc->kind == TypeKind::kString && t.kind == TypeKind::kString) {
      acc->precision =
          (acc->precision == 0 || t.precision == 0) ? 0 : std::max(acc->precision, t.precision);
    } else if (acc->IsTimestamp() && t.IsTimestamp()) {
      if (acc->kind != t.kind) acc->kind = TypeKind::kTimestampLtz;
      acc->precision = std::max(acc->precision, t.precision);
    } else if (acc->kind != t.kind) {
      return std::nullopt;
    }
  }
  if (!acc) return DataType();  // all NULL
  acc->nullable = AnyNullable(types);
  return acc;
}

bool Comparable(const DataType& a, const DataType& b) {
  if (a.kind == TypeKind::kNull || b.kind == TypeKind::kNull) return true;
  if (a.IsNumeric() && b.IsNumeric()) return true;
  if (a.IsTimestamp() && b.IsTimestamp()) return true;
  return a.kind == b.kind;
}

bool CanCast(const DataType& from, const DataType& to) {
  if (from.kind == TypeKind::kNull || from.kind == to.kind) return true;
  if (from.kind == TypeKind::kString || to.kind == TypeKind::kString) {
    return from.kind != TypeKind::kInterval && to.kind != TypeKind::kInterval;
  }
  if (from.IsNumeric() && to.IsNumeric()) return true;
  if (from.kind == TypeKind::kBoolean && to.IsNumeric()) return true;
  if (from.IsNumeric() && to.kind == TypeKind::kBoolean) return from.kind != TypeKind::kDouble;
  if (from.IsTimestamp() && to.IsTimestamp()) return true;
  // Flink: numeric -> TIMESTAMP_LTZ (epoch seconds) and back, and TIMESTAMP -> numeric.
  if ((from.kind == TypeKind::kInt || from.kind == TypeKind::kBigInt) && to.IsTimestamp()) {
    return to.kind == TypeKind::kTimestampLtz;
  }
  if (from.IsTimestamp() && (to.kind == TypeKind::kInt || to.kind == TypeKind::kBigInt)) {
    return true;
  }
  return false;
}

bool CanAssign(const DataType& from, const DataType& to) {
  if (from.kind == TypeKind::kNull) return true;
  if (from.kind == to.kind) {
    if (from.kind != TypeKind::kDecimal) return true;
    // A DECIMAL fits when neither its integer digits nor its scale shrink.
    return from.precision - from.scale <= to.precision - to.scale && from.scale <= to.scale;
  }
  if (from.IsNumeric() && to.IsNumeric()) {
    if (to.kind == TypeKind::kDecimal) {
      DataType d = AsDecimal(from);
      return from.kind != TypeKind::kDouble && d.precision - d.scale <= to.precision - to.scale;
    }
    return NumericRank(from.kind) < NumericRank(to.kind);
  }
  return false;
}

}  // namespace fluxgate::sql
