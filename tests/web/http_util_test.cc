// The helpers shared by the web/ handlers: query-string decoding and JSON error bodies.
#include "web/http_util.h"

#include <gtest/gtest.h>

namespace fluxgate::web {
namespace {

TEST(PercentDecodeTest, DecodesEscapesAndPlus) {
  EXPECT_EQ(PercentDecode("a%20b+c"), "a b c");
  EXPECT_EQ(PercentDecode("%2fX%2F"), "/X/");
  EXPECT_EQ(PercentDecode("caf%C3%A9"), "caf\xC3\xA9");
}

TEST(PercentDecodeTest, KeepsMalformedEscapes) {
  EXPECT_EQ(PercentDecode("100%"), "100%");
  EXPECT_EQ(PercentDecode("%zz"), "%zz");
  EXPECT_EQ(PercentDecode("%4"), "%4");
}

TEST(QueryParamTest, FindsDecodedValues) {
  EXPECT_EQ(QueryParam("/v1/x?name=my%20job&after=3", "name"), "my job");
  EXPECT_EQ(QueryParam("/v1/x?name=a&after=3", "after"), "3");
  EXPECT_EQ(QueryParam("/v1/x?flag&b=1", "flag"), "");
  EXPECT_EQ(QueryParam("/v1/x?a%5Fb=1", "a_b"), "1");  // keys are decoded too
  EXPECT_EQ(QueryParam("/v1/x?a=1&a=2", "a"), "1");    // the first one
}

TEST(QueryParamTest, AbsentKeyOrNoQuery) {
  EXPECT_EQ(QueryParam("/v1/x", "a"), std::nullopt);
  EXPECT_EQ(QueryParam("/v1/x?", "a"), std::nullopt);
  EXPECT_EQ(QueryParam("/v1/x?ab=1&b", "a"), std::nullopt);
}

TEST(JsonErrorTest, Shapes) {
  http::Response plain = JsonError(404, "no such path: /x");
  EXPECT_EQ(plain.status, 404);
  EXPECT_EQ(plain.content_type, "application/json");
  EXPECT_EQ(plain.body, R"({"error":"no such path: /x"})");
  http::Response named = JsonError(400, "InvalidArgument", "bad \"x\"");
  EXPECT_EQ(named.status, 400);
  EXPECT_EQ(named.body, R"({"error":"InvalidArgument","message":"bad \"x\""})");
  EXPECT_EQ(JsonResponse(201, "{}").body, "{}");
}

}  // namespace
}  // namespace fluxgate::web
