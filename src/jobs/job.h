// Job: one running streaming pipeline (an INSERT or a statement set) compiled from its
// logical plan into operators, executing on worker threads, checkpointing periodically.
//
//   FG_ASSIGN_OR_RETURN(auto job, Job::Create(pipeline, context));
//   FG_RETURN_IF_ERROR(job->Start());      // resumes from the last checkpoint, if any
//   ...
//   job->Stop();                           // final checkpoint, sinks committed, threads joined
//
// Identity: a job is its name ('pipeline.name'). Its checkpoints live under
// <data_dir>/jobs/<name>/; starting a job whose name has checkpoints resumes from the
// newest complete one, unless the plan changed so the state no longer fits, which fails
// Start() with a message saying so (and how to start over: remove that directory).
//
// Execution (docs/design/jobs.md): each step, source tasks (one per group of shards) read,
// decode and run the stateless part of the plan in parallel; keyed operators run in
// parallel partitions by key hash; then watermarks advance and windows fire. Checkpoints
// are taken between steps, when nothing is in flight, so they need no barriers.
//
// Thread-safety: every method may be called from any thread.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/config_store.h"
#include "common/status.h"
#include "sql/logical_plan.h"

namespace fluxgate::log {
class LogManager;
}
namespace fluxgate::alerts {
class AlertHub;
}
namespace fluxgate::store {
class SinkStoreOpener;
}
namespace fluxgate::runtime {
class Clock;
}

namespace fluxgate::jobs {

// Rows a print sink or an ad-hoc query produces, rendered as text: "+I[sensor-1, 22.5]".
using RowTextSink = std::function<void(const std::string& job, const std::string& row_text)>;

struct JobContext {
  log::LogManager* log = nullptr;         // required
  alerts::AlertHub* alerts = nullptr;     // required by pipelines with an 'alert' sink
  std::string data_dir;                   // <data_dir>/jobs (checkpoints), <data_dir>/objects
  // [store]: with [store.s3] set, s3:// sink paths go to that object store; otherwise to
  // the embedded local store under <data_dir>/objects.
  StoreConfig store;
  // Optional: one opener shared by every job of a node (one S3 connection pool); null:
  // each file sink opens its store from `store`. shared_ptr: the node and every job
  // context hold it, and jobs may outlive a stopped node's other parts.
  std::shared_ptr<store::SinkStoreOpener> stores;
  const runtime::Clock* clock = nullptr;  // nullptr: the system clock
  int worker_threads = 2;                 // upper bound of parallel tasks per job
  // Where 'print' sinks write; empty: stdout (stderr with 'standard-error').
  RowTextSink print;
  // Bounds (every limit explicit and reported in JobStatus):
  size_t max_state_bytes = 1ull << 30;  // keyed state of one job; beyond: the job fails
  uint32_t read_batch_records = 4096;   // per shard per step
};

enum class JobState : uint8_t { kCreated, kRunning, kStopping, kStopped, kFailed };
const char* JobStateName(JobState state);  // "CREATED", "RUNNING", ...

struct JobStatus {
  std::string name;
  JobState state = JobState::kCreated;
  std::string error;  // kFailed: why
  std::string sql;
  int64_t started_at_ms = 0;
  int parallelism = 0;
  uint64_t records_in = 0;    // read from sources
  uint64_t records_out = 0;   // written to sinks
  uint64_t dead_letters = 0;  // records that did not fit the source schema
  uint64_t late_records = 0;  // dropped from windows/OVER as too late (also written out)
  int64_t watermark_ms = INT64_MIN;
  uint64_t last_checkpoint_id = 0;
  int64_t last_checkpoint_at_ms = 0;
  int64_t last_checkpoint_duration_ms = 0;
  uint64_t last_checkpoint_bytes = 0;
  uint64_t state_bytes = 0;  // keyed state now
  uint64_t max_state_bytes = 0;
};

class Job {
 public:
  // Compiles the pipeline; fails (InvalidArgument) on what the runtime cannot run.
  static Result<std::unique_ptr<Job>> Create(const sql::Pipeline& pipeline, JobContext context);
  virtual ~Job() = default;

  virtual const std::string& name() const = 0;
  // Restores the newest checkpoint (or applies the sources' start positions), creating
  // missing source streams, and starts the worker threads.
  virtual Status Start() = 0;
  // Takes a final checkpoint, commits sinks and joins the threads. Idempotent.
  virtual Status Stop() = 0;
  // Stops without a final checkpoint (what a crash looks like, for tests).
  virtual void Abort() = 0;
  virtual JobStatus status() const = 0;
};

// An ad-hoc continuous SELECT (`fluxgate sql --print`): like a job with one print sink
// whose rows go to `rows`, no checkpoints, no persisted state.
Result<std::unique_ptr<Job>> CreateQueryJob(const sql::PlanPtr& plan, const std::string& name,
                                            const std::string& sql, JobContext context,
                                            RowTextSink rows);

}  // namespace fluxgate::jobs
