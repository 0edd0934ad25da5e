#include "sim/simulator.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <simdjson.h>

#include <deque>
#include <sstream>

#include "kinesis/client.h"

namespace fluxgate::sim {
namespace {

constexpr int64_t kStart = 1795633500'000000;  // 2026-11-25T19:05:00Z

// Runs into an in-memory FILE and returns what was written.
std::string RunToString(const SimulatorOptions& options, RunStats* stats) {
  char* buf = nullptr;
  size_t len = 0;
  std::FILE* mem = open_memstream(&buf, &len);
  auto sink = MakeNdjsonSink(mem, "memory");
  Status s = RunSimulation(options, sink.get(), nullptr, stats);
  EXPECT_TRUE(s.ok()) << s.ToString();
  std::fclose(mem);
  std::string out(buf, len);
  free(buf);
  return out;
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

SimulatorOptions Reproducible(uint64_t count) {
  SimulatorOptions o;
  o.generator.seed = 1234;
  o.generator.devices = 6;
  o.rate = 0;
  o.count = count;
  o.start_time_us = kStart;
  return o;
}

TEST(SimulatorTest, NdjsonOneRecordPerLine) {
  RunStats stats;
  std::string out = RunToString(Reproducible(500), &stats);
  auto lines = Lines(out);
  ASSERT_EQ(lines.size(), 500u);
  EXPECT_EQ(out.back(), '\n');
  simdjson::dom::parser parser;
  for (const auto& line : lines) {
    simdjson::dom::element root;
    ASSERT_EQ(parser.parse(line).get(root), simdjson::SUCCESS) << line;
  }
  EXPECT_EQ(stats.generated, 500u);
  EXPECT_EQ(stats.sink.delivered, 500u);
  uint64_t typed = 0;
  for (auto n : stats.per_type) typed += n;
  EXPECT_EQ(typed, 500u);
  // Virtual clock without a rate: 1 ms apart from the start time.
  EXPECT_NE(lines[0].find("\"timestamp\":\"2026-11-25T19:05:00.000000Z\""), std::string::npos);
  EXPECT_NE(lines[1].find("\"timestamp\":\"2026-11-25T19:05:00.001000Z\""), std::string::npos);
  EXPECT_NE(lines[0].find("\"device_id\":\"sensor-0001\""), std::string::npos);
  EXPECT_NE(lines[6].find("\"device_id\":\"sensor-0001\""), std::string::npos);
}

TEST(SimulatorTest, SameSeedAndStartTimeGiveIdenticalOutput) {
  RunStats a, b;
  auto options = Reproducible(2000);
  options.generator.anomaly_rate = 0.05;
  options.generator.late_rate = 0.05;
  EXPECT_EQ(RunToString(options, &a), RunToString(options, &b));
  EXPECT_EQ(a.anomalies, b.anomalies);
  EXPECT_GT(a.anomalies, 0u);
  EXPECT_GT(a.late, 0u);
}

TEST(SimulatorTest, DurationAtRateIsACount) {
  auto options = Reproducible(0);
  options.count.reset();
  options.rate = 200;
  options.duration_s = 0.25;
  RunStats stats;
  std::string out = RunToString(options, &stats);
  EXPECT_EQ(stats.generated, 50u);
  EXPECT_GE(stats.elapsed_s, 0.2);  // paced: the last record is due at 49/200 s
  auto lines = Lines(out);
  ASSERT_EQ(lines.size(), 50u);
  // At 200/s the virtual clock advances 5 ms per record.
  EXPECT_NE(lines[1].find("19:05:00.005000Z"), std::string::npos) << lines[1];
}

TEST(SimulatorTest, StopFlagEndsTheRun) {
  SimulatorOptions options;
  options.rate = 0;  // unbounded: only the flag stops it
  std::atomic<bool> stop{true};
  std::FILE* null = std::fopen("/dev/null", "w");
  auto sink = MakeNdjsonSink(null, "null");
  RunStats stats;
  EXPECT_TRUE(RunSimulation(options, sink.get(), &stop, &stats).ok());
  EXPECT_TRUE(stats.interrupted);
  EXPECT_EQ(stats.generated, 0u);
  std::fclose(null);
}

TEST(SimulatorTest, RejectsCountAndDurationTogether) {
  auto options = Reproducible(10);
  options.duration_s = 1;
  RunStats stats;
  std::FILE* null = std::fopen("/dev/null", "w");
  auto sink = MakeNdjsonSink(null, "null");
  EXPECT_TRUE(RunSimulation(options, sink.get(), nullptr, &stats).IsInvalidArgument());
  std::fclose(null);
}

TEST(SimulatorTest, SummaryMentionsEverything) {
  RunStats stats;
  auto options = Reproducible(100);
  RunToString(options, &stats);
  stats.sink.per_shard["shardId-000000000000"] = 100;
  std::string summary = FormatSummary(options, stats, "stdout");
  EXPECT_NE(summary.find("100 records"), std::string::npos) << summary;
  EXPECT_NE(summary.find("seed 1234"), std::string::npos);
  EXPECT_NE(summary.find("temperature"), std::string::npos);
  EXPECT_NE(summary.find("anomalies injected"), std::string::npos);
  EXPECT_NE(summary.find("shardId-000000000000 100"), std::string::npos);
}

// ---- Kinesis sink over a scripted transport ------------------------------------------------

class ScriptedTransport final : public kinesis::Transport {
 public:
  // Each reply: a function of the request body (so it can echo the record count).
  using Script =
      std::function<http::Response(const std::string& target_op, const std::string& body)>;
  ScriptedTransport(std::deque<Script>* script, std::vector<std::string>* bodies)
      : script_(script), bodies_(bodies) {}
  Result<http::Response> Do(const std::string&, const std::string&,
                            const std::vector<http::Header>& headers,
                            const std::string& body) override {
    std::string op;
    for (const auto& h : headers)
      if (h.name == "x-amz-target") op = h.value.substr(h.value.find('.') + 1);
    bodies_->push_back(op + " " + body);
    if (script_->empty()) return Status::IOError("script exhausted");
    auto f = script_->front();
    script_->pop_front();
    return f(op, body);
  }

 private:
  std::deque<Script>* script_;
  std::vector<std::string>* bodies_;
};

size_t CountRecords(const std::string& body) {
  size_t n = 0;
  for (size_t pos = 0; (pos = body.find("\"PartitionKey\"", pos)) != std::string::npos; ++pos) ++n;
  return n;
}

http::Response Json(int status, std::string body) {
  http::Response r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

// All records succeed, alternating two shards.
http::Response AllOk(const std::string&, const std::string& body) {
  std::string out = R"({"FailedRecordCount":0,"Records":[)";
  for (size_t i = 0; i < CountRecords(body); ++i) {
    out += fmt::format(R"({}{{"SequenceNumber":"{}","ShardId":"shardId-00000000000{}"}})",
                       i ? "," : "", i + 1, i % 2);
  }
  return Json(200, out + "]}");
}

// The first record of the batch is throttled, the rest succeed on shard 0.
http::Response FirstThrottled(const std::string&, const std::string& body) {
  std::string out = R"({"FailedRecordCount":1,"Records":[)";
  out += R"({"ErrorCode":"ProvisionedThroughputExceededException","ErrorMessage":"Rate exceeded"})";
  for (size_t i = 1; i < CountRecords(body); ++i)
    out += fmt::format(R"(,{{"SequenceNumber":"{}","ShardId":"shardId-000000000000"}})", i);
  return Json(200, out + "]}");
}

class KinesisSinkTest : public ::testing::Test {
 protected:
  KinesisSinkTest()
      : client_(kinesis::ClientOptions{}, std::make_unique<ScriptedTransport>(&script_, &bodies_),
                "localhost:4567") {}
  std::unique_ptr<RecordSink> Sink(size_t batch = 500) {
    KinesisSinkOptions o;
    o.stream = "iot";
    o.max_batch_records = batch;
    o.base_backoff_ms = 1;
    o.max_backoff_ms = 2;
    o.max_attempts = 3;
    return MakeKinesisSink(&client_, o, "stream iot");
  }
  std::deque<ScriptedTransport::Script> script_;
  std::vector<std::string> bodies_;
  kinesis::KinesisClient client_;
};

TEST_F(KinesisSinkTest, BatchesOfAtMost500WithDeviceIdAsPartitionKey) {
  for (int i = 0; i < 3; ++i) script_.push_back(AllOk);
  auto sink = Sink();
  auto options = Reproducible(1200);
  RunStats stats;
  ASSERT_TRUE(RunSimulation(options, sink.get(), nullptr, &stats).ok());
  ASSERT_EQ(bodies_.size(), 3u);
  EXPECT_EQ(CountRecords(bodies_[0]), 500u);
  EXPECT_EQ(CountRecords(bodies_[1]), 500u);
  EXPECT_EQ(CountRecords(bodies_[2]), 200u);
  EXPECT_EQ(bodies_[0].rfind("PutRecords {\"StreamName\":\"iot\",\"Records\":[", 0), 0u);
  EXPECT_NE(bodies_[0].find("\"PartitionKey\":\"sensor-0001\""), std::string::npos);
  EXPECT_EQ(stats.sink.delivered, 1200u);
  EXPECT_EQ(stats.sink.requests, 3u);
  EXPECT_EQ(stats.sink.per_shard["shardId-000000000000"], 600u);
  EXPECT_EQ(stats.sink.per_shard["shardId-000000000001"], 600u);
}

TEST_F(KinesisSinkTest, FailedRecordsAreRetried) {
  script_.push_back(FirstThrottled);
  script_.push_back(AllOk);
  auto sink = Sink();
  ASSERT_TRUE(sink->Add("{\"a\":1}", "k1").ok());
  ASSERT_TRUE(sink->Add("{\"a\":2}", "k2").ok());
  ASSERT_TRUE(sink->Flush().ok());
  ASSERT_EQ(bodies_.size(), 2u);
  EXPECT_EQ(CountRecords(bodies_[1]), 1u);
  EXPECT_NE(bodies_[1].find("\"k1\""), std::string::npos);  // only the throttled one
  const auto& s = sink->stats();
  EXPECT_EQ(s.delivered, 2u);
  EXPECT_EQ(s.retried_records, 1u);
  EXPECT_EQ(s.failed, 0u);
  EXPECT_EQ(s.error_codes.at("ProvisionedThroughputExceededException"), 1u);
}

TEST_F(KinesisSinkTest, ThrottledCallsAreRetriedThenGivenUp) {
  auto throttled = [](const std::string&, const std::string&) {
    return Json(400, R"({"__type":"LimitExceededException","message":"slow down"})");
  };
  script_.push_back(throttled);
  script_.push_back(AllOk);
  auto sink = Sink();
  ASSERT_TRUE(sink->Add("{}", "k").ok());
  ASSERT_TRUE(sink->Flush().ok());
  EXPECT_EQ(sink->stats().delivered, 1u);
  EXPECT_EQ(sink->stats().retried_calls, 1u);

  for (int i = 0; i < 3; ++i) script_.push_back(throttled);
  ASSERT_TRUE(sink->Add("{}", "k").ok());
  EXPECT_TRUE(sink->Flush().ok());  // gives up after max_attempts, the run goes on
  EXPECT_EQ(sink->stats().failed, 1u);
  EXPECT_EQ(sink->stats().error_codes.at("LimitExceededException"), 4u);
}

TEST_F(KinesisSinkTest, FatalErrorsStopTheRun) {
  script_.push_back([](const std::string&, const std::string&) {
    return Json(400, R"({"__type":"ResourceNotFoundException","message":"Stream iot not found."})");
  });
  auto sink = Sink(1);
  Status s = sink->Add("{}", "k");
  EXPECT_TRUE(s.IsNotFound());
  EXPECT_EQ(sink->stats().failed, 1u);
}

TEST_F(KinesisSinkTest, EnsureStreamCreatesWhenAsked) {
  auto missing = [](const std::string&, const std::string&) {
    return Json(400, R"({"__type":"ResourceNotFoundException","message":"no"})");
  };
  script_.push_back(missing);
  EXPECT_TRUE(EnsureStream(&client_, "iot", 0).IsNotFound());

  script_.push_back(missing);
  script_.push_back([](const std::string&, const std::string&) { return Json(200, ""); });
  script_.push_back([](const std::string&, const std::string&) {
    return Json(200, R"({"StreamDescriptionSummary":{"StreamStatus":"ACTIVE"}})");
  });
  EXPECT_TRUE(EnsureStream(&client_, "iot", 2).ok());
  ASSERT_GE(bodies_.size(), 3u);
  EXPECT_EQ(bodies_[2], R"(CreateStream {"StreamName":"iot","ShardCount":2})");
}

}  // namespace
}  // namespace fluxgate::sim
