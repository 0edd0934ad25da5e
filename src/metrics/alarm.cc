#include "metrics/alarm.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "metrics/exposition.h"

namespace fluxgate::metrics {

const char* AlarmStateName(AlarmState s) {
  switch (s) {
    case AlarmState::kOk:
      return "OK";
    case AlarmState::kAlarm:
      return "ALARM";
    case AlarmState::kInsufficientData:
      return "INSUFFICIENT_DATA";
  }
  return "INSUFFICIENT_DATA";
}

Result<Statistic> ParseStatistic(std::string_view text) {
  const std::string s(text);
  if (!ValidAlarmStatistic(s))
    return Status::InvalidArgument("unknown statistic \"" + s +
                                   "\" (Sum, Average, Minimum, Maximum, SampleCount, pNN)");
  Statistic st;
  if (s == "Sum")
    st.kind = Statistic::kSum;
  else if (s == "Average")
    st.kind = Statistic::kAverage;
  else if (s == "Minimum")
    st.kind = Statistic::kMinimum;
  else if (s == "Maximum")
    st.kind = Statistic::kMaximum;
  else if (s == "SampleCount")
    st.kind = Statistic::kSampleCount;
  else {
    st.kind = Statistic::kPercentile;
    st.percentile = std::strtod(s.c_str() + 1, nullptr);
  }
  return st;
}

std::string StatisticName(const Statistic& s) {
  switch (s.kind) {
    case Statistic::kSum:
      return "Sum";
    case Statistic::kAverage:
      return "Average";
    case Statistic::kMinimum:
      return "Minimum";
    case Statistic::kMaximum:
      return "Maximum";
    case Statistic::kSampleCount:
      return "SampleCount";
    case Statistic::kPercentile: {
      std::string out = "p";
      AppendValue(s.percentile, out);
      return out;
    }
  }
  return "Sum";
}

Result<Comparison> ParseComparison(std::string_view t) {
  if (t == "GreaterThanThreshold") return Comparison::kGreaterThan;
  if (t == "GreaterThanOrEqualToThreshold") return Comparison::kGreaterThanOrEqual;
  if (t == "LessThanThreshold") return Comparison::kLessThan;
  if (t == "LessThanOrEqualToThreshold") return Comparison::kLessThanOrEqual;
  return Status::InvalidArgument("unknown comparison \"" + std::string(t) + "\"");
}

const char* ComparisonName(Comparison c) {
  switch (c) {
    case Comparison::kGreaterThan:
      return "GreaterThanThreshold";
    case Comparison::kGreaterThanOrEqual:
      return "GreaterThanOrEqualToThreshold";
    case Comparison::kLessThan:
      return "LessThanThreshold";
    case Comparison::kLessThanOrEqual:
      return "LessThanOrEqualToThreshold";
  }
  return "GreaterThanThreshold";
}

Result<TreatMissing> ParseTreatMissing(std::string_view t) {
  if (t == "missing") return TreatMissing::kMissing;
  if (t == "notBreaching") return TreatMissing::kNotBreaching;
  if (t == "breaching") return TreatMissing::kBreaching;
  if (t == "ignore") return TreatMissing::kIgnore;
  return Status::InvalidArgument("unknown treat_missing_data \"" + std::string(t) + "\"");
}

const char* TreatMissingName(TreatMissing t) {
  switch (t) {
    case TreatMissing::kMissing:
      return "missing";
    case TreatMissing::kNotBreaching:
      return "notBreaching";
    case TreatMissing::kBreaching:
      return "breaching";
    case TreatMissing::kIgnore:
      return "ignore";
  }
  return "missing";
}

Result<AlarmSpec> AlarmSpecFromConfig(const AlarmsConfig::Alarm& c) {
  AlarmsConfig one;
  one.alarms = {c};
  FG_RETURN_IF_ERROR(ValidateAlarmsConfig(one));
  AlarmSpec s;
  s.name = c.name;
  s.description = c.description;
  s.metric = c.metric;
  s.labels = c.labels;
  FG_ASSIGN_OR_RETURN(s.statistic, ParseStatistic(c.statistic));
  s.period_ms = int64_t{c.period_seconds} * 1000;
  s.evaluation_periods = c.evaluation_periods;
  s.datapoints_to_alarm = c.datapoints_to_alarm == 0 ? c.evaluation_periods : c.datapoints_to_alarm;
  FG_ASSIGN_OR_RETURN(s.comparison, ParseComparison(c.comparison));
  s.threshold = c.threshold;
  FG_ASSIGN_OR_RETURN(s.treat_missing, ParseTreatMissing(c.treat_missing_data));
  s.topic = c.topic;
  return s;
}

uint32_t EvaluationRange(const AlarmSpec& spec) {
  return std::max<uint32_t>(spec.evaluation_periods + 2, 5);
}

bool Alarm::Breaches(double v) const {
  switch (spec_.comparison) {
    case Comparison::kGreaterThan:
      return v > spec_.threshold;
    case Comparison::kGreaterThanOrEqual:
      return v >= spec_.threshold;
    case Comparison::kLessThan:
      return v < spec_.threshold;
    case Comparison::kLessThanOrEqual:
      return v <= spec_.threshold;
  }
  return false;
}

namespace {

std::string FormatPoints(std::span<const double> points) {
  std::string out = "[";
  for (size_t i = 0; i < points.size(); ++i) {
    if (i) out.append(", ");
    AppendValue(points[i], out);
  }
  return out + "]";
}

const char* ComparisonWord(Comparison c) {
  switch (c) {
    case Comparison::kGreaterThan:
      return "greater than";
    case Comparison::kGreaterThanOrEqual:
      return "greater than or equal to";
    case Comparison::kLessThan:
      return "less than";
    case Comparison::kLessThanOrEqual:
      return "less than or equal to";
  }
  return "";
}

}  // namespace

// The rules (docs/design/metrics.md cites CloudWatch's "Configuring how CloudWatch alarms
// treat missing data"):
//  1. No real datapoint in the evaluation range: missing -> INSUFFICIENT_DATA; ignore ->
//     stay; breaching -> the N periods are breaching; notBreaching -> OK.
//  2. At least N real datapoints in the range: the most recent N real ones are evaluated
//     (older ones reach back over gaps) and treat_missing_data plays no part.
//  3. Fewer than N real ones: breaching / notBreaching fill the gap up to N with breaching /
//     good datapoints (all real ones count). missing / ignore evaluate only the real ones:
//     ALARM when at least min(M, real) of them breach — a missing datapoint is neither
//     breaching nor good.
std::optional<AlarmTransition> Alarm::Evaluate(std::span<const std::optional<double>> range,
                                               int64_t now_ms) {
  const uint32_t n = spec_.evaluation_periods;
  const uint32_t m = spec_.datapoints_to_alarm;
  std::vector<double> real;  // oldest first
  for (const auto& p : range)
    if (p) real.push_back(*p);

  AlarmState next = state_;
  std::string reason;
  const std::string threshold_text = [&] {
    std::string t;
    AppendValue(spec_.threshold, t);
    return t;
  }();
  if (real.empty()) {
    switch (spec_.treat_missing) {
      case TreatMissing::kMissing:
        next = AlarmState::kInsufficientData;
        reason =
            fmt::format("Insufficient Data: no datapoint in the last {} periods", range.size());
        break;
      case TreatMissing::kIgnore:
        reason = reason_;  // the current state is maintained
        break;
      case TreatMissing::kBreaching:
        next = m <= n ? AlarmState::kAlarm : AlarmState::kOk;
        reason = fmt::format(
            "Threshold Crossed: no datapoint in the last {} periods; missing data is treated as "
            "breaching",
            range.size());
        break;
      case TreatMissing::kNotBreaching:
        next = AlarmState::kOk;
        reason = fmt::format(
            "Threshold Crossed: no datapoint in the last {} periods; missing data is treated as "
            "not breaching",
            range.size());
        break;
    }
  } else {
    std::vector<double> evaluated;
    uint32_t breaching = 0;
    uint32_t needed = m;
    uint32_t filled = 0;
    if (real.size() >= n) {
      evaluated.assign(real.end() - n, real.end());
    } else {
      evaluated = real;
      if (spec_.treat_missing == TreatMissing::kBreaching) {
        filled = n - static_cast<uint32_t>(real.size());
        breaching += filled;
      } else if (spec_.treat_missing == TreatMissing::kNotBreaching) {
        filled = n - static_cast<uint32_t>(real.size());
      } else {
        needed = std::min<uint32_t>(m, static_cast<uint32_t>(real.size()));
      }
    }
    for (double v : evaluated) breaching += Breaches(v) ? 1 : 0;
    next = breaching >= needed ? AlarmState::kAlarm : AlarmState::kOk;
    const uint32_t total = static_cast<uint32_t>(evaluated.size()) + filled;
    reason = fmt::format(
        "Threshold Crossed: {} out of the last {} datapoints {} {} {} the threshold ({}){}",
        breaching, total, FormatPoints(evaluated), breaching == 1 ? "was" : "were",
        ComparisonWord(spec_.comparison), threshold_text,
        filled ? fmt::format("; {} missing datapoint{} treated as {}", filled,
                             filled == 1 ? "" : "s", TreatMissingName(spec_.treat_missing))
               : "");
    reason +=
        fmt::format(" (minimum {} datapoint{} for {} transition).", needed, needed == 1 ? "" : "s",
                    next == AlarmState::kAlarm ? "OK -> ALARM" : "ALARM -> OK");
  }
  if (next == state_) {
    if (!reason.empty()) reason_ = reason;
    return std::nullopt;
  }
  AlarmTransition t;
  t.alarm = spec_.name;
  t.description = spec_.description;
  t.topic = spec_.topic;
  t.old_state = state_;
  t.new_state = next;
  t.reason = reason;
  t.time_ms = now_ms;
  t.datapoints.assign(range.begin(), range.end());
  t.threshold = spec_.threshold;
  state_ = next;
  reason_ = std::move(reason);
  last_transition_ms_ = now_ms;
  return t;
}

double ComputeStatistic(const Statistic& s, std::span<const double> values) {
  if (values.empty()) return 0;
  switch (s.kind) {
    case Statistic::kSum: {
      double sum = 0;
      for (double v : values) sum += v;
      return sum;
    }
    case Statistic::kAverage: {
      double sum = 0;
      for (double v : values) sum += v;
      return sum / static_cast<double>(values.size());
    }
    case Statistic::kMinimum:
      return *std::min_element(values.begin(), values.end());
    case Statistic::kMaximum:
      return *std::max_element(values.begin(), values.end());
    case Statistic::kSampleCount:
      return static_cast<double>(values.size());
    case Statistic::kPercentile: {
      // Nearest rank: the smallest value with at least p% of the values at or below it.
      std::vector<double> sorted(values.begin(), values.end());
      std::sort(sorted.begin(), sorted.end());
      const double rank = std::ceil(s.percentile / 100.0 * static_cast<double>(sorted.size()));
      const size_t i = rank < 1 ? 0 : static_cast<size_t>(rank) - 1;
      return sorted[std::min(i, sorted.size() - 1)];
    }
  }
  return 0;
}

std::optional<double> HistogramStatistic(const Statistic& s, const HistogramData& d) {
  if (d.count == 0) return std::nullopt;
  auto lower = [&](size_t i) { return i == 0 ? 0.0 : d.bounds[i - 1]; };
  auto upper = [&](size_t i) {
    // The +Inf bucket has no upper bound: report its lower one.
    return i < d.bounds.size() ? d.bounds[i] : lower(i);
  };
  switch (s.kind) {
    case Statistic::kSum:
      return d.sum;
    case Statistic::kAverage:
      return d.sum / static_cast<double>(d.count);
    case Statistic::kSampleCount:
      return static_cast<double>(d.count);
    case Statistic::kMinimum:
      for (size_t i = 0; i < d.counts.size(); ++i)
        if (d.counts[i]) return lower(i);
      return std::nullopt;
    case Statistic::kMaximum:
      for (size_t i = d.counts.size(); i-- > 0;)
        if (d.counts[i]) return upper(i);
      return std::nullopt;
    case Statistic::kPercentile: {
      const double rank = s.percentile / 100.0 * static_cast<double>(d.count);
      double seen = 0;
      for (size_t i = 0; i < d.counts.size(); ++i) {
        const double c = static_cast<double>(d.counts[i]);
        if (c > 0 && seen + c >= rank) {
          if (i >= d.bounds.size()) return lower(i);
          return lower(i) + (upper(i) - lower(i)) * ((rank - seen) / c);
        }
        seen += c;
      }
      return upper(d.counts.size() - 1);
    }
  }
  return std::nullopt;
}

}  // namespace fluxgate::metrics
