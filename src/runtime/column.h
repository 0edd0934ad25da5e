// Column: one typed column of a RecordBatch, with a validity (non-NULL) bitmap.
//
// Physical layout by SQL type (see docs/design/runtime.md):
//   BOOLEAN                      -> uint8_t (0/1)
//   INT, BIGINT, INTERVAL        -> int64_t (INT values are range-checked on the way in)
//   TIMESTAMP(p), TIMESTAMP_LTZ  -> int64_t since the epoch: milliseconds for p <= 3,
//                                   microseconds for p > 3 (TimestampUnitPerSecond)
//   DOUBLE                       -> double
//   DECIMAL(p, s)                -> __int128 holding value * 10^s
//   STRING                       -> offsets_[row]..offsets_[row + 1] into the column's
//                                   character arena chars_
// A NULL row still occupies a slot (zero / empty string) so positions stay aligned.
// Clear() keeps every buffer's capacity, so a column reused across batches stops
// allocating once it has seen its largest batch. Not thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "runtime/char_buffer.h"
#include "sql/types.h"

namespace fluxgate::runtime {

using int128 = __int128;

enum class PhysicalType : uint8_t { kBool, kInt64, kDouble, kDecimal, kString };

PhysicalType PhysicalTypeOf(const sql::DataType& type);
// 1000 for TIMESTAMP(p <= 3) (epoch millis), 1'000'000 for p > 3 (epoch micros).
int64_t TimestampUnitPerSecond(const sql::DataType& type);

class Column {
 public:
  explicit Column(sql::DataType type);

  const sql::DataType& type() const { return type_; }
  PhysicalType physical() const { return physical_; }
  size_t size() const { return size_; }

  bool IsNull(size_t row) const { return ((valid_[row >> 6] >> (row & 63)) & 1) == 0; }
  bool IsValid(size_t row) const { return !IsNull(row); }
  bool Bool(size_t row) const { return b_[row] != 0; }
  int64_t Int64(size_t row) const { return i64_[row]; }
  double Double(size_t row) const { return f64_[row]; }
  int128 Decimal(size_t row) const { return dec_[row]; }
  std::string_view String(size_t row) const {
    return std::string_view(chars_.data() + offsets_[row], offsets_[row + 1] - offsets_[row]);
  }
  // Raw arrays for vectorised loops; valid for size() rows of the matching physical type.
  const int64_t* int64_data() const { return i64_.data(); }
  const double* double_data() const { return f64_.data(); }
  const int128* decimal_data() const { return dec_.data(); }
  const uint8_t* bool_data() const { return b_.data(); }
  const uint64_t* validity() const { return valid_.data(); }
  // True when no row is NULL (lets kernels skip the bitmap).
  bool NoNulls() const { return null_count_ == 0; }

  void AppendNull();
  void AppendBool(bool v) {
    PushValid(true);
    b_.push_back(v ? 1 : 0);
  }
  void AppendInt64(int64_t v) {
    PushValid(true);
    i64_.push_back(v);
  }
  void AppendDouble(double v) {
    PushValid(true);
    f64_.push_back(v);
  }
  void AppendDecimal(int128 v) {
    PushValid(true);
    dec_.push_back(v);
  }
  void AppendString(std::string_view v) {
    PushValid(true);
    chars_.append(v.data(), v.size());
    offsets_.push_back(static_cast<uint32_t>(chars_.size()));
  }
  // Appends n non-NULL values and returns where the caller writes them: kernels that fill a
  // whole batch set the validity bits a word at a time instead of one per value.
  uint8_t* AppendValidBools(size_t n) {
    PushValidRun(n);
    b_.resize(size_);
    return b_.data() + size_ - n;
  }
  // Drops rows [n, size()); used to roll back a partly appended record.
  void Truncate(size_t n);
  // Empties the column but keeps its buffers' capacity.
  void Clear() { Truncate(0); }
  void Reserve(size_t rows);
  // Bytes held by the buffers (capacity, not size).
  size_t MemoryUsage() const;

 private:
  void PushValidRun(size_t n);
  [[gnu::always_inline]] void PushValid(bool valid) {
    if ((size_ & 63) == 0) valid_.push_back(0);
    if (valid) {
      valid_.back() |= uint64_t{1} << (size_ & 63);
    } else {
      ++null_count_;
    }
    ++size_;
  }

  sql::DataType type_;
  PhysicalType physical_;
  size_t size_ = 0;
  size_t null_count_ = 0;
  std::vector<uint64_t> valid_;  // bit (row & 63) of word row >> 6; 1 = not NULL
  std::vector<uint8_t> b_;
  std::vector<int64_t> i64_;
  std::vector<double> f64_;
  std::vector<int128> dec_;
  std::vector<uint32_t> offsets_;  // size() + 1 entries, offsets_[0] == 0
  CharBuffer chars_;
};

// Typed read of one row for templated kernels and aggregates; T picks the physical
// storage (bool, int64_t, double, int128, std::string_view).
template <class T>
T ColumnValue(const Column& c, size_t row) {
  if constexpr (std::is_same_v<T, bool>) {
    return c.Bool(row);
  } else if constexpr (std::is_same_v<T, int64_t>) {
    return c.Int64(row);
  } else if constexpr (std::is_same_v<T, double>) {
    return c.Double(row);
  } else if constexpr (std::is_same_v<T, int128>) {
    return c.Decimal(row);
  } else {
    static_assert(std::is_same_v<T, std::string_view>, "no column storage for this type");
    return c.String(row);
  }
}

}  // namespace fluxgate::runtime
