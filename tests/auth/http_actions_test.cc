#include "auth/http_actions.h"

#include <gtest/gtest.h>

namespace fluxgate::auth {
namespace {

TEST(HttpActionsTest, HealthzIsOpen) {
  EXPECT_TRUE(ClassifyHttpRequest("GET", "/healthz").open);
  EXPECT_FALSE(ClassifyHttpRequest("GET", "/v1/streams").open);
  EXPECT_FALSE(ClassifyHttpRequest("GET", "/").open);
}

TEST(HttpActionsTest, EveryEndpointHasItsAction) {
  struct Case {
    const char* method;
    const char* path;
    const char* action;
    const char* stream;
  };
  const Case cases[] = {
      {"GET", "/v1/streams", "admin:ListStreams", ""},
      {"GET", "/v1/streams/iot", "admin:DescribeStream", "iot"},
      {"HEAD", "/v1/streams/iot", "admin:DescribeStream", "iot"},
      {"POST", "/v1/streams/iot/records", "kinesis:PutRecords", "iot"},
      {"GET", "/v1/jobs", "admin:ListJobs", ""},
      {"POST", "/v1/jobs", "admin:CreateJob", ""},
      {"GET", "/v1/jobs/analytics", "admin:DescribeJob", ""},
      {"DELETE", "/v1/jobs/analytics", "admin:DeleteJob", ""},
      {"POST", "/v1/jobs/analytics/stop", "admin:StopJob", ""},
      {"POST", "/v1/jobs/analytics/restart", "admin:RestartJob", ""},
      {"POST", "/v1/queries", "admin:StartQuery", ""},
      {"GET", "/v1/queries/q1/rows", "admin:GetQueryResults", ""},
      {"DELETE", "/v1/queries/q1", "admin:StopQuery", ""},
      {"GET", "/dashboard", "admin:Read", ""},
      {"POST", "/v1/streams", "admin:Write", ""},
      {"PUT", "/v1/jobs/analytics/stop", "admin:Write", ""},
  };
  for (const Case& c : cases) {
    HttpAction a = ClassifyHttpRequest(c.method, c.path);
    EXPECT_FALSE(a.open) << c.method << " " << c.path;
    EXPECT_EQ(a.action, c.action) << c.method << " " << c.path;
    EXPECT_EQ(a.stream, c.stream) << c.method << " " << c.path;
  }
}

}  // namespace
}  // namespace fluxgate::auth
