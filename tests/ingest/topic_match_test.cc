#include "ingest/topic_match.h"

#include <gtest/gtest.h>

#include "common/config_ingest.h"

namespace fluxgate::ingest {
namespace {

TEST(TopicMatch, ExactAndSingleLevelWildcard) {
  EXPECT_TRUE(TopicMatches("a/b/c", "a/b/c"));
  EXPECT_FALSE(TopicMatches("a/b/c", "a/b"));
  EXPECT_FALSE(TopicMatches("a/b", "a/b/c"));
  EXPECT_TRUE(TopicMatches("a/+/c", "a/x/c"));
  EXPECT_FALSE(TopicMatches("a/+/c", "a/x/y/c"));
  EXPECT_TRUE(TopicMatches("a/+", "a/"));  // an empty level is a level
  EXPECT_FALSE(TopicMatches("a/+", "a"));
  EXPECT_TRUE(TopicMatches("+/+", "/finance"));
  EXPECT_TRUE(TopicMatches("/+", "/finance"));
  EXPECT_FALSE(TopicMatches("+", "/finance"));
  EXPECT_FALSE(TopicMatches("A/b", "a/b"));  // case-sensitive
}

TEST(TopicMatch, MultiLevelWildcard) {
  EXPECT_TRUE(TopicMatches("#", "a"));
  EXPECT_TRUE(TopicMatches("#", "a/b/c"));
  EXPECT_TRUE(TopicMatches("sport/#", "sport"));  // the parent level too (4.7.1.2)
  EXPECT_TRUE(TopicMatches("sport/#", "sport/"));
  EXPECT_TRUE(TopicMatches("sport/#", "sport/tennis/player1/ranking"));
  EXPECT_FALSE(TopicMatches("sport/#", "sports"));
  EXPECT_TRUE(TopicMatches("sport/+/#", "sport/tennis"));
  EXPECT_FALSE(TopicMatches("sport/+/#", "sport"));
  EXPECT_TRUE(TopicMatches("+/#", "a"));
}

TEST(TopicMatch, DollarTopicsAreNotMatchedByLeadingWildcards) {
  EXPECT_FALSE(TopicMatches("#", "$SYS/broker/uptime"));
  EXPECT_FALSE(TopicMatches("+/broker/uptime", "$SYS/broker/uptime"));
  EXPECT_TRUE(TopicMatches("$SYS/#", "$SYS/broker/uptime"));
  EXPECT_TRUE(TopicMatches("$SYS/+/uptime", "$SYS/broker/uptime"));
  EXPECT_TRUE(TopicMatches("a/#", "a/$b"));  // only the first level is special
}

TEST(TopicMatch, Levels) {
  EXPECT_EQ(TopicLevel("sites/berlin/sensors/t-1", 0), "sites");
  EXPECT_EQ(TopicLevel("sites/berlin/sensors/t-1", 3), "t-1");
  EXPECT_EQ(TopicLevel("sites/berlin/sensors/t-1", 4), std::nullopt);
  EXPECT_EQ(TopicLevel("a//b", 1), "");
  EXPECT_EQ(TopicLevel("/a", 0), "");
  EXPECT_EQ(TopicLevel("a/", 1), "");
  EXPECT_EQ(TopicLevel("a", 0), "a");
}

TEST(TopicFilterValidation, SpecRules) {
  for (const char* ok : {"#", "+", "a/#", "+/+/#", "a/+/b", "/", "$SYS/#", "a//b"}) {
    EXPECT_TRUE(ValidateTopicFilter(ok).ok()) << ok;
  }
  for (const char* bad : {"", "a/#/b", "a#", "a/b#", "#/", "a+", "a/+b", "+a/b"}) {
    EXPECT_FALSE(ValidateTopicFilter(bad).ok()) << bad;
  }
  EXPECT_FALSE(ValidateTopicFilter(std::string_view("a\0b", 3)).ok());
}

}  // namespace
}  // namespace fluxgate::ingest
