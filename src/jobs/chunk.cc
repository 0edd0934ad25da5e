#include "jobs/chunk.h"

#include "runtime/expr_program.h"

namespace fluxgate::jobs {

Chunk SelectRows(const Chunk& in, const std::vector<uint32_t>& selection) {
  Chunk out;
  runtime::RecordBatchBuilder builder(in.batch.schema());
  out.batch = runtime::CompactBatch(in.batch, selection, &builder);
  if (!in.kinds.empty()) {
    out.kinds.reserve(selection.size());
    for (uint32_t r : selection) out.kinds.push_back(in.kinds[r]);
  }
  return out;
}

}  // namespace fluxgate::jobs
