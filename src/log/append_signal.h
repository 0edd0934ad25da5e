// AppendSignal: lets readers of the log (streaming jobs) sleep until new records become
// readable instead of polling on a timer, so a record reaches a job's sinks (and an
// anomaly its alert) within a commit round of being acknowledged.
//
//   const uint64_t seen = signal.sequence();   // before reading
//   ... read; nothing new ...
//   signal.WaitFor(seen, 50ms);                // returns at the next commit round
//
// Taking `seen` before the read means a round that lands between the read and the wait
// is not missed. Wakeups may be spurious (Notify is per round, not per stream).
// Thread-safety: every member may be called from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>

namespace fluxgate::log {

class AppendSignal {
 public:
  uint64_t sequence() const { return seq_.load(std::memory_order_acquire); }

  // Called by the log after records became readable (and by whoever wants to wake the
  // waiters early, e.g. a job being stopped).
  void Notify() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      seq_.fetch_add(1, std::memory_order_acq_rel);
    }
    cv_.notify_all();
  }

  // Waits until sequence() differs from `seen` or `timeout` passes; true if it changed.
  bool WaitFor(uint64_t seen, std::chrono::milliseconds timeout) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, timeout, [&] { return sequence() != seen; });
  }

 private:
  std::atomic<uint64_t> seq_{0};
  std::mutex mu_;
  std::condition_variable cv_;
};

}  // namespace fluxgate::log
