#include "auth/permissions.h"

#include <gtest/gtest.h>

namespace fluxgate::auth {
namespace {

TEST(GlobMatchTest, Wildcards) {
  EXPECT_TRUE(GlobMatch("*", ""));
  EXPECT_TRUE(GlobMatch("*", "anything"));
  EXPECT_TRUE(GlobMatch("iot-*", "iot-"));
  EXPECT_TRUE(GlobMatch("iot-*", "iot-sensors"));
  EXPECT_FALSE(GlobMatch("iot-*", "iot"));
  EXPECT_FALSE(GlobMatch("iot-*", "xiot-a"));
  EXPECT_TRUE(GlobMatch("*-raw", "plant-1-raw"));
  EXPECT_TRUE(GlobMatch("a*b*c", "a-b-b-c"));
  EXPECT_FALSE(GlobMatch("a*b*c", "a-b-b-d"));
  EXPECT_TRUE(GlobMatch("s?", "s1"));
  EXPECT_FALSE(GlobMatch("s?", "s"));
  EXPECT_FALSE(GlobMatch("s?", "s12"));
  EXPECT_TRUE(GlobMatch("exact", "exact"));
  EXPECT_FALSE(GlobMatch("exact", "exacT"));
  EXPECT_FALSE(GlobMatch("", "x"));
  EXPECT_TRUE(GlobMatch("", ""));
}

TEST(GlobMatchTest, ActionsIgnoreCaseWhenAsked) {
  EXPECT_TRUE(GlobMatch("kinesis:get*", "kinesis:GetRecords", true));
  EXPECT_FALSE(GlobMatch("kinesis:get*", "kinesis:GetRecords", false));
}

TEST(GlobMatchTest, ManyStarsStayFast) {
  // Backtracking matchers go exponential here; ours must answer at once.
  std::string text(2000, 'a');
  EXPECT_FALSE(GlobMatch("*a*a*a*a*a*a*a*a*a*a*b", text));
}

TEST(PermissionsTest, ActionsFromTheIssue) {
  Permissions p({"kinesis:PutRecords", "kinesis:Get*"}, {});
  EXPECT_TRUE(p.AllowsAction("kinesis:PutRecords"));
  EXPECT_TRUE(p.AllowsAction("kinesis:GetRecords"));
  EXPECT_TRUE(p.AllowsAction("kinesis:GetShardIterator"));
  EXPECT_TRUE(p.AllowsAction("KINESIS:getrecords"));  // IAM action names are case-insensitive
  EXPECT_FALSE(p.AllowsAction("kinesis:PutRecord"));
  EXPECT_FALSE(p.AllowsAction("kinesis:DeleteStream"));
  EXPECT_FALSE(p.AllowsAction("admin:ListJobs"));

  Permissions all({"kinesis:*"}, {});
  EXPECT_TRUE(all.AllowsAction("kinesis:DeleteStream"));
  EXPECT_FALSE(all.AllowsAction("admin:StopJob"));
  Permissions admin({"admin:*"}, {});
  EXPECT_TRUE(admin.AllowsAction("admin:StopJob"));
  EXPECT_FALSE(admin.AllowsAction("kinesis:ListStreams"));
  Permissions star({"*"}, {});
  EXPECT_TRUE(star.AllowsAction("admin:StopJob"));
  EXPECT_TRUE(star.AllowsAction("kinesis:PutRecord"));
  Permissions none({}, {});
  EXPECT_FALSE(none.AllowsAction("kinesis:ListStreams"));
}

TEST(PermissionsTest, StreamsByNamePatternAndArn) {
  const std::string arn = "arn:aws:kinesis:us-east-1:000000000000:stream/";
  Permissions p({"kinesis:*"}, {"iot-*", "audit"});
  EXPECT_TRUE(p.AllowsStream("iot-sensors", arn + "iot-sensors"));
  EXPECT_TRUE(p.AllowsStream("audit", arn + "audit"));
  EXPECT_FALSE(p.AllowsStream("audit2", arn + "audit2"));
  EXPECT_FALSE(p.AllowsStream("IOT-sensors", arn + "IOT-sensors"));  // names are exact

  Permissions by_arn({"kinesis:*"}, {"arn:aws:kinesis:*:*:stream/raw-*"});
  EXPECT_TRUE(by_arn.AllowsStream("raw-1", arn + "raw-1"));
  EXPECT_FALSE(by_arn.AllowsStream("cooked", arn + "cooked"));
  // An ARN entry is never compared with the bare name.
  Permissions exact_arn({"kinesis:*"}, {"arn:aws:kinesis:us-east-1:000000000000:stream/a"});
  EXPECT_TRUE(exact_arn.AllowsStream("a", arn + "a"));
  EXPECT_FALSE(exact_arn.AllowsStream("a", "arn:aws:kinesis:eu-west-1:000000000000:stream/a"));
}

TEST(PermissionsTest, NoStreamsMeansEveryStream) {
  Permissions p({"kinesis:*"}, {});
  EXPECT_TRUE(p.AllowsStream("whatever", "arn:aws:kinesis:us-east-1:0:stream/whatever"));
}

}  // namespace
}  // namespace fluxgate::auth
