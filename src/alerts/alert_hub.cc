#include "alerts/alert_hub.h"

#include <chrono>

#include "alerts/subscription_worker.h"
#include "common/logging.h"

namespace fluxgate::alerts {
namespace {

int64_t WallClockMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Bounds the unrouted counters: topics come from SQL sinks, so a handful is normal; past
// this many, new topics are still counted in the total but not by name.
constexpr size_t kMaxUnroutedTopics = 1024;

}  // namespace

AlertHub::AlertHub(const ServeConfig::Alerts& config)
    : drain_timeout_ms_(config.drain_timeout_ms), logger_(GetLogger("alerts")) {}

Result<std::unique_ptr<AlertHub>> AlertHub::Start(const ServeConfig::Alerts& config) {
  FG_RETURN_IF_ERROR(ValidateAlertsConfig(config));
  std::unique_ptr<AlertHub> hub(new AlertHub(config));
  for (size_t i = 0; i < config.subscriptions.size(); ++i) {
    const auto& sub = config.subscriptions[i];
    auto channel = MakeChannel(sub, config);
    if (!channel.ok()) {
      const Status& st = channel.status();
      const std::string what = "alerts.subscriptions[" + std::to_string(i) + "] (topic '" +
                               sub.topic + "'): " + st.message();
      return st.IsInvalidArgument() ? Status::InvalidArgument(what) : Status::IOError(what);
    }
    SubscriptionInfo info{sub.topic, sub.kind, (*channel)->target()};
    hub->workers_.push_back(
        std::make_unique<SubscriptionWorker>(std::move(info), std::move(channel).value(), config));
    hub->routes_[sub.topic].push_back(hub->workers_.back().get());
  }
  // Threads only once every channel is set up, so a failed Start leaves nothing running.
  for (auto& w : hub->workers_) {
    w->Start();
    hub->logger_->info("alert subscription: topic '{}' → {} {}", w->info().topic, w->info().kind,
                       w->info().target);
  }
  return hub;
}

AlertHub::~AlertHub() { (void)Stop(); }

void AlertHub::Publish(Alert alert) {
  published_.fetch_add(1, std::memory_order_relaxed);
  auto route = routes_.find(alert.topic);
  if (route == routes_.end()) {
    bool first = false;
    {
      std::lock_guard<std::mutex> lock(mu_);
      auto it = unrouted_.find(alert.topic);
      if (it != unrouted_.end()) {
        ++it->second;
      } else if (unrouted_.size() < kMaxUnroutedTopics) {
        unrouted_.emplace(alert.topic, 1);
        first = true;
      } else {
        ++unrouted_[""];  // the overflow bucket (no subscription topic can be empty)
      }
    }
    if (first)
      logger_->warn(
          "alerts for topic '{}' have no subscription and are not delivered (add an "
          "[[alerts.subscriptions]] with topic = \"{}\"); reported once per topic",
          alert.topic, alert.topic);
    return;
  }
  if (alert.id.empty()) alert.id = AlertId(alert.topic, alert.rule, alert.attributes);
  if (alert.event_time_ms == 0) alert.event_time_ms = WallClockMs();
  if (alert.severity.empty()) alert.severity = "warning";
  if (alert.subject.empty()) alert.subject = "fluxgate alert: " + alert.topic;
  auto delivery = std::make_shared<Delivery>();
  delivery->alert = std::move(alert);
  AppendAlertJson(delivery->alert, delivery->json);
  std::shared_ptr<const Delivery> shared = std::move(delivery);
  for (SubscriptionWorker* w : route->second) w->Enqueue(shared);
}

std::vector<std::string> AlertHub::Topics() const {
  std::vector<std::string> out;
  for (const auto& [topic, _] : routes_) out.push_back(topic);  // std::map: sorted
  return out;
}

std::vector<SubscriptionInfo> AlertHub::Subscriptions() const {
  std::vector<SubscriptionInfo> out;
  for (const auto& w : workers_) out.push_back(w->info());
  return out;
}

AlertHubStats AlertHub::Stats() const {
  AlertHubStats s;
  s.published = published_.load(std::memory_order_relaxed);
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& [_, n] : unrouted_) s.unrouted += n;
  }
  for (const auto& w : workers_) s.subscriptions.push_back(w->stats());
  return s;
}

Status AlertHub::Stop() {
  std::lock_guard<std::mutex> lock(stop_mu_);
  if (stopped_) return stop_status_;
  stopped_ = true;
  const auto deadline =
      SubscriptionWorker::Clock::now() + std::chrono::milliseconds(drain_timeout_ms_);
  for (auto& w : workers_) w->BeginStop(deadline);  // all drain at once
  uint64_t abandoned = 0;
  for (auto& w : workers_) {
    w->Join();
    abandoned += w->abandoned();
  }
  if (abandoned > 0)
    stop_status_ = Status::Unavailable(std::to_string(abandoned) +
                                       " alert(s) not delivered within alerts.drain_timeout_ms (" +
                                       std::to_string(drain_timeout_ms_) + " ms)");
  return stop_status_;
}

}  // namespace fluxgate::alerts
