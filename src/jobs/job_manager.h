// JobManager: the streaming jobs a server runs and the ad-hoc queries it serves.
//
//   JobManager manager(context, options);            // options.factory: DefaultJobFactory()
//   FG_RETURN_IF_ERROR(manager.RestoreFromDisk(startup_scripts));
//   FG_ASSIGN_OR_RETURN(auto submitted, manager.Submit(sql, {.default_name = "iot"}));
//   manager.Stop("iot");  manager.Restart("iot");
//   manager.StopAll();                               // on shutdown: final checkpoints
//
// Identity: a job is its name ('pipeline.name'; when a pipeline has none, the submission's
// default name — the file name without extension — numbered "name", "name-2", ... per
// statement of the script). Names are 1-128 characters of [A-Za-z0-9._-], not starting
// with '.', because they name a directory.
//
// Persistence (docs/operations.md, "Managing jobs"): every submitted job keeps
//   <data_dir>/jobs/<name>/pipeline.sql   the whole script it came from (DDL included)
//   <data_dir>/jobs/<name>/job.state      "state=running|stopped" and "default_name=..."
// both replaced atomically (temp file, fsync, rename, fsync of the directory). The Job owns
// <data_dir>/jobs/<name>/checkpoints/. RestoreFromDisk re-binds each script, takes the
// pipeline of that name and starts the jobs whose state is running; the Job resumes from
// its newest checkpoint. StopAll (shutdown) stops jobs without recording them as stopped,
// so they run again on the next start; Stop() records the operator's intent.
//
// Ad-hoc queries (`fluxgate sql --print`): StartQuery binds a script holding one SELECT
// (after optional DDL; tables it does not define are looked up in the scripts of the
// submitted jobs) and runs it as a query job whose rows go to a bounded buffer.
// PollQuery hands out rows after a sequence number, waiting at most max_poll_wait_ms for
// new ones; the oldest rows are dropped (and counted) beyond max_query_rows, and a query
// not polled for query_idle_timeout_ms is stopped and forgotten.
//
// Thread-safety: every method may be called from any thread. ops_mu_ serializes the
// operations that start or stop jobs (they may take seconds: a final checkpoint), so two
// of them never interleave on one name; mu_ guards the maps and every Entry field, and is
// never held while a Job method runs, so List/Get stay fast while a job stops. Each
// query's row buffer has its own lock (QueryState::mu), taken after mu_ when both are.
// PollCallbacks run without any lock held, on the calling thread, a job's worker thread
// (a row arrived) or the manager's timer thread (deadline, shutdown).
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/status.h"
#include "jobs/job.h"
#include "sql/logical_plan.h"

namespace fluxgate::sql {
class Catalog;
}

namespace fluxgate::jobs {

using JobFactory =
    std::function<Result<std::unique_ptr<Job>>(const sql::Pipeline& pipeline, JobContext context)>;
using QueryJobFactory = std::function<Result<std::unique_ptr<Job>>(
    const sql::PlanPtr& plan, const std::string& name, const std::string& sql, JobContext context,
    RowTextSink rows)>;

// Job::Create and CreateQueryJob (job_manager_factory.cc, kept apart so code and tests
// that inject their own factories do not link the executor).
JobFactory DefaultJobFactory();
QueryJobFactory DefaultQueryJobFactory();

struct JobManagerOptions {
  JobFactory factory;                     // required
  QueryJobFactory query_factory;          // required for StartQuery
  const runtime::Clock* clock = nullptr;  // for query idleness; nullptr: the system clock
  // Bounds of ad-hoc queries (every one explicit and reported):
  size_t max_queries = 16;                 // running at once; more: LimitExceeded
  size_t max_query_rows = 10'000;          // buffered per query; beyond, the oldest drop
  size_t max_rows_per_poll = 1'000;        // rows in one PollQuery answer
  int64_t max_poll_wait_ms = 1'000;        // longest PollQuery wait
  int64_t query_idle_timeout_ms = 60'000;  // not polled this long: stopped
  // The thread that ends poll waits and stops idle queries; tests turn it off and call
  // Tick() instead.
  bool timer_thread = true;
};

// A job as List/Get report it: the Job's status (zeroes if it never ran in this process)
// plus what the manager knows.
struct JobInfo {
  JobStatus status;
  bool want_running = false;  // persisted state: running (or, once stopped: false)
  std::string script;         // the whole script the job came from
};

struct SubmitOptions {
  // Name for pipelines without 'pipeline.name' (the file name without extension); empty:
  // "pipeline". Characters outside [A-Za-z0-9._-] become '-'.
  std::string default_name;
  // `serve --pipeline`: a job of the same name is replaced (stopped, its SQL swapped and
  // started again from its checkpoints) instead of refused with ResourceBusy.
  bool replace = false;
  // With replace: a job the operator stopped whose script is unchanged stays stopped
  // (the shipped default pipeline, submitted at every start).
  bool keep_stopped = false;
};

struct SubmittedJob {
  std::string name;
  // "started" (a new name), "replaced" (an existing name, new SQL), "resumed" (a job not
  // running, same SQL), "unchanged" (running with identical SQL), "kept stopped" (see
  // SubmitOptions::keep_stopped), "failed" (Start() failed, see error; listed FAILED)
  std::string action;
  std::string error;
};

struct SubmitResult {
  std::vector<SubmittedJob> jobs;
  std::vector<std::string> explains;  // each EXPLAIN's text, in script order
  std::vector<std::string> notices;   // "line 3, column 5: option ... is ignored"
};

struct QueryStarted {
  std::string id;
  std::vector<std::string> columns;  // "name TYPE"
  std::vector<std::string> explains;
  std::vector<std::string> notices;
};

struct QueryRows {
  std::vector<std::string> rows;  // "+I[sensor-1, 22.5]"
  uint64_t next = 0;              // pass as `after` to the next poll
  uint64_t dropped = 0;           // rows lost between `after` and the first row returned
  uint64_t dropped_total = 0;     // rows dropped over the query's life
  std::string state;              // JobStateName of the query job
  std::string error;              // FAILED: why
};
using PollCallback = std::function<void(Result<QueryRows>)>;

// One script to run at startup (`serve --pipeline FILE` or the shipped pipeline).
struct StartupScript {
  std::string origin;  // the file, for messages
  std::string sql;
  SubmitOptions options;
};

class JobManager {
 public:
  // `base` is copied into every job's context (log, alerts, data_dir, ...); what it
  // points to must outlive the manager.
  JobManager(JobContext base, JobManagerOptions options);
  ~JobManager();  // StopAll()
  JobManager(const JobManager&) = delete;
  JobManager& operator=(const JobManager&) = delete;

  // Loads every persisted job, submits `startup` (with its options; replace is implied),
  // then starts the loaded jobs whose state is running and that a startup script did not
  // already handle. A persisted job that no longer binds or starts is listed FAILED and
  // logged; a startup script that does not bind, or whose job cannot be created, fails
  // the whole call with that error (the server refuses to start on a broken file).
  Status RestoreFromDisk(const std::vector<StartupScript>& startup = {});

  // Binds `script` (a fresh catalog) and starts one job per pipeline it defines, after
  // persisting it. InvalidArgument: the script does not bind (the binder's line:column
  // message), it defines no pipeline, a name is invalid, or a pipeline cannot be
  // compiled (nothing is started then). ResourceBusy: a job of that name is running with
  // different SQL (and !options.replace). A pipeline whose Start() fails is reported in
  // its SubmittedJob ("failed") and listed FAILED; the others still run.
  Result<SubmitResult> Submit(const std::string& script, const SubmitOptions& options = {});

  std::vector<JobInfo> List() const;                   // sorted by name
  Result<JobInfo> Get(const std::string& name) const;  // NotFound
  // Final checkpoint, threads joined, state=stopped persisted. Idempotent. NotFound.
  Status Stop(const std::string& name);
  // Stops (if running) and starts the job again from its checkpoints; state=running.
  Status Restart(const std::string& name);
  // Stops the job and deletes <data_dir>/jobs/<name> (its checkpoints too). NotFound.
  Status Remove(const std::string& name);
  // Shutdown: stops every query and job (final checkpoints) without changing what is
  // persisted, then the timer thread. Later submissions fail with Unavailable.
  Status StopAll();

  Result<QueryStarted> StartQuery(const std::string& script);
  // Rows with sequence number >= `after` (0 at first; then the last answer's `next`);
  // rows before `after` are released. Waits up to min(wait_ms, max_poll_wait_ms) when
  // there is none and the query is running. `done` gets NotFound for an unknown or
  // expired query, InvalidArgument for an `after` beyond what was produced.
  void PollQuery(const std::string& id, uint64_t after, int64_t wait_ms, PollCallback done);
  Status StopQuery(const std::string& id);  // NotFound
  size_t query_count() const;

  // Ends poll waits whose time is up or whose query stopped, and stops queries idle for
  // longer than query_idle_timeout_ms. The timer thread calls it every ~50 ms.
  void Tick();

 private:
  struct Entry;
  struct QueryState;
  struct Waiter;

  int64_t NowMs() const;
  Result<SubmitResult> SubmitLocked(const std::string& script, const SubmitOptions& options,
                                    bool startup);
  Status StartEntry(Entry& entry, bool persist_running);
  Status StopEntry(Entry& entry);
  Status Persist(const Entry& entry) const;
  std::string JobDir(const std::string& name) const;
  JobInfo InfoOf(const Entry& entry, const std::shared_ptr<Job>& job) const;
  void TimerLoop();
  static void Complete(QueryState& q, Waiter waiter, const std::string& state,
                       const std::string& error);

  const JobContext base_;
  const JobManagerOptions options_;
  std::mutex ops_mu_;         // serializes Submit/Stop/Restart/Remove/RestoreFromDisk/StopAll
  uint64_t next_seq_ = 0;     // GUARDED_BY(ops_mu_): Entry::seq of the next script
  bool stopped_all_ = false;  // GUARDED_BY(ops_mu_)
  mutable std::mutex mu_;
  std::map<std::string, std::shared_ptr<Entry>> jobs_;          // GUARDED_BY(mu_)
  std::map<std::string, std::shared_ptr<QueryState>> queries_;  // GUARDED_BY(mu_)
  bool shut_down_ = false;                                      // GUARDED_BY(mu_)
  uint64_t next_query_ = 1;                                     // GUARDED_BY(mu_)
  std::condition_variable timer_cv_;                            // with mu_
  std::thread timer_;
};

}  // namespace fluxgate::jobs
