#include "alerts/alert_hub.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <simdjson.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <climits>
#include <fstream>
#include <iterator>

#include "alerts/channel.h"
#include "alerts/cooldown_folder.h"
#include "alerts/dead_letters.h"
#include "alerts/filter_policy.h"
#include "alerts/outbox.h"
#include "alerts/subscription_worker.h"
#include "common/json_writer.h"
#include "common/logging.h"
#include "common/posix_io.h"

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
// Fold windows kept at most (one per rule and device).
constexpr size_t kMaxFoldKeys = 100'000;
// How often the fold thread looks for ended windows, at most.
constexpr int64_t kFoldTickMs = 50;

const std::string& FullTarget(const ServeConfig::Alerts::Subscription& s) {
  if (s.kind == "file") return s.path;
  if (s.kind == "email") return s.address;
  return s.url;
}

}  // namespace

std::string SubscriptionId(const ServeConfig::Alerts::Subscription& sub) {
  return "sub-" + AlertId(sub.topic, sub.kind, FullTarget(sub) + "\n" + sub.filter).substr(0, 16);
}

AlertHub::AlertHub(const ServeConfig::Alerts& config, std::string dir)
    : config_(config), dir_(std::move(dir)), logger_(GetLogger("alerts")) {
  if (config.cooldown_ms > 0)
    folder_ = std::make_unique<CooldownFolder>(config.cooldown_ms, kMaxFoldKeys);
}

Result<std::unique_ptr<SubscriptionWorker>> AlertHub::MakeWorker(
    const ServeConfig::Alerts::Subscription& sub, const std::string& origin,
    const std::string& key) {
  auto fail = [&](const Status& st) {
    const std::string what = key + " (topic '" + sub.topic + "'): " + st.message();
    return st.IsInvalidArgument() ? Status::InvalidArgument(what) : Status::IOError(what);
  };
  std::optional<FilterPolicy> filter;
  if (!sub.filter.empty()) {
    auto parsed = FilterPolicy::Parse(sub.filter);
    if (!parsed.ok()) return fail(parsed.status());
    filter = std::move(parsed).value();
  }
  auto channel = MakeChannel(sub, config_);
  if (!channel.ok()) return fail(channel.status());
  SubscriptionInfo info{SubscriptionId(sub),          sub.topic, sub.kind, (*channel)->target(),
                        filter ? filter->json() : "", origin};
  return std::make_unique<SubscriptionWorker>(std::move(info), std::move(channel).value(),
                                              std::move(filter), config_, outbox_.get(),
                                              dead_.get());
}

void AlertHub::AddWorkerLocked(std::unique_ptr<SubscriptionWorker> w) {
  SubscriptionWorker* p = w.get();
  order_.push_back(p->info().id);
  routes_[p->info().topic].push_back(p);
  workers_[p->info().id] = std::move(w);
}

Result<std::unique_ptr<AlertHub>> AlertHub::Start(const ServeConfig::Alerts& config,
                                                  const std::string& data_dir) {
  FG_RETURN_IF_ERROR(ValidateAlertsConfig(config));
  const std::string dir = data_dir.empty() ? "" : data_dir + "/alerts";
  std::unique_ptr<AlertHub> hub(new AlertHub(config, dir));
  std::vector<Outbox::Pending> recovered;
  if (!dir.empty()) {
    if (::mkdir(data_dir.c_str(), 0750) != 0 && errno != EEXIST)
      return Status::FromErrno("cannot create data directory " + data_dir, errno);
    FG_ASSIGN_OR_RETURN(hub->dead_, DeadLetters::Open(dir, config.dead_letter_limit, true));
    FG_ASSIGN_OR_RETURN(hub->outbox_, Outbox::Open(dir, config.outbox_max_bytes, true, &recovered));
  }
  std::vector<std::unique_ptr<SubscriptionWorker>> workers;
  for (size_t i = 0; i < config.subscriptions.size(); ++i) {
    FG_ASSIGN_OR_RETURN(auto w, hub->MakeWorker(config.subscriptions[i], "config",
                                                "alerts.subscriptions[" + std::to_string(i) + "]"));
    workers.push_back(std::move(w));
  }
  std::vector<ServeConfig::Alerts::Subscription> runtime;
  FG_RETURN_IF_ERROR(hub->LoadRuntimeSubscriptions(&runtime));
  {
    std::unique_lock<std::shared_mutex> lock(hub->routes_mu_);
    for (auto& w : workers) hub->AddWorkerLocked(std::move(w));
    for (const auto& sub : runtime) {
      const std::string id = SubscriptionId(sub);
      if (hub->workers_.count(id)) continue;  // now also in the config file
      auto w = hub->MakeWorker(sub, "api", dir + "/subscriptions.json " + id);
      if (!w.ok()) {
        // A run-time subscription that no longer works (a file path gone) must not stop the
        // server: it is kept on disk, reported, and not delivered to.
        hub->logger_->error("run-time alert subscription {} not started: {}", id,
                            w.status().message());
        continue;
      }
      hub->runtime_subs_[id] = sub;
      hub->AddWorkerLocked(std::move(w).value());
    }
    // Threads only once every channel is set up, so a failed Start leaves nothing running.
    for (const std::string& id : hub->order_) {
      SubscriptionWorker* w = hub->workers_[id].get();
      w->Start();
      hub->logger_->info("alert subscription {}: topic '{}' → {} {}", id, w->info().topic,
                         w->info().kind, w->info().target);
    }
    uint64_t orphaned = 0;
    for (Outbox::Pending& p : recovered) {
      auto d = std::make_shared<Delivery>();
      d->alert = std::move(p.alert);
      d->seq = p.seq;
      AppendAlertJson(d->alert, d->json);
      std::shared_ptr<const Delivery> shared = std::move(d);
      for (const std::string& id : p.subscriptions) {
        auto it = hub->workers_.find(id);
        if (it == hub->workers_.end()) {
          hub->outbox_->MarkDone(p.seq, id);
          ++orphaned;
          continue;
        }
        it->second->Enqueue(shared);
        ++hub->replayed_;
      }
    }
    if (hub->replayed_ > 0)
      hub->logger_->info("alert outbox: delivering {} alert(s) left undelivered by the last run",
                         hub->replayed_);
    if (orphaned > 0)
      hub->logger_->warn(
          "alert outbox: {} undelivered alert(s) were for subscriptions that no longer exist; "
          "dropped",
          orphaned);
  }
  if (hub->folder_) {
    hub->fold_thread_ = std::thread([h = hub.get()] {
      pthread_setname_np(pthread_self(), "fg-alert-fold");
      h->FoldLoop();
    });
  }
  return hub;
}

AlertHub::~AlertHub() { (void)Stop(); }

bool AlertHub::Prepare(Alert& alert) {
  published_.fetch_add(1, std::memory_order_relaxed);
  if (alert.id.empty()) alert.id = AlertId(alert.topic, alert.rule, alert.attributes);
  if (alert.event_time_ms == 0) alert.event_time_ms = WallClockMs();
  if (alert.severity.empty()) alert.severity = "warning";
  if (alert.subject.empty()) alert.subject = "fluxgate alert: " + alert.topic;
  if (folder_ && !stopped_.load()) {
    std::lock_guard<std::mutex> lock(fold_mu_);
    if (!folder_->Admit(alert, WallClockMs())) return false;
  }
  return true;
}

void AlertHub::Publish(Alert alert) {
  if (Prepare(alert)) Route(std::move(alert), /*sync=*/true);
}

void AlertHub::Publish(std::vector<Alert> alerts) {
  bool routed = false;
  for (Alert& a : alerts) {
    if (!Prepare(a)) continue;
    Route(std::move(a), /*sync=*/false);
    routed = true;
  }
  // One fsync for the whole batch instead of one per alert.
  if (!routed || !outbox_) return;
  if (Status st = outbox_->Sync(); !st.ok())
    logger_->error("alert outbox fsync failed: {}", st.message());
}

std::string AlertHub::PublishTest(const std::string& topic, const std::string& message) {
  Alert a;
  a.topic = topic;
  a.rule = "fluxgate-test";
  a.severity = "info";
  a.subject = "fluxgate test alert";
  a.message = message.empty() ? "Test alert from fluxgate" : message;
  a.event_time_ms = WallClockMs();
  std::string attrs;
  JsonWriter w(attrs);
  w.BeginObject().Key("test").Bool(true).Key("sent_at_ms").Int(a.event_time_ms).EndObject();
  a.attributes = std::move(attrs);
  a.id = AlertId(a.topic, a.rule, a.attributes);
  std::string id = a.id;
  Route(std::move(a), /*sync=*/true);  // not folded: every test should arrive
  return id;
}

void AlertHub::Route(Alert alert, bool sync) {
  auto d = std::make_shared<Delivery>();
  d->alert = std::move(alert);
  AppendAlertJson(d->alert, d->json);
  {
    std::lock_guard<std::mutex> lock(mu_);
    recent_.push_back(d->json);
    if (recent_.size() > kRecentLimit) recent_.pop_front();
  }
  std::shared_lock<std::shared_mutex> routes_lock(routes_mu_);
  auto route = routes_.find(d->alert.topic);
  if (route == routes_.end()) {
    bool first = false;
    {
      std::lock_guard<std::mutex> lock(mu_);
      auto it = unrouted_.find(d->alert.topic);
      if (it != unrouted_.end()) {
        ++it->second;
      } else if (unrouted_.size() < kMaxUnroutedTopics) {
        unrouted_.emplace(d->alert.topic, 1);
        first = true;
      } else {
        ++unrouted_[""];  // the overflow bucket (no subscription topic can be empty)
      }
    }
    if (first)
      logger_->warn(
          "alerts for topic '{}' have no subscription and are not delivered (add an "
          "[[alerts.subscriptions]] with topic = \"{}\" or `fluxgate alerts subscribe`); "
          "reported once per topic",
          d->alert.topic, d->alert.topic);
    return;
  }
  std::vector<SubscriptionWorker*> targets;
  std::vector<std::string> ids;
  for (SubscriptionWorker* w : route->second) {
    if (!w->Accepts(d->alert)) continue;
    targets.push_back(w);
    ids.push_back(w->info().id);
  }
  if (targets.empty()) {
    filtered_out_.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  if (outbox_ && !stopped_.load()) {
    auto seq = outbox_->Append(d->alert, ids, sync);
    if (!seq.ok()) {
      outbox_refused_.fetch_add(1, std::memory_order_relaxed);
      bool log = false;
      {
        std::lock_guard<std::mutex> lock(mu_);
        const auto now = std::chrono::steady_clock::now();
        if (now - last_refusal_log_ >= std::chrono::seconds(10)) {
          last_refusal_log_ = now;
          log = true;
        }
      }
      if (log)
        logger_->error("alert {} for topic '{}' not accepted: {} (reported every 10 s at most)",
                       d->alert.id, d->alert.topic, seq.status().message());
      return;
    }
    d->seq = *seq;
  }
  std::shared_ptr<const Delivery> shared = std::move(d);
  for (SubscriptionWorker* w : targets) w->Enqueue(shared);
}

void AlertHub::FoldLoop() {
  std::unique_lock<std::mutex> lock(fold_mu_);
  while (!fold_stop_) {
    const int64_t now = WallClockMs();
    std::vector<Alert> summaries = folder_->Expire(now);
    if (!summaries.empty()) {
      lock.unlock();
      for (Alert& a : summaries) {
        summaries_.fetch_add(1, std::memory_order_relaxed);
        Route(std::move(a), /*sync=*/true);
      }
      lock.lock();
      continue;
    }
    // At most kFoldTickMs even with no window: one opened meanwhile must end on time.
    const int64_t next = folder_->NextDeadline();
    const int64_t wait =
        next == INT64_MAX ? kFoldTickMs : std::clamp<int64_t>(next - now, 1, kFoldTickMs);
    fold_cv_.wait_for(lock, std::chrono::milliseconds(wait));
  }
}

Result<SubscriptionInfo> AlertHub::Subscribe(const ServeConfig::Alerts::Subscription& sub) {
  if (stopped_.load()) return Status::Unavailable("the alert hub is shutting down");
  FG_RETURN_IF_ERROR(ValidateAlertSubscription(sub, config_.smtp, ""));
  const std::string id = SubscriptionId(sub);
  {
    std::shared_lock<std::shared_mutex> lock(routes_mu_);
    if (workers_.count(id))
      return Status::AlreadyExists("subscription " + id +
                                   " already exists (same topic, kind, target and filter)");
  }
  FG_ASSIGN_OR_RETURN(auto w, MakeWorker(sub, "api", "subscription"));
  SubscriptionInfo info = w->info();
  std::unique_lock<std::shared_mutex> lock(routes_mu_);
  if (workers_.count(id)) return Status::AlreadyExists("subscription " + id + " already exists");
  runtime_subs_[id] = sub;
  if (Status st = SaveRuntimeSubscriptionsLocked(); !st.ok()) {
    runtime_subs_.erase(id);
    return st;
  }
  w->Start();
  AddWorkerLocked(std::move(w));
  logger_->info("alert subscription {} added: topic '{}' → {} {}", id, info.topic, info.kind,
                info.target);
  return info;
}

Status AlertHub::Unsubscribe(const std::string& id) {
  std::unique_ptr<SubscriptionWorker> gone;
  {
    std::unique_lock<std::shared_mutex> lock(routes_mu_);
    auto it = workers_.find(id);
    if (it == workers_.end()) return Status::NotFound("no alert subscription " + id);
    if (it->second->info().origin != "api")
      return Status::InvalidArgument("subscription " + id +
                                     " comes from the config file; remove it there");
    auto saved = runtime_subs_.find(id);
    ServeConfig::Alerts::Subscription sub = saved->second;
    runtime_subs_.erase(saved);
    if (Status st = SaveRuntimeSubscriptionsLocked(); !st.ok()) {
      runtime_subs_[id] = sub;
      return st;
    }
    gone = std::move(it->second);
    workers_.erase(it);
    order_.erase(std::find(order_.begin(), order_.end(), id));
    auto& list = routes_[gone->info().topic];
    list.erase(std::find(list.begin(), list.end(), gone.get()));
    if (list.empty()) routes_.erase(gone->info().topic);
  }
  gone->Retire();
  logger_->info("alert subscription {} removed", id);
  return Status::Ok();
}

Status AlertHub::SaveRuntimeSubscriptionsLocked() const {
  if (dir_.empty()) return Status::Ok();
  std::string out;
  JsonWriter w(out);
  w.BeginObject().Key("version").Int(1).Key("subscriptions").BeginArray();
  for (const auto& [id, s] : runtime_subs_) {
    w.BeginObject().Key("id").String(id).Key("topic").String(s.topic).Key("kind").String(s.kind);
    if (!s.url.empty()) w.Key("url").String(s.url);
    if (!s.address.empty()) w.Key("address").String(s.address);
    if (!s.path.empty()) w.Key("path").String(s.path);
    if (s.fsync) w.Key("fsync").Bool(true);
    if (!s.ca_file.empty()) w.Key("ca_file").String(s.ca_file);
    if (!s.secret.empty()) w.Key("secret").String(s.secret);
    if (!s.filter.empty()) w.Key("filter").String(s.filter);
    w.EndObject();
  }
  w.EndArray().EndObject();
  out.push_back('\n');
  const std::string path = dir_ + "/subscriptions.json";
  const std::string tmp = path + ".tmp";
  // 0600: webhook URLs and secrets are credentials.
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return Status::FromErrno("cannot create " + tmp, errno);
  Status st = WriteFully(fd, out, tmp);
  if (st.ok()) st = DataSync(fd, tmp);
  ::close(fd);
  if (st.ok() && ::rename(tmp.c_str(), path.c_str()) != 0)
    st = Status::FromErrno("cannot rename " + tmp, errno);
  return st;
}

Status AlertHub::LoadRuntimeSubscriptions(
    std::vector<ServeConfig::Alerts::Subscription>* out) const {
  if (dir_.empty()) return Status::Ok();
  const std::string path = dir_ + "/subscriptions.json";
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::Ok();
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  simdjson::dom::array subs;
  if (parser.parse(simdjson::padded_string(text)).get(root) || root["subscriptions"].get(subs))
    return Status::Corruption(path + " is not a subscription list; fix or remove it");
  for (simdjson::dom::element e : subs) {
    ServeConfig::Alerts::Subscription s;
    auto str = [&](const char* key, std::string& field) {
      std::string_view v;
      if (!e[key].get(v)) field = std::string(v);
    };
    str("topic", s.topic);
    str("kind", s.kind);
    str("url", s.url);
    str("address", s.address);
    str("path", s.path);
    str("ca_file", s.ca_file);
    str("secret", s.secret);
    str("filter", s.filter);
    bool fsync = false;
    if (!e["fsync"].get(fsync)) s.fsync = fsync;
    out->push_back(std::move(s));
  }
  return Status::Ok();
}

std::vector<std::string> AlertHub::Topics() const {
  std::shared_lock<std::shared_mutex> lock(routes_mu_);
  std::vector<std::string> out;
  for (const auto& [topic, _] : routes_) out.push_back(topic);  // std::map: sorted
  return out;
}

std::vector<SubscriptionInfo> AlertHub::Subscriptions() const {
  std::shared_lock<std::shared_mutex> lock(routes_mu_);
  std::vector<SubscriptionInfo> out;
  for (const std::string& id : order_) out.push_back(workers_.at(id)->info());
  return out;
}

AlertHubStats AlertHub::Stats() const {
  AlertHubStats s;
  s.published = published_.load(std::memory_order_relaxed);
  s.filtered_out = filtered_out_.load(std::memory_order_relaxed);
  s.summaries = summaries_.load(std::memory_order_relaxed);
  s.outbox_refused = outbox_refused_.load(std::memory_order_relaxed);
  s.replayed = replayed_;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& [_, n] : unrouted_) s.unrouted += n;
  }
  if (folder_) {
    std::lock_guard<std::mutex> lock(fold_mu_);
    s.folded = folder_->folded();
    s.fold_overflow = folder_->overflow();
  }
  if (outbox_) {
    const Outbox::Stats o = outbox_->stats();
    s.outbox_bytes = o.file_bytes;
    s.outbox_pending = o.pending_alerts;
  }
  if (dead_) s.dead_letters = dead_->size();
  std::shared_lock<std::shared_mutex> lock(routes_mu_);
  for (const std::string& id : order_) {
    s.subscriptions.push_back(workers_.at(id)->stats());
    s.retried += s.subscriptions.back().retried;
    s.failed += s.subscriptions.back().failed;
  }
  return s;
}

std::string AlertHub::Recent(size_t n) const {
  std::lock_guard<std::mutex> lock(mu_);
  std::string out = "[";
  const size_t from = recent_.size() > n ? recent_.size() - n : 0;
  for (size_t i = from; i < recent_.size(); ++i) {
    if (i > from) out.push_back(',');
    out += recent_[i];
  }
  out.push_back(']');
  return out;
}

std::string AlertHub::DeadLetters(size_t n) const { return dead_ ? dead_->ListJson(n) : "[]"; }

Status AlertHub::Stop() {
  std::lock_guard<std::mutex> lock(stop_mu_);
  if (stopped_.load()) return stop_status_;
  if (fold_thread_.joinable()) {
    {
      std::lock_guard<std::mutex> fl(fold_mu_);
      fold_stop_ = true;
    }
    fold_cv_.notify_all();
    fold_thread_.join();
    // Windows with repeats still owe their summary: send it now rather than lose the count.
    std::vector<Alert> summaries;
    {
      std::lock_guard<std::mutex> fl(fold_mu_);
      summaries = folder_->Expire(INT64_MAX / 2);
    }
    for (Alert& a : summaries) {
      summaries_.fetch_add(1, std::memory_order_relaxed);
      Route(std::move(a), /*sync=*/true);
    }
  }
  stopped_.store(true);
  const auto deadline =
      SubscriptionWorker::Clock::now() + std::chrono::milliseconds(config_.drain_timeout_ms);
  std::shared_lock<std::shared_mutex> routes_lock(routes_mu_);
  for (auto& [_, w] : workers_) w->BeginStop(deadline);  // all drain at once
  uint64_t abandoned = 0;
  for (auto& [_, w] : workers_) {
    w->Join();
    abandoned += w->abandoned();
  }
  if (abandoned > 0)
    stop_status_ = Status::Unavailable(
        std::to_string(abandoned) + " alert(s) not delivered within alerts.drain_timeout_ms (" +
        std::to_string(config_.drain_timeout_ms) + " ms)" +
        (outbox_ ? "; they stay in the outbox for the next start" : ""));
  return stop_status_;
}

}  // namespace fluxgate::alerts
