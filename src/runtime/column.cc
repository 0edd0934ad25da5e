#include "runtime/column.h"

namespace fluxgate::runtime {

PhysicalType PhysicalTypeOf(const sql::DataType& type) {
  switch (type.kind) {
    case sql::TypeKind::kBoolean:
      return PhysicalType::kBool;
    case sql::TypeKind::kDouble:
      return PhysicalType::kDouble;
    case sql::TypeKind::kDecimal:
      return PhysicalType::kDecimal;
    case sql::TypeKind::kString:
      return PhysicalType::kString;
    case sql::TypeKind::kNull:
    case sql::TypeKind::kInt:
    case sql::TypeKind::kBigInt:
    case sql::TypeKind::kTimestamp:
    case sql::TypeKind::kTimestampLtz:
    case sql::TypeKind::kInterval:
      return PhysicalType::kInt64;
  }
  return PhysicalType::kInt64;
}

int64_t TimestampUnitPerSecond(const sql::DataType& type) {
  return type.precision <= 3 ? 1000 : 1'000'000;
}

Column::Column(sql::DataType type) : type_(type), physical_(PhysicalTypeOf(type)) {
  offsets_.push_back(0);
}

void Column::AppendNull() {
  PushValid(false);
  switch (physical_) {
    case PhysicalType::kBool:
      b_.push_back(0);
      break;
    case PhysicalType::kInt64:
      i64_.push_back(0);
      break;
    case PhysicalType::kDouble:
      f64_.push_back(0);
      break;
    case PhysicalType::kDecimal:
      dec_.push_back(0);
      break;
    case PhysicalType::kString:
      offsets_.push_back(static_cast<uint32_t>(chars_.size()));
      break;
  }
}

void Column::PushValidRun(size_t n) {
  size_t i = size_;
  const size_t end = size_ + n;
  valid_.resize((end + 63) / 64, 0);
  for (; i < end && (i & 63) != 0; ++i) valid_[i >> 6] |= uint64_t{1} << (i & 63);
  for (; i + 64 <= end; i += 64) valid_[i >> 6] = ~uint64_t{0};
  for (; i < end; ++i) valid_[i >> 6] |= uint64_t{1} << (i & 63);
  size_ = end;
}

void Column::Truncate(size_t n) {
  if (n >= size_) return;
  if (n == 0) {
    null_count_ = 0;
  } else if (null_count_ != 0) {
    for (size_t row = n; row < size_; ++row) {
      if (IsNull(row)) --null_count_;
    }
  }
  size_ = n;
  valid_.resize((n + 63) / 64);
  if (n & 63) valid_.back() &= (uint64_t{1} << (n & 63)) - 1;
  switch (physical_) {
    case PhysicalType::kBool:
      b_.resize(n);
      break;
    case PhysicalType::kInt64:
      i64_.resize(n);
      break;
    case PhysicalType::kDouble:
      f64_.resize(n);
      break;
    case PhysicalType::kDecimal:
      dec_.resize(n);
      break;
    case PhysicalType::kString:
      chars_.truncate(offsets_[n]);
      offsets_.resize(n + 1);
      break;
  }
}

void Column::Reserve(size_t rows) {
  valid_.reserve((rows + 63) / 64);
  switch (physical_) {
    case PhysicalType::kBool:
      b_.reserve(rows);
      break;
    case PhysicalType::kInt64:
      i64_.reserve(rows);
      break;
    case PhysicalType::kDouble:
      f64_.reserve(rows);
      break;
    case PhysicalType::kDecimal:
      dec_.reserve(rows);
      break;
    case PhysicalType::kString:
      offsets_.reserve(rows + 1);
      break;
  }
}

size_t Column::MemoryUsage() const {
  return valid_.capacity() * 8 + b_.capacity() + i64_.capacity() * 8 + f64_.capacity() * 8 +
         dec_.capacity() * 16 + offsets_.capacity() * 4 + chars_.capacity();
}

}  // namespace fluxgate::runtime
