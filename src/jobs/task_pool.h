// TaskPool: fork-join parallelism for a job's steps. Run(n, fn) calls fn(0..n-1) on the
// pool's threads plus the caller and returns when all have finished, with the first
// error. A job steps in phases (read + stateless work, then each keyed stage), each phase
// one Run(); between phases nothing is in flight, which is what makes checkpoints simple.
//
// Thread-safety: Run() from one thread at a time (the job's driver).
#pragma once

#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "common/status.h"

namespace fluxgate::jobs {

class TaskPool {
 public:
  // `threads` workers besides the caller (0: everything runs on the caller).
  explicit TaskPool(int threads);
  ~TaskPool();
  TaskPool(const TaskPool&) = delete;
  TaskPool& operator=(const TaskPool&) = delete;

  Status Run(int n, const std::function<Status(int)>& fn);

 private:
  void Worker();
  void Drain();  // runs tasks of the current round until none is left

  std::mutex mu_;
  std::condition_variable work_cv_;                 // workers wait for a round
  std::condition_variable done_cv_;                 // Run waits for the round's end
  const std::function<Status(int)>* fn_ = nullptr;  // GUARDED_BY(mu_); valid during a round
  int n_ = 0;                                       // GUARDED_BY(mu_)
  int next_ = 0;                                    // GUARDED_BY(mu_)
  int running_ = 0;                                 // GUARDED_BY(mu_)
  uint64_t round_ = 0;                              // GUARDED_BY(mu_)
  Status first_error_;                              // GUARDED_BY(mu_)
  bool stop_ = false;                               // GUARDED_BY(mu_)
  std::vector<std::thread> threads_;
};

}  // namespace fluxgate::jobs
