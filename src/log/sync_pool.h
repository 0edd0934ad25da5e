// SyncPool: a small fixed set of threads that runs the per-shard flushes of one
// group-commit round side by side, so a round costs about one write+fdatasync latency
// instead of one per dirty shard.
//
// Usage: the commit thread calls Run(n, fn); fn(0) .. fn(n-1) run on the caller and on up
// to `threads - 1` helper threads, each index exactly once, and Run returns when every
// call has returned (everything the calls wrote happens-before Run's return). With
// threads == 1, or n == 1, everything runs on the caller and no thread is woken.
//
// Threading: Run may be called by one thread at a time (the commit thread). The helper
// threads are created by the constructor and joined by the destructor; the pool must not
// be destroyed during Run. fn must not throw.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace fluxgate::log {

class SyncPool {
 public:
  // `threads` >= 1 counts the caller of Run: threads - 1 helpers are started.
  explicit SyncPool(uint32_t threads);
  ~SyncPool();
  SyncPool(const SyncPool&) = delete;
  SyncPool& operator=(const SyncPool&) = delete;

  void Run(size_t n, const std::function<void(size_t)>& fn);

 private:
  void HelperLoop();
  // Claims and runs indexes of the current round until none is left. `lock` holds mu_.
  void Drain(std::unique_lock<std::mutex>& lock);

  std::mutex mu_;
  std::condition_variable work_cv_;  // helpers: a round started, or stop_
  std::condition_variable done_cv_;  // Run: the last call of the round returned
  // Current round, all GUARDED_BY(mu_). Invariant: done_ <= next_ <= n_; the round is over
  // when done_ == n_. fn_ is valid while done_ < n_ (Run keeps it alive until then).
  const std::function<void(size_t)>* fn_ = nullptr;
  size_t n_ = 0;
  size_t next_ = 0;  // next index to hand out
  size_t done_ = 0;  // calls that have returned
  bool stop_ = false;
  std::vector<std::thread> helpers_;  // written only by the constructor and destructor
};

}  // namespace fluxgate::log
