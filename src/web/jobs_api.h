// JobsApi: the REST endpoints that manage streaming jobs and ad-hoc queries, served on the
// HTTP listener by HttpApi (docs/operations.md, "Managing jobs"):
//
//   POST   /v1/jobs[?name=DEFAULT]      body: a SQL script  -> 201 {"jobs","explains","notices"}
//   GET    /v1/jobs                     -> {"jobs":[...]}
//   GET    /v1/jobs/NAME                -> one job, with its script
//   POST   /v1/jobs/NAME/stop           -> the job, stopped (final checkpoint taken)
//   POST   /v1/jobs/NAME/restart        -> the job, running again from its checkpoints
//   DELETE /v1/jobs/NAME                -> removed, checkpoints deleted
//   POST   /v1/queries                  body: a SELECT (after optional DDL) -> 201 {"id",...}
//   GET    /v1/queries/ID/rows?after=N[&wait_ms=M]
//                                       -> {"rows","next","state","dropped",...}; waits up
//                                          to M ms (default and cap 1000) for a row
//   DELETE /v1/queries/ID               -> stopped
//
// Errors are {"error": "<status code name>", "message": "..."}: 400 bad SQL (with the
// binder's line and column) or arguments, 404 unknown job or query, 405 wrong method, 409
// a running job of that name has other SQL, 429 too many queries, 503 shutting down.
//
// Starting and stopping jobs can take seconds (a final checkpoint) and HTTP I/O threads
// must not block, so those requests run one at a time on the API's own worker thread,
// which answers them when done. Reads and polls are answered without blocking (a poll
// waiting for rows is answered by the JobManager later, from another thread).
//
// Thread-safety: Handle may be called concurrently from I/O threads; Stop from one thread.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <string_view>
#include <thread>

#include "http/server.h"

namespace fluxgate::jobs {
class JobManager;
}

namespace fluxgate::web {

class JobsApi {
 public:
  // `jobs` must outlive this object.
  explicit JobsApi(jobs::JobManager* jobs);
  ~JobsApi();  // Stop()
  JobsApi(const JobsApi&) = delete;
  JobsApi& operator=(const JobsApi&) = delete;

  // False if `path` (the target without its query) is not under /v1/jobs or /v1/queries;
  // otherwise `respond` is called, now or later, exactly once.
  bool Handle(http::Request& request, std::string_view path, http::Responder& respond);

  // Finishes the queued operations and joins the worker; later mutations get 503.
  void Stop();

  // Bound of operations waiting for the worker; beyond it requests get 503.
  static constexpr size_t kMaxQueuedOps = 64;

 private:
  // Runs `op` on the worker thread; false (and nothing runs) if stopped or full.
  bool Post(std::function<void()> op);
  void WorkerLoop();

  jobs::JobManager* const jobs_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> queue_;  // GUARDED_BY(mu_)
  bool stopping_ = false;                    // GUARDED_BY(mu_)
  std::thread worker_;
};

}  // namespace fluxgate::web
