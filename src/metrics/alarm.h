// Alarm: one CloudWatch-style metric alarm — its definition (AlarmSpec) and the pure state
// machine that turns the datapoints of an evaluation range into OK / ALARM /
// INSUFFICIENT_DATA (docs/design/metrics.md, "Alarms", which cites the CloudWatch rules
// this follows).
//
//   Alarm alarm(spec);                       // starts in INSUFFICIENT_DATA
//   auto t = alarm.Evaluate(range, now_ms);  // range: oldest first, nullopt = missing
//   if (t) publish(*t);                      // only when the state changed
//
// Datapoints come from AlarmEngine (alarm_engine.h), which samples the metric registry;
// tests feed hand-computed ranges directly. Thread-safety: none; AlarmEngine serializes.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/config_alarms.h"
#include "common/status.h"
#include "metrics/family.h"

namespace fluxgate::metrics {

enum class AlarmState { kOk, kAlarm, kInsufficientData };
const char* AlarmStateName(AlarmState s);  // "OK" | "ALARM" | "INSUFFICIENT_DATA"

struct Statistic {
  enum Kind { kSum, kAverage, kMinimum, kMaximum, kSampleCount, kPercentile } kind = kSum;
  double percentile = 0;  // kPercentile: 0 < p <= 100 ("p99" -> 99, "p99.9" -> 99.9)
};
// "Sum", "Average", "Minimum", "Maximum", "SampleCount", "pNN" / "pNN.N" (as CloudWatch).
Result<Statistic> ParseStatistic(std::string_view text);
std::string StatisticName(const Statistic& s);

enum class Comparison {
  kGreaterThan,
  kGreaterThanOrEqual,
  kLessThan,
  kLessThanOrEqual,
};
// "GreaterThanThreshold", "GreaterThanOrEqualToThreshold", "LessThanThreshold",
// "LessThanOrEqualToThreshold".
Result<Comparison> ParseComparison(std::string_view text);
const char* ComparisonName(Comparison c);

enum class TreatMissing { kMissing, kNotBreaching, kBreaching, kIgnore };
// "missing" | "notBreaching" | "breaching" | "ignore"
Result<TreatMissing> ParseTreatMissing(std::string_view text);
const char* TreatMissingName(TreatMissing t);

struct AlarmSpec {
  std::string name;
  std::string description;
  std::string metric;  // family name as exposed, e.g. fluxgate_stream_incoming_records_total
  Labels labels;       // a series matches when it has every one of these label values
  Statistic statistic;
  int64_t period_ms = 300'000;
  uint32_t evaluation_periods = 1;   // N
  uint32_t datapoints_to_alarm = 1;  // M, 1 <= M <= N
  Comparison comparison = Comparison::kGreaterThan;
  double threshold = 0;
  TreatMissing treat_missing = TreatMissing::kMissing;
  std::string topic;  // alert topic transitions are published to
};

// The spec for a validated [[alarms]] entry (InvalidArgument naming the key otherwise).
Result<AlarmSpec> AlarmSpecFromConfig(const AlarmsConfig::Alarm& config);

// How many periods back an evaluation looks for datapoints (CloudWatch's "evaluation
// range", wider than N so missing datapoints can be skipped over): N + 2, at least 5.
uint32_t EvaluationRange(const AlarmSpec& spec);

struct AlarmTransition {
  std::string alarm;
  std::string description;
  std::string topic;
  AlarmState old_state = AlarmState::kInsufficientData;
  AlarmState new_state = AlarmState::kInsufficientData;
  std::string reason;  // "Threshold Crossed: 2 out of the last 2 datapoints [150, 120] ..."
  int64_t time_ms = 0;
  std::vector<std::optional<double>> datapoints;  // the evaluation range, oldest first
  double threshold = 0;
};

class Alarm {
 public:
  explicit Alarm(AlarmSpec spec) : spec_(std::move(spec)) {}

  const AlarmSpec& spec() const { return spec_; }
  AlarmState state() const { return state_; }
  const std::string& reason() const { return reason_; }
  int64_t last_transition_ms() const { return last_transition_ms_; }

  // Evaluates `range` (the most recent EvaluationRange() periods, oldest first; nullopt
  // for a period without data; shorter at start-up) and moves to the resulting state.
  // Returns the transition if the state changed.
  std::optional<AlarmTransition> Evaluate(std::span<const std::optional<double>> range,
                                          int64_t now_ms);

  // Whether one datapoint breaches the threshold under the spec's comparison.
  bool Breaches(double value) const;

 private:
  AlarmSpec spec_;
  AlarmState state_ = AlarmState::kInsufficientData;
  std::string reason_ = "Unchecked: initial alarm creation";
  int64_t last_transition_ms_ = 0;
};

// The statistic of the raw values of one period (non-empty): Sum, Average, Minimum,
// Maximum, SampleCount, or a nearest-rank percentile.
double ComputeStatistic(const Statistic& s, std::span<const double> values);
// The statistic of the observations a histogram received in one period (bucket counts
// and sum are increments). Percentiles interpolate linearly inside the bucket (as
// Prometheus' histogram_quantile); Minimum/Maximum are the lower/upper bound of the lowest/
// highest non-empty bucket. nullopt if it received nothing.
std::optional<double> HistogramStatistic(const Statistic& s, const HistogramData& delta);

}  // namespace fluxgate::metrics
