// The recipe's own Flink SQL (flink-app.py: two CREATE TABLEs and the INSERT with
// GROUP BY TUMBLE), unchanged but for the connector options, runs as a job and writes
// its 5-minute aggregates under s3://iot-analytics/analytics-results/ (the local store).
#include <filesystem>
#include <fstream>

#include "job_test_util.h"

namespace fluxgate::jobs {
namespace {

using RecipeTest = testing::JobFixture;

constexpr const char* kRecipe = R"(
CREATE TABLE iot_source (
    device_id STRING,
    timestamp TIMESTAMP(3),
    sensor_type STRING,
    value DOUBLE,
    unit STRING,
    location STRING,
    WATERMARK FOR timestamp AS timestamp - INTERVAL '5' SECOND
) WITH (
    'connector' = 'kinesis',
    'stream' = 'iot-telemetry',
    'aws.region' = 'us-east-1',
    'format' = 'json',
    'scan.stream.initpos' = 'TRIM_HORIZON'
);
CREATE TABLE iot_analytics_sink (
    device_id STRING,
    sensor_type STRING,
    location STRING,
    avg_value DOUBLE,
    max_value DOUBLE,
    min_value DOUBLE,
    window_start TIMESTAMP(3),
    window_end TIMESTAMP(3)
) WITH (
    'connector' = 's3',
    'path' = 's3://iot-analytics/analytics-results/',
    'format' = 'json'
);
INSERT INTO iot_analytics_sink
SELECT
    device_id,
    sensor_type,
    location,
    AVG(value) as avg_value,
    MAX(value) as max_value,
    MIN(value) as min_value,
    TUMBLE_START(timestamp, INTERVAL '5' MINUTE) as window_start,
    TUMBLE_END(timestamp, INTERVAL '5' MINUTE) as window_end
FROM iot_source
GROUP BY
    device_id,
    sensor_type,
    location,
    TUMBLE(timestamp, INTERVAL '5' MINUTE)
)";

std::string Reading(const std::string& ts, double v) {
  return R"({"device_id":"sensor-1234","timestamp":")" + ts +
         R"(","sensor_type":"temperature","value":)" + std::to_string(v) +
         R"(,"unit":"°C","location":"plant-a"})";
}

TEST_F(RecipeTest, TheRecipesFlinkJobRunsUnchanged) {
  auto job = MakeJob(kRecipe, "recipe");
  ASSERT_NE(job, nullptr);
  {
    Status st = job->Start();
    ASSERT_TRUE(st.ok()) << st.ToString();
  }
  Append("iot-telemetry",
         {Reading("2026-11-25T10:01:00.000Z", 20), Reading("2026-11-25T10:03:00Z", 25),
          Reading("2026-11-25T10:04:59.999Z", 30), Reading("2026-11-25T10:06:00Z", 95)});
  WaitRead(*job, 4);
  for (int i = 0; i < 200; ++i) {  // let the idle shard release the watermark
    clock_.Advance(100);
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ASSERT_TRUE(job->Stop().ok());
  std::vector<std::string> lines;
  const auto dir = std::filesystem::path(dir_) / "objects/iot-analytics/analytics-results";
  ASSERT_TRUE(std::filesystem::exists(dir));
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    if (!e.is_regular_file() || e.path().filename().string()[0] == '.') continue;
    std::ifstream f(e.path());
    for (std::string line; std::getline(f, line);) lines.push_back(line);
  }
  // The 10:00 window closed (watermark 10:05:55); the 10:05 one is still open.
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0],
            R"({"device_id":"sensor-1234","sensor_type":"temperature","location":"plant-a",)"
            R"("avg_value":25.0,"max_value":30.0,"min_value":20.0,)"
            R"("window_start":"2026-11-25 10:00:00","window_end":"2026-11-25 10:05:00"})");
}

}  // namespace
}  // namespace fluxgate::jobs
