// The alarm state machine against hand-computed datapoints: every comparison, statistic,
// treat_missing_data mode and M-of-N.
#include "metrics/alarm.h"

#include <gtest/gtest.h>

namespace fluxgate::metrics {
namespace {

using P = std::optional<double>;
constexpr P kMissing = std::nullopt;

AlarmSpec Spec(uint32_t n, uint32_t m, TreatMissing treat, double threshold = 10,
               Comparison cmp = Comparison::kGreaterThan) {
  AlarmSpec s;
  s.name = "a";
  s.topic = "t";
  s.evaluation_periods = n;
  s.datapoints_to_alarm = m;
  s.treat_missing = treat;
  s.threshold = threshold;
  s.comparison = cmp;
  return s;
}

AlarmState Eval(Alarm& a, std::vector<P> range) { return (a.Evaluate(range, 1000), a.state()); }

TEST(Alarm, StartsInInsufficientData) {
  Alarm a(Spec(1, 1, TreatMissing::kMissing));
  EXPECT_EQ(a.state(), AlarmState::kInsufficientData);
}

TEST(Alarm, Comparisons) {
  auto breaches = [](Comparison c, double v) { return Alarm(Spec(1, 1, {}, 10, c)).Breaches(v); };
  EXPECT_TRUE(breaches(Comparison::kGreaterThan, 11));
  EXPECT_FALSE(breaches(Comparison::kGreaterThan, 10));
  EXPECT_TRUE(breaches(Comparison::kGreaterThanOrEqual, 10));
  EXPECT_FALSE(breaches(Comparison::kGreaterThanOrEqual, 9.99));
  EXPECT_TRUE(breaches(Comparison::kLessThan, 9));
  EXPECT_FALSE(breaches(Comparison::kLessThan, 10));
  EXPECT_TRUE(breaches(Comparison::kLessThanOrEqual, 10));
  EXPECT_FALSE(breaches(Comparison::kLessThanOrEqual, 10.01));
}

TEST(Alarm, TransitionsAreReportedOnceWithReason) {
  Alarm a(Spec(2, 2, TreatMissing::kMissing));
  auto t = a.Evaluate(std::vector<P>{5, 20}, 1000);
  ASSERT_TRUE(t);
  EXPECT_EQ(t->old_state, AlarmState::kInsufficientData);
  EXPECT_EQ(t->new_state, AlarmState::kOk);
  t = a.Evaluate(std::vector<P>{20, 30}, 2000);
  ASSERT_TRUE(t);
  EXPECT_EQ(t->new_state, AlarmState::kAlarm);
  EXPECT_EQ(t->topic, "t");
  EXPECT_EQ(t->time_ms, 2000);
  EXPECT_NE(t->reason.find("2 out of the last 2 datapoints [20, 30]"), std::string::npos)
      << t->reason;
  EXPECT_FALSE(a.Evaluate(std::vector<P>{30, 40}, 3000));  // still ALARM: no transition
  EXPECT_EQ(a.last_transition_ms(), 2000);
}

TEST(Alarm, MOutOfN) {
  Alarm a(Spec(3, 2, TreatMissing::kMissing));
  EXPECT_EQ(Eval(a, {20, 5, 5}), AlarmState::kOk);      // 1 of 3
  EXPECT_EQ(Eval(a, {20, 5, 20}), AlarmState::kAlarm);  // 2 of 3, not consecutive
  EXPECT_EQ(Eval(a, {5, 20, 5}), AlarmState::kOk);
  EXPECT_EQ(Eval(a, {20, 20, 20}), AlarmState::kAlarm);
  // Only the most recent N of a longer range count.
  EXPECT_EQ(Eval(a, {20, 20, 5, 5, 20}), AlarmState::kOk);
}

TEST(Alarm, RealDatapointsReachBackOverGaps) {
  // 5 real datapoints in the range >= N = 3: the newest three real ones are evaluated and
  // treat_missing_data plays no part (breaching would otherwise fill the gaps).
  Alarm a(Spec(3, 3, TreatMissing::kBreaching));
  EXPECT_EQ(Eval(a, {5, 5, kMissing, 5, kMissing}), AlarmState::kOk);
  Alarm b(Spec(3, 3, TreatMissing::kNotBreaching));
  EXPECT_EQ(Eval(b, {20, 20, kMissing, 20, kMissing}), AlarmState::kAlarm);
}

TEST(Alarm, AllMissing) {
  Alarm missing(Spec(2, 2, TreatMissing::kMissing));
  EXPECT_EQ(Eval(missing, {20, 20}), AlarmState::kAlarm);
  EXPECT_EQ(Eval(missing, {kMissing, kMissing, kMissing, kMissing, kMissing}),
            AlarmState::kInsufficientData);

  Alarm ignore(Spec(2, 2, TreatMissing::kIgnore));
  EXPECT_EQ(Eval(ignore, {20, 20}), AlarmState::kAlarm);
  EXPECT_EQ(Eval(ignore, {kMissing, kMissing, kMissing}), AlarmState::kAlarm);  // kept
  EXPECT_EQ(Eval(ignore, {1, 1}), AlarmState::kOk);
  EXPECT_EQ(Eval(ignore, {kMissing, kMissing, kMissing}), AlarmState::kOk);  // kept
  Alarm fresh(Spec(2, 2, TreatMissing::kIgnore));
  EXPECT_EQ(Eval(fresh, {kMissing, kMissing}), AlarmState::kInsufficientData);

  Alarm breaching(Spec(2, 2, TreatMissing::kBreaching));
  EXPECT_EQ(Eval(breaching, {kMissing, kMissing, kMissing}), AlarmState::kAlarm);

  Alarm not_breaching(Spec(2, 2, TreatMissing::kNotBreaching));
  EXPECT_EQ(Eval(not_breaching, {20, 20}), AlarmState::kAlarm);
  EXPECT_EQ(Eval(not_breaching, {kMissing, kMissing, kMissing}), AlarmState::kOk);
}

TEST(Alarm, SomeMissingFewerThanN) {
  // N = 3, M = 3, one real breaching datapoint and the rest missing.
  const std::vector<P> one_bad = {kMissing, kMissing, kMissing, kMissing, 20};
  const std::vector<P> one_good = {kMissing, kMissing, kMissing, kMissing, 5};
  Alarm b(Spec(3, 3, TreatMissing::kBreaching));
  EXPECT_EQ(Eval(b, one_bad), AlarmState::kAlarm);  // 1 real + 2 filled breaching
  Alarm b2(Spec(3, 3, TreatMissing::kBreaching));
  EXPECT_EQ(Eval(b2, one_good), AlarmState::kOk);  // 2 of 3 breaching < M
  Alarm nb(Spec(3, 3, TreatMissing::kNotBreaching));
  EXPECT_EQ(Eval(nb, one_bad), AlarmState::kOk);  // 1 of 3 breaching
  Alarm nb2(Spec(3, 1, TreatMissing::kNotBreaching));
  EXPECT_EQ(Eval(nb2, one_bad), AlarmState::kAlarm);  // M = 1
  Alarm m(Spec(3, 3, TreatMissing::kMissing));
  EXPECT_EQ(Eval(m, one_bad), AlarmState::kAlarm);  // only the real one is evaluated
  Alarm m2(Spec(3, 3, TreatMissing::kMissing));
  EXPECT_EQ(Eval(m2, one_good), AlarmState::kOk);
  Alarm ig(Spec(3, 3, TreatMissing::kIgnore));
  EXPECT_EQ(Eval(ig, one_bad), AlarmState::kAlarm);
  // 2 of 3 (M = 2), two real points of which one breaches: min(M, real) = 2 not reached.
  Alarm m3(Spec(3, 2, TreatMissing::kMissing));
  EXPECT_EQ(Eval(m3, {kMissing, 20, kMissing, 5, kMissing}), AlarmState::kOk);
  Alarm m4(Spec(3, 2, TreatMissing::kMissing));
  EXPECT_EQ(Eval(m4, {kMissing, 20, kMissing, 20, kMissing}), AlarmState::kAlarm);
}

TEST(Statistic, ParsesCloudWatchNames) {
  EXPECT_EQ(ParseStatistic("Sum")->kind, Statistic::kSum);
  EXPECT_EQ(ParseStatistic("SampleCount")->kind, Statistic::kSampleCount);
  EXPECT_EQ(ParseStatistic("p99.9")->percentile, 99.9);
  EXPECT_EQ(StatisticName(*ParseStatistic("p50")), "p50");
  EXPECT_FALSE(ParseStatistic("sum").ok());
  EXPECT_FALSE(ParseStatistic("p0").ok());
  EXPECT_FALSE(ParseStatistic("p101").ok());
  EXPECT_FALSE(ParseStatistic("Median").ok());
}

TEST(Statistic, OverRawValues) {
  const std::vector<double> v = {4, 1, 3, 2, 10};
  auto stat = [&](const char* s) { return ComputeStatistic(*ParseStatistic(s), v); };
  EXPECT_EQ(stat("Sum"), 20);
  EXPECT_EQ(stat("Average"), 4);
  EXPECT_EQ(stat("Minimum"), 1);
  EXPECT_EQ(stat("Maximum"), 10);
  EXPECT_EQ(stat("SampleCount"), 5);
  EXPECT_EQ(stat("p50"), 3);  // nearest rank: ceil(2.5) = 3rd of 1,2,3,4,10
  EXPECT_EQ(stat("p80"), 4);  // 4th
  EXPECT_EQ(stat("p100"), 10);
  EXPECT_EQ(stat("p1"), 1);
}

TEST(Statistic, OverHistogramIncreases) {
  HistogramData d;
  d.bounds = {1, 2, 4};
  d.counts = {2, 0, 2, 0};  // two in (0,1], two in (2,4]
  d.count = 4;
  d.sum = 7;
  auto stat = [&](const char* s) { return *HistogramStatistic(*ParseStatistic(s), d); };
  EXPECT_EQ(stat("Sum"), 7);
  EXPECT_EQ(stat("SampleCount"), 4);
  EXPECT_EQ(stat("Average"), 1.75);
  EXPECT_EQ(stat("Minimum"), 0);  // lower bound of the lowest non-empty bucket
  EXPECT_EQ(stat("Maximum"), 4);
  EXPECT_EQ(stat("p50"), 1);  // rank 2: end of the first bucket
  EXPECT_EQ(stat("p75"), 3);  // rank 3: half-way through (2,4]
  EXPECT_EQ(stat("p100"), 4);
  HistogramData empty;
  empty.bounds = {1};
  empty.counts = {0, 0};
  EXPECT_FALSE(HistogramStatistic(*ParseStatistic("Sum"), empty));
}

}  // namespace
}  // namespace fluxgate::metrics
