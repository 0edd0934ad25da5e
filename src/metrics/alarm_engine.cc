#include "metrics/alarm_engine.h"

#include <algorithm>
#include <chrono>
#include <cmath>

#include "common/json_writer.h"
#include "metrics/exposition.h"
#include "metrics/registry.h"

namespace fluxgate::metrics {

struct AlarmEngine::Runtime {
  explicit Runtime(AlarmSpec spec) : alarm(std::move(spec)) {}

  Alarm alarm;
  bool started = false;
  int64_t origin_ms = 0;
  int64_t period = 0;  // index of the open period
  // The open period's raw values (counters, gauges) or merged histogram increases.
  std::vector<double> values;
  HistogramData histogram;
  // Previous sample per series, for increases.
  std::map<Labels, double> prev_counter;
  std::map<Labels, HistogramData> prev_histogram;
  std::deque<Datapoint> history;  // completed periods, oldest first
  int64_t last_evaluation_ms = 0;
};

namespace {

bool Matches(const Labels& series, const Labels& want) {
  for (const auto& w : want) {
    if (std::find(series.begin(), series.end(), w) == series.end()) return false;
  }
  return true;
}

// Adds `now - prev` (bucket by bucket) to `acc`; a count that went down is a reset.
void AddIncrease(const HistogramData& now, const HistogramData* prev, HistogramData& acc) {
  const bool reset =
      prev == nullptr || prev->counts.size() != now.counts.size() || now.count < prev->count;
  if (acc.counts.empty()) {
    acc.bounds = now.bounds;
    acc.counts.assign(now.counts.size(), 0);
  }
  if (acc.counts.size() != now.counts.size()) return;  // different bucket layouts: skip
  for (size_t i = 0; i < now.counts.size(); ++i)
    acc.counts[i] +=
        reset ? now.counts[i] : now.counts[i] - std::min(now.counts[i], prev->counts[i]);
  acc.count += reset ? now.count : now.count - prev->count;
  acc.sum += reset ? now.sum : now.sum - prev->sum;
}

}  // namespace

AlarmEngine::AlarmEngine(std::vector<AlarmSpec> alarms, const Registry* registry,
                         AlarmEngineOptions options)
    : registry_(registry), options_(std::move(options)) {
  int64_t shortest = INT64_MAX;
  for (auto& spec : alarms) {
    shortest = std::min(shortest, spec.period_ms);
    alarms_.push_back(std::make_unique<Runtime>(std::move(spec)));
  }
  interval_ms_ = options_.sample_interval_ms;
  if (shortest != INT64_MAX) interval_ms_ = std::min(interval_ms_, shortest / 2);
  interval_ms_ = std::max<int64_t>(interval_ms_, 100);
}

AlarmEngine::~AlarmEngine() { Stop(); }

int64_t AlarmEngine::Now() const {
  if (options_.clock) return options_.clock();
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void AlarmEngine::Start() {
  if (alarms_.empty() || thread_.joinable()) return;
  thread_ = std::thread([this] { Loop(); });
}

void AlarmEngine::Stop() {
  {
    std::lock_guard lock(stop_mu_);
    stopping_ = true;
  }
  stop_cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void AlarmEngine::Loop() {
  std::unique_lock lock(stop_mu_);
  while (!stopping_) {
    lock.unlock();
    Tick();
    lock.lock();
    stop_cv_.wait_for(lock, std::chrono::milliseconds(interval_ms_), [this] { return stopping_; });
  }
}

void AlarmEngine::Tick() {
  if (registry_ == nullptr) return;
  Sample(registry_->Collect(), Now());
}

void AlarmEngine::Sample(const std::vector<MetricFamily>& families, int64_t now_ms) {
  std::vector<AlarmTransition> transitions;
  {
    std::lock_guard lock(mu_);
    for (auto& rp : alarms_) {
      Runtime& r = *rp;
      const AlarmSpec& spec = r.alarm.spec();
      const bool first = !r.started;
      if (first) {
        r.started = true;
        r.origin_ms = now_ms;
      }
      // Close every period that ended at or before now.
      while (now_ms >= r.origin_ms + (r.period + 1) * spec.period_ms) {
        Datapoint dp;
        dp.start_ms = r.origin_ms + r.period * spec.period_ms;
        if (!r.values.empty()) {
          dp.value = ComputeStatistic(spec.statistic, r.values);
        } else if (r.histogram.count > 0) {
          dp.value = HistogramStatistic(spec.statistic, r.histogram);
        }
        r.values.clear();
        r.histogram = HistogramData{};
        r.history.push_back(dp);
        while (r.history.size() > std::max<size_t>(options_.history_periods, EvaluationRange(spec)))
          r.history.pop_front();
        ++r.period;
        const size_t range = std::min<size_t>(EvaluationRange(spec), r.history.size());
        std::vector<std::optional<double>> points;
        for (size_t i = r.history.size() - range; i < r.history.size(); ++i)
          points.push_back(r.history[i].value);
        const int64_t end_ms = dp.start_ms + spec.period_ms;
        r.last_evaluation_ms = end_ms;
        if (auto t = r.alarm.Evaluate(points, end_ms)) transitions.push_back(std::move(*t));
      }
      // Fold this sample into the open period.
      auto fam = std::find_if(families.begin(), families.end(),
                              [&](const MetricFamily& f) { return f.name == spec.metric; });
      if (fam == families.end()) continue;
      double increase = 0;
      bool any = false;
      for (const metrics::Sample& s : fam->samples) {
        if (!Matches(s.labels, spec.labels)) continue;
        switch (fam->type) {
          case MetricType::kGauge:
            r.values.push_back(s.value);
            break;
          case MetricType::kCounter: {
            auto it = r.prev_counter.find(s.labels);
            if (it == r.prev_counter.end()) {
              // A series seen for the first time after the baseline sample started at 0.
              if (!first) increase += s.value, any = true;
              r.prev_counter.emplace(s.labels, s.value);
            } else {
              increase += s.value >= it->second ? s.value - it->second : s.value;
              it->second = s.value;
              any = true;
            }
            break;
          }
          case MetricType::kHistogram: {
            auto it = r.prev_histogram.find(s.labels);
            if (it == r.prev_histogram.end()) {
              if (!first) AddIncrease(s.histogram, nullptr, r.histogram);
              r.prev_histogram.emplace(s.labels, s.histogram);
            } else {
              AddIncrease(s.histogram, &it->second, r.histogram);
              it->second = s.histogram;
            }
            break;
          }
        }
      }
      if (any) r.values.push_back(increase);
    }
  }
  if (options_.on_transition) {
    for (const auto& t : transitions) options_.on_transition(t);
  }
}

std::vector<AlarmStatus> AlarmEngine::Statuses() const {
  std::lock_guard lock(mu_);
  std::vector<AlarmStatus> out;
  for (const auto& rp : alarms_) {
    AlarmStatus s;
    s.spec = rp->alarm.spec();
    s.state = rp->alarm.state();
    s.reason = rp->alarm.reason();
    s.last_transition_ms = rp->alarm.last_transition_ms();
    s.last_evaluation_ms = rp->last_evaluation_ms;
    const size_t keep = std::min(options_.history_periods, rp->history.size());
    s.recent.assign(rp->history.end() - keep, rp->history.end());
    out.push_back(std::move(s));
  }
  return out;
}

namespace {

void Number(JsonWriter& w, double v) {
  if (!std::isfinite(v)) {
    w.Null();
    return;
  }
  std::string text;
  AppendValue(v, text);
  w.Raw(text);
}

void Time(JsonWriter& w, int64_t ms) {
  if (ms == 0) {
    w.Null();
  } else {
    w.TimestampMs(ms);
  }
}

}  // namespace

std::string AlarmEngine::Json() const {
  std::string out;
  JsonWriter w(out);
  w.BeginObject().Key("alarms").BeginArray();
  for (const AlarmStatus& s : Statuses()) {
    const AlarmSpec& a = s.spec;
    w.BeginObject().Key("name").String(a.name).Key("description").String(a.description);
    w.Key("metric").String(a.metric).Key("labels").BeginObject();
    for (const auto& [k, v] : a.labels) w.Key(k).String(v);
    w.EndObject();
    w.Key("statistic").String(StatisticName(a.statistic));
    w.Key("period_seconds").Int(a.period_ms / 1000);
    w.Key("evaluation_periods").Uint(a.evaluation_periods);
    w.Key("datapoints_to_alarm").Uint(a.datapoints_to_alarm);
    w.Key("comparison").String(ComparisonName(a.comparison));
    w.Key("threshold");
    Number(w, a.threshold);
    w.Key("treat_missing_data").String(TreatMissingName(a.treat_missing));
    w.Key("topic").String(a.topic);
    w.Key("state").String(AlarmStateName(s.state)).Key("reason").String(s.reason);
    w.Key("last_transition");
    Time(w, s.last_transition_ms);
    w.Key("last_evaluation");
    Time(w, s.last_evaluation_ms);
    w.Key("datapoints").BeginArray();
    for (const Datapoint& d : s.recent) {
      w.BeginObject().Key("start").TimestampMs(d.start_ms).Key("value");
      if (d.value) {
        Number(w, *d.value);
      } else {
        w.Null();
      }
      w.EndObject();
    }
    w.EndArray().EndObject();
  }
  w.EndArray().EndObject();
  return out;
}

std::string AlarmsJson(const AlarmEngine* engine) {
  return engine ? engine->Json() : std::string("{\"alarms\":[]}");
}

}  // namespace fluxgate::metrics
