#include "quality/monitor.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "log/log_test_util.h"

namespace fluxgate::quality {
namespace {

constexpr int64_t kT0 = 1'800'000'000'000;  // event times, epoch ms

std::string Rec(std::string_view device, int64_t ts_ms, std::string_view sensor, double value) {
  // Event time as the ISO text the recipe sends (UTC, milliseconds).
  const int64_t secs = ts_ms / 1000, ms = ts_ms % 1000;
  std::time_t t = secs;
  std::tm tm{};
  gmtime_r(&t, &tm);
  return fmt::format(
      R"({{"device_id":"{}","timestamp":"{:04d}-{:02d}-{:02d}T{:02d}:{:02d}:{:02d}.{:03d}Z",)"
      R"("sensor_type":"{}","value":{},"unit":"u","location":"l"}})",
      device, tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ms,
      sensor, value);
}

struct Fixture {
  explicit Fixture(QualityConfig::Stream c = QualityConfig::DefaultIotTelemetry()) {
    auto r = StreamRules::Make(c);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    rules = std::move(*r);
    Monitor::Options o;
    o.now_ms = [this] { return now; };
    o.publish = [this](alerts::Alert a) { alerts.push_back(std::move(a)); };
    monitor = std::make_unique<Monitor>(rules.get(), nullptr, o);
  }
  std::unique_ptr<StreamRules> rules;
  std::unique_ptr<Monitor> monitor;
  int64_t now = kT0;
  std::vector<alerts::Alert> alerts;
};

TEST(MonitorTest, ProfilesAreHandComputable) {
  Fixture f;
  Monitor& m = *f.monitor;
  m.Observe(Rec("a", kT0, "temperature", 20), kT0 + 5);
  m.Observe(Rec("a", kT0 + 1000, "temperature", 30), kT0 + 1005);
  m.Observe(Rec("a", kT0 + 2000, "temperature", 25), kT0 + 2005);
  // A record with value null and unit missing: counted as null / missing, invalid (value is
  // NOT NULL in the shipped schema).
  m.Observe(R"({"device_id":"a","timestamp":"2027-01-15T08:00:03Z","sensor_type":"temperature",)"
            R"("value":null,"location":"l"})",
            kT0 + 3005);
  m.Observe(Rec("b", kT0, "pressure", 50), kT0 + 7);

  auto a = m.Device("a");
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->count, 4u);
  EXPECT_EQ(a->invalid, 1u);
  EXPECT_EQ(a->value_count, 3u);
  EXPECT_DOUBLE_EQ(a->min, 20);
  EXPECT_DOUBLE_EQ(a->max, 30);
  EXPECT_DOUBLE_EQ(a->mean(), 25);
  EXPECT_EQ(a->sensor_type, "temperature");
  EXPECT_EQ(a->first_seen_ms, kT0 + 5);
  EXPECT_EQ(a->last_seen_ms, kT0 + 3005);
  const int value_col = f.rules->value_column();
  const int unit_col = f.rules->Find("unit");
  EXPECT_EQ(a->fields[value_col].invalid, 1u);  // null in a NOT NULL column
  EXPECT_EQ(a->fields[unit_col].missing, 1u);
  // 6 declared fields x 4 records = 24 cells; unit missing once; the NOT NULL value's null
  // counts as invalid, not null.
  EXPECT_DOUBLE_EQ(a->NullRate(6), 1.0 / 24);
  EXPECT_EQ(a->last_invalid_reason, "field 'value': must not be null");

  StreamStats s = m.Stats();
  EXPECT_EQ(s.records, 5u);
  EXPECT_EQ(s.invalid, 1u);
  EXPECT_EQ(s.devices, 2u);
  EXPECT_EQ(s.problems["null"], 1u);
  EXPECT_EQ(s.fields[unit_col].missing, 1u);
  bool saw_pressure = false;
  for (const SensorTypeStats& st : s.sensor_types) {
    if (st.sensor_type != "pressure") continue;
    saw_pressure = true;
    EXPECT_EQ(st.records, 1u);
    EXPECT_TRUE(st.has_range);
    EXPECT_DOUBLE_EQ(st.min, 50);
  }
  EXPECT_TRUE(saw_pressure);
  EXPECT_FALSE(m.Device("nobody").has_value());
}

TEST(MonitorTest, DuplicatesOutOfOrderAndLate) {
  QualityConfig::Stream c = QualityConfig::DefaultIotTelemetry();
  c.late_after_ms = 30'000;
  Fixture f(c);
  Monitor& m = *f.monitor;
  m.Observe(Rec("a", kT0, "flow", 1), kT0);
  m.Observe(Rec("a", kT0 + 60'000, "flow", 1), kT0);  // newest = +60 s
  m.Observe(Rec("a", kT0 + 60'000, "flow", 1), kT0);  // duplicate (same device, same time)
  m.Observe(Rec("b", kT0 + 60'000, "flow", 1), kT0);  // other device: not a duplicate
  m.Observe(Rec("a", kT0 + 50'000, "flow", 1), kT0);  // 10 s behind: out of order, not late
  m.Observe(Rec("a", kT0 + 10'000, "flow", 1), kT0);  // 50 s behind: out of order and late
  m.Observe(Rec("a", kT0, "flow", 1), kT0);           // duplicate of the first, not "late"
  auto a = m.Device("a");
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->duplicates, 2u);
  EXPECT_EQ(a->out_of_order, 2u);
  EXPECT_EQ(a->late, 1u);
  EXPECT_EQ(a->newest_event_ms, kT0 + 60'000);
  EXPECT_EQ(a->last_event_ms, kT0);
  EXPECT_EQ(m.Device("b")->duplicates, 0u);
  StreamStats s = m.Stats();
  EXPECT_EQ(s.duplicates, 2u);
  EXPECT_EQ(s.out_of_order, 2u);
  EXPECT_EQ(s.late, 1u);
}

TEST(MonitorTest, DuplicateWindowIsBounded) {
  QualityConfig::Stream c = QualityConfig::DefaultIotTelemetry();
  c.duplicate_window = 2;
  Fixture f(c);
  Monitor& m = *f.monitor;
  m.Observe(Rec("a", kT0 + 1000, "flow", 1), kT0);
  m.Observe(Rec("a", kT0 + 2000, "flow", 1), kT0);
  m.Observe(Rec("a", kT0 + 3000, "flow", 1), kT0);  // pushes +1000 out of the window
  m.Observe(Rec("a", kT0 + 1000, "flow", 1), kT0);  // no longer recognised as a duplicate
  m.Observe(Rec("a", kT0 + 3000, "flow", 1), kT0);  // still in the window
  auto a = m.Device("a");
  EXPECT_EQ(a->duplicates, 1u);
  EXPECT_EQ(a->out_of_order, 1u);
}

TEST(MonitorTest, OutOfRangeAndUnknownSensorTypes) {
  Fixture f;
  Monitor& m = *f.monitor;
  m.Observe(Rec("a", kT0, "temperature", 200), kT0);
  m.Observe(Rec("a", kT0 + 1, "temperature", -41), kT0);
  m.Observe(Rec("a", kT0 + 2, "temperature", 125), kT0);  // inclusive bound
  m.Observe(Rec("z", kT0, "co2", 400), kT0);
  EXPECT_EQ(m.Device("a")->out_of_range, 2u);
  StreamStats s = m.Stats();
  EXPECT_EQ(s.out_of_range, 2u);
  EXPECT_EQ(s.unknown_sensor_type, 1u);
}

TEST(MonitorTest, MaxDevicesBoundsTheProfiles) {
  QualityConfig::Stream c = QualityConfig::DefaultIotTelemetry();
  c.max_devices = 2;
  Fixture f(c);
  Monitor& m = *f.monitor;
  for (int i = 0; i < 5; ++i) m.Observe(Rec("d" + std::to_string(i), kT0, "flow", 1), kT0);
  m.Observe(Rec("d0", kT0 + 1, "flow", 1), kT0);  // tracked devices keep being profiled
  m.Observe(R"({"value":1})", kT0);               // no device id
  StreamStats s = m.Stats();
  EXPECT_EQ(s.devices, 2u);
  EXPECT_EQ(s.untracked_records, 3u);
  EXPECT_EQ(s.no_device, 1u);
  EXPECT_EQ(s.records, 7u);
  EXPECT_GT(s.memory_bytes, 0u);
  EXPECT_EQ(m.Device("d0")->count, 2u);
  EXPECT_FALSE(m.Device("d4").has_value());
}

TEST(MonitorTest, StaleDevicesRaiseAlertsOnceAndRecover) {
  QualityConfig::Stream c = QualityConfig::DefaultIotTelemetry();
  c.stale_after_ms = 60'000;
  c.alert_topic = "dq";
  Fixture f(c);
  Monitor& m = *f.monitor;
  m.Observe(Rec("a", kT0, "flow", 1), kT0);
  m.Observe(Rec("b", kT0, "flow", 1), kT0 + 30'000);
  // Not caught up yet (no Poll has run): nothing is judged stale.
  f.now = kT0 + 1'000'000;
  m.Sweep();
  EXPECT_TRUE(f.alerts.empty());
}

TEST(MonitorTest, StaleAfterPollAgainstTheWallClock) {
  log::testing::TempDir dir;
  log::testing::FakeClock clock;
  log::LogOptions lo;
  lo.data_dir = dir.path();
  lo.durability = log::Durability::kNone;
  lo.clock = clock.Fn();
  auto log = log::LogManager::Open(lo);
  ASSERT_TRUE(log.ok());
  ASSERT_TRUE((*log)->CreateStream("iot-telemetry", 2, log::StreamMode::kProvisioned, {}).ok());

  QualityConfig::Stream c = QualityConfig::DefaultIotTelemetry();
  c.stale_after_ms = 60'000;
  c.alert_topic = "dq";
  auto made = StreamRules::Make(c);
  ASSERT_TRUE(made.ok());
  std::unique_ptr<StreamRules> rules = std::move(made.value());
  std::vector<alerts::Alert> alerts;
  int64_t now = clock.now_ms;
  Monitor::Options o;
  o.now_ms = [&] { return now; };
  o.publish = [&](alerts::Alert a) { alerts.push_back(std::move(a)); };
  o.read_batch_records = 2;  // several polls to catch up
  Monitor m(rules.get(), log->get(), o);

  const int64_t t0 = clock.now_ms;
  for (int i = 0; i < 3; ++i) {
    std::string a = Rec("a", t0 + i * 1000, "flow", i), b = Rec("b", t0 + i * 1000, "flow", i);
    log::testing::AppendOne(**log, "iot-telemetry", "a", a);
    log::testing::AppendOne(**log, "iot-telemetry", "b", b);
  }
  uint64_t read = 0;
  for (int i = 0; i < 10; ++i) read += *m.Poll();
  EXPECT_EQ(read, 6u);
  StreamStats s = m.Stats();
  EXPECT_TRUE(s.caught_up);
  EXPECT_TRUE(s.stream_exists);
  EXPECT_EQ(s.records, 6u);
  EXPECT_EQ(s.lag_records, 0u);

  now = t0 + 59'000;
  m.Sweep();
  EXPECT_TRUE(alerts.empty());
  // b keeps sending; a goes quiet.
  clock.now_ms = t0 + 90'000;
  log::testing::AppendOne(**log, "iot-telemetry", "b", Rec("b", t0 + 90'000, "flow", 1));
  EXPECT_EQ(*m.Poll(), 1u);
  now = t0 + 100'000;
  m.Sweep();
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].topic, "dq");
  EXPECT_EQ(alerts[0].severity, "warning");
  EXPECT_NE(alerts[0].attributes.find("\"device_id\":\"a\""), std::string::npos);
  EXPECT_NE(alerts[0].attributes.find("\"state\":\"stale\""), std::string::npos);
  m.Sweep();  // once per transition
  EXPECT_EQ(alerts.size(), 1u);
  s = m.Stats();
  EXPECT_EQ(s.stale_devices, 1u);
  EXPECT_EQ(s.stale_device_ids, std::vector<std::string>{"a"});
  EXPECT_TRUE(m.Device("a")->stale);
  size_t total = 0;
  auto stale = m.Devices(DeviceSort::kDeviceId, 10, true, &total);
  EXPECT_EQ(total, 1u);
  ASSERT_EQ(stale.size(), 1u);
  EXPECT_EQ(stale[0].device_id, "a");

  // a comes back: one recovery alert, no longer stale.
  clock.now_ms = t0 + 120'000;
  log::testing::AppendOne(**log, "iot-telemetry", "a", Rec("a", t0 + 120'000, "flow", 1));
  EXPECT_EQ(*m.Poll(), 1u);
  ASSERT_EQ(alerts.size(), 2u);
  EXPECT_EQ(alerts[1].severity, "info");
  EXPECT_NE(alerts[1].attributes.find("\"state\":\"recovered\""), std::string::npos);
  EXPECT_EQ(m.Stats().stale_devices, 0u);
  EXPECT_TRUE((*log)->Close().ok());
}

TEST(MonitorTest, DevicesSortAndLimit) {
  Fixture f;
  Monitor& m = *f.monitor;
  for (int i = 0; i < 3; ++i) m.Observe(Rec("c", kT0 + i, "flow", 1), kT0 + 3);
  for (int i = 0; i < 2; ++i) m.Observe(Rec("a", kT0 + i, "flow", 1), kT0 + 1);
  m.Observe(Rec("b", kT0, "flow", 1), kT0 + 2);
  size_t total = 0;
  auto by_count = m.Devices(DeviceSort::kCount, 2, false, &total);
  EXPECT_EQ(total, 3u);
  ASSERT_EQ(by_count.size(), 2u);
  EXPECT_EQ(by_count[0].device_id, "c");
  EXPECT_EQ(by_count[1].device_id, "a");
  auto by_id = m.Devices(DeviceSort::kDeviceId, 10, false, &total);
  ASSERT_EQ(by_id.size(), 3u);
  EXPECT_EQ(by_id[0].device_id, "a");
  auto by_seen = m.Devices(DeviceSort::kLastSeen, 1, false, &total);
  EXPECT_EQ(by_seen[0].device_id, "a");  // oldest first
  EXPECT_EQ(ParseDeviceSort("count"), DeviceSort::kCount);
  EXPECT_FALSE(ParseDeviceSort("colour").has_value());
}

TEST(MonitorTest, IngestRejectionsCountPerDevice) {
  Fixture f;
  Monitor& m = *f.monitor;
  RecordChecker checker;
  RecordView v;
  ASSERT_FALSE(checker.Check(*f.rules, R"({"device_id":"x","value":"bad"})", &v));
  m.OnIngestInvalid(v, false);
  m.OnIngestInvalid(v, true);
  auto x = m.Device("x");
  ASSERT_TRUE(x.has_value());
  EXPECT_EQ(x->invalid, 2u);
  EXPECT_EQ(x->count, 0u);  // never reached the log
  EXPECT_EQ(x->fields[f.rules->value_column()].invalid, 2u);
  StreamStats s = m.Stats();
  EXPECT_EQ(s.rejected, 1u);
  EXPECT_EQ(s.dead_lettered, 1u);
}

}  // namespace
}  // namespace fluxgate::quality
