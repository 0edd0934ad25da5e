#include "auth/authorizer.h"

#include <gtest/gtest.h>

#include "auth/sigv4.h"

namespace fluxgate::auth {
namespace {

const auto kNow = std::chrono::system_clock::from_time_t(1795600800);  // 2026-11-25T10:00:00Z

AuthConfig Config() {
  AuthConfig c;
  c.principals.push_back({"AKIDSENSORS", "sensor-secret", {"kinesis:PutRecord*"}, {"iot-*"}});
  c.principals.push_back({"AKIDREADER",
                          "reader-secret",
                          {"kinesis:DescribeStream", "kinesis:Get*", "kinesis:ListStreams"},
                          {"iot-raw"}});
  c.principals.push_back({"AKIDADMIN", "admin-secret", {"admin:*", "kinesis:*"}, {}});
  return c;
}

Authorizer Make() { return Authorizer(Config(), AuthorizerOptions{"us-east-1", "123456789012"}); }

const Principal& Who(const Authorizer& a, const std::string& key, const std::string& secret) {
  std::vector<http::Header> headers = {{"host", "localhost:4567"}};
  EXPECT_TRUE(
      sigv4::SignRequest({key, secret, ""}, "us-east-1", "kinesis", kNow, "POST", "/", &headers, "")
          .ok());
  http::Request r;
  r.method = "POST";
  r.target = "/";
  r.headers = headers;
  Verdict v = a.Authenticate(r, kKinesisService, kNow);
  EXPECT_TRUE(v.ok()) << v.refusal.message;
  return *v.principal;
}

http::Request HttpRequest(const std::string& method, const std::string& target,
                          const std::string& key = "", const std::string& secret = "",
                          const std::string& service = "fluxgate", const std::string& body = "") {
  http::Request r;
  r.method = method;
  r.target = target;
  r.body = body;
  r.headers = {{"host", "127.0.0.1:8080"}};
  if (!key.empty()) {
    EXPECT_TRUE(sigv4::SignRequest({key, secret, ""}, "us-east-1", service, kNow, method, target,
                                   &r.headers, body)
                    .ok());
  }
  return r;
}

TEST(AuthorizerTest, DisabledWithoutPrincipalsAndSaysSo) {
  Authorizer a(AuthConfig{}, AuthorizerOptions{});
  EXPECT_FALSE(a.enabled());
  EXPECT_NE(a.Summary().find("accept every request"), std::string::npos);
  EXPECT_FALSE(a.CheckHttp(HttpRequest("POST", "/v1/jobs"), kNow).has_value());
}

TEST(AuthorizerTest, SummaryNamesNoSecret) {
  Authorizer a = Make();
  EXPECT_TRUE(a.enabled());
  const std::string s = a.Summary();
  EXPECT_NE(s.find("3 principal(s)"), std::string::npos);
  for (const char* secret : {"sensor-secret", "reader-secret", "admin-secret"})
    EXPECT_EQ(s.find(secret), std::string::npos);
}

TEST(AuthorizerTest, PermissionRefusalInAwsWords) {
  Authorizer a = Make();
  const Principal& sensors = Who(a, "AKIDSENSORS", "sensor-secret");
  EXPECT_FALSE(a.Authorize(sensors, "kinesis:PutRecords", {"iot-raw"}).has_value());
  EXPECT_FALSE(a.Authorize(sensors, "kinesis:PutRecord", {"iot-raw"}).has_value());

  auto wrong_stream = a.Authorize(sensors, "kinesis:PutRecords", {"billing"});
  ASSERT_TRUE(wrong_stream.has_value());
  EXPECT_EQ(wrong_stream->type, "AccessDeniedException");
  EXPECT_EQ(wrong_stream->http_status, 400);
  EXPECT_EQ(wrong_stream->message,
            "User: arn:aws:iam::123456789012:user/AKIDSENSORS is not authorized to perform: "
            "kinesis:PutRecords on resource: arn:aws:kinesis:us-east-1:123456789012:stream/billing "
            "because no identity-based policy allows the kinesis:PutRecords action");

  auto wrong_action = a.Authorize(sensors, "kinesis:GetRecords", {"iot-raw"});
  ASSERT_TRUE(wrong_action.has_value());
  EXPECT_NE(wrong_action->message.find("kinesis:GetRecords on resource: "
                                       "arn:aws:kinesis:us-east-1:123456789012:stream/iot-raw"),
            std::string::npos);
}

TEST(AuthorizerTest, EveryStreamTouchedMustBeAllowed) {
  Authorizer a = Make();
  const Principal& sensors = Who(a, "AKIDSENSORS", "sensor-secret");
  EXPECT_FALSE(a.Authorize(sensors, "kinesis:PutRecord", {"iot-a", "iot-b"}).has_value());
  auto r = a.Authorize(sensors, "kinesis:PutRecord", {"iot-a", "other"});
  ASSERT_TRUE(r.has_value());
  EXPECT_NE(r->message.find("stream/other"), std::string::npos);
}

TEST(AuthorizerTest, AccountLevelActionsCheckTheActionOnly) {
  Authorizer a = Make();
  const Principal& reader = Who(a, "AKIDREADER", "reader-secret");
  EXPECT_FALSE(a.Authorize(reader, "kinesis:ListStreams", {}).has_value());
  auto r = a.Authorize(Who(a, "AKIDSENSORS", "sensor-secret"), "kinesis:ListStreams", {});
  ASSERT_TRUE(r.has_value());
  EXPECT_NE(r->message.find("on resource: arn:aws:kinesis:us-east-1:123456789012:stream/*"),
            std::string::npos);
}

TEST(AuthorizerTest, RecipePolicyShapes) {
  // The recipe's Lambda/Flink policy: DescribeStream, GetRecords, GetShardIterator and
  // ListStreams on one stream.
  Authorizer a = Make();
  const Principal& reader = Who(a, "AKIDREADER", "reader-secret");
  for (const char* action :
       {"kinesis:DescribeStream", "kinesis:GetRecords", "kinesis:GetShardIterator"}) {
    EXPECT_FALSE(a.Authorize(reader, action, {"iot-raw"}).has_value()) << action;
    EXPECT_TRUE(a.Authorize(reader, action, {"iot-other"}).has_value()) << action;
  }
  EXPECT_TRUE(a.Authorize(reader, "kinesis:PutRecords", {"iot-raw"}).has_value());
  EXPECT_TRUE(a.Authorize(reader, "kinesis:DeleteStream", {"iot-raw"}).has_value());
}

TEST(AuthorizerTest, HttpHealthzIsOpenEverythingElseNeedsASignature) {
  Authorizer a = Make();
  EXPECT_FALSE(a.CheckHttp(HttpRequest("GET", "/healthz"), kNow).has_value());
  auto r = a.CheckHttp(HttpRequest("GET", "/v1/streams"), kNow);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->http_status, 403);
  EXPECT_EQ(r->type, "MissingAuthenticationTokenException");
}

TEST(AuthorizerTest, HttpAdminNeedsAdminPermission) {
  Authorizer a = Make();
  EXPECT_FALSE(
      a.CheckHttp(HttpRequest("POST", "/v1/jobs/x/stop", "AKIDADMIN", "admin-secret"), kNow)
          .has_value());
  EXPECT_FALSE(a.CheckHttp(HttpRequest("GET", "/v1/queries/q1/rows?after=3&wait_ms=10", "AKIDADMIN",
                                       "admin-secret"),
                           kNow)
                   .has_value());
  auto denied =
      a.CheckHttp(HttpRequest("POST", "/v1/jobs/x/stop", "AKIDSENSORS", "sensor-secret"), kNow);
  ASSERT_TRUE(denied.has_value());
  EXPECT_EQ(denied->http_status, 403);
  EXPECT_EQ(denied->type, "AccessDeniedException");
  EXPECT_NE(denied->message.find("admin:StopJob"), std::string::npos);
}

TEST(AuthorizerTest, HttpIngestNeedsPutRecordsOnTheStream) {
  Authorizer a = Make();
  EXPECT_FALSE(a.CheckHttp(HttpRequest("POST", "/v1/streams/iot-raw/records", "AKIDSENSORS",
                                       "sensor-secret", "fluxgate", "{\"a\":1}\n"),
                           kNow)
                   .has_value());
  EXPECT_TRUE(a.CheckHttp(HttpRequest("POST", "/v1/streams/billing/records", "AKIDSENSORS",
                                      "sensor-secret", "fluxgate", "{\"a\":1}\n"),
                          kNow)
                  .has_value());
}

TEST(AuthorizerTest, HttpRequiresTheFluxgateService) {
  Authorizer a = Make();
  auto r =
      a.CheckHttp(HttpRequest("GET", "/v1/jobs", "AKIDADMIN", "admin-secret", "kinesis"), kNow);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->type, "InvalidSignatureException");
  EXPECT_EQ(r->message, "Credential should be scoped to correct service: 'fluxgate'.");
}

TEST(AuthorizerTest, HttpWrongSecret) {
  Authorizer a = Make();
  auto r = a.CheckHttp(HttpRequest("GET", "/v1/jobs", "AKIDADMIN", "nope"), kNow);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->type, "InvalidSignatureException");
  EXPECT_EQ(r->http_status, 403);
}

}  // namespace
}  // namespace fluxgate::auth
