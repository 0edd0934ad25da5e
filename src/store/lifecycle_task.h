// LifecycleTask: runs the [lifecycle] rules (store/lifecycle.h) in the server, in the
// background: one pass over every rule at start, then every interval_seconds.
//
// Each rule's path is resolved like a sink path (s3:// to [store.s3] or the embedded store,
// directories to themselves) through the `open` function the node gives it (SinkStoreOpener).
// A failing rule is logged and retried on the next pass; it never stops the others.
//
// Thread-safety: Start/Stop from one thread; RunOnce and totals() may be called from any
// thread (passes are serialized by run_mu_; totals guarded by mu_).
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "common/config_lifecycle.h"
#include "common/status.h"
#include "store/lifecycle.h"
#include "store/open_store.h"

namespace fluxgate::store {

class LifecycleTask {
 public:
  using OpenFn = std::function<Result<SinkStore>(const SinkLocation&)>;
  using NowFn = std::function<int64_t()>;  // Unix epoch milliseconds

  // InvalidArgument for a rule whose path does not parse.
  static Result<std::unique_ptr<LifecycleTask>> Create(const LifecycleConfig& config, OpenFn open,
                                                       NowFn now);
  ~LifecycleTask();  // stops the thread

  void Start();
  void Stop();
  // One pass over every rule at now(); the first rule's error is returned (the others
  // still run).
  Status RunOnce();
  LifecycleStats totals() const;

 private:
  struct Rule {
    LifecycleConfig::Rule config;
    SinkLocation location;
  };
  LifecycleTask(std::vector<Rule> rules, uint32_t interval_seconds, OpenFn open, NowFn now);
  void Loop();

  const std::vector<Rule> rules_;
  const uint32_t interval_seconds_;
  const OpenFn open_;
  const NowFn now_;
  std::mutex run_mu_;  // one pass at a time
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;      // GUARDED_BY(mu_)
  LifecycleStats totals_;  // GUARDED_BY(mu_)
  std::thread thread_;
};

}  // namespace fluxgate::store
