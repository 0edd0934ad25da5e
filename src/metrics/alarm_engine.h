// AlarmEngine: runs the configured alarms over the metric registry. Every sample interval
// it scrapes the registry, folds each alarm's metric into the current period, and when a
// period ends turns it into one datapoint (the alarm's statistic) and evaluates the alarm
// (alarm.h). State changes go to the transition callback (the server publishes them as
// alerts to the alarm's topic).
//
// How samples become datapoints (docs/design/metrics.md, "Datapoints"):
//   - counters: each sample contributes one raw value, the increase since the previous
//     sample summed over the matching series (a decrease is a reset: the new value counts);
//     the first sample of the engine only sets the baseline. Sum is then "increase in the
//     period"; SampleCount the number of samples.
//   - gauges: every matching series' value at every sample is one raw value.
//   - histograms: the bucket increases of the matching series are merged over the period;
//     a period without observations is missing.
//   A period in which no matching series existed is missing.
// Periods are aligned to the first sample (the engine's start), so none is partial.
//
// Thread-safety: Sample/Tick/Statuses/Json may be called from any thread (one mutex);
// the callback runs on the sampling thread without that mutex held. Start/Stop from one
// thread.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "metrics/alarm.h"
#include "metrics/family.h"

namespace fluxgate::metrics {

class Registry;

struct AlarmEngineOptions {
  // Wall clock in epoch ms; empty: the system clock. Tests inject one and call Sample().
  std::function<int64_t()> clock;
  std::function<void(const AlarmTransition&)> on_transition;
  // How often Start()'s thread samples; lowered to half the shortest period (at least
  // 100 ms) so every period gets samples.
  int64_t sample_interval_ms = 5'000;
  size_t history_periods = 20;  // completed datapoints kept per alarm for /v1/alarms
};

struct Datapoint {
  int64_t start_ms = 0;  // the period [start_ms, start_ms + period_ms)
  std::optional<double> value;
};

struct AlarmStatus {
  AlarmSpec spec;
  AlarmState state = AlarmState::kInsufficientData;
  std::string reason;
  int64_t last_transition_ms = 0;  // 0: never changed state
  int64_t last_evaluation_ms = 0;  // 0: no period has ended yet
  std::vector<Datapoint> recent;   // oldest first, at most history_periods
};

class AlarmEngine {
 public:
  // `registry` (may be null when only Sample() is used) must outlive the engine.
  AlarmEngine(std::vector<AlarmSpec> alarms, const Registry* registry, AlarmEngineOptions options);
  ~AlarmEngine();
  AlarmEngine(const AlarmEngine&) = delete;
  AlarmEngine& operator=(const AlarmEngine&) = delete;

  void Start();  // the sampling thread
  void Stop();   // idempotent

  // One scrape of the registry at clock().
  void Tick();
  // Folds one scrape taken at `now_ms` into every alarm, first closing (and evaluating)
  // the periods that ended at or before now_ms.
  void Sample(const std::vector<MetricFamily>& families, int64_t now_ms);

  std::vector<AlarmStatus> Statuses() const;
  // {"alarms":[{"name","description","metric","labels":{},"statistic","period_seconds",
  //  "evaluation_periods","datapoints_to_alarm","comparison","threshold",
  //  "treat_missing_data","topic","state","reason","last_transition","last_evaluation",
  //  "datapoints":[{"start","value"}]}]}  (times as epoch seconds; null if never)
  std::string Json() const;
  int64_t sample_interval_ms() const { return interval_ms_; }

 private:
  struct Runtime;
  int64_t Now() const;
  void Loop();

  const Registry* registry_;
  AlarmEngineOptions options_;
  int64_t interval_ms_;

  mutable std::mutex mu_;
  std::vector<std::unique_ptr<Runtime>> alarms_;  // GUARDED_BY(mu_)

  std::mutex stop_mu_;
  std::condition_variable stop_cv_;
  bool stopping_ = false;  // GUARDED_BY(stop_mu_)
  std::thread thread_;
};

// A JSON document with the engine's alarm states (AlarmEngine::Json), or {"alarms":[]}
// when `engine` is null: what the dashboard and GET /v1/alarms serve.
std::string AlarmsJson(const AlarmEngine* engine);

}  // namespace fluxgate::metrics
