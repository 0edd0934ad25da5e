// AlertHub: routes alerts raised by streaming jobs to the subscriptions of their topic
// ([[alerts.subscriptions]] in the serve config, or added at run time) and delivers them in
// the background.
//
//   FG_ASSIGN_OR_RETURN(auto hub, alerts::AlertHub::Start(config.alerts, config.data_dir));
//   hub->Publish(alert);                  // from a job's 'alert' sink; never waits on delivery
//   ...
//   Status st = hub->Stop();              // drains, waiting at most drain_timeout_ms
//
// Publish folds repeats (cooldown_ms), applies each subscription's filter policy, appends
// the alert to the durable outbox under <data-dir>/alerts/ (fsync'd, grouped with
// concurrent publishers) and queues it for each matching subscription. Each subscription
// has its own bounded queue and delivery thread (SubscriptionWorker), so a slow or dead
// receiver never delays the pipeline or another subscription. After a crash, Start
// delivers what the outbox still holds. Alerts that exhaust max_attempts are dead letters,
// kept in <data-dir>/alerts/dead_letters.jsonl. docs/design/alerts.md has the details.
//
// Thread-safety: every method may be called from any thread, concurrently. Stop may be
// called more than once; Publish after Stop counts the alert as dropped. routes_mu_ guards
// the subscription table (Publish holds it shared); mu_ the unrouted counters and the
// recent-alert ring; fold_mu_ the folder; stop_mu_ the stop state.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <thread>
#include <vector>

#include "alerts/alert.h"
#include "alerts/alert_stats.h"
#include "common/config.h"
#include "common/status.h"

namespace spdlog {
class logger;
}

namespace fluxgate::alerts {

class CooldownFolder;
class DeadLetters;
class Outbox;
class SubscriptionWorker;

// The id a subscription gets: "sub-" + 16 hex digits of a hash of its topic, kind, full
// target (url / address / path) and filter. Deterministic, so the outbox finds the same
// subscription after a restart and subscribing twice is refused.
std::string SubscriptionId(const ServeConfig::Alerts::Subscription& sub);

class AlertHub {
 public:
  // Validates `config` (ValidateAlertsConfig), opens the outbox and dead letters under
  // <data_dir>/alerts/ (created), loads the subscriptions added at run time
  // (<data_dir>/alerts/subscriptions.json), sets up every channel and filter, starts one
  // delivery thread per subscription and queues what the outbox still holds.
  // InvalidArgument / IOError naming the subscription (alerts.subscriptions[i]) when one
  // cannot be set up; no URL is ever quoted. An empty `data_dir` keeps everything in memory
  // (no outbox, no dead-letter file, no run-time subscriptions persisted): for tests/tools.
  static Result<std::unique_ptr<AlertHub>> Start(const ServeConfig::Alerts& config,
                                                 const std::string& data_dir = "");
  ~AlertHub();  // Stop()
  AlertHub(const AlertHub&) = delete;
  AlertHub& operator=(const AlertHub&) = delete;

  // Fills defaults (id = AlertId(...) if empty, event_time_ms = now if 0, subject
  // "fluxgate alert: <topic>" if empty, severity "warning" if empty), folds repeats, and
  // queues the alert for every matching subscription of alert.topic once it is in the
  // outbox. Waits only for the outbox's (grouped) fsync, never for delivery. A full queue
  // drops its oldest alert; a full outbox refuses the alert (counted, logged).
  void Publish(Alert alert);
  // Publish for each alert, with one outbox fsync for all of them (a job's sink hands
  // over a batch's alerts at once, so an alert storm costs one fsync per batch).
  void Publish(std::vector<Alert> alerts);
  // Publishes a test alert (rule "fluxgate-test", severity "info") to `topic`; returns its id.
  std::string PublishTest(const std::string& topic, const std::string& message);

  // Adds a subscription at run time (validated like a config one; persisted under the data
  // dir so it comes back after a restart). AlreadyExists if the same subscription exists,
  // InvalidArgument for a bad one, Unavailable after Stop.
  Result<SubscriptionInfo> Subscribe(const ServeConfig::Alerts::Subscription& sub);
  // Removes a subscription added at run time. NotFound for an unknown id; InvalidArgument
  // for one from the config file (edit the file instead). Its queued alerts are dropped.
  Status Unsubscribe(const std::string& id);

  // Topics that have at least one subscription, sorted.
  std::vector<std::string> Topics() const;
  // Every subscription: config ones in file order, then run-time ones (targets are safe to
  // show: no URL path/query, no secrets).
  std::vector<SubscriptionInfo> Subscriptions() const;
  AlertHubStats Stats() const;
  // The last `n` alerts published (after folding), newest last, as a JSON array of alert
  // documents (at most kRecentLimit).
  std::string Recent(size_t n) const;
  // The newest `n` dead letters, newest last, as a JSON array (dead_letters.h); "[]"
  // without a data dir.
  std::string DeadLetters(size_t n) const;

  static constexpr size_t kRecentLimit = 1000;

  // Stops accepting alerts, sends the pending cooldown summaries to the outbox, delivers
  // what is queued for at most drain_timeout_ms (plus one webhook_timeout_ms for a request
  // in flight), then joins the threads. What is left stays in the outbox for the next
  // start. Unavailable saying how many alerts were not delivered if the time ran out; OK
  // otherwise. Idempotent.
  Status Stop();

 private:
  AlertHub(const ServeConfig::Alerts& config, std::string dir);
  // Builds (not starts) the worker of `sub`; `key` names it in errors.
  Result<std::unique_ptr<SubscriptionWorker>> MakeWorker(
      const ServeConfig::Alerts::Subscription& sub, const std::string& origin,
      const std::string& key);
  void AddWorkerLocked(std::unique_ptr<SubscriptionWorker> w);  // REQUIRES routes_mu_ (excl.)
  // Fills an alert's defaults and folds repeats; false when the folder absorbed it.
  bool Prepare(Alert& alert);
  // Routes one alert whose defaults are filled (after folding). `sync` false leaves the
  // outbox fsync to the caller (Outbox::Sync).
  void Route(Alert alert, bool sync);
  void FoldLoop();
  Status SaveRuntimeSubscriptionsLocked() const;  // REQUIRES routes_mu_
  Status LoadRuntimeSubscriptions(std::vector<ServeConfig::Alerts::Subscription>* out) const;

  const ServeConfig::Alerts config_;
  const std::string dir_;  // <data_dir>/alerts, or "" (in memory)
  const std::shared_ptr<spdlog::logger> logger_;
  std::unique_ptr<Outbox> outbox_;             // null without a data dir
  std::unique_ptr<alerts::DeadLetters> dead_;  // null without a data dir
  std::atomic<uint64_t> published_{0};
  std::atomic<uint64_t> filtered_out_{0};
  std::atomic<uint64_t> summaries_{0};
  std::atomic<uint64_t> outbox_refused_{0};
  uint64_t replayed_ = 0;  // set in Start

  mutable std::shared_mutex routes_mu_;
  // id -> worker; owns them.
  std::map<std::string, std::unique_ptr<SubscriptionWorker>> workers_;  // GUARDED_BY(routes_mu_)
  std::vector<std::string> order_;  // GUARDED_BY(routes_mu_): ids, config first
  // topic -> its workers (pointers into workers_).
  std::map<std::string, std::vector<SubscriptionWorker*>, std::less<>> routes_;  // GUARDED_BY
  // Run-time subscriptions as given (with secrets), for persisting.
  std::map<std::string, ServeConfig::Alerts::Subscription> runtime_subs_;  // GUARDED_BY

  mutable std::mutex mu_;
  std::map<std::string, uint64_t> unrouted_;  // GUARDED_BY(mu_): topic -> alerts
  std::deque<std::string> recent_;            // GUARDED_BY(mu_): documents, newest last
  std::chrono::steady_clock::time_point last_refusal_log_{};  // GUARDED_BY(mu_)

  mutable std::mutex fold_mu_;
  std::unique_ptr<CooldownFolder> folder_;  // GUARDED_BY(fold_mu_); null if cooldown_ms == 0
  std::condition_variable fold_cv_;
  bool fold_stop_ = false;  // GUARDED_BY(fold_mu_)
  std::thread fold_thread_;

  // Separate from mu_ so a Stop waiting for the drain never blocks Publish.
  std::mutex stop_mu_;
  std::atomic<bool> stopped_{false};
  Status stop_status_;  // GUARDED_BY(stop_mu_)
};

}  // namespace fluxgate::alerts
