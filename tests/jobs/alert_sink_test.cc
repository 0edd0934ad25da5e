// The 'alert' sink: the recipe's threshold alerts with its message text, delivered to a
// file subscription, with the same id when a row is replayed.
#include <fstream>

#include "alerts/alert_hub.h"
#include "common/config.h"
#include "job_test_util.h"

namespace fluxgate::jobs {
namespace {

class AlertSinkTest : public testing::JobFixture {
 protected:
  std::vector<std::string> ReadLines(const std::string& path, size_t want) {
    std::vector<std::string> lines;
    for (int i = 0; i < 2000; ++i) {
      lines.clear();
      std::ifstream f(path);
      std::string line;
      while (std::getline(f, line)) lines.push_back(line);
      if (lines.size() >= want) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return lines;
  }
};

constexpr const char* kAlerts = R"(
CREATE TABLE iot_source (
  device_id STRING, `timestamp` TIMESTAMP(3), sensor_type STRING, `value` DOUBLE, unit STRING,
  location STRING,
  WATERMARK FOR `timestamp` AS `timestamp` - INTERVAL '5' SECOND
) WITH ('connector' = 'kinesis', 'stream' = 'iot-telemetry', 'format' = 'json',
        'scan.stream.initpos' = 'TRIM_HORIZON');
CREATE TABLE iot_alerts (
  device_id STRING, sensor_type STRING, `value` DOUBLE, unit STRING, location STRING,
  `timestamp` TIMESTAMP(3), severity STRING
) WITH ('connector' = 'alert', 'topic' = 'iot-alerts',
        'message.template' = 'ALERT: Anomaly detected in {sensor_type} sensor {device_id}. Value: {value} {unit}');
INSERT INTO iot_alerts
SELECT device_id, sensor_type, `value`, unit, location, `timestamp`,
       CASE WHEN `value` > 120 THEN 'critical' ELSE 'warning' END
FROM iot_source
WHERE (sensor_type = 'temperature' AND `value` > 80)
   OR (sensor_type = 'pressure' AND `value` > 100)
   OR (sensor_type = 'vibration' AND `value` > 50);
)";

TEST_F(AlertSinkTest, ThresholdRowsBecomeAlertsWithTheRecipesMessage) {
  const std::string path = dir_ + "/alerts.jsonl";
  ServeConfig::Alerts config;
  ServeConfig::Alerts::Subscription sub;
  sub.topic = "iot-alerts";
  sub.kind = "file";
  sub.path = path;
  config.subscriptions.push_back(sub);
  auto hub = alerts::AlertHub::Start(config);
  ASSERT_TRUE(hub.ok()) << hub.status().ToString();
  JobContext ctx = Context();
  ctx.alerts = hub->get();

  sql::Catalog catalog;
  auto bound = sql::BindSql(kAlerts, &catalog);
  ASSERT_TRUE(bound.ok()) << bound.status().ToString();
  sql::Pipeline p = bound->pipelines[0];
  p.name = "alerts";
  auto job = Job::Create(p, ctx);
  ASSERT_TRUE(job.ok()) << job.status().ToString();
  ASSERT_TRUE((*job)->Start().ok());
  Append(
      "iot-telemetry",
      {R"({"device_id":"sensor-1234","timestamp":"2026-11-25T10:00:00.000Z","sensor_type":"temperature","value":95.0,"unit":"°C","location":"plant-a"})",
       R"({"device_id":"sensor-1","timestamp":"2026-11-25T10:00:01Z","sensor_type":"temperature","value":70.5,"unit":"°C","location":"plant-a"})",
       R"({"device_id":"sensor-2","timestamp":"2026-11-25T10:00:02Z","sensor_type":"pressure","value":130,"unit":"PSI","location":"plant-b"})"});
  auto lines = ReadLines(path, 2);
  ASSERT_TRUE((*job)->Stop().ok());
  ASSERT_TRUE((*hub)->Stop().ok());
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_NE(
      lines[0].find(
          R"("message":"ALERT: Anomaly detected in temperature sensor sensor-1234. Value: 95.0 °C")"),
      std::string::npos)
      << lines[0];
  EXPECT_NE(lines[0].find(R"("severity":"warning")"), std::string::npos) << lines[0];
  EXPECT_NE(lines[0].find(R"("time":"2026-11-25T10:00:00.000Z")"), std::string::npos) << lines[0];
  EXPECT_NE(lines[1].find(R"("severity":"critical")"), std::string::npos) << lines[1];
  EXPECT_NE(lines[1].find("Value: 130.0 PSI"), std::string::npos) << lines[1];
  EXPECT_EQ((*job)->status().records_out, 2u);
}

TEST_F(AlertSinkTest, UnknownTemplateColumnIsRefusedWhenBinding) {
  std::string sql = kAlerts;
  sql.replace(sql.find("{unit}"), 6, "{units}");
  sql::Catalog catalog;
  auto bound = sql::BindSql(sql, &catalog);
  ASSERT_FALSE(bound.ok());
  EXPECT_NE(bound.status().message().find("{units}"), std::string::npos)
      << bound.status().ToString();
}

}  // namespace
}  // namespace fluxgate::jobs
