#include "quality/service.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <future>

#include "log/log_test_util.h"

namespace fluxgate::quality {
namespace {

constexpr char kGood[] =
    R"({"device_id":"d1","timestamp":"2026-11-25T19:05:00Z","sensor_type":"flow","value":3})";
constexpr char kBad[] = R"({"device_id":"d2","timestamp":"2026-11-25T19:05:00Z","value":3})";

class ServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    log::LogOptions lo;
    lo.data_dir = dir_.path();
    lo.durability = log::Durability::kNone;
    auto l = log::LogManager::Open(lo);
    ASSERT_TRUE(l.ok());
    log_ = std::move(*l);
    ASSERT_TRUE(log_->CreateStream("iot", 1, log::StreamMode::kProvisioned, {}).ok());
  }
  void TearDown() override {
    if (service_) service_->Stop();
    EXPECT_TRUE(log_->Close().ok());
  }
  void StartService(const std::string& mode) {
    QualityConfig config;
    QualityConfig::Stream s = QualityConfig::DefaultIotTelemetry();
    s.stream = "iot";
    s.on_invalid = mode;
    config.streams = {s};
    Service::Options o;
    o.log = log_.get();
    o.start_thread = false;
    auto svc = Service::Start(config, o);
    ASSERT_TRUE(svc.ok()) << svc.status().ToString();
    service_ = std::move(*svc);
  }
  std::vector<log::AppendResult> Append(const std::vector<std::string>& data) {
    std::vector<log::AppendRecord> records;
    for (const std::string& d : data) records.push_back({"pk", d, std::nullopt});
    std::promise<std::vector<log::AppendResult>> p;
    Status st = CheckedAppend(log_.get(), "iot", records, [&p](std::vector<log::AppendResult> r) {
      p.set_value(std::move(r));
    });
    EXPECT_TRUE(st.ok()) << st.ToString();
    return p.get_future().get();
  }

  log::testing::TempDir dir_;
  std::unique_ptr<log::LogManager> log_;
  std::unique_ptr<Service> service_;
};

TEST_F(ServiceTest, WithoutAServiceEverythingIsAppended) {
  EXPECT_EQ(Service::For(log_.get()), nullptr);
  auto r = Append({kGood, kBad, "garbage"});
  ASSERT_EQ(r.size(), 3u);
  for (const auto& x : r) EXPECT_TRUE(x.ok);
  EXPECT_EQ(log::testing::ReadAll(*log_, "iot", 0).size(), 3u);
}

TEST_F(ServiceTest, RejectFailsOnlyTheInvalidRecords) {
  StartService("reject");
  EXPECT_EQ(Service::For(log_.get()), service_.get());
  auto r = Append({kGood, kBad, kGood, "not json"});
  ASSERT_EQ(r.size(), 4u);
  EXPECT_TRUE(r[0].ok);
  EXPECT_FALSE(r[1].ok);
  EXPECT_EQ(r[1].error_code, kRejectedErrorCode);
  EXPECT_NE(r[1].error_message.find("field 'sensor_type': required but missing"), std::string::npos)
      << r[1].error_message;
  EXPECT_TRUE(r[2].ok);
  EXPECT_FALSE(r[3].ok);
  EXPECT_NE(r[3].error_message.find("malformed JSON"), std::string::npos);
  auto stored = log::testing::ReadAll(*log_, "iot", 0);
  ASSERT_EQ(stored.size(), 2u);
  EXPECT_EQ(stored[0].data, kGood);
  EXPECT_EQ(r[2].offset, 1u);  // the kept records' own results, in order
  StreamStats s = service_->Find("iot")->monitor().Stats();
  EXPECT_EQ(s.rejected, 2u);
  EXPECT_EQ(service_->Find("iot")->monitor().Device("d2")->invalid, 1u);
  // All valid: straight through.
  auto ok = Append({kGood});
  EXPECT_TRUE(ok[0].ok);
  // Every record invalid: nothing appended, `done` still called.
  auto none = Append({kBad});
  EXPECT_FALSE(none[0].ok);
}

TEST_F(ServiceTest, DeadLetterDivertsWithTheReason) {
  StartService("dead-letter");
  ASSERT_TRUE(log_->DescribeStream("iot-dead-letters").ok());  // created at start
  std::string binary("\xff\x00\x01", 3);
  auto r = Append({kGood, kBad, binary});
  ASSERT_EQ(r.size(), 3u);
  for (const auto& x : r) EXPECT_TRUE(x.ok) << x.error_message;
  ASSERT_EQ(log::testing::ReadAll(*log_, "iot", 0).size(), 1u);
  auto dead = log::testing::ReadAll(*log_, "iot-dead-letters", 0);
  ASSERT_EQ(dead.size(), 2u);
  simdjson::dom::parser parser;
  simdjson::dom::element doc = parser.parse(dead[0].data);
  EXPECT_EQ(std::string_view(doc["reason"]), "field 'sensor_type': required but missing");
  EXPECT_EQ(std::string_view(doc["field"]), "sensor_type");
  EXPECT_EQ(std::string_view(doc["stream"]), "iot");
  EXPECT_EQ(std::string_view(doc["partition_key"]), "pk");
  EXPECT_EQ(std::string_view(doc["data"]), kBad);
  EXPECT_FALSE(std::string_view(doc["received_at"]).empty());
  EXPECT_EQ(dead[0].partition_key, "pk");
  simdjson::dom::element bin = parser.parse(dead[1].data);
  EXPECT_EQ(std::string_view(bin["data_base64"]), "/wAB");
  EXPECT_EQ(service_->Find("iot")->monitor().Stats().dead_lettered, 2u);
}

TEST_F(ServiceTest, DeadLetterStreamIsRecreatedIfDeleted) {
  StartService("dead-letter");
  ASSERT_TRUE(log_->DeleteStream("iot-dead-letters").ok());
  auto r = Append({kBad});
  EXPECT_TRUE(r[0].ok) << r[0].error_message;
  EXPECT_EQ(log::testing::ReadAll(*log_, "iot-dead-letters", 0).size(), 1u);
}

TEST_F(ServiceTest, AcceptOnlyCountsInTheBackground) {
  StartService("accept");
  auto r = Append({kGood, kBad});
  EXPECT_TRUE(r[0].ok);
  EXPECT_TRUE(r[1].ok);
  EXPECT_EQ(service_->PollOnce(), 2u);
  StreamStats s = service_->Find("iot")->monitor().Stats();
  EXPECT_EQ(s.records, 2u);
  EXPECT_EQ(s.invalid, 1u);
  EXPECT_EQ(s.rejected, 0u);
}

TEST_F(ServiceTest, StopUnregisters) {
  StartService("reject");
  service_->Stop();
  EXPECT_EQ(Service::For(log_.get()), nullptr);
  auto r = Append({kBad});
  EXPECT_TRUE(r[0].ok);
}

TEST_F(ServiceTest, BadSchemaFailsStartNamingTheEntry) {
  QualityConfig config;
  QualityConfig::Stream s;
  s.stream = "iot";
  s.schema = "a NOTATYPE";
  config.streams = {s};
  Service::Options o;
  o.log = log_.get();
  o.start_thread = false;
  auto svc = Service::Start(config, o);
  ASSERT_FALSE(svc.ok());
  EXPECT_NE(svc.status().message().find("quality.streams[0]"), std::string::npos);
}

TEST_F(ServiceTest, ThreadPollsInTheBackground) {
  QualityConfig config;
  QualityConfig::Stream s = QualityConfig::DefaultIotTelemetry();
  s.stream = "iot";
  config.streams = {s};
  config.poll_interval_ms = 10;
  Service::Options o;
  o.log = log_.get();
  auto svc = Service::Start(config, o);
  ASSERT_TRUE(svc.ok());
  service_ = std::move(*svc);
  Append({kGood});
  // Waits for the background thread without asserting on time.
  while (service_->Find("iot")->monitor().Stats().records < 1)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  EXPECT_EQ(service_->Find("iot")->monitor().Device("d1")->count, 1u);
}

}  // namespace
}  // namespace fluxgate::quality
