#include "quality/record_check.h"

#include <gtest/gtest.h>

#include "common/config_quality.h"

namespace fluxgate::quality {
namespace {

std::unique_ptr<StreamRules> Rules(QualityConfig::Stream c) {
  auto r = StreamRules::Make(c);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return std::move(*r);
}

std::unique_ptr<StreamRules> IotRules(bool range_on_ingest = false) {
  QualityConfig::Stream c = QualityConfig::DefaultIotTelemetry();
  c.range_on_ingest = range_on_ingest;
  c.on_invalid = "reject";
  return Rules(c);
}

constexpr char kGood[] = R"({"device_id":"sensor-0001","timestamp":"2026-11-25T19:05:00.123456Z",)"
                         R"("sensor_type":"temperature","value":21.5,"unit":"°C","location":"a"})";

struct Checked {
  bool ok;
  Problem problem;
  std::string field;
  std::string reason;
};

Checked CheckOne(const StreamRules& rules, std::string_view data) {
  RecordChecker checker;
  RecordView view;
  bool ok = checker.Check(rules, data, &view);
  return {ok, view.problem, std::string(view.ProblemField(rules)), view.Reason(rules)};
}

TEST(RecordCheckTest, AcceptsARecipeRecordAndExtractsTheRoles) {
  auto rules = IotRules();
  RecordChecker checker;
  RecordView v;
  ASSERT_TRUE(checker.Check(*rules, kGood, &v)) << v.Reason(*rules);
  EXPECT_EQ(v.device, "sensor-0001");
  EXPECT_EQ(v.sensor_type, "temperature");
  ASSERT_TRUE(v.has_timestamp);
  EXPECT_EQ(v.timestamp_ms, 1795633500123);  // 2026-11-25T19:05:00.123Z
  ASSERT_TRUE(v.has_value);
  EXPECT_DOUBLE_EQ(v.value, 21.5);
  EXPECT_FALSE(v.out_of_range);
  EXPECT_TRUE(v.sensor_has_range);
  for (Cell c : v.cells) EXPECT_EQ(c, Cell::kValue);
  // Reusing the view for a second record resets it.
  ASSERT_FALSE(checker.Check(*rules, "{}", &v));
  EXPECT_TRUE(v.device.empty());
  EXPECT_FALSE(v.has_value);
}

TEST(RecordCheckTest, FieldOrderDoesNotMatter) {
  auto rules = IotRules();
  auto c = CheckOne(*rules, R"({"value":1,"sensor_type":"flow","timestamp":"2026-01-01 00:00:00",)"
                            R"("device_id":"d"})");
  EXPECT_TRUE(c.ok) << c.reason;
}

TEST(RecordCheckTest, EveryRuleNamesItsField) {
  auto rules = IotRules();
  auto missing =
      CheckOne(*rules, R"({"device_id":"d","timestamp":"2026-01-01T00:00:00Z","value":1})");
  EXPECT_EQ(missing.problem, Problem::kMissing);
  EXPECT_EQ(missing.field, "sensor_type");
  EXPECT_EQ(missing.reason, "field 'sensor_type': required but missing");

  auto null = CheckOne(*rules, R"({"device_id":null,"timestamp":"2026-01-01T00:00:00Z",)"
                               R"("sensor_type":"flow","value":1})");
  EXPECT_EQ(null.problem, Problem::kNull);
  EXPECT_EQ(null.field, "device_id");

  auto type = CheckOne(*rules, R"({"device_id":"d","timestamp":"2026-01-01T00:00:00Z",)"
                               R"("sensor_type":"flow","value":"hot"})");
  EXPECT_EQ(type.problem, Problem::kType);
  EXPECT_EQ(type.reason, "field 'value': expected a number, got string");

  auto ts = CheckOne(*rules,
                     R"({"device_id":"d","timestamp":"yesterday","sensor_type":"flow","value":1})");
  EXPECT_EQ(ts.problem, Problem::kBadTimestamp);
  EXPECT_EQ(ts.field, "timestamp");

  auto ts_number = CheckOne(
      *rules, R"({"device_id":"d","timestamp":1700000000000,"sensor_type":"flow","value":1})");
  EXPECT_EQ(ts_number.problem, Problem::kType);  // TIMESTAMP(3) is a string, as the job reads it

  // A nullable column may be null or absent.
  auto nullable = CheckOne(*rules, R"({"device_id":"d","timestamp":"2026-01-01T00:00:00Z",)"
                                   R"("sensor_type":"flow","value":1,"unit":null})");
  EXPECT_TRUE(nullable.ok) << nullable.reason;
}

TEST(RecordCheckTest, MalformedAndNonObjects) {
  auto rules = IotRules();
  EXPECT_EQ(CheckOne(*rules, "{\"device_id\":").problem, Problem::kMalformed);
  EXPECT_EQ(CheckOne(*rules, "not json").problem, Problem::kMalformed);
  EXPECT_EQ(CheckOne(*rules, "").problem, Problem::kMalformed);
  auto arr = CheckOne(*rules, "[1,2]");
  EXPECT_EQ(arr.problem, Problem::kNotObject);
  EXPECT_EQ(arr.reason, "record is not a JSON object (found array)");
  std::string trailing = std::string(kGood) + " {}";
  EXPECT_EQ(CheckOne(*rules, trailing).problem, Problem::kMalformed);
  EXPECT_EQ(CheckOne(*rules, std::string(kGood) + "\n").problem, Problem::kNone);
  std::string binary("\xff\xfe\x00\x01", 4);
  EXPECT_FALSE(CheckOne(*rules, binary).ok);
}

TEST(RecordCheckTest, RangesAreCountedAndOptionallyEnforced) {
  const char* hot =
      R"({"device_id":"d","timestamp":"2026-01-01T00:00:00Z","sensor_type":"temperature",)"
      R"("value":130})";
  auto counted = IotRules(false);
  RecordChecker checker;
  RecordView v;
  EXPECT_TRUE(checker.Check(*counted, hot, &v));
  EXPECT_TRUE(v.out_of_range);
  auto enforced = IotRules(true);
  auto c = CheckOne(*enforced, hot);
  EXPECT_EQ(c.problem, Problem::kOutOfRange);
  EXPECT_EQ(c.reason,
            "field 'value': 130 is outside the physical range [-40, 125] of sensor type "
            "'temperature'");
  // Bounds are inclusive; unknown sensor types have no range.
  EXPECT_TRUE(CheckOne(*enforced, R"({"device_id":"d","timestamp":"2026-01-01T00:00:00Z",)"
                                  R"("sensor_type":"temperature","value":125})")
                  .ok);
  EXPECT_TRUE(CheckOne(*enforced, R"({"device_id":"d","timestamp":"2026-01-01T00:00:00Z",)"
                                  R"("sensor_type":"co2","value":5000})")
                  .ok);
}

TEST(RecordCheckTest, JsonSchemaRules) {
  QualityConfig::Stream c;
  c.stream = "s";
  c.on_invalid = "reject";
  std::string path = ::testing::TempDir() + "/quality_schema.json";
  FILE* f = fopen(path.c_str(), "w");
  ASSERT_NE(f, nullptr);
  fputs(R"({"type":"object","required":["device_id"],"additionalProperties":false,
           "properties":{"device_id":{"type":"string"},
                         "value":{"type":"number","minimum":0,"maximum":10},
                         "n":{"type":"integer"},
                         "mode":{"enum":["on","off"]},
                         "timestamp":{"type":"string","format":"date-time"},
                         "sensor_type":{"type":"string"}}})",
        f);
  fclose(f);
  c.json_schema = path;
  auto rules = Rules(c);
  EXPECT_TRUE(CheckOne(*rules, R"({"device_id":"d","value":3,"n":4,"mode":"on"})").ok);
  EXPECT_EQ(CheckOne(*rules, R"({"value":3})").problem, Problem::kMissing);
  EXPECT_EQ(CheckOne(*rules, R"({"device_id":"d","value":-1})").problem, Problem::kBelowMinimum);
  auto above = CheckOne(*rules, R"({"device_id":"d","value":11})");
  EXPECT_EQ(above.problem, Problem::kAboveMaximum);
  EXPECT_EQ(above.reason, "field 'value': 11 is above the maximum 10");
  EXPECT_EQ(CheckOne(*rules, R"({"device_id":"d","n":1.5})").problem, Problem::kType);
  EXPECT_EQ(CheckOne(*rules, R"({"device_id":"d","mode":"auto"})").problem, Problem::kNotInEnum);
  auto extra = CheckOne(*rules, R"({"device_id":"d","color":"red"})");
  EXPECT_EQ(extra.problem, Problem::kUnexpectedField);
  EXPECT_EQ(extra.field, "color");
  EXPECT_EQ(CheckOne(*rules, R"({"device_id":null})").problem, Problem::kNull);
}

TEST(RecordCheckTest, WithoutASchemaOnlyRolesAreRead) {
  QualityConfig::Stream c;
  c.stream = "s";
  auto rules = Rules(c);
  EXPECT_FALSE(rules->has_schema());
  RecordChecker checker;
  RecordView v;
  EXPECT_TRUE(checker.Check(*rules, R"({"device_id":7,"timestamp":1700000000123,"x":[1]})", &v));
  EXPECT_EQ(v.device, "7");  // a numeric id is its digits
  EXPECT_TRUE(v.has_timestamp);
  EXPECT_EQ(v.timestamp_ms, 1700000000123);
}

}  // namespace
}  // namespace fluxgate::quality
