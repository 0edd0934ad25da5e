// AlertHub with a data directory: the outbox across restarts, dead letters, run-time
// subscriptions, cooldown folding, filter policies and the recent-alert feed.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <atomic>
#include <filesystem>
#include <set>

#include "alerts/alert_hub.h"
#include "alerts/alert_test_util.h"

namespace fluxgate::alerts {
namespace {

using namespace fluxgate::alerts::testing;
using Subscription = ServeConfig::Alerts::Subscription;

class AlertDurabilityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = TempPath(std::string("data_") +
                    ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string dir_;
};

std::string IdOf(const std::string& doc) {
  simdjson::dom::parser p;
  std::string_view id;
  if (p.parse(simdjson::padded_string(doc))["id"].get(id)) return "";
  return std::string(id);
}

TEST_F(AlertDurabilityTest, UndeliveredAlertsAreDeliveredAfterARestartWithTheirIds) {
  std::atomic<bool> up{false};
  Receiver rx([&](size_t) { return up.load() ? 200 : 503; });
  auto config = FastConfig();
  config.max_attempts = 100;
  config.drain_timeout_ms = 0;
  config.subscriptions = {Webhook("iot-alerts", rx.url())};
  std::vector<std::string> want;
  {
    auto hub = MustStart(config, dir_);
    ASSERT_TRUE(hub);
    // Two one by one, three as a job's sink hands them over: one batch, one fsync.
    std::vector<Alert> batch;
    for (int i = 0; i < 5; ++i) {
      Alert a = SensorAlert("sensor-" + std::to_string(i), 90 + i);
      want.push_back(AlertId(a.topic, a.rule, a.attributes));
      if (i < 2) {
        hub->Publish(a);
      } else {
        batch.push_back(a);
      }
    }
    hub->Publish(std::move(batch));
    ASSERT_TRUE(WaitUntil([&] { return rx.count() >= 2; }));  // being retried
    EXPECT_EQ(hub->Stats().outbox_pending, 5u);
    EXPECT_FALSE(hub->Stop().ok());  // drain time 0: they are left for the next start
  }
  up = true;
  const size_t before = rx.count();
  auto hub = MustStart(config, dir_);
  ASSERT_TRUE(hub);
  EXPECT_EQ(hub->Stats().replayed, 5u);
  ASSERT_TRUE(WaitUntil([&] { return StatsOf(*hub, 0).delivered == 5; }));
  std::set<std::string> got;
  auto reqs = rx.requests();
  for (size_t i = before; i < reqs.size(); ++i) {
    EXPECT_EQ(reqs[i].Get("x-fluxgate-alert-id"), IdOf(reqs[i].body));
    got.insert(IdOf(reqs[i].body));
  }
  EXPECT_EQ(got, std::set<std::string>(want.begin(), want.end()));
  ASSERT_TRUE(WaitUntil([&] { return hub->Stats().outbox_pending == 0; }));
  ASSERT_TRUE(hub->Stop().ok());
  // Nothing is left: a third start delivers nothing again.
  const size_t after = rx.count();
  hub = MustStart(config, dir_);
  ASSERT_TRUE(hub);
  EXPECT_EQ(hub->Stats().replayed, 0u);
  ASSERT_TRUE(hub->Stop().ok());
  EXPECT_EQ(rx.count(), after);
}

TEST_F(AlertDurabilityTest, ExhaustedAlertsBecomePersistentDeadLettersWithTheLastError) {
  Receiver rx([](size_t) { return 503; });
  auto config = FastConfig();
  config.max_attempts = 3;
  config.subscriptions = {Webhook("iot-alerts", rx.url("/hook?token=s3cret"))};
  {
    auto hub = MustStart(config, dir_);
    ASSERT_TRUE(hub);
    hub->Publish(SensorAlert("sensor-1", 99));
    ASSERT_TRUE(WaitUntil([&] { return StatsOf(*hub, 0).failed == 1; }));
    const auto stats = hub->Stats();
    EXPECT_EQ(stats.failed, 1u);
    EXPECT_EQ(stats.retried, 2u);
    EXPECT_EQ(stats.dead_letters, 1u);
    EXPECT_NE(stats.subscriptions[0].last_error.find("HTTP 503"), std::string::npos);
    ASSERT_TRUE(hub->Stop().ok());
  }
  auto hub = MustStart(config, dir_);
  ASSERT_TRUE(hub);
  EXPECT_EQ(hub->Stats().replayed, 0u);  // a dead letter is done: not retried again
  const std::string list = hub->DeadLetters(10);
  simdjson::dom::parser p;
  simdjson::dom::array arr;
  ASSERT_FALSE(p.parse(simdjson::padded_string(list)).get(arr)) << list;
  ASSERT_EQ(arr.size(), 1u);
  std::string_view error, id, sub;
  uint64_t attempts = 0;
  ASSERT_FALSE(arr.at(0)["error"].get(error));
  ASSERT_FALSE(arr.at(0)["alert"]["id"].get(id));
  ASSERT_FALSE(arr.at(0)["attempts"].get(attempts));
  ASSERT_FALSE(arr.at(0)["subscription"].get(sub));
  EXPECT_NE(error.find("HTTP 503"), std::string_view::npos);
  EXPECT_EQ(attempts, 3u);
  EXPECT_EQ(id, AlertId("iot-alerts", "anomalies", SensorAlert("sensor-1", 99).attributes));
  EXPECT_EQ(sub, hub->Subscriptions()[0].id);
  EXPECT_EQ(list.find("s3cret"), std::string::npos);
  ASSERT_TRUE(hub->Stop().ok());
}

TEST_F(AlertDurabilityTest, RunTimeSubscriptionsArePersistedAndRemovable) {
  const std::string file = dir_ + "-out.jsonl";
  std::filesystem::remove(file);
  auto config = FastConfig();
  config.subscriptions = {File("config-topic", dir_ + "-config.jsonl")};
  std::string id;
  {
    auto hub = MustStart(config, dir_);
    ASSERT_TRUE(hub);
    Subscription s = File("iot-alerts", file);
    s.filter = R"({"severity": ["critical"]})";
    auto info = hub->Subscribe(s);
    ASSERT_TRUE(info.ok()) << info.status().ToString();
    id = info->id;
    EXPECT_EQ(info->origin, "api");
    EXPECT_EQ(info->filter, R"({"severity":["critical"]})");
    EXPECT_TRUE(hub->Subscribe(s).status().code() == Status::AlreadyExists("").code());
    Subscription bad = File("iot-alerts", "");
    EXPECT_TRUE(hub->Subscribe(bad).status().IsInvalidArgument());
    bad = s;
    bad.filter = "{nope";
    EXPECT_TRUE(hub->Subscribe(bad).status().IsInvalidArgument());
    // Config subscriptions are the file's to change.
    EXPECT_TRUE(hub->Unsubscribe(hub->Subscriptions()[0].id).IsInvalidArgument());
    EXPECT_TRUE(hub->Unsubscribe("sub-nope").IsNotFound());
    ASSERT_TRUE(hub->Stop().ok());
  }
  auto hub = MustStart(config, dir_);
  ASSERT_TRUE(hub);
  auto subs = hub->Subscriptions();
  ASSERT_EQ(subs.size(), 2u);
  EXPECT_EQ(subs[1].id, id);
  EXPECT_EQ(hub->Topics(), (std::vector<std::string>{"config-topic", "iot-alerts"}));
  Alert warn = SensorAlert("sensor-1", 90);
  Alert crit = SensorAlert("sensor-2", 130);
  crit.severity = "critical";
  hub->Publish(warn);
  hub->Publish(crit);
  ASSERT_TRUE(WaitUntil([&] { return StatsOf(*hub, 1).delivered == 1; }));
  EXPECT_EQ(StatsOf(*hub, 1).filtered, 1u);
  auto lines = ReadLines(file);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_NE(lines[0].find("sensor-2"), std::string::npos);
  ASSERT_TRUE(hub->Unsubscribe(id).ok());
  EXPECT_EQ(hub->Subscriptions().size(), 1u);
  ASSERT_TRUE(hub->Stop().ok());
  hub = MustStart(config, dir_);
  ASSERT_TRUE(hub);
  EXPECT_EQ(hub->Subscriptions().size(), 1u);  // the removal was persisted too
}

TEST_F(AlertDurabilityTest, CooldownFoldsAStuckSensorIntoOneSummary) {
  const std::string file = dir_ + "-fold.jsonl";
  std::filesystem::remove(file);
  auto config = FastConfig();
  config.cooldown_ms = 300;
  config.subscriptions = {File("iot-alerts", file)};
  auto hub = MustStart(config, dir_);
  ASSERT_TRUE(hub);
  for (int i = 0; i < 50; ++i) hub->Publish(SensorAlert("sensor-stuck", 100 + i));
  hub->Publish(SensorAlert("sensor-other", 95));
  ASSERT_TRUE(WaitUntil([&] { return ReadLines(file).size() >= 3; }));
  auto lines = ReadLines(file);
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_NE(lines[0].find("sensor-stuck"), std::string::npos);
  EXPECT_EQ(lines[0].find("\"count\""), std::string::npos);  // the first goes out as is
  EXPECT_NE(lines[1].find("sensor-other"), std::string::npos);
  EXPECT_NE(lines[2].find("\"count\":49"), std::string::npos) << lines[2];
  EXPECT_EQ(IdOf(lines[2]),
            AlertId("iot-alerts", "anomalies", SensorAlert("sensor-stuck", 149).attributes));
  const auto stats = hub->Stats();
  EXPECT_EQ(stats.folded, 49u);
  EXPECT_EQ(stats.summaries, 1u);
  // Recent() is the feed after folding, newest last.
  simdjson::dom::parser p;
  simdjson::dom::array recent;
  const std::string text = hub->Recent(2);
  ASSERT_FALSE(p.parse(simdjson::padded_string(text)).get(recent)) << text;
  ASSERT_EQ(recent.size(), 2u);
  uint64_t count = 0;
  EXPECT_FALSE(recent.at(1)["count"].get(count));
  EXPECT_EQ(count, 49u);
  ASSERT_TRUE(hub->Stop().ok());
}

TEST_F(AlertDurabilityTest, StopSendsTheSummariesStillOwed) {
  const std::string file = dir_ + "-owed.jsonl";
  std::filesystem::remove(file);
  auto config = FastConfig();
  config.cooldown_ms = 3'600'000;
  config.subscriptions = {File("iot-alerts", file)};
  auto hub = MustStart(config, dir_);
  ASSERT_TRUE(hub);
  for (int i = 0; i < 4; ++i) hub->Publish(SensorAlert("sensor-stuck", 100 + i));
  ASSERT_TRUE(hub->Stop().ok());
  auto lines = ReadLines(file);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_NE(lines[1].find("\"count\":3"), std::string::npos) << lines[1];
}

TEST_F(AlertDurabilityTest, FullOutboxRefusesAndCounts) {
  Receiver rx([](size_t) { return -1; });  // holds every request: nothing is ever done
  auto config = FastConfig();
  config.outbox_max_bytes = 64 << 10;
  config.drain_timeout_ms = 0;
  config.webhook_timeout_ms = 200;
  config.subscriptions = {Webhook("iot-alerts", rx.url())};
  auto hub = MustStart(config, dir_);
  ASSERT_TRUE(hub);
  for (int i = 0; i < 1000; ++i) hub->Publish(SensorAlert("sensor-" + std::to_string(i), 90));
  const auto stats = hub->Stats();
  EXPECT_GT(stats.outbox_refused, 0u);
  EXPECT_LT(stats.outbox_pending, 1000u);
  // Every alert is either refused or in the outbox; at most the first has left it (its
  // held request timed out until it became a dead letter).
  EXPECT_EQ(stats.outbox_pending + stats.outbox_refused + stats.failed, 1000u);
  (void)hub->Stop();
  rx.Release([](size_t) { return 200; });
}

}  // namespace
}  // namespace fluxgate::alerts
