// Chunk: what flows between a job's operators — a batch of rows plus, for update streams,
// each row's kind (+I / -U / +U / -D). Most streams are append-only and leave `kinds`
// empty, which means every row is an insert.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/agg_layout.h"
#include "runtime/record_batch.h"

namespace fluxgate::jobs {

// The key encodings (EncodeKey) and hashes a hash exchange computed for a chunk's rows, so
// the keyed operator it feeds interns them without encoding and hashing every key again.
struct EncodedKeys {
  std::string bytes;
  std::vector<uint32_t> ends;  // row r's key is bytes[ends[r-1], ends[r])
  std::vector<uint64_t> hashes;
  std::string_view Key(size_t r) const {
    const size_t begin = r == 0 ? 0 : ends[r - 1];
    return std::string_view(bytes).substr(begin, ends[r] - begin);
  }
};

struct Chunk {
  runtime::RecordBatch batch;
  std::vector<runtime::RowKind> kinds;  // empty: all kInsert; else one per row
  // Set only on chunks an exchange routes to a keyed operator. shared_ptr: chunks are
  // copied when one output feeds several operators, and the keys are immutable.
  std::shared_ptr<const EncodedKeys> keys;

  size_t num_rows() const { return batch.num_rows(); }
  runtime::RowKind kind(size_t row) const {
    return kinds.empty() ? runtime::RowKind::kInsert : kinds[row];
  }
};

// Rows `selection` of `in` (ascending), kinds included.
Chunk SelectRows(const Chunk& in, const std::vector<uint32_t>& selection);

}  // namespace fluxgate::jobs
