// Sink operators, one instance per (sink, stage partition), built from the plan's Sink
// node and the connector configuration:
//   'filesystem' / 's3'  FileSinkOp: JSON Lines (or 'raw' lines) in part files, Hive
//                        partitions from PARTITIONED BY columns, two-phase commit
//   'kinesis' / 'stream' StreamSinkOp: JSON records appended to a stream (at-least-once)
//   'alert'              AlertSinkOp: one alert per row to the AlertHub (at-least-once,
//                        deterministic ids)
//   'print'              PrintSinkOp: "+I[...]" lines to stdout/stderr or a callback
#pragma once

#include <memory>
#include <string>

#include "jobs/job.h"
#include "jobs/operator.h"
#include "runtime/clock.h"

namespace fluxgate::store {
class SinkStoreOpener;
}

namespace fluxgate::jobs {

// What sinks need from the job.
struct SinkEnv {
  std::string job;
  std::string job_dir;   // <data_dir>/jobs/<job>
  std::string data_dir;  // objects under <data_dir>/objects
  // Where s3:// paths go: `stores` (shared by the node's sinks; not owned) when set,
  // else a store opened from `store` ([store]; null or no s3: the embedded local store).
  store::SinkStoreOpener* stores = nullptr;
  const StoreConfig* store = nullptr;
  log::LogManager* log = nullptr;
  alerts::AlertHub* alerts = nullptr;
  const runtime::Clock* clock = nullptr;
  RowTextSink print;  // empty: stdout / stderr
};

Result<std::unique_ptr<Operator>> MakeSinkOperator(const sql::SinkNode& node,
                                                   const std::string& label, int partition,
                                                   const SinkEnv& env);

// A print sink for an ad-hoc query's result rows.
std::unique_ptr<Operator> MakeQueryPrintOperator(const std::string& job, RowTextSink rows);

// "+I[sensor-1, 22.5]" (Flink's print format).
std::string RowText(const Chunk& chunk, size_t row);

}  // namespace fluxgate::jobs
