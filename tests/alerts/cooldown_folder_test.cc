#include "alerts/cooldown_folder.h"

#include <gtest/gtest.h>

namespace fluxgate::alerts {
namespace {

Alert Reading(const std::string& device, int i, const std::string& rule = "anomalies") {
  Alert a;
  a.topic = "iot-alerts";
  a.rule = rule;
  a.attributes = "{\"device_id\":\"" + device + "\",\"value\":" + std::to_string(90 + i) + "}";
  a.id = AlertId(a.topic, a.rule, a.attributes);
  a.event_time_ms = 1000 + i;
  return a;
}

TEST(CooldownFolderTest, FirstGoesOutRepeatsFoldIntoOneSummaryWithACount) {
  CooldownFolder f(60'000, 100);
  EXPECT_TRUE(f.Admit(Reading("sensor-1", 0), 0));
  for (int i = 1; i <= 9999; ++i) EXPECT_FALSE(f.Admit(Reading("sensor-1", i), i));
  EXPECT_EQ(f.folded(), 9999u);
  EXPECT_TRUE(f.Expire(59'999).empty());  // the window is still open
  EXPECT_EQ(f.NextDeadline(), 60'000);
  auto out = f.Expire(60'000);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].count, 9999u);
  EXPECT_EQ(out[0].first_time_ms, 1001);               // the first repeat
  EXPECT_EQ(out[0].id, Reading("sensor-1", 9999).id);  // the last repeat's own id
  EXPECT_EQ(out[0].attributes, Reading("sensor-1", 9999).attributes);
  // Still stuck: the next repeat folds into the new window...
  EXPECT_FALSE(f.Admit(Reading("sensor-1", 10000), 60'001));
  auto next = f.Expire(120'000);
  ASSERT_EQ(next.size(), 1u);
  EXPECT_EQ(next[0].count, 1u);
  // ...and a quiet window forgets the key, so the next alert goes out at once.
  EXPECT_TRUE(f.Expire(180'000).empty());
  EXPECT_EQ(f.keys(), 0u);
  EXPECT_TRUE(f.Admit(Reading("sensor-1", 3), 180'001));
}

TEST(CooldownFolderTest, DevicesAndRulesFoldSeparately) {
  CooldownFolder f(1000, 100);
  EXPECT_TRUE(f.Admit(Reading("sensor-1", 0), 0));
  EXPECT_TRUE(f.Admit(Reading("sensor-2", 0), 0));
  EXPECT_TRUE(f.Admit(Reading("sensor-1", 0, "other-rule"), 0));
  EXPECT_FALSE(f.Admit(Reading("sensor-2", 1), 10));
  auto out = f.Expire(1000);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_NE(out[0].attributes.find("sensor-2"), std::string::npos);
}

TEST(CooldownFolderTest, ZeroCooldownAdmitsEverything) {
  CooldownFolder f(0, 100);
  for (int i = 0; i < 10; ++i) EXPECT_TRUE(f.Admit(Reading("sensor-1", i), i));
  EXPECT_EQ(f.folded(), 0u);
}

TEST(CooldownFolderTest, FullTableStopsFoldingNewKeysAndCountsThem) {
  CooldownFolder f(1000, 2);
  EXPECT_TRUE(f.Admit(Reading("a", 0), 0));
  EXPECT_TRUE(f.Admit(Reading("b", 0), 0));
  EXPECT_TRUE(f.Admit(Reading("c", 0), 0));
  EXPECT_TRUE(f.Admit(Reading("c", 1), 1));  // not folded: no room for its window
  EXPECT_EQ(f.overflow(), 2u);
  EXPECT_EQ(f.keys(), 2u);
}

TEST(CooldownFolderTest, DeviceIdComesFromTheAttributes) {
  EXPECT_EQ(CooldownFolder::DeviceId(R"({"value":1,"device_id":"sensor-9"})"), "sensor-9");
  EXPECT_EQ(CooldownFolder::DeviceId(R"({"device_id":7})"), "");
  EXPECT_EQ(CooldownFolder::DeviceId("not json"), "");
  EXPECT_EQ(CooldownFolder::DeviceId(""), "");
}

}  // namespace
}  // namespace fluxgate::alerts
