#include "alerts/subscription_worker.h"

#include <pthread.h>

#include "alerts/backoff.h"
#include "alerts/dead_letters.h"
#include "alerts/outbox.h"
#include "common/logging.h"

namespace fluxgate::alerts {
namespace {

constexpr auto kLogEvery = std::chrono::seconds(10);

int64_t WallClockMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

SubscriptionWorker::SubscriptionWorker(SubscriptionInfo info, std::unique_ptr<Channel> channel,
                                       std::optional<FilterPolicy> filter,
                                       const ServeConfig::Alerts& settings, Outbox* outbox,
                                       DeadLetters* dead_letters)
    : info_(std::move(info)),
      channel_(std::move(channel)),
      filter_(std::move(filter)),
      outbox_(outbox),
      dead_letters_(dead_letters),
      max_attempts_(std::max<uint32_t>(settings.max_attempts, 1)),
      initial_backoff_ms_(settings.initial_backoff_ms),
      max_backoff_ms_(settings.max_backoff_ms),
      queue_limit_(std::max<size_t>(settings.queue_limit, 1)),
      logger_(GetLogger("alerts")),
      rng_(std::random_device{}()) {
  stats_.info = info_;
}

SubscriptionWorker::~SubscriptionWorker() {
  if (thread_.joinable()) {
    BeginStop(Clock::now());
    Join();
  }
}

void SubscriptionWorker::Start() {
  thread_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "fg-alerts");
    Run();
  });
}

bool SubscriptionWorker::Accepts(const Alert& alert) {
  if (!filter_ || filter_->Matches(alert)) return true;
  std::lock_guard<std::mutex> lock(mu_);
  ++stats_.filtered;
  return false;
}

void SubscriptionWorker::MarkDone(const Delivery& d) {
  if (outbox_ != nullptr && d.seq != 0) outbox_->MarkDone(d.seq, info_.id);
}

void SubscriptionWorker::Retire() {
  BeginStop(Clock::now());
  Join();
  std::deque<std::shared_ptr<const Delivery>> left;
  {
    std::lock_guard<std::mutex> lock(mu_);
    left.swap(queue_);
    for (auto& q : given_up_) left.push_back(std::move(q));
    given_up_.clear();
  }
  for (const auto& d : left) MarkDone(*d);
}

void SubscriptionWorker::Enqueue(std::shared_ptr<const Delivery> delivery) {
  uint64_t report = 0;
  bool after_stop = false;
  std::shared_ptr<const Delivery> pushed_out;
  {
    std::lock_guard<std::mutex> lock(mu_);
    ++stats_.published;
    if (stopping_) {
      ++stats_.dropped;
      after_stop = true;
    } else {
      if (queue_.size() >= queue_limit_) {
        pushed_out = std::move(queue_.front());  // the oldest: a newer one says more
        queue_.pop_front();
        ++stats_.dropped;
        ++drops_since_log_;
        const auto now = Clock::now();
        if (now - last_drop_log_ >= kLogEvery) {
          report = drops_since_log_;
          drops_since_log_ = 0;
          last_drop_log_ = now;
        }
      }
      queue_.push_back(std::move(delivery));
    }
  }
  if (pushed_out) MarkDone(*pushed_out);
  if (after_stop) {
    logger_->warn("alert for topic '{}' published after shutdown began; dropped", info_.topic);
    return;
  }
  cv_.notify_one();
  if (report > 0)
    logger_->error(
        "alert queue of topic '{}' → {} {} is full ({} alerts, alerts.queue_limit): dropped "
        "the {} oldest since the last report; is the receiver down or too slow?",
        info_.topic, info_.kind, info_.target, queue_limit_, report);
}

void SubscriptionWorker::BeginStop(Clock::time_point deadline) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!stopping_ || deadline < deadline_) deadline_ = deadline;
    stopping_ = true;
  }
  cv_.notify_all();
}

void SubscriptionWorker::Join() {
  if (thread_.joinable()) thread_.join();
}

SubscriptionStats SubscriptionWorker::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  SubscriptionStats s = stats_;
  s.queued = queue_.size() + (in_flight_ ? 1 : 0);
  return s;
}

uint64_t SubscriptionWorker::abandoned() const {
  std::lock_guard<std::mutex> lock(mu_);
  return abandoned_;
}

void SubscriptionWorker::Run() {
  for (;;) {
    std::shared_ptr<const Delivery> d;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and everything was delivered
      if (stopping_ && Clock::now() >= deadline_) {
        const uint64_t left = queue_.size();
        for (auto& q : queue_) given_up_.push_back(std::move(q));
        queue_.clear();
        stats_.dropped += left;
        abandoned_ += left;
        lock.unlock();
        logger_->warn(
            "{} alerts for topic '{}' → {} {} not delivered before shutdown "
            "(alerts.drain_timeout_ms){}",
            left, info_.topic, info_.kind, info_.target,
            outbox_ ? "; they stay in the outbox for the next start" : "");
        return;
      }
      d = std::move(queue_.front());
      queue_.pop_front();
      in_flight_ = true;
    }
    std::string error;
    uint32_t attempts = 0;
    const Outcome outcome = DeliverWithRetries(*d, &error, &attempts);
    if (outcome == Outcome::kFailed && dead_letters_ != nullptr) {
      DeadLetter dl;
      dl.time_ms = WallClockMs();
      dl.subscription = info_.id;
      dl.topic = info_.topic;
      dl.kind = info_.kind;
      dl.target = info_.target;
      dl.attempts = attempts;
      dl.error = error;
      dl.alert_json = d->json;
      if (Status st = dead_letters_->Add(dl); !st.ok())
        logger_->error("cannot store dead letter of alert {}: {}", d->alert.id, st.message());
    }
    // Abandoned at shutdown: left pending in the outbox, so the next start delivers it.
    if (outcome != Outcome::kAbandoned) MarkDone(*d);
    std::lock_guard<std::mutex> lock(mu_);
    in_flight_ = false;  // with the outcome, so stats() never counts this alert twice
    switch (outcome) {
      case Outcome::kDelivered:
        ++stats_.delivered;
        break;
      case Outcome::kFailed:
        ++stats_.failed;
        stats_.last_error = error;
        break;
      case Outcome::kAbandoned:
        given_up_.push_back(std::move(d));  // still pending in the outbox (see Retire)
        ++stats_.dropped;
        ++abandoned_;
        break;
    }
  }
}

SubscriptionWorker::Outcome SubscriptionWorker::DeliverWithRetries(const Delivery& d,
                                                                   std::string* error,
                                                                   uint32_t* attempts) {
  std::uniform_real_distribution<double> jitter(0.0, 1.0);
  for (uint32_t attempt = 1;; ++attempt) {
    const Status st = channel_->Deliver(d);
    if (st.ok()) return Outcome::kDelivered;
    *error = st.message();
    *attempts = attempt;
    const bool refused = st.IsInvalidArgument();
    if (refused || attempt >= max_attempts_) {
      ++fails_since_log_;
      const auto now = Clock::now();
      if (now - last_fail_log_ >= kLogEvery) {
        logger_->error(
            "alert {} for topic '{}' not delivered to {} {} after {} attempt(s){}: {} ({} "
            "alert(s) given up since the last report)",
            d.alert.id, info_.topic, info_.kind, info_.target, attempt,
            refused ? " (refused, not retried)" : "", st.message(), fails_since_log_);
        fails_since_log_ = 0;
        last_fail_log_ = now;
      }
      return Outcome::kFailed;
    }
    {
      std::lock_guard<std::mutex> lock(mu_);
      ++stats_.retried;
      stats_.last_error = st.message();
    }
    const int64_t wait_ms = BackoffMs(attempt, initial_backoff_ms_, max_backoff_ms_, jitter(rng_));
    logger_->debug("alert {} → {} {}: attempt {} failed ({}); retrying in {} ms", d.alert.id,
                   info_.kind, info_.target, attempt, st.message(), wait_ms);
    if (!SleepUnlessStopped(wait_ms)) {
      logger_->warn("alert {} for topic '{}' → {} {} abandoned at shutdown after {} attempt(s)",
                    d.alert.id, info_.topic, info_.kind, info_.target, attempt);
      return Outcome::kAbandoned;
    }
  }
}

bool SubscriptionWorker::SleepUnlessStopped(int64_t ms) {
  const auto wake = Clock::now() + std::chrono::milliseconds(ms);
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    const auto now = Clock::now();
    if (stopping_ && now >= deadline_) return false;
    if (now >= wake) return true;
    // Enqueue and BeginStop wake us too; the loop re-checks.
    cv_.wait_until(lock, stopping_ ? std::min(wake, deadline_) : wake);
  }
}

}  // namespace fluxgate::alerts
