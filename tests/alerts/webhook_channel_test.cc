// WebhookChannel on its own: https receivers, the ca_file checks made at creation, and how
// a certificate that fails verification maps onto the Channel contract (transient).
#include "alerts/webhook_channel.h"

#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "http/http_test_util.h"
#include "http/server.h"
#include "http/tls_test_util.h"

namespace fluxgate::alerts {
namespace {

class WebhookChannelTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(certs_.Make("receiver"));
    ASSERT_TRUE(certs_.Make("other"));
    server_ = http::testing::MustStart(certs_.ServerTls("receiver"),
                                       [](http::Request&& req, http::Responder respond) {
                                         http::Response r;
                                         r.status = req.target == "/refuse" ? 400 : 204;
                                         respond(std::move(r));
                                       });
    ASSERT_TRUE(server_);
  }
  std::string Url(const std::string& path) const {
    return "https://127.0.0.1:" + std::to_string(server_->port()) + path;
  }
  static Delivery OneAlert() {
    Delivery d;
    d.alert.id = "a-1";
    d.alert.topic = "iot-alerts";
    d.json = R"({"id":"a-1"})";
    return d;
  }

  http::testing::TestCerts certs_;
  std::unique_ptr<http::Server> server_;
};

TEST_F(WebhookChannelTest, DeliversToHttpsReceiverTrustedThroughCaFile) {
  auto ch = WebhookChannel::Create(Url("/hook?token=s3cret"), 10'000, certs_.Cert("receiver"));
  ASSERT_TRUE(ch.ok()) << ch.status().ToString();
  EXPECT_EQ((*ch)->target(), "https://127.0.0.1:" + std::to_string(server_->port()));
  Status st = (*ch)->Deliver(OneAlert());
  EXPECT_TRUE(st.ok()) << st.ToString();
  // The status mapping is the same as over http: a 4xx is a permanent refusal.
  auto refusing = WebhookChannel::Create(Url("/refuse"), 10'000, certs_.Cert("receiver"));
  ASSERT_TRUE(refusing.ok()) << refusing.status().ToString();
  EXPECT_TRUE((*refusing)->Deliver(OneAlert()).IsInvalidArgument());
}

TEST_F(WebhookChannelTest, UntrustedCertificateIsTransientAndKeepsTheTokenOut) {
  auto ch = WebhookChannel::Create(Url("/hook?token=s3cret"), 10'000, certs_.Cert("other"));
  ASSERT_TRUE(ch.ok()) << ch.status().ToString();
  Status st = (*ch)->Deliver(OneAlert());
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.code(), Status::Code::kUnavailable) << st.ToString();  // retried by the worker
  EXPECT_NE(st.message().find("not trusted"), std::string::npos) << st.ToString();
  EXPECT_EQ(st.message().find("s3cret"), std::string::npos) << st.ToString();
  EXPECT_EQ(server_->stats().requests, 0u);
}

TEST_F(WebhookChannelTest, CaFileIsCheckedAtCreation) {
  const std::string missing = certs_.dir() + "/missing.pem";
  auto ch = WebhookChannel::Create(Url("/hook"), 10'000, missing);
  ASSERT_FALSE(ch.ok());
  EXPECT_TRUE(ch.status().IsInvalidArgument());
  EXPECT_NE(ch.status().message().find(missing), std::string::npos) << ch.status().ToString();

  // A key is not a certificate: the usual mix-up of the two files.
  ch = WebhookChannel::Create(Url("/hook"), 10'000, certs_.Key("receiver"));
  ASSERT_FALSE(ch.ok());
  EXPECT_NE(ch.status().message().find("no PEM certificate"), std::string::npos)
      << ch.status().ToString();

  ch = WebhookChannel::Create("http://127.0.0.1:1/hook", 10'000, certs_.Cert("receiver"));
  ASSERT_FALSE(ch.ok());
  EXPECT_NE(ch.status().message().find("only for https://"), std::string::npos)
      << ch.status().ToString();
}

}  // namespace
}  // namespace fluxgate::alerts
