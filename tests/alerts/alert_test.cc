#include "alerts/alert.h"

#include <gtest/gtest.h>

#include <set>

#include "alerts/backoff.h"

namespace fluxgate::alerts {
namespace {

TEST(AlertIdTest, SameInputsSameIdAcrossCalls) {
  const std::string row = R"({"device_id":"sensor-1234","value":95.0})";
  const std::string a = AlertId("iot-alerts", "anomalies", row);
  EXPECT_EQ(a, AlertId("iot-alerts", "anomalies", row));
  EXPECT_EQ(a.size(), 32u);
  EXPECT_EQ(a.find_first_not_of("0123456789abcdef"), std::string::npos) << a;
}

TEST(AlertIdTest, IsStableAcrossVersions) {
  // Receivers store ids to drop repeats: changing the hash breaks them. This value is the
  // FNV-1a 128 of the length-prefixed fields (computed independently in Python); change it
  // only with a note to users.
  EXPECT_EQ(AlertId("", "", ""), AlertId("", "", ""));
  EXPECT_NE(AlertId("", "", ""), std::string(32, '0'));
  EXPECT_EQ(AlertId("t", "r", "{}"), "fa5ec9bbb042ec5324db8546e48400cf");
}

TEST(AlertIdTest, EveryFieldAndItsBoundaryMatters) {
  std::set<std::string> ids = {
      AlertId("t", "r", "{\"v\":1}"),  AlertId("t2", "r", "{\"v\":1}"),
      AlertId("t", "r2", "{\"v\":1}"), AlertId("t", "r", "{\"v\":2}"),
      AlertId("ab", "c", "{}"),        AlertId("a", "bc", "{}"),
  };
  EXPECT_EQ(ids.size(), 6u);
}

TEST(FormatTimeUtcTest, MillisecondsAndNegativeTimes) {
  EXPECT_EQ(FormatTimeUtc(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(FormatTimeUtc(1764097500123), "2025-11-25T19:05:00.123Z");
  EXPECT_EQ(FormatTimeUtc(-1), "1969-12-31T23:59:59.999Z");
}

TEST(AlertJsonTest, DocumentShape) {
  Alert a;
  a.id = "abc";
  a.topic = "iot-alerts";
  a.rule = "anomalies";
  a.subject = "IoT Sensor Anomaly Alert";
  a.message = "ALERT: \"quoted\"\nValue: 95.0 °C";
  a.event_time_ms = 1764097500123;
  a.attributes = R"({"device_id":"sensor-1234","value":95.0})";
  std::string out;
  AppendAlertJson(a, out);
  EXPECT_EQ(
      out,
      R"({"id":"abc","topic":"iot-alerts","rule":"anomalies","severity":"warning",)"
      R"("subject":"IoT Sensor Anomaly Alert","message":"ALERT: \"quoted\"\nValue: 95.0 °C",)"
      R"("time":"2025-11-25T19:05:00.123Z","attributes":{"device_id":"sensor-1234","value":95.0}})");
}

TEST(AlertJsonTest, EmptyOrNonObjectAttributesStayValidJson) {
  Alert a;
  std::string out;
  AppendAlertJson(a, out);
  EXPECT_NE(out.find(R"("attributes":{}})"), std::string::npos) << out;
  a.attributes = "not \"json\"";
  out.clear();
  AppendAlertJson(a, out);
  EXPECT_NE(out.find(R"("attributes":{"raw":"not \"json\""}})"), std::string::npos) << out;
}

TEST(BackoffTest, GrowsDoublesWithinJitterBoundsAndCaps) {
  for (double u : {0.0, 0.5, 0.999}) {
    EXPECT_GE(BackoffMs(1, 100, 10'000, u), 50);
    EXPECT_LE(BackoffMs(1, 100, 10'000, u), 100);
    EXPECT_GE(BackoffMs(3, 100, 10'000, u), 200);
    EXPECT_LE(BackoffMs(3, 100, 10'000, u), 400);
    EXPECT_LE(BackoffMs(60, 100, 10'000, u), 10'000);
    EXPECT_GE(BackoffMs(60, 100, 10'000, u), 5'000);
  }
  EXPECT_EQ(BackoffMs(2, 100, 10'000, 0.0), 100);
  EXPECT_EQ(BackoffMs(2, 100, 10'000, 1.0), 200);
  EXPECT_LE(BackoffMs(100, 1, INT64_MAX, 1.0), INT64_MAX);  // no overflow
  EXPECT_GT(BackoffMs(100, 1, INT64_MAX, 1.0), 0);
}

}  // namespace
}  // namespace fluxgate::alerts
