// AlarmEngine: samples of a registry become per-period datapoints (hand-computed here)
// and every transition reaches the callback. The clock is injected; Sample() is called
// with explicit times, so nothing depends on real time.
#include "metrics/alarm_engine.h"

#include <gtest/gtest.h>

#include "metrics/registry.h"

namespace fluxgate::metrics {
namespace {

AlarmSpec CounterSpec() {
  AlarmSpec s;
  s.name = "records";
  s.topic = "ops";
  s.metric = "in_total";
  s.labels = {{"stream", "s"}};
  s.statistic = *ParseStatistic("Sum");
  s.period_ms = 10'000;
  s.evaluation_periods = 2;
  s.datapoints_to_alarm = 2;
  s.threshold = 100;
  return s;
}

struct Fixture {
  Registry registry;
  std::vector<AlarmTransition> transitions;
  std::unique_ptr<AlarmEngine> engine;
  explicit Fixture(std::vector<AlarmSpec> specs) {
    AlarmEngineOptions o;
    o.on_transition = [this](const AlarmTransition& t) { transitions.push_back(t); };
    engine = std::make_unique<AlarmEngine>(std::move(specs), &registry, o);
  }
  void At(int64_t ms) { engine->Sample(registry.Collect(), ms); }
  std::vector<std::optional<double>> Points() {
    std::vector<std::optional<double>> out;
    const auto statuses = engine->Statuses();  // the loop must not outlive it
    for (const auto& d : statuses.at(0).recent) out.push_back(d.value);
    return out;
  }
};

TEST(AlarmEngine, CounterIncreasesSummedPerPeriodAcrossMatchingSeries) {
  Fixture f({CounterSpec()});
  Counter& s0 = f.registry.GetCounter("in_total", "", {{"stream", "s"}, {"shard", "0"}});
  Counter& s1 = f.registry.GetCounter("in_total", "", {{"stream", "s"}, {"shard", "1"}});
  Counter& other = f.registry.GetCounter("in_total", "", {{"stream", "x"}, {"shard", "0"}});
  s0.Add(1000);  // before the engine's first sample: baseline, not counted
  f.At(0);
  s0.Add(30);
  s1.Add(40);
  other.Add(500);  // another stream: not matched
  f.At(5'000);
  s0.Add(50);
  f.At(10'000);  // closes period [0,10s): 30 + 40 = 70; the 50 belongs to [10s,20s)
  EXPECT_EQ(f.Points(), (std::vector<std::optional<double>>{70}));
  ASSERT_EQ(f.transitions.size(), 1u);  // INSUFFICIENT_DATA -> OK (70 <= 100)
  EXPECT_EQ(f.transitions[0].new_state, AlarmState::kOk);
  s1.Add(60);
  f.At(15'000);
  f.At(20'000);  // [10s,20s): 50 + 60 = 110 -> 1 of 2 breaching: OK still
  EXPECT_EQ(f.Points(), (std::vector<std::optional<double>>{70, 110}));
  EXPECT_EQ(f.transitions.size(), 1u);
  s0.Add(101);
  f.At(25'000);
  f.At(30'000);  // [20s,30s): 101 -> 2 of 2 breaching
  EXPECT_EQ(f.Points(), (std::vector<std::optional<double>>{70, 110, 101}));
  ASSERT_EQ(f.transitions.size(), 2u);
  EXPECT_EQ(f.transitions[1].old_state, AlarmState::kOk);
  EXPECT_EQ(f.transitions[1].new_state, AlarmState::kAlarm);
  EXPECT_EQ(f.transitions[1].topic, "ops");
  EXPECT_EQ(f.transitions[1].time_ms, 30'000);
  f.At(40'000);  // [30s,40s): the 30s sample saw no increase -> datapoint 0
  EXPECT_EQ(f.Points().back(), std::optional<double>(0));
  ASSERT_EQ(f.transitions.size(), 3u);
  EXPECT_EQ(f.transitions[2].new_state, AlarmState::kOk);
}

TEST(AlarmEngine, CounterResetCountsTheNewValue) {
  Fixture f({CounterSpec()});
  Counter& c = f.registry.GetCounter("in_total", "", {{"stream", "s"}});
  c.Add(500);
  f.At(0);
  // A fresh registry series would restart at 0; emulate with a collector-fed family.
  std::vector<MetricFamily> fams(1);
  fams[0].name = "in_total";
  fams[0].type = MetricType::kCounter;
  fams[0].samples.push_back({{{"stream", "s"}}, 20, {}});  // went down: reset to 0, then +20
  f.engine->Sample(fams, 5'000);
  f.At(10'000);  // closes [0,10s) = 20; back to 500 (from 20) is +480 in [10s,20s)
  f.At(20'000);
  EXPECT_EQ(f.Points(), (std::vector<std::optional<double>>{20, 480}));
}

TEST(AlarmEngine, PeriodsWithoutTheMetricAreMissing) {
  AlarmSpec s = CounterSpec();
  s.evaluation_periods = 1;
  s.datapoints_to_alarm = 1;
  Fixture f({s});
  f.At(0);
  f.At(10'000);
  f.At(20'000);
  EXPECT_EQ(f.Points(), (std::vector<std::optional<double>>{std::nullopt, std::nullopt}));
  EXPECT_EQ(f.engine->Statuses()[0].state, AlarmState::kInsufficientData);
  EXPECT_TRUE(f.transitions.empty());
  // A series that appears after the first sample counts from zero.
  f.registry.GetCounter("in_total", "", {{"stream", "s"}}).Add(150);
  f.At(25'000);
  f.At(30'000);
  EXPECT_EQ(f.Points().back(), std::optional<double>(150));
  ASSERT_EQ(f.transitions.size(), 1u);
  EXPECT_EQ(f.transitions[0].new_state, AlarmState::kAlarm);
}

TEST(AlarmEngine, SkippedPeriodsAreClosedAsMissing) {
  AlarmSpec s = CounterSpec();
  s.treat_missing = TreatMissing::kBreaching;
  s.evaluation_periods = 1;
  s.datapoints_to_alarm = 1;
  Fixture f({s});
  Counter& c = f.registry.GetCounter("in_total", "", {{"stream", "s"}});
  f.At(0);
  c.Add(1);
  f.At(5'000);
  f.At(35'000);  // closes [0,10s) = 1, then [10s,20s) and [20s,30s) with no samples
  EXPECT_EQ(f.Points(), (std::vector<std::optional<double>>{1, std::nullopt, std::nullopt}));
  // 1 -> OK; then the missing ones: 1 real (OK) datapoint is still in the range (>= N)...
  EXPECT_EQ(f.transitions.at(0).new_state, AlarmState::kOk);
}

TEST(AlarmEngine, GaugeStatistics) {
  AlarmSpec s;
  s.name = "lag";
  s.metric = "lag_ms";
  s.statistic = *ParseStatistic("Maximum");
  s.period_ms = 10'000;
  s.threshold = 1000;
  s.comparison = Comparison::kGreaterThanOrEqual;
  AlarmSpec avg = s;
  avg.name = "lag-avg";
  avg.statistic = *ParseStatistic("Average");
  AlarmSpec count = s;
  count.name = "lag-count";
  count.statistic = *ParseStatistic("SampleCount");
  Fixture f({s, avg, count});
  Gauge& g0 = f.registry.GetGauge("lag_ms", "", {{"shard", "0"}});
  Gauge& g1 = f.registry.GetGauge("lag_ms", "", {{"shard", "1"}});
  g0.Set(100);
  g1.Set(300);
  f.At(0);  // gauges count from the first sample: 100, 300
  g0.Set(1000);
  g1.Set(200);
  f.At(5'000);  // 1000, 200
  g0.Set(0);
  f.At(10'000);  // closes with {100, 300, 1000, 200}
  auto st = f.engine->Statuses();
  EXPECT_EQ(st[0].recent.at(0).value, std::optional<double>(1000));
  EXPECT_EQ(st[1].recent.at(0).value, std::optional<double>(400));
  EXPECT_EQ(st[2].recent.at(0).value, std::optional<double>(4));
  EXPECT_EQ(st[0].state, AlarmState::kAlarm);
  EXPECT_EQ(st[1].state, AlarmState::kOk);
}

TEST(AlarmEngine, HistogramPercentileOfThePeriodsObservations) {
  AlarmSpec s;
  s.name = "latency";
  s.metric = "lat_seconds";
  s.statistic = *ParseStatistic("p90");
  s.period_ms = 10'000;
  s.threshold = 0.5;
  Fixture f({s});
  AtomicHistogram& h = f.registry.GetHistogram("lat_seconds", "", {}, {0.1, 1, 10});
  for (int i = 0; i < 100; ++i) h.Observe(5);  // before the engine: baseline
  f.At(0);
  for (int i = 0; i < 9; ++i) h.Observe(0.05);
  h.Observe(0.5);
  f.At(5'000);
  f.At(10'000);  // 10 observations: rank 9 is the end of (0, 0.1]
  EXPECT_NEAR(*f.Points().at(0), 0.1, 1e-12);
  EXPECT_EQ(f.engine->Statuses()[0].state, AlarmState::kOk);
  f.At(20'000);  // no observations: missing
  EXPECT_EQ(f.Points().at(1), std::nullopt);
}

TEST(AlarmEngine, JsonListsStateReasonAndDatapoints) {
  Fixture f({CounterSpec()});
  f.At(0);
  f.registry.GetCounter("in_total", "", {{"stream", "s"}}).Add(1);
  f.At(5'000);
  f.At(10'000);
  const std::string json = f.engine->Json();
  EXPECT_NE(json.find("\"name\":\"records\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"state\":\"OK\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"labels\":{\"stream\":\"s\"}"), std::string::npos) << json;
  EXPECT_NE(json.find("\"datapoints\":[{\"start\":0"), std::string::npos) << json;
  EXPECT_NE(json.find("\"statistic\":\"Sum\""), std::string::npos) << json;
  EXPECT_EQ(AlarmsJson(nullptr), "{\"alarms\":[]}");
}

TEST(AlarmEngine, SampleIntervalFitsTheShortestPeriod) {
  AlarmSpec s = CounterSpec();
  s.period_ms = 1'000;
  AlarmEngine e({s}, nullptr, {});
  EXPECT_EQ(e.sample_interval_ms(), 500);
}

}  // namespace
}  // namespace fluxgate::metrics
