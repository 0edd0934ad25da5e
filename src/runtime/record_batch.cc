#include "runtime/record_batch.h"

#include <charconv>

#include "runtime/decimal.h"
#include "runtime/expr_kernels.h"
#include "runtime/timestamp_text.h"

namespace fluxgate::runtime {

RecordBatch::RecordBatch(std::shared_ptr<const Schema> schema) : schema_(std::move(schema)) {
  columns_.reserve(schema_->size());
  for (const Field& f : schema_->fields()) columns_.emplace_back(f.type);
}

RecordBatch RecordBatch::FromColumns(std::shared_ptr<const Schema> schema,
                                     std::vector<Column> columns, size_t num_rows) {
  RecordBatch b;
  b.schema_ = std::move(schema);
  b.columns_ = std::move(columns);
  b.num_rows_ = num_rows;
  return b;
}

std::string RecordBatch::ValueToString(size_t col, size_t row) const {
  const Column& c = columns_[col];
  if (c.IsNull(row)) return "NULL";
  std::string s;
  const sql::DataType& t = c.type();
  switch (t.kind) {
    case sql::TypeKind::kBoolean:
      return c.Bool(row) ? "TRUE" : "FALSE";
    case sql::TypeKind::kDouble:
      AppendJavaDouble(c.Double(row), s);  // as Java prints doubles: 22.5, 100.0, 1.0E7
      return s;
    case sql::TypeKind::kDecimal:
      AppendDecimal(c.Decimal(row), t.scale, s);
      return s;
    case sql::TypeKind::kString:
      return std::string(c.String(row));
    case sql::TypeKind::kTimestamp:
    case sql::TypeKind::kTimestampLtz:
      AppendTimestamp(c.Int64(row), TimestampUnitPerSecond(t), t.precision, TimestampStyle::kSql,
                      false, t.kind == sql::TypeKind::kTimestampLtz, s);
      return s;
    default:
      return std::to_string(c.Int64(row));
  }
}

std::string RecordBatch::RowToString(size_t row) const {
  std::string s = "[";
  for (size_t i = 0; i < columns_.size(); ++i) {
    if (i > 0) s += ", ";
    s += ValueToString(i, row);
  }
  s += ']';
  return s;
}

size_t RecordBatch::MemoryUsage() const {
  size_t n = 0;
  for (const Column& c : columns_) n += c.MemoryUsage();
  return n;
}

RecordBatchBuilder::RecordBatchBuilder(std::shared_ptr<const Schema> schema)
    : batch_(schema), spare_(schema) {}

void RecordBatchBuilder::Truncate(size_t n) {
  for (Column& c : batch_.columns_) c.Truncate(n);
  if (n < batch_.num_rows_) batch_.num_rows_ = n;
}

RecordBatch RecordBatchBuilder::Finish() {
  RecordBatch out = std::move(batch_);
  if (spare_.columns_.size() == out.columns_.size()) {
    batch_ = std::move(spare_);
  } else {
    batch_ = RecordBatch(out.schema_);
  }
  spare_ = RecordBatch();
  return out;
}

void RecordBatchBuilder::Recycle(RecordBatch&& batch) {
  if (batch.schema_ != batch_.schema_) return;
  for (Column& c : batch.columns_) c.Clear();
  batch.num_rows_ = 0;
  spare_ = std::move(batch);
}

}  // namespace fluxgate::runtime
