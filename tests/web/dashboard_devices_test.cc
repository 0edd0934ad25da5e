// The dashboard's device tracker (web/dashboard_devices.h): latest readings, sparkline
// history, server-side paging, window aggregates, limits, and tailing a real log.
#include "web/dashboard_devices.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <future>
#include <string>

#include "common/logging.h"
#include "log/log_manager.h"

namespace fluxgate::web {
namespace {

std::string Reading(const std::string& id, double value, const std::string& type = "temperature",
                    const std::string& location = "plant-a") {
  return "{\"device_id\":\"" + id + "\",\"timestamp\":\"2026-11-25T10:00:00Z\",\"sensor_type\":\"" +
         type + "\",\"value\":" + std::to_string(value) + ",\"unit\":\"C\",\"location\":\"" +
         location + "\"}";
}

DeviceTracker::Options Opts() {
  DeviceTracker::Options o;
  o.history_points = 4;
  o.window_ms = 1000;
  return o;
}

TEST(DeviceTrackerTest, KeepsTheLatestReadingAndAHistoryOldestFirst) {
  DeviceTracker t(nullptr, Opts());
  for (int i = 1; i <= 6; ++i) t.Observe(Reading("d1", i), 1000 + i);
  auto page = t.Page({});
  ASSERT_EQ(page.total, 1u);
  const DeviceReading& d = page.devices[0];
  EXPECT_EQ(d.device_id, "d1");
  EXPECT_EQ(d.value, 6);
  EXPECT_EQ(d.count, 6u);
  EXPECT_EQ(d.last_seen_ms, 1006);
  EXPECT_EQ(d.unit, "C");
  EXPECT_EQ(d.location, "plant-a");
  EXPECT_EQ(d.history, (std::vector<double>{3, 4, 5, 6}));  // ring unrolled
}

TEST(DeviceTrackerTest, SkipsRecordsWithoutDeviceOrNumericValue) {
  DeviceTracker t(nullptr, Opts());
  t.Observe("not json", 1);
  t.Observe("{\"device_id\":\"d\",\"value\":\"hot\"}", 1);
  t.Observe("{\"value\":3}", 1);
  t.Observe("[1,2]", 1);
  t.Observe("{\"device_id\":\"d\",\"value\":3}", 1);  // an integer value is fine
  auto s = t.Stats();
  EXPECT_EQ(s.records, 5u);
  EXPECT_EQ(s.skipped, 4u);
  EXPECT_EQ(s.devices, 1u);
}

TEST(DeviceTrackerTest, PagesSortsAndSearchesOnTheServer) {
  DeviceTracker t(nullptr, Opts());
  for (int i = 0; i < 25; ++i) {
    char id[16];
    std::snprintf(id, sizeof(id), "sensor-%02d", i);
    t.Observe(Reading(id, 100 - i, i % 2 ? "pressure" : "temperature"), 1000 + i);
  }
  DevicePageQuery q;
  q.limit = 10;
  q.offset = 20;
  auto p = t.Page(q);
  EXPECT_EQ(p.total, 25u);
  ASSERT_EQ(p.devices.size(), 5u);
  EXPECT_EQ(p.devices[0].device_id, "sensor-20");

  q = {};
  q.order = DeviceOrder::kValue;
  q.descending = true;
  q.limit = 3;
  p = t.Page(q);
  ASSERT_EQ(p.devices.size(), 3u);
  EXPECT_EQ(p.devices[0].device_id, "sensor-00");  // value 100
  EXPECT_EQ(p.devices[2].device_id, "sensor-02");

  q = {};
  q.search = "PRESS";  // case-insensitive, matches sensor_type
  p = t.Page(q);
  EXPECT_EQ(p.total, 12u);
  q.search = "sensor-1";
  p = t.Page(q);
  EXPECT_EQ(p.total, 10u);

  q = {};
  q.order = DeviceOrder::kLastSeen;
  q.descending = true;
  q.limit = 1;
  EXPECT_EQ(t.Page(q).devices[0].device_id, "sensor-24");
  EXPECT_EQ(t.Recent(2)[1].device_id, "sensor-23");

  q = {};
  q.limit = 100000;  // clamped to kMaxLimit
  q.offset = 0;
  EXPECT_EQ(t.Page(q).devices.size(), 25u);
  q.offset = 30;  // past the end
  EXPECT_TRUE(t.Page(q).devices.empty());
}

TEST(DeviceTrackerTest, DevicesBeyondTheLimitAreCountedNotTracked) {
  auto o = Opts();
  o.max_devices = 2;
  DeviceTracker t(nullptr, o);
  t.Observe(Reading("a", 1), 1);
  t.Observe(Reading("b", 1), 1);
  t.Observe(Reading("c", 1), 1);
  t.Observe(Reading("a", 2), 2);
  EXPECT_EQ(t.Stats().devices, 2u);
  EXPECT_EQ(t.Stats().untracked, 1u);
}

TEST(DeviceTrackerTest, WindowAggregatesPerSensorTypeAndLocation) {
  DeviceTracker t(nullptr, Opts());  // 1 s windows
  t.Observe(Reading("a", 10), 5000);
  t.Observe(Reading("b", 30), 5500);
  t.Observe(Reading("c", 7, "pressure", "plant-b"), 5600);
  t.Observe(Reading("a", 20), 6100);  // the next window: [5000,6000) closes
  auto w = t.Windows();
  ASSERT_EQ(w.size(), 3u);  // pressure/plant-b [5000), temperature/plant-a [5000) and [6000)
  EXPECT_EQ(w[0].sensor_type, "pressure");
  EXPECT_EQ(w[0].count, 1u);
  EXPECT_EQ(w[1].sensor_type, "temperature");
  EXPECT_EQ(w[1].window_start_ms, 5000);
  EXPECT_EQ(w[1].count, 2u);
  EXPECT_DOUBLE_EQ(w[1].avg(), 20);
  EXPECT_DOUBLE_EQ(w[1].min, 10);
  EXPECT_DOUBLE_EQ(w[1].max, 30);
  EXPECT_EQ(w[2].window_start_ms, 6000);
  EXPECT_EQ(w[2].window_end_ms, 7000);
  EXPECT_EQ(w[2].count, 1u);
  // A gap of more than one window leaves no "previous" (it would not be the last one).
  t.Observe(Reading("a", 1), 9100);
  w = t.Windows();
  ASSERT_EQ(w.size(), 2u);
  EXPECT_EQ(w[1].window_start_ms, 9000);
}

TEST(DeviceTrackerTest, ParseDeviceOrder) {
  EXPECT_EQ(ParseDeviceOrder("value"), DeviceOrder::kValue);
  EXPECT_EQ(ParseDeviceOrder("id"), DeviceOrder::kDeviceId);
  EXPECT_FALSE(ParseDeviceOrder("color"));
}

TEST(DeviceTrackerTest, TailsTheLogAndReportsLag) {
  SetLogLevel("warn");
  char tmpl[] = "/tmp/fg-dash-devices-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  log::LogOptions lo;
  lo.data_dir = tmpl;
  lo.durability = log::Durability::kNone;
  auto log = log::LogManager::Open(lo);
  ASSERT_TRUE(log.ok());
  ASSERT_TRUE((*log)->CreateStream("iot-telemetry", 2, log::StreamMode::kProvisioned, {}).ok());
  std::vector<std::string> data;
  for (int i = 0; i < 50; ++i) data.push_back(Reading("dev-" + std::to_string(i % 5), i));
  std::vector<log::AppendRecord> recs;
  for (auto& d : data) recs.push_back({std::string_view(d).substr(15, 6), d, std::nullopt});
  std::promise<void> done;
  ASSERT_TRUE((*log)->Append("iot-telemetry", recs, [&](auto) { done.set_value(); }).ok());
  done.get_future().wait();

  auto o = Opts();
  o.read_batch_records = 7;  // several reads per shard
  DeviceTracker t(log->get(), o);
  EXPECT_EQ(t.Poll(), 50u);
  auto s = t.Stats();
  EXPECT_EQ(s.devices, 5u);
  EXPECT_EQ(s.lag_records, 0u);
  EXPECT_GT(s.bytes, 0u);
  EXPECT_EQ(t.Poll(), 0u);  // nothing new
  DevicePageQuery q;
  q.search = "dev-4";
  auto p = t.Page(q);
  ASSERT_EQ(p.devices.size(), 1u);
  EXPECT_EQ(p.devices[0].value, 49);
  EXPECT_EQ(p.devices[0].count, 10u);

  // Deleted and recreated: the tracker reads the new stream from its start.
  ASSERT_TRUE((*log)->DeleteStream("iot-telemetry").ok());
  ASSERT_TRUE((*log)->CreateStream("iot-telemetry", 2, log::StreamMode::kProvisioned, {}).ok());
  std::string again = Reading("dev-new", 7);
  std::vector<log::AppendRecord> one = {{"dev-new", again, std::nullopt}};
  std::promise<void> done2;
  ASSERT_TRUE((*log)->Append("iot-telemetry", one, [&](auto) { done2.set_value(); }).ok());
  done2.get_future().wait();
  EXPECT_EQ(t.Poll(), 1u);
  q.search = "dev-new";
  EXPECT_EQ(t.Page(q).total, 1u);
  ASSERT_TRUE((*log)->Close().ok());
  std::filesystem::remove_all(tmpl);
}

}  // namespace
}  // namespace fluxgate::web
