// AlertHub: routes alerts raised by streaming jobs to the subscriptions of their topic
// ([[alerts.subscriptions]] in the serve config) and delivers them in the background.
//
//   FG_ASSIGN_OR_RETURN(auto hub, alerts::AlertHub::Start(config.alerts));
//   hub->Publish(alert);                  // from a job's 'alert' sink; returns at once
//   ...
//   Status st = hub->Stop();              // drains, waiting at most drain_timeout_ms
//
// Each subscription has its own bounded queue and delivery thread (SubscriptionWorker),
// so a slow or dead receiver never delays the pipeline or another subscription. Delivery
// is at least once while the process lives; queued alerts are lost on a crash (a durable
// outbox comes later). Alerts to a topic without subscriptions are counted and reported
// once per topic. docs/design/alerts.md has the details.
//
// Thread-safety: Publish, Topics, Subscriptions and Stats may be called from any thread,
// concurrently. Stop may be called once or more from one thread; Publish after Stop
// counts the alert as dropped. The routing table is immutable after Start; unrouted_
// counters are guarded by mu_, the stop state by stop_mu_.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "alerts/alert.h"
#include "alerts/alert_stats.h"
#include "common/config.h"
#include "common/status.h"

namespace spdlog {
class logger;
}

namespace fluxgate::alerts {

class SubscriptionWorker;

class AlertHub {
 public:
  // Validates `config` (ValidateAlertsConfig), opens file subscriptions and starts one
  // delivery thread per subscription. InvalidArgument / IOError naming the subscription
  // (alerts.subscriptions[i]) when one cannot be set up; no URL is ever quoted.
  static Result<std::unique_ptr<AlertHub>> Start(const ServeConfig::Alerts& config);
  ~AlertHub();  // Stop()
  AlertHub(const AlertHub&) = delete;
  AlertHub& operator=(const AlertHub&) = delete;

  // Fills defaults (id = AlertId(...) if empty, event_time_ms = now if 0, subject
  // "fluxgate alert: <topic>" if empty, severity "warning" if empty), encodes the JSON
  // document once and queues it for every subscription of alert.topic. Never blocks on
  // delivery: a full queue drops its oldest alert instead.
  void Publish(Alert alert);

  // Topics that have at least one subscription, sorted.
  std::vector<std::string> Topics() const;
  // Every subscription, in config order (targets are safe to show: no URL path/query).
  std::vector<SubscriptionInfo> Subscriptions() const;
  AlertHubStats Stats() const;

  // Stops accepting alerts, delivers what is queued for at most drain_timeout_ms (plus
  // one webhook_timeout_ms for a request in flight), then joins the threads. Unavailable
  // saying how many alerts were given up if the time ran out; OK otherwise. Idempotent.
  Status Stop();

 private:
  explicit AlertHub(const ServeConfig::Alerts& config);

  const int64_t drain_timeout_ms_;
  const std::shared_ptr<spdlog::logger> logger_;
  std::vector<std::unique_ptr<SubscriptionWorker>> workers_;  // config order
  // topic -> its workers (pointers into workers_, which outlive the map's use).
  std::map<std::string, std::vector<SubscriptionWorker*>, std::less<>> routes_;
  std::atomic<uint64_t> published_{0};

  mutable std::mutex mu_;
  std::map<std::string, uint64_t> unrouted_;  // GUARDED_BY(mu_): topic -> alerts
  // Separate from mu_ so a Stop waiting for the drain never blocks Publish.
  std::mutex stop_mu_;
  bool stopped_ = false;  // GUARDED_BY(stop_mu_)
  Status stop_status_;    // GUARDED_BY(stop_mu_)
};

}  // namespace fluxgate::alerts
