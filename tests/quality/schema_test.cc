#include "quality/schema.h"

#include <gtest/gtest.h>

namespace fluxgate::quality {
namespace {

TEST(SqlSchemaTest, ParsesTypesAndNotNull) {
  auto s = ParseSqlColumns(
      "device_id STRING NOT NULL, `timestamp` TIMESTAMP(3) NOT NULL, value DOUBLE, "
      "price DECIMAL(10, 2), n INT, big BIGINT, ok BOOLEAN");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  ASSERT_EQ(s->fields.size(), 7u);
  EXPECT_EQ(s->fields[0].name, "device_id");
  EXPECT_EQ(s->fields[0].type, FieldType::kString);
  EXPECT_TRUE(s->fields[0].required);
  EXPECT_FALSE(s->fields[0].nullable);
  EXPECT_EQ(s->fields[1].name, "timestamp");
  EXPECT_EQ(s->fields[1].type, FieldType::kTimestamp);
  EXPECT_EQ(s->fields[2].type, FieldType::kNumber);
  EXPECT_FALSE(s->fields[2].required);
  EXPECT_TRUE(s->fields[2].nullable);
  EXPECT_EQ(s->fields[3].type, FieldType::kNumber);  // DECIMAL(10, 2) kept whole
  EXPECT_EQ(s->fields[4].type, FieldType::kInt32);
  EXPECT_EQ(s->fields[5].type, FieldType::kInteger);
  EXPECT_EQ(s->fields[6].type, FieldType::kBoolean);
}

TEST(SqlSchemaTest, RefusesBadColumns) {
  EXPECT_FALSE(ParseSqlColumns("").ok());
  EXPECT_FALSE(ParseSqlColumns("a STRING,").ok());
  EXPECT_FALSE(ParseSqlColumns("a").ok());
  EXPECT_FALSE(ParseSqlColumns("a NOTATYPE").ok());
  auto dup = ParseSqlColumns("a STRING, a INT");
  ASSERT_FALSE(dup.ok());
  EXPECT_NE(dup.status().message().find("'a'"), std::string::npos);
  auto interval = ParseSqlColumns("a INTERVAL");
  EXPECT_FALSE(interval.ok());
}

TEST(JsonSchemaTest, ParsesTheSubset) {
  auto s = ParseJsonSchema(R"({
    "type": "object",
    "required": ["device_id", "value", "extra"],
    "additionalProperties": false,
    "properties": {
      "device_id": {"type": "string", "description": "ignored"},
      "value": {"type": ["number", "null"], "minimum": -40, "maximum": 125},
      "n": {"type": "integer", "enum": [1, 2, 3]},
      "kind": {"type": "string", "enum": ["a", "b"]},
      "ts": {"type": "string", "format": "date-time"},
      "any": {}
    }
  })");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_FALSE(s->additional_properties);
  ASSERT_EQ(s->fields.size(), 7u);  // six properties + "extra" (required, undescribed)
  const FieldRule& dev = s->fields[0];
  EXPECT_EQ(dev.type, FieldType::kString);
  EXPECT_TRUE(dev.required);
  EXPECT_FALSE(dev.nullable);
  const FieldRule& value = s->fields[1];
  EXPECT_EQ(value.type, FieldType::kNumber);
  EXPECT_TRUE(value.nullable);
  EXPECT_TRUE(value.required);
  EXPECT_EQ(*value.minimum, -40);
  EXPECT_EQ(*value.maximum, 125);
  EXPECT_EQ(s->fields[2].type, FieldType::kInteger);
  EXPECT_EQ(s->fields[2].enum_numbers.size(), 3u);
  EXPECT_FALSE(s->fields[2].required);
  EXPECT_EQ(s->fields[3].enum_strings, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(s->fields[4].type, FieldType::kTimestamp);
  EXPECT_EQ(s->fields[5].type, FieldType::kAny);
  EXPECT_TRUE(s->fields[5].nullable);  // no "type": anything, null included
  EXPECT_EQ(s->fields[6].name, "extra");
  EXPECT_TRUE(s->fields[6].required);
}

TEST(JsonSchemaTest, RefusesWhatItCannotEnforce) {
  EXPECT_FALSE(ParseJsonSchema("not json").ok());
  EXPECT_FALSE(ParseJsonSchema("[]").ok());
  EXPECT_FALSE(ParseJsonSchema(R"({"type":"array"})").ok());
  EXPECT_FALSE(ParseJsonSchema(R"({"properties":{"a":{"type":"decimal"}}})").ok());
  EXPECT_FALSE(ParseJsonSchema(R"({"properties":{"a":{"minimum":"x"}}})").ok());
  EXPECT_FALSE(ParseJsonSchema(R"({"properties":{"a":{}},"additionalProperties":{}})").ok());
  EXPECT_FALSE(ParseJsonSchema(R"({"type":"object"})").ok());  // nothing to check
  EXPECT_FALSE(LoadJsonSchemaFile("/nonexistent/schema.json").ok());
}

}  // namespace
}  // namespace fluxgate::quality
