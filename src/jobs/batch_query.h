// Batch execution of one SELECT over file tables (`fluxgate query`; docs/design/query.md).
//
// The plan is the one the binder produces for a streaming query (bound with
// BindOptions::batch) and runs through the same operators, on one thread with parallelism
// 1, so results match what a live job computes. What differs is time: each scan is a
// FileSource that reads every object of its table once; the watermark stays unknown while
// input is read and jumps to +infinity at the end, so every window closes exactly once,
// whatever order the files were written in (no row is late). An updating result (a GROUP
// BY without a window) is materialised: only the final rows are returned, not the
// changelog that led to them.
//
//   BatchQueryOptions options;
//   options.data_dir = "./fluxgate-data";
//   FG_ASSIGN_OR_RETURN(auto stats, RunBatchQuery(query.plan, options,
//       [](const runtime::RecordBatch& rows) { ...; return Status::Ok(); }));
//
// Limits: keyed state plus materialised result rows above max_state_bytes fail the query
// with LimitExceeded; `limit` stops after that many result rows (and stops reading early
// when the result is append-only).
// Thread-safety: RunBatchQuery is reentrant; it runs on the calling thread.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "jobs/file_source.h"
#include "jobs/physical_plan.h"
#include "runtime/record_batch.h"
#include "sql/logical_plan.h"

namespace fluxgate::jobs {

// Opens the store a file table's 'path' refers to.
using TableStoreOpener = std::function<Result<OpenedTableStore>(const sql::TableDef& table)>;

struct BatchQueryOptions {
  std::string data_dir = "./fluxgate-data";  // s3:// tables without a configured store
  size_t max_state_bytes = 1ull << 30;       // keyed state + materialised rows
  uint64_t limit = 0;                        // result rows; 0: all
  const runtime::Clock* clock = nullptr;     // nullptr: the system clock
  uint32_t batch_rows = 4096;                // rows per batch read from files
  bool prune_partitions = true;
  // Empty: OpenLocalTableStore(table.connector.path, data_dir).
  TableStoreOpener open_store;
};

struct BatchQueryStats {
  FileSourceStats files;  // summed over the scans
  uint64_t rows_out = 0;
  size_t peak_state_bytes = 0;
};

// Receives the result in batches of the plan's schema (every row an insert).
using BatchRows = std::function<Status(const runtime::RecordBatch& rows)>;

Result<BatchQueryStats> RunBatchQuery(const sql::PlanPtr& plan, const BatchQueryOptions& options,
                                      const BatchRows& rows);

// The WHERE conjuncts that can prune a Source node's objects: those over partition columns
// only, of the Filter nodes in the chain of single-consumer Filters and column-only
// Projects directly above it, rewritten over the table's columns. Empty when the source
// feeds several branches (each may want other objects).
std::vector<sql::BoundExprPtr> PartitionFilters(const PhysicalPlan& plan, int source_node);

}  // namespace fluxgate::jobs
