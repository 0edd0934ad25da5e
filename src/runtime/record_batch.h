// RecordBatch: rows of one schema stored column by column; RecordBatchBuilder fills them.
//
// Operators exchange batches (typically up to a few thousand rows), never single rows.
// A builder reuses its columns' memory: Finish() hands the batch out and Recycle() gives a
// consumed batch's buffers back, so steady-state decoding allocates nothing per row.
// Neither class is thread-safe; a batch may be handed to another thread as a whole.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "runtime/column.h"
#include "runtime/schema.h"

namespace fluxgate::runtime {

class RecordBatch {
 public:
  RecordBatch() = default;
  explicit RecordBatch(std::shared_ptr<const Schema> schema);
  // Adopts finished columns (one per schema field, each with num_rows values), e.g. the
  // results of a projection's expressions.
  static RecordBatch FromColumns(std::shared_ptr<const Schema> schema, std::vector<Column> columns,
                                 size_t num_rows);

  const std::shared_ptr<const Schema>& schema() const { return schema_; }
  size_t num_rows() const { return num_rows_; }
  size_t num_columns() const { return columns_.size(); }
  const Column& column(size_t i) const { return columns_[i]; }
  Column& mutable_column(size_t i) { return columns_[i]; }

  // Test/debug helpers (allocate; not for hot paths).
  // One value as SQL text: NULL, 42, 22.5, TRUE, 12.30, 2026-11-25 19:05:00.123, sensor-1.
  std::string ValueToString(size_t col, size_t row) const;
  // "[sensor-0001, 2026-11-25 19:05:00.123, 22.5]"
  std::string RowToString(size_t row) const;

  size_t MemoryUsage() const;

 private:
  friend class RecordBatchBuilder;
  // shared_ptr: the schema is immutable and outlives no particular batch or operator;
  // every batch of a table points at the same one.
  std::shared_ptr<const Schema> schema_;
  std::vector<Column> columns_;
  size_t num_rows_ = 0;
};

class RecordBatchBuilder {
 public:
  explicit RecordBatchBuilder(std::shared_ptr<const Schema> schema);

  const Schema& schema() const { return *batch_.schema_; }
  size_t num_rows() const { return batch_.num_rows_; }
  // Append one value to each column, then CommitRow().
  Column& column(size_t i) { return batch_.columns_[i]; }
  void CommitRow() { ++batch_.num_rows_; }
  // Drops rows from `n` on, in every column (rolls back a half-appended record).
  void Truncate(size_t n);
  // Read access to the rows built so far.
  const RecordBatch& batch() const { return batch_; }

  // Hands out the rows built so far; the builder continues with recycled (or new) buffers.
  RecordBatch Finish();
  // Returns a consumed batch's buffers for reuse by the next Finish().
  void Recycle(RecordBatch&& batch);

 private:
  RecordBatch batch_;
  RecordBatch spare_;
};

}  // namespace fluxgate::runtime
