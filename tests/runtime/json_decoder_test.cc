#include "runtime/json_decoder.h"

#include <gtest/gtest.h>

namespace fluxgate::runtime {
namespace {

using sql::DataType;

std::shared_ptr<const Schema> RecipeSchema() {
  return std::make_shared<Schema>(std::vector<Field>{{"device_id", DataType::String()},
                                                     {"timestamp", DataType::Timestamp(3)},
                                                     {"sensor_type", DataType::String()},
                                                     {"value", DataType::Double()},
                                                     {"unit", DataType::String()},
                                                     {"location", DataType::String()}});
}

struct Fixture {
  explicit Fixture(std::shared_ptr<const Schema> s, JsonFormatOptions o = {})
      : schema(s), decoder(s, o), builder(s) {}
  DecodeOutcome Decode(std::string_view rec) { return decoder.Decode(rec, builder, &dl); }
  std::string Row(size_t r) { return builder.batch().RowToString(r); }
  std::shared_ptr<const Schema> schema;
  JsonDecoder decoder;
  RecordBatchBuilder builder;
  DeadLetter dl;
};

TEST(JsonDecoder, SimulatorRecord) {
  Fixture f(RecipeSchema());
  ASSERT_EQ(f.Decode(R"({"device_id":"sensor-0001","timestamp":"2026-11-25T19:05:00.123456Z",)"
                     R"("sensor_type":"temperature","value":22.5,"unit":"°C",)"
                     R"("location":"factory-floor-1"})"),
            DecodeOutcome::kRows)
      << f.dl.reason;
  ASSERT_EQ(f.builder.num_rows(), 1u);
  EXPECT_EQ(f.Row(0),
            "[sensor-0001, 2026-11-25 19:05:00.123, temperature, 22.5, °C, factory-floor-1]");
  // 2026-11-25T19:05:00.123Z in epoch millis.
  EXPECT_EQ(f.builder.batch().column(1).Int64(0), 1795633500123);
}

// Parsed in place when the caller's buffer extends past the record (as the log's reads
// do): whatever those bytes hold — JSON-looking text included — the outcome must be the
// one of the copied, zero-padded parse, for good records, truncated ones and trailing text.
TEST(JsonDecoder, InPlaceParseIgnoresTheBytesPastTheRecord) {
  const std::string garbage = R"(,"value":999,"x":"}]} {"device_id":"evil"} tail" 123 )";
  const char* records[] = {
      R"({"device_id":"d-1","timestamp":"2026-11-25 19:05:00","sensor_type":"t","value":1.5})",
      R"({"device_id":"d-2","timestamp":"2026-11-25 19:05:00","value":)",
      R"({"device_id":"d-3","value":2.5} {"x":1})",
      R"({"device_id":"d-4","value":"not a number"})",
      R"({"device_id":"d-\"5\"","value":3})",
  };
  for (const char* text : records) {
    std::string buffer(text);
    const size_t size = buffer.size();
    buffer += garbage + garbage;  // at least simdjson's 64 bytes of padding
    Fixture copied(RecipeSchema()), in_place(RecipeSchema());
    const DecodeOutcome a = copied.Decode(std::string_view(buffer.data(), size));
    const DecodeOutcome b = in_place.decoder.Decode(std::string_view(buffer.data(), size),
                                                    in_place.builder, &in_place.dl, buffer.size());
    ASSERT_EQ(a, b) << text;
    EXPECT_EQ(copied.dl.reason, in_place.dl.reason) << text;
    ASSERT_EQ(copied.builder.num_rows(), in_place.builder.num_rows()) << text;
    if (a == DecodeOutcome::kRows) EXPECT_EQ(copied.Row(0), in_place.Row(0)) << text;
  }
}

TEST(JsonDecoder, FieldOrderUnknownDuplicateAndMissing) {
  Fixture f(RecipeSchema());
  ASSERT_EQ(f.Decode(R"({"extra":{"a":[1,2]},"value":1,"device_id":"x","value":2.5})"),
            DecodeOutcome::kRows);
  EXPECT_EQ(f.Row(0), "[x, NULL, NULL, 2.5, NULL, NULL]");
}

TEST(JsonDecoder, FailOnMissingField) {
  JsonFormatOptions o;
  o.fail_on_missing_field = true;
  Fixture f(RecipeSchema(), o);
  ASSERT_EQ(f.Decode(R"({"device_id":"x"})"), DecodeOutcome::kDeadLetter);
  EXPECT_EQ(f.dl.reason, "field 'timestamp' is missing");
  EXPECT_EQ(f.dl.raw, R"({"device_id":"x"})");
  EXPECT_EQ(f.builder.num_rows(), 0u);
}

TEST(JsonDecoder, CaseSensitiveNames) {
  Fixture f(RecipeSchema());
  ASSERT_EQ(f.Decode(R"({"Device_ID":"x","device_id":"y"})"), DecodeOutcome::kRows);
  EXPECT_EQ(f.builder.batch().ValueToString(0, 0), "y");
}

TEST(JsonDecoder, TimestampForms) {
  auto s = std::make_shared<Schema>(std::vector<Field>{{"t", DataType::Timestamp(3)}});
  Fixture f(s);
  const char* cases[][2] = {
      {"2026-11-25 19:05:00.123", "2026-11-25 19:05:00.123"},
      {"2026-11-25T19:05:00.123456Z", "2026-11-25 19:05:00.123"},  // truncated, not rounded
      {"2026-11-25T19:05:00.999999", "2026-11-25 19:05:00.999"},
      {"2026-11-25T19:05:00", "2026-11-25 19:05:00.000"},
      {"2026-11-25T19:05", "2026-11-25 19:05:00.000"},
      {"2026-11-25T19:05:00.5+02:00", "2026-11-25 17:05:00.500"},
      {"2026-11-25T01:05:00-05:30", "2026-11-25 06:35:00.000"},
      {"2026-11-25T23:30:00-01:00", "2026-11-26 00:30:00.000"},
      {"2024-02-29 00:00:00", "2024-02-29 00:00:00.000"},
      {"1969-12-31 23:59:59.999", "1969-12-31 23:59:59.999"},
      {"2026-11-25T19:05:00.123456789Z", "2026-11-25 19:05:00.123"},
  };
  for (auto& c : cases) {
    std::string rec = std::string(R"({"t":")") + c[0] + "\"}";
    ASSERT_EQ(f.Decode(rec), DecodeOutcome::kRows) << c[0] << ": " << f.dl.reason;
    EXPECT_EQ(f.builder.batch().ValueToString(0, f.builder.num_rows() - 1), c[1]) << c[0];
  }
  EXPECT_EQ(f.builder.batch().column(0).Int64(9), -1);
}

TEST(JsonDecoder, TimestampPrecision) {
  auto s = std::make_shared<Schema>(std::vector<Field>{{"t0", DataType::Timestamp(0)},
                                                       {"t6", DataType::Timestamp(6)},
                                                       {"l", DataType::TimestampLtz(3)}});
  Fixture f(s);
  ASSERT_EQ(f.Decode(R"({"t0":"2026-11-25 19:05:00.987","t6":"2026-11-25T19:05:00.1234567",)"
                     R"("l":"2026-11-25T19:05:00.5Z"})"),
            DecodeOutcome::kRows);
  EXPECT_EQ(f.Row(0),
            "[2026-11-25 19:05:00, 2026-11-25 19:05:00.123456, 2026-11-25 19:05:00.500Z]");
}

TEST(JsonDecoder, BadTimestamps) {
  auto s = std::make_shared<Schema>(std::vector<Field>{{"ts", DataType::Timestamp(3)}});
  Fixture f(s);
  const char* cases[][2] = {
      {"\"2026-13-01 00:00:00\"",
       "field 'ts': bad TIMESTAMP(3) \"2026-13-01 00:00:00\": month out of range"},
      {"\"2026-02-29 00:00:00\"",
       "field 'ts': bad TIMESTAMP(3) \"2026-02-29 00:00:00\": day out of range for the month"},
      {"\"2026-11-25 24:00:00\"",
       "field 'ts': bad TIMESTAMP(3) \"2026-11-25 24:00:00\": hour out of range"},
      {"\"2026-11-25\"",
       "field 'ts': bad TIMESTAMP(3) \"2026-11-25\": expected 'T' or ' ' between date and time"},
      {"\"2026-11-25T10:00:00.\"",
       "field 'ts': bad TIMESTAMP(3) \"2026-11-25T10:00:00.\": fraction of a second must have 1 to "
       "9 digits"},
      {"\"2026-11-25T10:00:00+25:00\"",
       "field 'ts': bad TIMESTAMP(3) \"2026-11-25T10:00:00+25:00\": zone offset out of range"},
      {"\"2026-11-25T10:00:00 UTC\"",
       "field 'ts': bad TIMESTAMP(3) \"2026-11-25T10:00:00 UTC\": unexpected text after the "
       "timestamp"},
      {"1795633500123", "field 'ts': cannot convert number to TIMESTAMP(3)"},
  };
  for (auto& c : cases) {
    std::string rec = std::string(R"({"ts":)") + c[0] + "}";
    ASSERT_EQ(f.Decode(rec), DecodeOutcome::kDeadLetter) << c[0];
    EXPECT_EQ(f.dl.reason, c[1]);
  }
  EXPECT_EQ(f.builder.num_rows(), 0u);
}

TEST(JsonDecoder, NumericCoercions) {
  auto s = std::make_shared<Schema>(std::vector<Field>{{"i", DataType::Int()},
                                                       {"b", DataType::BigInt()},
                                                       {"d", DataType::Double()},
                                                       {"m", DataType::Decimal(6, 2)},
                                                       {"f", DataType::Boolean()},
                                                       {"s", DataType::String()}});
  Fixture f(s);
  ASSERT_EQ(f.Decode(R"({"i":42.9,"b":"-7","d":"22.5","m":1.235,"f":"TRUE","s":12.50})"),
            DecodeOutcome::kRows)
      << f.dl.reason;
  EXPECT_EQ(f.Row(0), "[42, -7, 22.5, 1.24, TRUE, 12.50]");
  ASSERT_EQ(f.Decode(R"({"i":-2147483648,"b":9223372036854775807,"d":3,"m":"-9999.994",)"
                     R"("f":false,"s":{"a": [1, "x"]}})"),
            DecodeOutcome::kRows)
      << f.dl.reason;
  EXPECT_EQ(f.Row(1),
            R"([-2147483648, 9223372036854775807, 3.0, -9999.99, FALSE, {"a": [1, "x"]}])");
  ASSERT_EQ(f.Decode(R"({"s":true,"m":"1e2","d":-1.5e-3})"), DecodeOutcome::kRows);
  EXPECT_EQ(f.Row(2), "[NULL, NULL, -0.0015, 100.00, NULL, true]");
}

TEST(JsonDecoder, DeadLetterReasons) {
  auto s = std::make_shared<Schema>(
      std::vector<Field>{{"i", DataType::Int()},
                         {"b", DataType::BigInt()},
                         {"d", DataType::Double()},
                         {"m", DataType::Decimal(6, 2)},
                         {"f", DataType::Boolean()},
                         {"n", DataType{sql::TypeKind::kString, 0, 0, false}}});
  Fixture f(s);
  const char* cases[][2] = {
      {R"({"n":"x","i":2147483648})", "field 'i': value 2147483648 out of range for INT"},
      {R"({"n":"x","i":3e9})", "field 'i': value 3e9 out of range for INT"},
      {R"({"n":"x","i":"12a"})", "field 'i': cannot convert string \"12a\" to INT"},
      {R"({"n":"x","i":true})", "field 'i': cannot convert boolean to INT"},
      {R"({"n":"x","b":"99999999999999999999"})",
       "field 'b': value \"99999999999999999999\" out of range for BIGINT"},
      {R"({"n":"x","b":18446744073709551615})",
       "field 'b': value 18446744073709551615 out of range for BIGINT"},
      {R"({"n":"x","d":"hot"})", "field 'd': cannot convert string \"hot\" to DOUBLE"},
      {R"({"n":"x","d":[1]})", "field 'd': cannot convert array to DOUBLE"},
      {R"({"n":"x","m":12345.6})", "field 'm': value 12345.6 out of range for DECIMAL(6, 2)"},
      {R"({"n":"x","m":"abc"})", "field 'm': cannot convert \"abc\" to DECIMAL(6, 2)"},
      {R"({"n":"x","f":1})", "field 'f': cannot convert number to BOOLEAN"},
      {R"({"n":"x","f":"yes"})", "field 'f': cannot convert string \"yes\" to BOOLEAN"},
      {R"({"n":null})", "field 'n' is NULL but declared STRING NOT NULL"},
      {R"({"i":1})", "field 'n' is NULL but declared STRING NOT NULL"},
      {R"([1])",
       "array element 0 is not a JSON object (The JSON element does not have the requested type.)"},
      {R"("text")", "expected a JSON object, got string"},
  };
  for (auto& c : cases) {
    ASSERT_EQ(f.Decode(c[0]), DecodeOutcome::kDeadLetter) << c[0];
    EXPECT_EQ(f.dl.reason, c[1]) << c[0];
    EXPECT_EQ(f.dl.raw, c[0]);
  }
  for (const char* bad : {R"({"n":"x","i":1)", R"({"n":"x" "i":1})", R"({"n":"x"} {"n":"y"})",
                          R"(not json)", R"({"n":"x","d":1.2.3})", R"({"n":tru})"}) {
    ASSERT_EQ(f.Decode(bad), DecodeOutcome::kDeadLetter) << bad;
    EXPECT_EQ(f.dl.reason.rfind("malformed JSON", 0), 0u) << bad << ": " << f.dl.reason;
  }
  EXPECT_EQ(f.builder.num_rows(), 0u);
}

TEST(JsonDecoder, IgnoreParseErrors) {
  JsonFormatOptions o;
  o.ignore_parse_errors = true;
  auto s = std::make_shared<Schema>(
      std::vector<Field>{{"i", DataType::Int()}, {"d", DataType::Double()}});
  Fixture f(s, o);
  ASSERT_EQ(f.Decode(R"({"i":"x","d":1.5})"), DecodeOutcome::kRows);
  EXPECT_EQ(f.Row(0), "[NULL, 1.5]");
  EXPECT_EQ(f.Decode(R"({"i":)"), DecodeOutcome::kSkipped);
  EXPECT_EQ(f.builder.num_rows(), 1u);
}

TEST(JsonDecoder, TopLevelArrayIsAllOrNothing) {
  auto s = std::make_shared<Schema>(std::vector<Field>{{"i", DataType::Int()}});
  Fixture f(s);
  ASSERT_EQ(f.Decode(R"([{"i":1},{"i":2}])"), DecodeOutcome::kRows);
  EXPECT_EQ(f.builder.num_rows(), 2u);
  ASSERT_EQ(f.Decode(R"([{"i":3},{"i":"x"}])"), DecodeOutcome::kDeadLetter);
  EXPECT_EQ(f.builder.num_rows(), 2u);
}

TEST(JsonDecoder, EscapedKeysAndStrings) {
  // Keys are matched by their raw bytes when they have no escapes; escaped keys and string
  // values are unescaped as before.
  Fixture f(RecipeSchema());
  ASSERT_EQ(f.Decode(R"({"device\u005fid":"a\"b\\c","timestamp":"2026-11-25T19:05:00\u002e5Z",)"
                     R"("sensor_type\"":"ignored","sensor_type":"tab\there","value":1.5,)"
                     R"("unit":"\u00b0C","location":""})"),
            DecodeOutcome::kRows)
      << f.dl.reason;
  EXPECT_EQ(f.Row(0), "[a\"b\\c, 2026-11-25 19:05:00.500, tab\there, 1.5, °C, ]");
  // A key that starts like a column name is another key.
  ASSERT_EQ(f.Decode(R"({"device_idx":"no","device":"no","device_id":"yes"})"),
            DecodeOutcome::kRows);
  EXPECT_EQ(f.Row(1), "[yes, NULL, NULL, NULL, NULL, NULL]");
  ASSERT_EQ(f.Decode(R"({"device_id\u0000":"no","\"device_id":"no"})"), DecodeOutcome::kRows);
  EXPECT_EQ(f.Row(2), "[NULL, NULL, NULL, NULL, NULL, NULL]");
  ASSERT_EQ(f.Decode(R"({"device_id":"x","bad\q":1})"), DecodeOutcome::kDeadLetter);
  EXPECT_EQ(f.dl.reason.rfind("malformed JSON", 0), 0u) << f.dl.reason;
}

TEST(JsonDecoder, UnusualColumnNames) {
  const std::string long_name(60, 'k');
  auto s = std::make_shared<Schema>(std::vector<Field>{{"a\"b", DataType::String()},
                                                       {"c\\d", DataType::BigInt()},
                                                       {long_name, DataType::Double()},
                                                       {"", DataType::Boolean()},
                                                       {"\xc3\xa9t\xc3\xa9", DataType::Int()}});
  Fixture f(s);
  const std::string rec =
      R"({"a\"b":"q","c\\d":7,")" + long_name + R"(":2.5,"":true,"\u00e9t\u00e9":3})";
  ASSERT_EQ(f.Decode(rec), DecodeOutcome::kRows) << f.dl.reason;
  EXPECT_EQ(f.Row(0), "[q, 7, 2.5, TRUE, 3]");
  // Out of order, and the raw spelling of an escaped name is not that name.
  ASSERT_EQ(f.Decode(R"({"\u00e9t\u00e9":4,"":false,"a\"b":"r","a\\\"b":"no","c\\d":8})"),
            DecodeOutcome::kRows)
      << f.dl.reason;
  EXPECT_EQ(f.Row(1), "[r, 8, NULL, FALSE, 4]");
  ASSERT_EQ(f.Decode(R"({")" + long_name.substr(1) + R"(":1,")" + long_name + R"(k":2})"),
            DecodeOutcome::kRows);
  EXPECT_EQ(f.Row(2), "[NULL, NULL, NULL, NULL, NULL]");
}

TEST(JsonDecoder, TypedFastPathsFallBackToCoercions) {
  // Each column first tries the JSON type its SQL type implies; anything else must reach
  // the general coercions with the same results and reasons.
  auto s = std::make_shared<Schema>(std::vector<Field>{{"s", DataType::String()},
                                                       {"d", DataType::Double()},
                                                       {"i", DataType::Int()},
                                                       {"b", DataType::BigInt()},
                                                       {"f", DataType::Boolean()},
                                                       {"t", DataType::Timestamp(3)}});
  Fixture f(s);
  ASSERT_EQ(f.Decode(R"({"s":"x","d":2,"i":-5,"b":-9223372036854775808,"f":true,)"
                     R"("t":"2026-11-25 19:05:00.123"})"),
            DecodeOutcome::kRows);
  EXPECT_EQ(f.Row(0), "[x, 2.0, -5, -9223372036854775808, TRUE, 2026-11-25 19:05:00.123]");
  ASSERT_EQ(f.Decode(R"({"s":1.50,"d":"7.25","i":1.9e1,"b":"12","f":"false",)"
                     R"("t":"2026-11-25T21:05:00+02:00"})"),
            DecodeOutcome::kRows)
      << f.dl.reason;
  EXPECT_EQ(f.Row(1), "[1.50, 7.25, 19, 12, FALSE, 2026-11-25 19:05:00.000]");
  ASSERT_EQ(f.Decode(R"({"s":null,"d":null,"i":null,"b":null,"f":null,"t":null})"),
            DecodeOutcome::kRows);
  EXPECT_EQ(f.Row(2), "[NULL, NULL, NULL, NULL, NULL, NULL]");
  const char* cases[][2] = {
      {R"({"i":2147483648})", "field 'i': value 2147483648 out of range for INT"},
      {R"({"i":-2147483649})", "field 'i': value -2147483649 out of range for INT"},
      {R"({"d":1e999})", "field 'd': value 1e999 out of range for DOUBLE"},
      {R"({"t":"2026-11-25T19:05:00.1234567890Z"})",
       "field 't': bad TIMESTAMP(3) \"2026-11-25T19:05:00.1234567890Z\": fraction of a second "
       "must have 1 to 9 digits"},
      {R"({"t":"2026-02-30T19:05:00Z"})",
       "field 't': bad TIMESTAMP(3) \"2026-02-30T19:05:00Z\": day out of range for the month"},
      {R"({"f":"maybe"})", "field 'f': cannot convert string \"maybe\" to BOOLEAN"},
  };
  for (auto& c : cases) {
    ASSERT_EQ(f.Decode(c[0]), DecodeOutcome::kDeadLetter) << c[0];
    EXPECT_EQ(f.dl.reason, c[1]);
  }
  EXPECT_EQ(f.builder.num_rows(), 3u);
}

TEST(JsonDecoder, RecordsOfChangingLengthReuseTheBuffer) {
  // The padded copy is only partly re-zeroed between records; a short record after a long
  // one must not see the long one's bytes.
  auto s = std::make_shared<Schema>(std::vector<Field>{{"v", DataType::BigInt()}});
  Fixture f(s);
  ASSERT_EQ(f.Decode(R"({"v":1234567890123,"pad":"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"})"),
            DecodeOutcome::kRows);
  ASSERT_EQ(f.Decode(R"({"v":5})"), DecodeOutcome::kRows);
  ASSERT_EQ(f.Decode("7"), DecodeOutcome::kDeadLetter);
  EXPECT_EQ(f.dl.reason, "expected a JSON object, got number");
  ASSERT_EQ(f.Decode(R"([{"v":6},{"v":77777777}])"), DecodeOutcome::kRows);
  ASSERT_EQ(f.Decode(R"({"v":8})"), DecodeOutcome::kRows);
  ASSERT_EQ(f.builder.num_rows(), 5u);
  EXPECT_EQ(f.builder.batch().column(0).Int64(0), 1234567890123);
  EXPECT_EQ(f.builder.batch().column(0).Int64(1), 5);
  EXPECT_EQ(f.builder.batch().column(0).Int64(3), 77777777);
  EXPECT_EQ(f.builder.batch().column(0).Int64(4), 8);
}

TEST(JsonFormatOptions, FromProperties) {
  auto o = JsonFormatOptions::FromProperties(
      {{"json.timestamp-format.standard", "ISO-8601"}, {"json.ignore-parse-errors", "true"}});
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->timestamp_style, TimestampStyle::kIso);
  EXPECT_TRUE(o->ignore_parse_errors);
  EXPECT_FALSE(JsonFormatOptions::FromProperties(
                   {{"json.fail-on-missing-field", "true"}, {"json.ignore-parse-errors", "true"}})
                   .ok());
  EXPECT_FALSE(JsonFormatOptions::FromProperties({{"json.timestamp-format.standard", "RFC"}}).ok());
}

}  // namespace
}  // namespace fluxgate::runtime
