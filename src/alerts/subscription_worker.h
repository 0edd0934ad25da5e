// SubscriptionWorker: the queue and delivery thread of one subscription. Each subscription
// has its own, so a slow or dead receiver only delays its own alerts.
//
// The queue is bounded (queue_limit): when full, the oldest alert is dropped, counted and
// reported in a rate-limited error line; the pipeline never waits. Each alert is tried up to
// max_attempts times with exponential backoff and jitter between attempts; then it becomes
// a dead letter (with the last error). With an outbox, every delivered, dead-lettered or
// dropped alert is marked done there; one still queued at shutdown is not, so the next
// start delivers it.
//
// Thread-safety: Enqueue and stats may be called from any thread; Start, BeginStop and
// Join from the owner (AlertHub) only. mu_ guards the queue, the counters and the stop
// state; the channel is used by the worker thread alone.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <thread>

#include "alerts/alert_stats.h"
#include "alerts/channel.h"
#include "alerts/filter_policy.h"
#include "common/config.h"

namespace spdlog {
class logger;
}

namespace fluxgate::alerts {

class DeadLetters;
class Outbox;

class SubscriptionWorker {
 public:
  using Clock = std::chrono::steady_clock;

  // `outbox` and `dead_letters` may be null (no data dir); else they must outlive this.
  SubscriptionWorker(SubscriptionInfo info, std::unique_ptr<Channel> channel,
                     std::optional<FilterPolicy> filter, const ServeConfig::Alerts& settings,
                     Outbox* outbox, DeadLetters* dead_letters);
  ~SubscriptionWorker();  // BeginStop(now) + Join if still running
  SubscriptionWorker(const SubscriptionWorker&) = delete;
  SubscriptionWorker& operator=(const SubscriptionWorker&) = delete;

  void Start();
  // Whether the filter policy lets `alert` through (counts it in stats().filtered if not).
  bool Accepts(const Alert& alert);
  // Queues one alert; never waits for delivery. After BeginStop the alert is dropped.
  // shared_ptr: one Delivery is shared by every subscription of its topic and freed when
  // the last of them is done with it.
  void Enqueue(std::shared_ptr<const Delivery> delivery);
  // Tells the thread to deliver what is queued until `deadline`, then give up the rest.
  void BeginStop(Clock::time_point deadline);
  // Waits for the thread (a request in flight ends by its own timeout at the latest).
  void Join();
  // For an unsubscribe: stops now, joins, and marks what was still queued done in the
  // outbox (the subscription is gone, nothing will deliver it).
  void Retire();

  SubscriptionStats stats() const;
  const SubscriptionInfo& info() const { return info_; }
  // Alerts given up because the stop deadline passed (part of stats().dropped).
  uint64_t abandoned() const;

 private:
  enum class Outcome { kDelivered, kFailed, kAbandoned };
  void Run();
  // One alert, all its attempts; on kFailed, `error` and `attempts` say why.
  Outcome DeliverWithRetries(const Delivery& delivery, std::string* error, uint32_t* attempts);
  void MarkDone(const Delivery& d);
  // Sleeps `ms` unless the stop deadline comes first; false if it did.
  bool SleepUnlessStopped(int64_t ms);

  const SubscriptionInfo info_;
  const std::unique_ptr<Channel> channel_;  // worker thread only
  const std::optional<FilterPolicy> filter_;
  Outbox* const outbox_;             // may be null
  DeadLetters* const dead_letters_;  // may be null
  const uint32_t max_attempts_;
  const int64_t initial_backoff_ms_;
  const int64_t max_backoff_ms_;
  const size_t queue_limit_;
  const std::shared_ptr<spdlog::logger> logger_;
  std::mt19937_64 rng_;  // worker thread only (jitter)
  std::thread thread_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::shared_ptr<const Delivery>> queue_;  // GUARDED_BY(mu_), size <= limit
  // Given up at the stop deadline, queued or in flight (still pending in the outbox;
  // Retire marks them done).
  std::deque<std::shared_ptr<const Delivery>> given_up_;   // GUARDED_BY(mu_)
  bool in_flight_ = false;                                 // GUARDED_BY(mu_)
  bool stopping_ = false;                                  // GUARDED_BY(mu_)
  Clock::time_point deadline_ = Clock::time_point::max();  // GUARDED_BY(mu_)
  SubscriptionStats stats_;                                // GUARDED_BY(mu_), queued unset
  uint64_t abandoned_ = 0;                                 // GUARDED_BY(mu_)
  // Rate limit of the drop / give-up error lines: at most one per kLogEvery, saying how
  // many happened since the last one.
  Clock::time_point last_drop_log_{};  // GUARDED_BY(mu_)
  uint64_t drops_since_log_ = 0;       // GUARDED_BY(mu_)
  Clock::time_point last_fail_log_{};  // worker thread only
  uint64_t fails_since_log_ = 0;       // worker thread only
};

}  // namespace fluxgate::alerts
