// The bearer token (web/dashboard_auth.h) and how HttpApi applies it: /healthz and the
// dashboard's static files stay open, everything else needs the token (header, or the
// cookie on GET), and a wrong token is refused.
#include "web/dashboard_auth.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <future>
#include <memory>

#include "common/logging.h"
#include "log/log_manager.h"
#include "web/http_api.h"

namespace fluxgate::web {
namespace {

http::Request Get(std::string target, std::vector<http::Header> headers = {},
                  std::string method = "GET") {
  http::Request r;
  r.method = std::move(method);
  r.target = std::move(target);
  r.headers = std::move(headers);
  return r;
}

TEST(DashboardAuthTest, ConstantTimeEquals) {
  EXPECT_TRUE(ConstantTimeEquals("s3cret", "s3cret"));
  EXPECT_FALSE(ConstantTimeEquals("s3cret", "s3cres"));
  EXPECT_FALSE(ConstantTimeEquals("s3cret", "s3cret2"));
  EXPECT_FALSE(ConstantTimeEquals("", "x"));
}

TEST(DashboardAuthTest, CookieValue) {
  EXPECT_EQ(CookieValue("a=1; fluxgate_token=t%2Bk; b=2", "fluxgate_token"), "t+k");
  EXPECT_EQ(CookieValue("fluxgate_token=\"q\"", "fluxgate_token"), "q");
  EXPECT_EQ(CookieValue("xfluxgate_token=1", "fluxgate_token"), "");
  EXPECT_EQ(CookieValue("", "fluxgate_token"), "");
}

TEST(DashboardAuthTest, BearerHeaderAndCookie) {
  const std::string tok = "tok-123";
  EXPECT_EQ(CheckBearerToken(Get("/v1/streams"), tok), TokenCheck::kAbsent);
  EXPECT_EQ(CheckBearerToken(Get("/", {{"authorization", "Bearer tok-123"}}), tok),
            TokenCheck::kValid);
  EXPECT_EQ(CheckBearerToken(Get("/", {{"authorization", "bearer  tok-123 "}}), tok),
            TokenCheck::kValid);
  EXPECT_EQ(CheckBearerToken(Get("/", {{"authorization", "Bearer tok-124"}}), tok),
            TokenCheck::kInvalid);
  // Another scheme is left to the SigV4 check.
  EXPECT_EQ(CheckBearerToken(Get("/", {{"authorization", "AWS4-HMAC-SHA256 Credential=x"}}), tok),
            TokenCheck::kAbsent);
  EXPECT_EQ(CheckBearerToken(Get("/", {{"cookie", "fluxgate_token=tok-123"}}), tok),
            TokenCheck::kValid);
  EXPECT_EQ(CheckBearerToken(Get("/", {{"cookie", "fluxgate_token=nope"}}), tok),
            TokenCheck::kInvalid);
  // The cookie never authorizes a state-changing method (no CSRF through it).
  EXPECT_EQ(CheckBearerToken(Get("/v1/jobs", {{"cookie", "fluxgate_token=tok-123"}}, "POST"), tok),
            TokenCheck::kAbsent);
}

class HttpApiTokenTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SetLogLevel("warn");
    char tmpl[] = "/tmp/fg-dash-auth-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    log::LogOptions lo;
    lo.data_dir = dir_;
    lo.durability = log::Durability::kNone;
    auto log = log::LogManager::Open(lo);
    ASSERT_TRUE(log.ok());
    log_ = std::move(log).value();
    api_ = std::make_unique<HttpApi>(log_.get());
  }
  void TearDown() override {
    api_->Stop();
    api_.reset();
    (void)log_->Close();
    std::filesystem::remove_all(dir_);
  }
  http::Response Call(http::Request req) {
    std::promise<http::Response> p;
    auto f = p.get_future();
    api_->Handle(std::move(req), [&p](http::Response r) { p.set_value(std::move(r)); });
    EXPECT_EQ(f.wait_for(std::chrono::seconds(10)), std::future_status::ready);
    return f.get();
  }
  std::string dir_;
  std::unique_ptr<log::LogManager> log_;
  std::unique_ptr<HttpApi> api_;
};

TEST_F(HttpApiTokenTest, WithoutATokenEverythingIsOpenAsBefore) {
  EXPECT_EQ(Call(Get("/v1/streams")).status, 200);
  EXPECT_EQ(Call(Get("/v1/dashboard/devices")).status, 200);
}

TEST_F(HttpApiTokenTest, WithATokenOnlyHealthAndStaticFilesAreOpen) {
  api_->SetBearerToken("s3cret");
  EXPECT_EQ(Call(Get("/healthz")).status, 200);
  auto page = Call(Get("/"));
  EXPECT_EQ(page.status, 200);
  EXPECT_EQ(page.content_type, "text/html; charset=utf-8");
  EXPECT_EQ(Call(Get("/app.js")).status, 200);

  auto refused = Call(Get("/v1/streams"));
  EXPECT_EQ(refused.status, 401);
  bool challenge = false;
  for (const auto& h : refused.headers) challenge |= h.name == "www-authenticate";
  EXPECT_TRUE(challenge);
  EXPECT_EQ(refused.body.find("s3cret"), std::string::npos);
  EXPECT_EQ(Call(Get("/v1/dashboard/snapshot")).status, 401);
  EXPECT_EQ(Call(Get("/v1/events")).status, 401);
  EXPECT_EQ(Call(Get("/v1/streams", {{"authorization", "Bearer wrong"}})).status, 401);

  EXPECT_EQ(Call(Get("/v1/streams", {{"authorization", "Bearer s3cret"}})).status, 200);
  EXPECT_EQ(Call(Get("/v1/dashboard/devices", {{"cookie", "fluxgate_token=s3cret"}})).status, 200);
  // Ingest with the cookie alone is refused: POST needs the header.
  EXPECT_EQ(
      Call(Get("/v1/streams/s/records", {{"cookie", "fluxgate_token=s3cret"}}, "POST")).status,
      401);
}

}  // namespace
}  // namespace fluxgate::web
