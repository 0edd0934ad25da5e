// Chunk: what flows between a job's operators — a batch of rows plus, for update streams,
// each row's kind (+I / -U / +U / -D). Most streams are append-only and leave `kinds`
// empty, which means every row is an insert.
#pragma once

#include <vector>

#include "runtime/agg_layout.h"
#include "runtime/record_batch.h"

namespace fluxgate::jobs {

struct Chunk {
  runtime::RecordBatch batch;
  std::vector<runtime::RowKind> kinds;  // empty: all kInsert; else one per row

  size_t num_rows() const { return batch.num_rows(); }
  runtime::RowKind kind(size_t row) const {
    return kinds.empty() ? runtime::RowKind::kInsert : kinds[row];
  }
};

// Rows `selection` of `in` (ascending), kinds included.
Chunk SelectRows(const Chunk& in, const std::vector<uint32_t>& selection);

}  // namespace fluxgate::jobs
