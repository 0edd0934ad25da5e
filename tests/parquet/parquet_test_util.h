// Helpers shared by the parquet tests: a batch with every column type and NULLs, and
// row-by-row comparison of two batches through RecordBatch::ValueToString.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "parquet/column_spec.h"
#include "runtime/record_batch.h"

namespace fluxgate::parquet::testing {

using sql::DataType;

inline DataType NotNull(DataType t) {
  t.nullable = false;
  return t;
}

// Every runtime type, nullable, plus a NOT NULL column.
inline std::shared_ptr<const runtime::Schema> AllTypesSchema() {
  return std::make_shared<runtime::Schema>(std::vector<runtime::Field>{
      {"b", DataType::Boolean()},
      {"i", DataType::Int()},
      {"l", DataType::BigInt()},
      {"d", DataType::Double()},
      {"dec9", DataType::Decimal(9, 2)},
      {"dec18", DataType::Decimal(18, 4)},
      {"dec38", DataType::Decimal(38, 10)},
      {"s", DataType::String()},
      {"ts", DataType::Timestamp(3)},
      {"ts6", DataType::Timestamp(6)},
      {"ltz", DataType::TimestampLtz(3)},
      {"iv", DataType::Interval()},
      {"id", NotNull(DataType::BigInt())},
  });
}

// Row r of the all-types batch; every 7th row (offset per column) is NULL.
inline runtime::RecordBatch AllTypesBatch(size_t rows, size_t first_row = 0) {
  runtime::RecordBatchBuilder b(AllTypesSchema());
  static const char* kStrings[] = {"sensor-1", "é", "b", "", "zz\"quote", "temperature"};
  for (size_t k = 0; k < rows; ++k) {
    int64_t r = static_cast<int64_t>(first_row + k);
    auto null = [&](int col) { return (r + col) % 7 == 0; };
    auto c = [&](int i) -> runtime::Column& { return b.column(i); };
    null(0) ? c(0).AppendNull() : c(0).AppendBool(r % 3 == 0);
    null(1) ? c(1).AppendNull() : c(1).AppendInt64((r % 2 ? -1 : 1) * (r * 7919 % 2147483647));
    null(2) ? c(2).AppendNull() : c(2).AppendInt64(r * 1'000'000'007LL - 5'000'000'000LL);
    null(3) ? c(3).AppendNull() : c(3).AppendDouble(r * 0.25 - 100.5);
    null(4) ? c(4).AppendNull() : c(4).AppendDecimal(r * 1234 - 999'999);
    null(5) ? c(5).AppendNull()
            : c(5).AppendDecimal(static_cast<runtime::int128>(r) * 99'999'999'999LL - 7);
    null(6) ? c(6).AppendNull()
            : c(6).AppendDecimal(
                  (static_cast<runtime::int128>(r) * 1'000'000'000'000'000'000LL + 12345) *
                  (r % 2 ? -1 : 1));
    null(7) ? c(7).AppendNull() : c(7).AppendString(kStrings[r % 6]);
    null(8) ? c(8).AppendNull() : c(8).AppendInt64(1795633500123LL + r * 1001);
    null(9) ? c(9).AppendNull() : c(9).AppendInt64(1795633500123456LL - r * 77);
    null(10) ? c(10).AppendNull() : c(10).AppendInt64(1795633500123LL + r);
    null(11) ? c(11).AppendNull() : c(11).AppendInt64(r * 60000);
    c(12).AppendInt64(r);
    b.CommitRow();
  }
  return b.Finish();
}

// Expects equal values row by row (same column count and row count).
inline void ExpectSameRows(const runtime::RecordBatch& want, size_t want_first,
                           const runtime::RecordBatch& got, size_t got_first, size_t rows) {
  ASSERT_EQ(want.num_columns(), got.num_columns());
  for (size_t c = 0; c < want.num_columns(); ++c) {
    for (size_t r = 0; r < rows; ++r) {
      const runtime::Column& a = want.column(c);
      const runtime::Column& b = got.column(c);
      ASSERT_EQ(a.IsNull(want_first + r), b.IsNull(got_first + r)) << "col " << c << " row " << r;
      if (a.IsNull(want_first + r)) continue;
      switch (a.physical()) {
        case runtime::PhysicalType::kBool:
          ASSERT_EQ(a.Bool(want_first + r), b.Bool(got_first + r)) << "col " << c << " row " << r;
          break;
        case runtime::PhysicalType::kInt64:
          ASSERT_EQ(a.Int64(want_first + r), b.Int64(got_first + r)) << "col " << c << " row " << r;
          break;
        case runtime::PhysicalType::kDouble:
          ASSERT_EQ(a.Double(want_first + r), b.Double(got_first + r))
              << "col " << c << " row " << r;
          break;
        case runtime::PhysicalType::kDecimal:
          ASSERT_TRUE(a.Decimal(want_first + r) == b.Decimal(got_first + r))
              << "col " << c << " row " << r;
          break;
        case runtime::PhysicalType::kString:
          ASSERT_EQ(a.String(want_first + r), b.String(got_first + r))
              << "col " << c << " row " << r;
          break;
      }
    }
  }
}

}  // namespace fluxgate::parquet::testing
