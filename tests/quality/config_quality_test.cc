// [quality] loading and validation (common/config_quality.h), kept with the subsystem.
#include <gtest/gtest.h>

#include <cstdio>

#include "common/config.h"

namespace fluxgate {
namespace {

Status Load(const std::string& text, ServeConfig* c) {
  // One file per test: CTest runs the tests of this file as parallel processes.
  const std::string path = ::testing::TempDir() + "/quality_config_" +
                           ::testing::UnitTest::GetInstance()->current_test_info()->name() +
                           ".toml";
  FILE* f = fopen(path.c_str(), "w");
  fputs(text.c_str(), f);
  fclose(f);
  return LoadConfigFile(path, *c);
}

TEST(QualityConfigTest, DefaultProfilesIotTelemetryWithoutRejecting) {
  ServeConfig c;
  ASSERT_EQ(c.quality.streams.size(), 1u);
  EXPECT_EQ(c.quality.streams[0].stream, "iot-telemetry");
  EXPECT_EQ(c.quality.streams[0].on_invalid, "accept");
  EXPECT_EQ(c.quality.streams[0].ranges.at("temperature"), std::make_pair(-40.0, 125.0));
  EXPECT_TRUE(ValidateConfig(c).ok());
}

TEST(QualityConfigTest, LoadsEveryKey) {
  ServeConfig c;
  Status st = Load(R"(
[quality]
poll_interval_ms = 100
[[quality.streams]]
stream = "s"
schema = "a STRING NOT NULL"
dead_letter_stream = "s-dl"
device_field = "dev"
timestamp_field = "ts"
sensor_type_field = "kind"
value_field = "v"
range_on_ingest = true
stale_after = "10m"
late_after = 5
max_devices = 10
duplicate_window = 4
alert_topic = "dq"
start_position = "latest"
dead_letter_shards = 2
[quality.streams.ranges]
temperature = [-40, 125.5]
[[quality.streams]]
stream = "t"
)",
                   &c);
  ASSERT_TRUE(st.ok()) << st.ToString();
  ASSERT_EQ(c.quality.streams.size(), 2u);
  const auto& s = c.quality.streams[0];
  EXPECT_EQ(s.on_invalid, "dead-letter");  // unset with a schema
  EXPECT_EQ(s.dead_letter_stream, "s-dl");
  EXPECT_EQ(s.device_field, "dev");
  EXPECT_EQ(s.stale_after_ms, 600'000);
  EXPECT_EQ(s.late_after_ms, 5'000);
  EXPECT_EQ(s.max_devices, 10u);
  EXPECT_EQ(s.duplicate_window, 4u);
  EXPECT_TRUE(s.range_on_ingest);
  EXPECT_EQ(s.ranges.at("temperature"), std::make_pair(-40.0, 125.5));
  EXPECT_EQ(c.quality.streams[1].on_invalid, "accept");  // unset without a schema
  EXPECT_EQ(c.quality.poll_interval_ms, 100);
}

TEST(QualityConfigTest, ErrorsNameTheKey) {
  auto error = [](const std::string& text) {
    ServeConfig c;
    Status st = Load(text, &c);
    EXPECT_FALSE(st.ok()) << text;
    return st.message();
  };
  EXPECT_NE(
      error("[[quality.streams]]\nstream = \"s\"\ncolour = 1\n").find("quality.streams[0].colour"),
      std::string::npos);
  EXPECT_NE(
      error("[[quality.streams]]\nstream = \"s\"\non_invalid = \"drop\"\n").find("on_invalid"),
      std::string::npos);
  EXPECT_NE(error("[[quality.streams]]\nstream = \"s\"\non_invalid = \"reject\"\n")
                .find("needs a schema"),
            std::string::npos);
  EXPECT_NE(
      error("[[quality.streams]]\nstream = \"s\"\nstale_after = \"soon\"\n").find("stale_after"),
      std::string::npos);
  EXPECT_NE(error("[[quality.streams]]\nstream = \"s\"\n[quality.streams.ranges]\nt = [5, 1]\n")
                .find("ranges.t"),
            std::string::npos);
  EXPECT_NE(error("[[quality.streams]]\nstream = \"s\"\n[[quality.streams]]\nstream = \"s\"\n")
                .find("another"),
            std::string::npos);
  EXPECT_NE(error("[[quality.streams]]\nstream = \"s\"\nmax_devices = 0\n").find("max_devices"),
            std::string::npos);
}

TEST(QualityConfigTest, Durations) {
  EXPECT_EQ(*ParseDurationMs("500ms"), 500);
  EXPECT_EQ(*ParseDurationMs("30s"), 30'000);
  EXPECT_EQ(*ParseDurationMs("30"), 30'000);
  EXPECT_EQ(*ParseDurationMs("5m"), 300'000);
  EXPECT_EQ(*ParseDurationMs("2h"), 7'200'000);
  EXPECT_EQ(*ParseDurationMs("1d"), 86'400'000);
  EXPECT_FALSE(ParseDurationMs("").ok());
  EXPECT_FALSE(ParseDurationMs("5 m").ok());
  EXPECT_FALSE(ParseDurationMs("-1s").ok());
  EXPECT_FALSE(ParseDurationMs("1w").ok());
}

}  // namespace
}  // namespace fluxgate
