#include "alerts/webhook_signature.h"

#include <gtest/gtest.h>

#include "alerts/alert_test_util.h"

namespace fluxgate::alerts {
namespace {

using namespace fluxgate::alerts::testing;

TEST(WebhookSignatureTest, HmacMatchesRfc4231) {
  // RFC 4231, test case 2.
  EXPECT_EQ(HmacSha256Hex("Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(WebhookSignatureTest, SignsTimestampDotBody) {
  EXPECT_EQ(WebhookSignature("k", 1700000000, "{}"), "v1=" + HmacSha256Hex("k", "1700000000.{}"));
  EXPECT_NE(WebhookSignature("k", 1700000001, "{}"), WebhookSignature("k", 1700000000, "{}"));
}

TEST(WebhookSignatureTest, WebhookRequestsCarryAVerifiableSignature) {
  Receiver rx;
  auto config = FastConfig();
  config.subscriptions = {Webhook("iot-alerts", rx.url())};
  config.subscriptions[0].secret = "top-secret";
  config.subscriptions.push_back(Webhook("iot-alerts", rx.url("/unsigned")));
  auto hub = MustStart(config);
  ASSERT_TRUE(hub);
  hub->Publish(SensorAlert("sensor-1", 95));
  ASSERT_TRUE(WaitUntil([&] { return rx.count() == 2; }));
  ASSERT_TRUE(hub->Stop().ok());
  for (const http::Request& req : rx.requests()) {
    const std::string ts(req.Get("x-fluxgate-timestamp"));
    const std::string sig(req.Get("x-fluxgate-signature"));
    EXPECT_EQ(req.Get("x-fluxgate-alert-id"),
              AlertId("iot-alerts", "anomalies", SensorAlert("sensor-1", 95).attributes));
    if (req.target == "/unsigned") {
      EXPECT_TRUE(ts.empty());
      EXPECT_TRUE(sig.empty());
      continue;
    }
    ASSERT_FALSE(ts.empty());
    EXPECT_EQ(sig, "v1=" + HmacSha256Hex("top-secret", ts + "." + req.body));
    EXPECT_NE(sig, "v1=" + HmacSha256Hex("wrong-secret", ts + "." + req.body));
  }
}

}  // namespace
}  // namespace fluxgate::alerts
