// [[alarms]] loading and validation (common/config_alarms.h) and the spec built from it.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

#include "common/config.h"
#include "metrics/alarm.h"

namespace fluxgate {
namespace {

Status Load(const std::string& toml, ServeConfig& c) {
  const std::string path = ::testing::TempDir() + "/alarms_test.toml";
  std::ofstream(path) << toml;
  Status st = LoadConfigFile(path, c);
  if (st.ok()) st = ValidateConfig(c);
  return st;
}

TEST(AlarmsConfig, DefaultsAreTheRecipesTwoAlarms) {
  ServeConfig c;
  ASSERT_TRUE(Load("", c).ok());
  ASSERT_EQ(c.alarms.alarms.size(), 2u);
  auto records = metrics::AlarmSpecFromConfig(c.alarms.alarms[0]);
  ASSERT_TRUE(records.ok()) << records.status().ToString();
  EXPECT_EQ(records->name, "kinesis-records");
  EXPECT_EQ(records->metric, "fluxgate_stream_incoming_records_total");
  EXPECT_EQ(records->period_ms, 300'000);
  EXPECT_EQ(records->evaluation_periods, 2u);
  EXPECT_EQ(records->datapoints_to_alarm, 2u);
  EXPECT_EQ(records->threshold, 100);
  EXPECT_EQ(records->comparison, metrics::Comparison::kGreaterThan);
  auto errors = metrics::AlarmSpecFromConfig(c.alarms.alarms[1]);
  ASSERT_TRUE(errors.ok());
  EXPECT_EQ(errors->name, "processing-errors");
  EXPECT_EQ(errors->metric, "fluxgate_job_dead_letter_records_total");
  EXPECT_EQ(errors->threshold, 5);
  EXPECT_EQ(errors->evaluation_periods, 1u);
}

TEST(AlarmsConfig, ReadsEveryKey) {
  ServeConfig c;
  Status st = Load(R"([[alarms]]
name = "lag"
description = "consumer lag"
metric = "fluxgate_stream_millis_behind_latest"
labels = { stream = "iot", shard = "shardId-000000000000" }
statistic = "p99.5"
period = 60
evaluation_periods = 5
datapoints_to_alarm = 3
comparison = "LessThanOrEqualToThreshold"
threshold = 2.5
treat_missing_data = "notBreaching"
topic = "ops"
)",
                   c);
  ASSERT_TRUE(st.ok()) << st.ToString();
  ASSERT_EQ(c.alarms.alarms.size(), 1u);
  auto s = metrics::AlarmSpecFromConfig(c.alarms.alarms[0]);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  // TOML tables iterate in key order.
  EXPECT_EQ(s->labels, (metrics::Labels{{"shard", "shardId-000000000000"}, {"stream", "iot"}}));
  EXPECT_EQ(s->statistic.kind, metrics::Statistic::kPercentile);
  EXPECT_EQ(s->statistic.percentile, 99.5);
  EXPECT_EQ(s->period_ms, 60'000);
  EXPECT_EQ(s->datapoints_to_alarm, 3u);
  EXPECT_EQ(s->comparison, metrics::Comparison::kLessThanOrEqual);
  EXPECT_EQ(s->threshold, 2.5);
  EXPECT_EQ(s->treat_missing, metrics::TreatMissing::kNotBreaching);
  EXPECT_EQ(s->topic, "ops");
}

TEST(AlarmsConfig, ErrorsNameTheKey) {
  const std::string ok = "name = \"a\"\nmetric = \"m_total\"\nthreshold = 1\n";
  struct Case {
    std::string extra;
    std::string want;
  };
  for (const Case& k : std::vector<Case>{
           {"statistic = \"Median\"\n", "alarms[0].statistic"},
           {"comparison = \"Above\"\n", "alarms[0].comparison"},
           {"treat_missing_data = \"zero\"\n", "alarms[0].treat_missing_data"},
           {"evaluation_periods = 2\ndatapoints_to_alarm = 3\n", "alarms[0].datapoints_to_alarm"},
           {"period_seconds = 0\n", "alarms[0].period_seconds"},
           {"period = 60\nperiod_seconds = 60\n", "alarms[0].period"},
           {"labels = { stream = 1 }\n", "alarms[0].labels.stream"},
           {"labels = { \"bad-name\" = \"x\" }\n", "alarms[0].labels"},
           {"threshold_x = 1\n", "alarms[0].threshold_x"},
           {"topic = \"has space\"\n", "alarms[0].topic"},
       }) {
    ServeConfig c;
    Status st = Load("[[alarms]]\n" + ok + k.extra, c);
    EXPECT_FALSE(st.ok()) << k.extra;
    EXPECT_NE(st.ToString().find(k.want), std::string::npos) << st.ToString();
  }
  ServeConfig c;
  Status st = Load("[[alarms]]\nname = \"a\"\nmetric = \"m\"\n", c);
  EXPECT_NE(st.ToString().find("alarms[0].threshold"), std::string::npos) << st.ToString();
  st = Load("[[alarms]]\nname = \"a\"\nmetric = \"m\"\nthreshold = \"x\"\n", c);
  EXPECT_NE(st.ToString().find("alarms[0].threshold"), std::string::npos) << st.ToString();
  st = Load("[[alarms]]\n" + ok + "[[alarms]]\n" + ok, c);
  EXPECT_NE(st.ToString().find("alarms[1].name"), std::string::npos) << st.ToString();
}

}  // namespace
}  // namespace fluxgate
