#include "alerts/alert_hub.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <fstream>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "alerts/alert_test_util.h"
#include "http/http_test_util.h"
#include "http/server.h"
#include "http/tls_test_util.h"

namespace fluxgate::alerts {
namespace {

using namespace std::chrono_literals;
using namespace fluxgate::alerts::testing;

TEST(AlertHubTest, WebhookReceivesTheAlertDocument) {
  Receiver rx;
  auto config = FastConfig();
  config.subscriptions = {Webhook("iot-alerts", rx.url("/hook?token=s3cret"))};
  auto hub = MustStart(config);
  ASSERT_TRUE(hub);
  EXPECT_EQ(hub->Topics(), std::vector<std::string>{"iot-alerts"});
  ASSERT_EQ(hub->Subscriptions().size(), 1u);
  // The listing is safe to show: no path, no token.
  EXPECT_EQ(hub->Subscriptions()[0].target, "http://127.0.0.1:" + std::to_string(rx.port()));

  Alert a = SensorAlert("sensor-1234", 95.0);
  std::string want;
  {
    Alert filled = a;
    filled.id = AlertId(a.topic, a.rule, a.attributes);
    AppendAlertJson(filled, want);
  }
  hub->Publish(a);
  ASSERT_TRUE(WaitUntil([&] { return StatsOf(*hub, 0).delivered == 1; }));
  auto reqs = rx.requests();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].method, "POST");
  EXPECT_EQ(reqs[0].target, "/hook?token=s3cret");
  EXPECT_EQ(reqs[0].Get("content-type"), "application/json");
  EXPECT_EQ(reqs[0].Get("x-fluxgate-alert-id"), AlertId(a.topic, a.rule, a.attributes));
  EXPECT_EQ(reqs[0].body, want);
  EXPECT_NE(reqs[0].body.find("\"time\":\"2025-11-25T19:05:00.123Z\""), std::string::npos);
  ASSERT_TRUE(hub->Stop().ok());
  const auto s = StatsOf(*hub, 0);
  EXPECT_EQ(s.published, 1u);
  EXPECT_EQ(s.retried, 0u);
  ExpectBalanced(s);
}

TEST(AlertHubTest, RetriesAfterServerErrorsWithTheSameId) {
  Receiver rx([](size_t n) { return n < 2 ? 500 : 204; });
  auto config = FastConfig();
  config.subscriptions = {Webhook("iot-alerts", rx.url())};
  auto hub = MustStart(config);
  ASSERT_TRUE(hub);
  hub->Publish(SensorAlert("sensor-1", 90));
  ASSERT_TRUE(WaitUntil([&] { return StatsOf(*hub, 0).delivered == 1; }));
  auto reqs = rx.requests();
  ASSERT_EQ(reqs.size(), 3u);
  EXPECT_EQ(reqs[0].body, reqs[2].body);
  EXPECT_EQ(reqs[0].Get("x-fluxgate-alert-id"), reqs[2].Get("x-fluxgate-alert-id"));
  const auto s = StatsOf(*hub, 0);
  EXPECT_EQ(s.retried, 2u);
  EXPECT_EQ(s.failed, 0u);
  ExpectBalanced(s);
}

TEST(AlertHubTest, GivesUpAfterMaxAttempts) {
  Receiver rx([](size_t) { return 503; });
  auto config = FastConfig();
  config.max_attempts = 3;
  config.subscriptions = {Webhook("iot-alerts", rx.url())};
  auto hub = MustStart(config);
  ASSERT_TRUE(hub);
  hub->Publish(SensorAlert("sensor-1", 90));
  ASSERT_TRUE(WaitUntil([&] { return StatsOf(*hub, 0).failed == 1; }));
  ASSERT_TRUE(hub->Stop().ok());
  EXPECT_EQ(rx.count(), 3u);
  const auto s = StatsOf(*hub, 0);
  EXPECT_EQ(s.delivered, 0u);
  EXPECT_EQ(s.retried, 2u);
  ExpectBalanced(s);
}

TEST(AlertHubTest, ClientErrorIsNotRetried) {
  Receiver rx([](size_t n) { return n == 0 ? 400 : 200; });
  auto config = FastConfig();
  config.subscriptions = {Webhook("iot-alerts", rx.url())};
  auto hub = MustStart(config);
  ASSERT_TRUE(hub);
  hub->Publish(SensorAlert("sensor-1", 90));
  hub->Publish(SensorAlert("sensor-2", 91));
  ASSERT_TRUE(WaitUntil([&] { return StatsOf(*hub, 0).delivered == 1; }));
  const auto s = StatsOf(*hub, 0);
  EXPECT_EQ(s.failed, 1u);
  EXPECT_EQ(s.retried, 0u);
  EXPECT_EQ(rx.count(), 2u);
}

TEST(AlertHubTest, TooManyRequestsIsRetried) {
  Receiver rx([](size_t n) { return n == 0 ? 429 : 200; });
  auto config = FastConfig();
  config.subscriptions = {Webhook("iot-alerts", rx.url())};
  auto hub = MustStart(config);
  ASSERT_TRUE(hub);
  hub->Publish(SensorAlert("sensor-1", 90));
  ASSERT_TRUE(WaitUntil([&] { return StatsOf(*hub, 0).delivered == 1; }));
  EXPECT_EQ(StatsOf(*hub, 0).retried, 1u);
}

TEST(AlertHubTest, FileSubscriptionAppendsOneJsonLinePerAlert) {
  const std::string path = TempPath("file.jsonl");
  std::remove(path.c_str());
  auto config = FastConfig();
  config.subscriptions = {File("iot-alerts", path)};
  config.subscriptions[0].fsync = true;
  auto hub = MustStart(config);
  ASSERT_TRUE(hub);
  EXPECT_EQ(hub->Subscriptions()[0].target, path);
  Alert a = SensorAlert("sensor-1234", 95.0);
  Alert b = SensorAlert("sensor-7", 120.5);
  b.id = "caller-chosen-id";
  b.severity = "critical";
  hub->Publish(a);
  hub->Publish(b);
  ASSERT_TRUE(hub->Stop().ok());
  auto lines = ReadLines(path);
  ASSERT_EQ(lines.size(), 2u);
  a.id = AlertId(a.topic, a.rule, a.attributes);
  std::string want_a, want_b;
  AppendAlertJson(a, want_a);
  AppendAlertJson(b, want_b);
  EXPECT_EQ(lines[0], want_a);
  EXPECT_EQ(lines[1], want_b);
  EXPECT_NE(lines[1].find("\"severity\":\"critical\""), std::string::npos);
  EXPECT_EQ(StatsOf(*hub, 0).delivered, 2u);
  std::remove(path.c_str());
}

TEST(AlertHubTest, FileSubscriptionReopensAfterRotation) {
  const std::string path = TempPath("rotate.jsonl");
  const std::string rotated = path + ".1";
  std::remove(path.c_str());
  std::remove(rotated.c_str());
  auto config = FastConfig();
  config.subscriptions = {File("iot-alerts", path)};
  auto hub = MustStart(config);
  ASSERT_TRUE(hub);
  hub->Publish(SensorAlert("sensor-1", 90));
  ASSERT_TRUE(WaitUntil([&] { return StatsOf(*hub, 0).delivered == 1; }));
  ASSERT_EQ(std::rename(path.c_str(), rotated.c_str()), 0);
  hub->Publish(SensorAlert("sensor-2", 91));
  ASSERT_TRUE(hub->Stop().ok());
  EXPECT_EQ(ReadLines(rotated).size(), 1u);
  auto lines = ReadLines(path);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_NE(lines[0].find("sensor-2"), std::string::npos);
  std::remove(path.c_str());
  std::remove(rotated.c_str());
}

TEST(AlertHubTest, ReplayedAlertGetsTheSameId) {
  const std::string path = TempPath("replay.jsonl");
  std::remove(path.c_str());
  auto config = FastConfig();
  config.subscriptions = {File("iot-alerts", path)};
  for (int run = 0; run < 2; ++run) {  // as if the job restarted and replayed the row
    auto hub = MustStart(config);
    ASSERT_TRUE(hub);
    hub->Publish(SensorAlert("sensor-1234", 95.0));
    ASSERT_TRUE(hub->Stop().ok());
  }
  auto lines = ReadLines(path);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0], lines[1]);
  EXPECT_NE(lines[0].find(
                AlertId("iot-alerts", "anomalies", SensorAlert("sensor-1234", 95.0).attributes)),
            std::string::npos);
  std::remove(path.c_str());
}

TEST(AlertHubTest, DeadReceiverDoesNotSlowAnotherSubscription) {
  Receiver dead([](size_t) { return -1; });  // accepts and never answers
  Receiver live;
  auto config = FastConfig();
  config.webhook_timeout_ms = 600'000;  // the dead one would hold a shared thread forever
  config.drain_timeout_ms = 0;
  config.subscriptions = {Webhook("iot-alerts", dead.url()), Webhook("iot-alerts", live.url())};
  auto hub = MustStart(config);
  ASSERT_TRUE(hub);
  for (int i = 0; i < 5; ++i) hub->Publish(SensorAlert("sensor-" + std::to_string(i), 90 + i));
  ASSERT_TRUE(WaitUntil([&] { return StatsOf(*hub, 1).delivered == 5; }));
  EXPECT_EQ(live.count(), 5u);
  const auto dead_stats = StatsOf(*hub, 0);
  EXPECT_EQ(dead_stats.delivered, 0u);
  EXPECT_EQ(dead_stats.queued, 5u);
  ASSERT_TRUE(WaitUntil([&] { return dead.count() == 1; }));  // the first is stuck in flight
  dead.Stop();  // closes the connection, so Stop need not wait out the request timeout
  EXPECT_FALSE(hub->Stop().ok());  // drain_timeout_ms = 0: the rest is given up
  const auto after = StatsOf(*hub, 0);
  EXPECT_EQ(after.dropped, 5u);
  ExpectBalanced(after);
}

TEST(AlertHubTest, FullQueueDropsTheOldest) {
  Receiver rx([](size_t) { return -1; });
  auto config = FastConfig();
  config.queue_limit = 2;
  config.subscriptions = {Webhook("iot-alerts", rx.url())};
  auto hub = MustStart(config);
  ASSERT_TRUE(hub);
  hub->Publish(SensorAlert("sensor-1", 90));
  ASSERT_TRUE(WaitUntil([&] { return rx.count() == 1; }));  // sensor-1 is in flight
  for (int i = 2; i <= 5; ++i) hub->Publish(SensorAlert("sensor-" + std::to_string(i), 90));
  auto s = StatsOf(*hub, 0);
  EXPECT_EQ(s.dropped, 2u);  // sensor-2 and sensor-3
  EXPECT_EQ(s.queued, 3u);   // sensor-1 in flight, sensor-4 and -5 waiting
  ExpectBalanced(s);
  rx.Release([](size_t) { return 200; });
  ASSERT_TRUE(WaitUntil([&] { return StatsOf(*hub, 0).delivered == 3; }));
  auto reqs = rx.requests();
  ASSERT_EQ(reqs.size(), 3u);
  EXPECT_NE(reqs[0].body.find("sensor-1"), std::string::npos);
  EXPECT_NE(reqs[1].body.find("sensor-4"), std::string::npos);
  EXPECT_NE(reqs[2].body.find("sensor-5"), std::string::npos);
  ExpectBalanced(StatsOf(*hub, 0));
}

TEST(AlertHubTest, UnroutedTopicIsCountedNotDelivered) {
  Receiver rx;
  auto config = FastConfig();
  config.subscriptions = {Webhook("iot-alerts", rx.url())};
  auto hub = MustStart(config);
  ASSERT_TRUE(hub);
  Alert a = SensorAlert("sensor-1", 90);
  a.topic = "nobody-listens";
  hub->Publish(a);
  hub->Publish(a);
  ASSERT_TRUE(hub->Stop().ok());
  const auto s = hub->Stats();
  EXPECT_EQ(s.published, 2u);
  EXPECT_EQ(s.unrouted, 2u);
  EXPECT_EQ(s.subscriptions[0].published, 0u);
  EXPECT_EQ(rx.count(), 0u);
}

TEST(AlertHubTest, StopDeliversWhatIsQueued) {
  Receiver rx;
  auto config = FastConfig();
  config.subscriptions = {Webhook("iot-alerts", rx.url())};
  auto hub = MustStart(config);
  ASSERT_TRUE(hub);
  for (int i = 0; i < 20; ++i) hub->Publish(SensorAlert("sensor-" + std::to_string(i), 90));
  ASSERT_TRUE(hub->Stop().ok());
  EXPECT_EQ(rx.count(), 20u);
  EXPECT_EQ(StatsOf(*hub, 0).delivered, 20u);
  hub->Publish(SensorAlert("late", 1));  // after Stop: counted, dropped, no crash
  const auto s = StatsOf(*hub, 0);
  EXPECT_EQ(s.dropped, 1u);
  ExpectBalanced(s);
  EXPECT_TRUE(hub->Stop().ok());  // idempotent
}

TEST(AlertHubTest, StopGivesUpRetriesAtTheDrainDeadline) {
  Receiver rx([](size_t) { return 500; });
  auto config = FastConfig();
  config.max_attempts = 100;
  config.initial_backoff_ms = 60'000;  // the first retry waits far beyond the drain time
  config.max_backoff_ms = 60'000;
  config.drain_timeout_ms = 0;
  config.subscriptions = {Webhook("iot-alerts", rx.url())};
  auto hub = MustStart(config);
  ASSERT_TRUE(hub);
  hub->Publish(SensorAlert("sensor-1", 90));
  ASSERT_TRUE(WaitUntil([&] { return StatsOf(*hub, 0).retried == 1; }));
  Status st = hub->Stop();
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("1 alert(s) not delivered"), std::string::npos) << st.message();
  EXPECT_EQ(StatsOf(*hub, 0).dropped, 1u);
}

TEST(AlertHubTest, StartRejectsBadSubscriptionsWithoutQuotingUrls) {
  auto config = FastConfig();
  config.subscriptions = {Webhook("t", "https://example.com/hook?token=s3cret")};
  config.subscriptions[0].ca_file = TempPath("no-such-ca.pem");
  auto hub = AlertHub::Start(config);
  ASSERT_FALSE(hub.ok());
  EXPECT_NE(hub.status().message().find("alerts.subscriptions[0]"), std::string::npos)
      << hub.status().message();
  EXPECT_NE(hub.status().message().find("ca_file"), std::string::npos) << hub.status().message();
  EXPECT_NE(hub.status().message().find("no-such-ca.pem"), std::string::npos);
  EXPECT_EQ(hub.status().message().find("s3cret"), std::string::npos);

  config.subscriptions = {Webhook("t", "http://example.com/hook?token=s3cret")};
  config.subscriptions[0].ca_file = TempPath("ca.pem");
  hub = AlertHub::Start(config);
  ASSERT_FALSE(hub.ok());
  EXPECT_NE(hub.status().message().find("ca_file is only for https://"), std::string::npos)
      << hub.status().message();
  EXPECT_EQ(hub.status().message().find("s3cret"), std::string::npos);

  config.subscriptions = {Webhook("t", "http://127.0.0.1:99999/hook?token=s3cret")};
  hub = AlertHub::Start(config);
  ASSERT_FALSE(hub.ok());
  EXPECT_NE(hub.status().message().find("alerts.subscriptions[0]"), std::string::npos)
      << hub.status().message();
  EXPECT_EQ(hub.status().message().find("s3cret"), std::string::npos) << hub.status().message();

  config.subscriptions = {File("t", TempPath("no/such/dir/alerts.jsonl"))};
  hub = AlertHub::Start(config);
  ASSERT_FALSE(hub.ok());
  EXPECT_NE(hub.status().message().find("alerts.subscriptions[0]"), std::string::npos)
      << hub.status().message();
  EXPECT_NE(hub.status().message().find("no/such/dir"), std::string::npos);
}

// HTTPS receivers: a self-signed certificate per suite, trusted through ca_file.
class HttpsAlertHubTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(certs_.Make("receiver"));
    ASSERT_TRUE(certs_.Make("other"));
  }
  http::testing::TestCerts certs_;
};

TEST_F(HttpsAlertHubTest, WebhookDeliversOverHttpsTrustingTheCaFile) {
  Receiver rx([](size_t) { return 200; }, certs_.ServerTls("receiver"));
  auto config = FastConfig();
  config.subscriptions = {Webhook("iot-alerts", rx.url("/hook?token=s3cret"))};
  config.subscriptions[0].ca_file = certs_.Cert("receiver");
  auto hub = MustStart(config);
  ASSERT_TRUE(hub);
  EXPECT_EQ(hub->Subscriptions()[0].target, "https://127.0.0.1:" + std::to_string(rx.port()));
  Alert a = SensorAlert("sensor-7", 97.5);
  std::string want;
  {
    Alert filled = a;
    filled.id = AlertId(a.topic, a.rule, a.attributes);
    AppendAlertJson(filled, want);
  }
  hub->Publish(a);
  hub->Publish(SensorAlert("sensor-8", 98.5));
  ASSERT_TRUE(WaitUntil([&] { return StatsOf(*hub, 0).delivered == 2; }));
  auto reqs = rx.requests();
  ASSERT_EQ(reqs.size(), 2u);
  EXPECT_EQ(reqs[0].method, "POST");
  EXPECT_EQ(reqs[0].target, "/hook?token=s3cret");
  EXPECT_EQ(reqs[0].body, want);
  EXPECT_EQ(rx.connections(), 1u);  // one keep-alive TLS connection for both
  ASSERT_TRUE(hub->Stop().ok());
  const auto s = StatsOf(*hub, 0);
  EXPECT_EQ(s.retried, 0u);
  ExpectBalanced(s);
}

TEST_F(HttpsAlertHubTest, UntrustedReceiverIsRetriedLikeAnUnreachableOne) {
  Receiver rx([](size_t) { return 200; }, certs_.ServerTls("receiver"));
  auto config = FastConfig();
  config.max_attempts = 3;
  config.subscriptions = {Webhook("iot-alerts", rx.url())};
  config.subscriptions[0].ca_file = certs_.Cert("other");  // not the receiver's issuer
  auto hub = MustStart(config);
  ASSERT_TRUE(hub);
  hub->Publish(SensorAlert("sensor-1", 90));
  ASSERT_TRUE(WaitUntil([&] { return StatsOf(*hub, 0).failed == 1; }));
  ASSERT_TRUE(hub->Stop().ok());
  const auto s = StatsOf(*hub, 0);
  EXPECT_EQ(s.delivered, 0u);
  EXPECT_EQ(s.retried, 2u);  // transient, like a network error: every attempt was made
  ExpectBalanced(s);
  EXPECT_EQ(rx.count(), 0u);        // no request got past the handshake
  EXPECT_EQ(rx.connections(), 3u);  // one handshake per attempt
}

TEST(AlertHubTest, NoSubscriptionsIsFine) {
  auto hub = MustStart(FastConfig());
  ASSERT_TRUE(hub);
  EXPECT_TRUE(hub->Topics().empty());
  hub->Publish(SensorAlert("sensor-1", 90));
  EXPECT_EQ(hub->Stats().unrouted, 1u);
  EXPECT_TRUE(hub->Stop().ok());
}

}  // namespace
}  // namespace fluxgate::alerts
