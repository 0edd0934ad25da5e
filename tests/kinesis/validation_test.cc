#include "kinesis/validation.h"

#include <gtest/gtest.h>

namespace fluxgate::kinesis {
namespace {

TEST(ValidationTest, SingleErrorUsesAwsWording) {
  Validator v;
  EXPECT_FALSE(v.Name("streamName", "a b"));
  auto e = v.Finish();
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->type, "ValidationException");
  EXPECT_EQ(e->http_status, 400);
  EXPECT_EQ(e->message,
            "1 validation error detected: Value 'a b' at 'streamName' failed to satisfy "
            "constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+");
}

TEST(ValidationTest, SeveralErrorsAreCountedAndJoined) {
  Validator v;
  v.Null("streamName");
  v.Range("shardCount", 0, 1, 100000);
  v.Length("partitionKey", std::string(257, 'k'), 1, 256);
  auto e = v.Finish();
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->message,
            "3 validation errors detected: Value null at 'streamName' failed to satisfy "
            "constraint: Member must not be null; Value '0' at 'shardCount' failed to satisfy "
            "constraint: Member must have value greater than or equal to 1; Value '" +
                std::string(257, 'k') +
                "' at 'partitionKey' failed to satisfy constraint: Member must have length less "
                "than or equal to 256");
}

TEST(ValidationTest, NothingRecordedMeansNoError) {
  Validator v;
  EXPECT_TRUE(v.Name("streamName", "ok_name-1.x"));
  EXPECT_TRUE(v.Range("limit", 5, 1, 10));
  EXPECT_TRUE(v.ok());
  EXPECT_FALSE(v.Finish().has_value());
}

TEST(ValidationTest, EnumListsAllowedValues) {
  Validator v;
  v.Enum("scalingType", "FAST", {"UNIFORM_SCALING"});
  EXPECT_EQ(v.Finish()->message,
            "1 validation error detected: Value 'FAST' at 'scalingType' failed to satisfy "
            "constraint: Member must satisfy enum value set: [UNIFORM_SCALING]");
}

TEST(ValidationTest, LengthTooShortAndTooLong) {
  Validator v;
  EXPECT_FALSE(v.Name("streamName", ""));
  EXPECT_FALSE(v.Name("streamName", std::string(129, 'a')));
  const std::string m = v.Finish()->message;
  EXPECT_NE(m.find("Member must have length greater than or equal to 1"), std::string::npos);
  EXPECT_NE(m.find("Member must have length less than or equal to 128"), std::string::npos);
}

TEST(ValidationTest, DecimalPatterns) {
  EXPECT_TRUE(MatchesDecimalPattern("0", 39));
  EXPECT_TRUE(MatchesDecimalPattern("340282366920938463463374607431768211455", 39));
  EXPECT_FALSE(MatchesDecimalPattern("01", 39));
  EXPECT_FALSE(MatchesDecimalPattern("", 39));
  EXPECT_FALSE(MatchesDecimalPattern("-1", 39));
  EXPECT_FALSE(MatchesDecimalPattern("1a", 39));
  EXPECT_FALSE(MatchesDecimalPattern(std::string(40, '1'), 39));
}

TEST(ValidationTest, StreamArnParsing) {
  std::string_view region, account, name;
  EXPECT_TRUE(ParseStreamArn("arn:aws:kinesis:us-east-1:000000000000:stream/my-stream", &region,
                             &account, &name));
  EXPECT_EQ(region, "us-east-1");
  EXPECT_EQ(account, "000000000000");
  EXPECT_EQ(name, "my-stream");
  EXPECT_TRUE(ParseStreamArn("arn:aws-cn:kinesis:cn-north-1:123456789012:stream/s", nullptr,
                             nullptr, &name));
  EXPECT_FALSE(
      ParseStreamArn("arn:aws:kinesis:us-east-1:0000:stream/s", nullptr, nullptr, nullptr));
  EXPECT_FALSE(
      ParseStreamArn("arn:aws:sqs:us-east-1:000000000000:stream/s", nullptr, nullptr, nullptr));
  EXPECT_FALSE(
      ParseStreamArn("arn:aws:kinesis:us-east-1:000000000000:stream/", nullptr, nullptr, nullptr));
  EXPECT_FALSE(
      ParseStreamArn("arn:aws:kinesis:us-east-1:000000000000:table/s", nullptr, nullptr, nullptr));
}

}  // namespace
}  // namespace fluxgate::kinesis
