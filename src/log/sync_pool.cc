// SyncPool: see sync_pool.h. Indexes are handed out under one mutex; a round has at most
// one index per dirty shard, so that is a handful of lock operations per commit round,
// nothing per record.
#include "log/sync_pool.h"

#include <algorithm>

namespace fluxgate::log {

SyncPool::SyncPool(uint32_t threads) {
  const uint32_t helpers = std::max<uint32_t>(threads, 1) - 1;
  helpers_.reserve(helpers);
  for (uint32_t i = 0; i < helpers; ++i) helpers_.emplace_back([this] { HelperLoop(); });
}

SyncPool::~SyncPool() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  work_cv_.notify_all();
  for (std::thread& t : helpers_) t.join();
}

void SyncPool::Drain(std::unique_lock<std::mutex>& lock) {
  while (next_ < n_) {
    const size_t i = next_++;
    const std::function<void(size_t)>& fn = *fn_;
    lock.unlock();
    fn(i);
    lock.lock();
    if (++done_ == n_) done_cv_.notify_one();
  }
}

void SyncPool::Run(size_t n, const std::function<void(size_t)>& fn) {
  if (n == 0) return;
  if (n == 1 || helpers_.empty()) {
    for (size_t i = 0; i < n; ++i) fn(i);
    return;
  }
  std::unique_lock<std::mutex> lock(mu_);
  fn_ = &fn;
  n_ = n;
  next_ = 0;
  done_ = 0;
  // Wake only as many helpers as there are indexes beyond the caller's own.
  const size_t wake = std::min(n - 1, helpers_.size());
  lock.unlock();
  for (size_t i = 0; i < wake; ++i) work_cv_.notify_one();
  lock.lock();
  Drain(lock);
  done_cv_.wait(lock, [&] { return done_ == n_; });
  fn_ = nullptr;
}

void SyncPool::HelperLoop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    work_cv_.wait(lock, [&] { return stop_ || next_ < n_; });
    if (next_ < n_) {
      Drain(lock);
      continue;
    }
    return;  // stop_ and nothing left to claim
  }
}

}  // namespace fluxgate::log
