#include "jobs/task_pool.h"

namespace fluxgate::jobs {

TaskPool::TaskPool(int threads) {
  for (int i = 0; i < threads; ++i) threads_.emplace_back([this] { Worker(); });
}

TaskPool::~TaskPool() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  work_cv_.notify_all();
  for (auto& t : threads_) t.join();
}

void TaskPool::Drain() {
  std::unique_lock<std::mutex> lock(mu_);
  while (fn_ != nullptr && next_ < n_) {
    int i = next_++;
    ++running_;
    const auto* fn = fn_;
    lock.unlock();
    Status s = (*fn)(i);
    lock.lock();
    if (!s.ok() && first_error_.ok()) first_error_ = s;
    if (--running_ == 0 && next_ >= n_) done_cv_.notify_all();
  }
}

void TaskPool::Worker() {
  uint64_t seen = 0;
  for (;;) {
    {
      std::unique_lock<std::mutex> lock(mu_);
      work_cv_.wait(lock, [&] { return stop_ || (round_ != seen && fn_ != nullptr); });
      if (stop_) return;
      seen = round_;
    }
    Drain();
  }
}

Status TaskPool::Run(int n, const std::function<Status(int)>& fn) {
  if (n <= 0) return Status::Ok();
  if (n == 1 || threads_.empty()) {
    Status first;
    for (int i = 0; i < n; ++i) {
      Status s = fn(i);
      if (!s.ok() && first.ok()) first = s;
    }
    return first;
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    fn_ = &fn;
    n_ = n;
    next_ = 0;
    running_ = 0;
    first_error_ = Status::Ok();
    ++round_;
  }
  work_cv_.notify_all();
  Drain();
  std::unique_lock<std::mutex> lock(mu_);
  done_cv_.wait(lock, [&] { return next_ >= n_ && running_ == 0; });
  fn_ = nullptr;
  return first_error_;
}

}  // namespace fluxgate::jobs
