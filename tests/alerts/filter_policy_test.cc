#include "alerts/filter_policy.h"

#include <gtest/gtest.h>

namespace fluxgate::alerts {
namespace {

Alert With(const std::string& attributes, const std::string& severity = "warning") {
  Alert a;
  a.topic = "iot-alerts";
  a.rule = "anomalies";
  a.severity = severity;
  a.attributes = attributes;
  return a;
}

FilterPolicy MustParse(const std::string& json) {
  auto p = FilterPolicy::Parse(json);
  EXPECT_TRUE(p.ok()) << json << ": " << p.status().ToString();
  return p.ok() ? std::move(p).value() : FilterPolicy();
}

const char kTemp[] =
    R"({"device_id":"sensor-1","sensor_type":"temperature","location":"plant-a","value":95.5})";
const char kPressure[] =
    R"({"device_id":"sensor-9","sensor_type":"pressure","location":"plant-b","value":130})";

TEST(FilterPolicyTest, ExactStringsAnyOf) {
  auto p = MustParse(R"({"sensor_type":["temperature","vibration"]})");
  EXPECT_TRUE(p.Matches(With(kTemp)));
  EXPECT_FALSE(p.Matches(With(kPressure)));
}

TEST(FilterPolicyTest, KeysAreAndedConditionsOred) {
  auto p = MustParse(R"({"sensor_type":["temperature"],"location":["plant-b"]})");
  EXPECT_FALSE(p.Matches(With(kTemp)));  // right type, wrong place
  auto q = MustParse(R"({"location":["plant-b",{"prefix":"plant-a"}]})");
  EXPECT_TRUE(q.Matches(With(kTemp)));
  EXPECT_TRUE(q.Matches(With(kPressure)));
}

TEST(FilterPolicyTest, SeverityIsTheAlertsOwnField) {
  auto p = MustParse(R"({"severity":["critical"]})");
  EXPECT_TRUE(p.Matches(With(kTemp, "critical")));
  EXPECT_FALSE(p.Matches(With(kTemp, "warning")));
}

TEST(FilterPolicyTest, PrefixAnythingButNumericAndExists) {
  EXPECT_TRUE(MustParse(R"({"device_id":[{"prefix":"sensor-"}]})").Matches(With(kTemp)));
  EXPECT_FALSE(MustParse(R"({"device_id":[{"prefix":"pump-"}]})").Matches(With(kTemp)));
  auto but = MustParse(R"({"device_id":[{"anything-but":["sensor-9","sensor-8"]}]})");
  EXPECT_TRUE(but.Matches(With(kTemp)));
  EXPECT_FALSE(but.Matches(With(kPressure)));
  EXPECT_FALSE(but.Matches(With("{}")));  // absent is not "anything"
  auto range = MustParse(R"({"value":[{"numeric":[">",90,"<=",100]}]})");
  EXPECT_TRUE(range.Matches(With(kTemp)));
  EXPECT_FALSE(range.Matches(With(kPressure)));
  EXPECT_FALSE(range.Matches(With(R"({"value":"95"})")));  // a string is not a number
  EXPECT_TRUE(MustParse(R"({"value":[130]})").Matches(With(kPressure)));
  EXPECT_TRUE(MustParse(R"({"zone":[{"exists":false}]})").Matches(With(kTemp)));
  EXPECT_FALSE(MustParse(R"({"zone":[{"exists":true}]})").Matches(With(kTemp)));
  EXPECT_FALSE(MustParse(R"({"zone":["a"]})").Matches(With(kTemp)));
}

TEST(FilterPolicyTest, EmptyPolicyMatchesEverything) {
  EXPECT_TRUE(MustParse("{}").Matches(With(kTemp)));
  EXPECT_TRUE(MustParse("{}").Matches(With("")));
}

TEST(FilterPolicyTest, BadPoliciesSayWhatIsWrong) {
  auto expect_error = [](const std::string& json, const std::string& says) {
    auto p = FilterPolicy::Parse(json);
    ASSERT_FALSE(p.ok()) << json;
    EXPECT_TRUE(p.status().IsInvalidArgument());
    EXPECT_NE(p.status().message().find(says), std::string::npos) << p.status().message();
  };
  expect_error("{", "not valid JSON");
  expect_error("[1]", "must be a JSON object");
  expect_error(R"({"a":"x"})", "list of conditions");
  expect_error(R"({"a":[]})", "empty");
  expect_error(R"({"a":[{"suffix":"x"}]})", "unknown operator \"suffix\"");
  expect_error(R"({"a":[{"numeric":["~",1]}]})", "numeric operator");
  expect_error(R"({"a":[{"numeric":[">"]}]})", "pairs");
  expect_error(R"({"a":[true]})", "a condition is");
}

}  // namespace
}  // namespace fluxgate::alerts
