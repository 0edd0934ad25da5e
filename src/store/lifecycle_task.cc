#include "store/lifecycle_task.h"

#include "common/logging.h"

namespace fluxgate::store {
namespace {

void Add(LifecycleStats& t, const LifecycleStats& s) {
  t.expired_objects += s.expired_objects;
  t.expired_bytes += s.expired_bytes;
  t.undated_kept += s.undated_kept;
  t.compactions += s.compactions;
  t.compacted_inputs += s.compacted_inputs;
  t.compacted_bytes += s.compacted_bytes;
  t.rolled_forward += s.rolled_forward;
  t.rolled_back += s.rolled_back;
  t.merge_failures += s.merge_failures;
}

}  // namespace

Result<std::unique_ptr<LifecycleTask>> LifecycleTask::Create(const LifecycleConfig& config,
                                                             OpenFn open, NowFn now) {
  FG_RETURN_IF_ERROR(ValidateLifecycleConfig(config));
  std::vector<Rule> rules;
  for (size_t i = 0; i < config.rules.size(); ++i) {
    auto loc = ParseSinkLocation(config.rules[i].path);
    if (!loc.ok()) {
      return Status::InvalidArgument("lifecycle.rules[" + std::to_string(i) +
                                     "].path: " + loc.status().message());
    }
    rules.push_back(Rule{config.rules[i], std::move(loc).value()});
  }
  return std::unique_ptr<LifecycleTask>(new LifecycleTask(std::move(rules), config.interval_seconds,
                                                          std::move(open), std::move(now)));
}

LifecycleTask::LifecycleTask(std::vector<Rule> rules, uint32_t interval_seconds, OpenFn open,
                             NowFn now)
    : rules_(std::move(rules)),
      interval_seconds_(interval_seconds),
      open_(std::move(open)),
      now_(std::move(now)) {}

LifecycleTask::~LifecycleTask() { Stop(); }

void LifecycleTask::Start() {
  if (rules_.empty() || thread_.joinable()) return;
  thread_ = std::thread([this] { Loop(); });
}

void LifecycleTask::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void LifecycleTask::Loop() {
  while (true) {
    Status st = RunOnce();
    (void)st;  // logged per rule
    std::unique_lock<std::mutex> lock(mu_);
    if (cv_.wait_for(lock, std::chrono::seconds(interval_seconds_), [this] { return stop_; })) {
      return;
    }
  }
}

Status LifecycleTask::RunOnce() {
  std::lock_guard<std::mutex> run(run_mu_);
  Status first;
  auto log = GetLogger("store");
  for (const Rule& r : rules_) {
    auto target = open_(r.location);
    Status st = target.status();
    if (st.ok()) {
      LifecycleRule rule;
      rule.bucket = target->bucket;
      rule.prefix = target->prefix;
      rule.expire_after_ms = int64_t{r.config.expire_after_days} * 86'400'000;
      rule.compact = r.config.compact;
      rule.compact_min_files = r.config.compact_min_files;
      rule.compact_target_bytes = r.config.compact_target_bytes;
      rule.compact_min_age_ms = int64_t{r.config.compact_min_age_seconds} * 1000;
      auto stats = RunLifecycle(target->store.get(), rule, now_());
      st = stats.status();
      if (stats.ok()) {
        const LifecycleStats& s = *stats;
        if (s.expired_objects + s.compactions + s.rolled_forward + s.rolled_back > 0) {
          log->info(
              "lifecycle {}: {} objects expired ({} bytes), {} files compacted into {}, "
              "{} interrupted compactions finished, {} undone",
              r.config.path, s.expired_objects, s.expired_bytes, s.compacted_inputs, s.compactions,
              s.rolled_forward, s.rolled_back);
        }
        std::lock_guard<std::mutex> lock(mu_);
        Add(totals_, s);
      }
    }
    if (!st.ok()) {
      log->warn("lifecycle {}: {} (retried on the next pass)", r.config.path, st.ToString());
      if (first.ok()) first = st;
    }
  }
  return first;
}

LifecycleStats LifecycleTask::totals() const {
  std::lock_guard<std::mutex> lock(mu_);
  return totals_;
}

}  // namespace fluxgate::store
