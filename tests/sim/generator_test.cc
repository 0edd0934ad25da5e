#include "sim/generator.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <algorithm>
#include <regex>
#include <set>

namespace fluxgate::sim {
namespace {

constexpr int64_t kStart = 1795633500'000000;  // 2026-11-25T19:05:00Z

std::vector<std::string> Generate(const GeneratorOptions& options, int n,
                                  int64_t step_us = 100'000) {
  Generator g(options);
  std::vector<std::string> out;
  for (int i = 0; i < n; ++i) {
    Reading r = g.Next(kStart + i * step_us);
    std::string json;
    AppendRecordJson(g.devices()[r.device], r, &json);
    out.push_back(std::move(json));
  }
  return out;
}

TEST(GeneratorTest, SameSeedSameRecords) {
  GeneratorOptions options;
  options.seed = 42;
  options.out_of_order_rate = 0.1;
  options.late_rate = 0.05;
  EXPECT_EQ(Generate(options, 2000), Generate(options, 2000));
  GeneratorOptions other = options;
  other.seed = 43;
  EXPECT_NE(Generate(options, 50), Generate(other, 50));
}

TEST(GeneratorTest, AnomalyRateDoesNotDisturbOtherReadings) {
  GeneratorOptions a, b;
  a.seed = b.seed = 7;
  a.anomaly_rate = 0;
  b.anomaly_rate = 0.2;
  Generator ga(a), gb(b);
  int differing = 0;
  for (int i = 0; i < 1000; ++i) {
    Reading ra = ga.Next(kStart + i), rb = gb.Next(kStart + i);
    if (!rb.anomaly) {
      EXPECT_EQ(ra.value, rb.value);
    }
    differing += rb.anomaly;
  }
  EXPECT_GT(differing, 100);
}

TEST(GeneratorTest, FleetIsDerivedFromSeedAndCoversAllTypes) {
  auto fleet = MakeFleet(5, 8);
  ASSERT_EQ(fleet.size(), 8u);
  EXPECT_EQ(fleet[0].id, "sensor-0001");
  EXPECT_EQ(fleet[7].id, "sensor-0008");
  std::set<SensorType> first_block;
  for (int i = 0; i < 4; ++i) first_block.insert(fleet[i].type);
  EXPECT_EQ(first_block.size(), 4u);
  auto again = MakeFleet(5, 8);
  for (size_t i = 0; i < fleet.size(); ++i) {
    EXPECT_EQ(fleet[i].type, again[i].type);
    EXPECT_EQ(fleet[i].location, again[i].location);
    EXPECT_EQ(fleet[i].baseline, again[i].baseline);
  }
  EXPECT_EQ(MakeFleet(1, 12345)[12344].id, "sensor-12345");
}

// Each record parses as JSON with exactly the documented fields, and normal values stay in
// the type's plausible band and below its alert threshold.
TEST(GeneratorTest, FieldsAndRangesPerType) {
  GeneratorOptions options;
  options.seed = 3;
  options.devices = 40;
  options.anomaly_rate = 0;
  Generator g(options);
  simdjson::dom::parser parser;
  const std::set<std::string> kFields = {"device_id", "timestamp", "sensor_type",
                                         "value",     "unit",      "location"};
  std::set<std::string_view> locations(std::begin(kLocations), std::end(kLocations));
  std::map<std::string, std::pair<double, double>> seen;  // type -> min, max
  for (int i = 0; i < 20000; ++i) {
    // Spread over two days so the daily cycle is exercised.
    Reading r = g.Next(kStart + int64_t(i) * 8'640'000);
    const Device& d = g.devices()[r.device];
    std::string json;
    AppendRecordJson(d, r, &json);
    simdjson::dom::element root;
    ASSERT_EQ(parser.parse(json).get(root), simdjson::SUCCESS) << json;
    std::set<std::string> fields;
    for (auto [key, value] : root.get_object()) fields.insert(std::string(key));
    ASSERT_EQ(fields, kFields) << json;
    std::string_view type = root["sensor_type"].get_string().value();
    std::string_view unit = root["unit"].get_string().value();
    double value = root["value"].get_double().value();
    EXPECT_EQ(root["device_id"].get_string().value(), d.id);
    EXPECT_TRUE(locations.count(root["location"].get_string().value())) << json;
    const SensorSpec& spec = SpecFor(d.type);
    EXPECT_EQ(type, spec.name);
    EXPECT_EQ(unit, spec.unit);
    EXPECT_LE(value, spec.alert_threshold) << json;
    EXPECT_GE(value, spec.floor) << json;
    auto& [lo, hi] = seen.try_emplace(std::string(type), 1e9, -1e9).first->second;
    lo = std::min(lo, value);
    hi = std::max(hi, value);
  }
  // Plausible bands (generous: baseline range +- cycle, drift and noise).
  EXPECT_GT(seen["temperature"].first, 15);
  EXPECT_LT(seen["temperature"].second, 75);
  EXPECT_GT(seen["pressure"].first, 20);
  EXPECT_LT(seen["pressure"].second, 95);
  EXPECT_GT(seen["vibration"].first, 2);
  EXPECT_LT(seen["vibration"].second, 45);
  EXPECT_GT(seen["flow"].first, 5);
  EXPECT_LT(seen["flow"].second, 245);
  EXPECT_EQ(seen.size(), 4u);
}

// A device's signal is smooth: consecutive readings move by a few noise widths, not by
// anything like a uniform draw over the band.
TEST(GeneratorTest, SignalIsNotUniformNoise) {
  GeneratorOptions options;
  options.seed = 11;
  options.devices = 1;
  options.anomaly_rate = 0;
  Generator g(options);
  const SensorSpec& spec = SpecFor(g.devices()[0].type);
  double baseline = g.devices()[0].baseline;
  double prev = g.Next(kStart).value, max_step = 0;
  for (int i = 1; i < 2000; ++i) {
    double v = g.Next(kStart + i * 1'000'000).value;
    max_step = std::max(max_step, std::abs(v - prev));
    prev = v;
  }
  EXPECT_LT(max_step, baseline * spec.noise * 10 + 0.02);
}

TEST(GeneratorTest, AnomalyRateRoughlyHonouredAndAboveThreshold) {
  GeneratorOptions options;
  options.seed = 99;
  options.devices = 16;
  options.anomaly_rate = 0.05;
  Generator g(options);
  const int n = 40000;
  int anomalies = 0, over_threshold = 0;
  for (int i = 0; i < n; ++i) {
    Reading r = g.Next(kStart + i * 1000);
    const SensorSpec& spec = SpecFor(g.devices()[r.device].type);
    bool over = r.value > spec.alert_threshold;
    EXPECT_EQ(over, r.anomaly) << r.value;
    anomalies += r.anomaly;
    over_threshold += over;
  }
  // Expected 2000, sd ~44: +-25% is many sigmas yet still catches a wrong rate.
  EXPECT_GT(anomalies, 1500);
  EXPECT_LT(anomalies, 2500);
  EXPECT_EQ(anomalies, over_threshold);

  options.anomaly_rate = 0;
  Generator none(options);
  for (int i = 0; i < 5000; ++i) EXPECT_FALSE(none.Next(kStart + i).anomaly);
}

TEST(GeneratorTest, TimestampsAreIso8601Utc) {
  EXPECT_EQ(FormatTimestamp(kStart + 123456), "2026-11-25T19:05:00.123456Z");
  EXPECT_EQ(FormatTimestamp(0), "1970-01-01T00:00:00.000000Z");
  EXPECT_EQ(FormatTimestamp(-1), "1969-12-31T23:59:59.999999Z");
  std::regex iso(R"("timestamp":"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z")");
  for (const auto& json : Generate({}, 100)) EXPECT_TRUE(std::regex_search(json, iso)) << json;
}

TEST(GeneratorTest, ParseTimestamp) {
  EXPECT_EQ(*ParseTimestamp("2026-11-25T19:05:00Z"), kStart);
  EXPECT_EQ(*ParseTimestamp("2026-11-25 19:05:00.5+00:00"), kStart + 500000);
  EXPECT_EQ(*ParseTimestamp("2026-11-25T19:05:00.1234567Z"), kStart + 123456);
  auto round = ParseTimestamp(FormatTimestamp(kStart + 987654));
  ASSERT_TRUE(round.ok());
  EXPECT_EQ(*round, kStart + 987654);
  for (const char* bad : {"2026-11-25", "2026-11-25T19:05:00", "2026-13-01T00:00:00Z",
                          "2026-02-30T00:00:00Z", "2026-11-25T19:05:00+01:00", "x"}) {
    EXPECT_TRUE(ParseTimestamp(bad).status().IsInvalidArgument()) << bad;
  }
}

TEST(GeneratorTest, OutOfOrderAndLateShiftTimestampsWithinBounds) {
  GeneratorOptions options;
  options.seed = 5;
  options.out_of_order_rate = 0.2;
  options.late_rate = 0.1;
  options.max_disorder_s = 2;
  options.max_lateness_s = 30;
  Generator g(options);
  const int n = 20000;
  int ooo = 0, late = 0, inversions = 0;
  int64_t max_seen = 0;
  for (int i = 0; i < n; ++i) {
    int64_t now = kStart + int64_t(i) * 100'000;  // 10 records/s
    Reading r = g.Next(now);
    EXPECT_EQ(r.observed_us, now);
    int64_t delay = now - r.timestamp_us;
    switch (r.delivery) {
      case Delivery::kOnTime:
        EXPECT_EQ(delay, 0);
        break;
      case Delivery::kOutOfOrder:
        ++ooo;
        EXPECT_GT(delay, 0);
        EXPECT_LE(delay, 2'000'000);
        break;
      case Delivery::kLate:
        ++late;
        EXPECT_GT(delay, 2'000'000);
        EXPECT_LE(delay, 30'000'000);
        break;
    }
    if (r.timestamp_us < max_seen) ++inversions;
    max_seen = std::max(max_seen, r.timestamp_us);
  }
  EXPECT_NEAR(ooo, n * 0.2, n * 0.05);
  EXPECT_NEAR(late, n * 0.1, n * 0.05);
  EXPECT_GT(inversions, n / 10);
}

TEST(GeneratorTest, OnTimeByDefault) {
  Generator g(GeneratorOptions{});
  int64_t prev = 0;
  for (int i = 0; i < 1000; ++i) {
    Reading r = g.Next(kStart + i * 1000);
    EXPECT_EQ(r.delivery, Delivery::kOnTime);
    EXPECT_GT(r.timestamp_us, prev);
    prev = r.timestamp_us;
  }
}

TEST(GeneratorTest, ValidateRejectsBadOptions) {
  GeneratorOptions o;
  EXPECT_TRUE(o.Validate().ok());
  o.devices = 0;
  EXPECT_FALSE(o.Validate().ok());
  o = {};
  o.anomaly_rate = 1.5;
  EXPECT_FALSE(o.Validate().ok());
  o = {};
  o.out_of_order_rate = 0.6;
  o.late_rate = 0.6;
  EXPECT_FALSE(o.Validate().ok());
  o = {};
  o.max_lateness_s = o.max_disorder_s;
  EXPECT_FALSE(o.Validate().ok());
}

}  // namespace
}  // namespace fluxgate::sim
