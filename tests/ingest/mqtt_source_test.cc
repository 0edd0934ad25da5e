// MqttSource against an in-process fake broker (blocking sockets, the test drives the
// protocol) and a real log in a temporary directory: PUBACKs come only for records the
// log already serves, in arrival order; unmappable messages go to the dead-letter file
// and are acked; a refused or dropped connection is retried on the same session.
#include "ingest/mqtt_source.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "ingest/dead_letters.h"
#include "mqtt/mqtt_codec.h"
#include "log/log_manager.h"

namespace fluxgate::ingest {
namespace {

namespace mq = mqtt;

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/fluxgate-ingest-test.XXXXXX";
    path_ = ::mkdtemp(tmpl);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// A broker the test speaks for: accepts connections and reads/writes whole packets.
class FakeBroker {
 public:
  FakeBroker() {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
    EXPECT_EQ(::listen(listen_fd_, 4), 0);
    socklen_t len = sizeof(addr);
    ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
  }
  ~FakeBroker() {
    CloseClient();
    ::close(listen_fd_);
  }
  uint16_t port() const { return port_; }

  bool Accept() {
    CloseClient();
    pollfd p{listen_fd_, POLLIN, 0};
    if (::poll(&p, 1, 20'000) != 1) return false;
    fd_ = ::accept(listen_fd_, nullptr, nullptr);
    buf_.clear();
    return fd_ >= 0;
  }
  void CloseClient() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

  // The next packet (header, body); type 0 header on timeout or close.
  std::pair<mq::FixedHeader, std::string> Read() {
    while (true) {
      mq::FixedHeader h;
      auto size = mq::DecodeFixedHeader(buf_, mq::kMaxRemainingLength, &h);
      EXPECT_TRUE(size.ok());
      if (size.ok() && *size > 0 && *size <= buf_.size()) {
        std::string body = buf_.substr(h.header_bytes, h.remaining_length);
        buf_.erase(0, *size);
        return {h, body};
      }
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 20'000) != 1) return {};
      char tmp[65536];
      ssize_t n = ::read(fd_, tmp, sizeof(tmp));
      if (n <= 0) return {};
      buf_.append(tmp, static_cast<size_t>(n));
    }
  }
  void Send(const std::string& bytes) {
    ASSERT_EQ(::write(fd_, bytes.data(), bytes.size()), static_cast<ssize_t>(bytes.size()));
  }

  // Reads CONNECT, answers CONNACK, reads SUBSCRIBE, answers SUBACK granting QoS 1.
  mq::Connect Handshake(bool session_present, std::vector<std::string>* filters = nullptr) {
    auto [h, body] = Read();
    EXPECT_EQ(h.type, mq::PacketType::kConnect);
    auto c = mq::DecodeConnect(h, body);
    EXPECT_TRUE(c.ok());
    connect_body_ = body;  // views of the result point here
    std::string out;
    mq::EncodeConnack(mq::Connack{session_present, 0}, &out);
    Send(out);
    auto [sh, sbody] = Read();
    EXPECT_EQ(sh.type, mq::PacketType::kSubscribe);
    auto s = mq::DecodeSubscribe(sh, sbody);
    EXPECT_TRUE(s.ok());
    mq::Suback ack{s->packet_id, {}};
    for (const auto& [filter, qos] : s->filters) {
      ack.return_codes.push_back(qos);
      if (filters) filters->emplace_back(filter);
    }
    out.clear();
    mq::EncodeSuback(ack, &out);
    Send(out);
    auto again = mq::DecodeConnect(h, connect_body_);
    return again.ok() ? *again : mq::Connect{};
  }

  void Publish(std::string_view topic, std::string_view payload, uint16_t id, bool dup = false) {
    mq::Publish p;
    p.topic = topic;
    p.payload = payload;
    p.qos = 1;
    p.packet_id = id;
    p.dup = dup;
    std::string out;
    mq::EncodePublish(p, &out);
    Send(out);
  }

 private:
  int listen_fd_ = -1;
  int fd_ = -1;
  uint16_t port_ = 0;
  std::string buf_;
  std::string connect_body_;
};

uint64_t CountRecords(log::LogManager& log, const std::string& stream) {
  auto meta = log.DescribeStream(stream);
  if (!meta.ok()) return 0;
  uint64_t n = 0;
  for (const auto& shard : meta->shards) {
    auto bounds = log.ShardBounds(stream, shard.index);
    if (bounds.ok()) n += bounds->second - bounds->first;
  }
  return n;
}

std::vector<log::StoredRecord> ReadAllRecords(log::LogManager& log, const std::string& stream) {
  std::vector<log::StoredRecord> out;
  auto meta = log.DescribeStream(stream);
  for (const auto& shard : meta->shards) {
    auto r = log.Read(stream, shard.index, 0, 10'000, 1 << 24);
    for (auto& rec : r->records) out.push_back(rec);
  }
  return out;
}

class MqttSourceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    log::LogOptions o;
    o.data_dir = dir_.path() + "/log";
    auto log = log::LogManager::Open(o);
    ASSERT_TRUE(log.ok()) << log.status().ToString();
    log_ = std::move(log).value();
    dead_ = std::make_unique<DeadLetterFile>(dir_.path() + "/ingest/mqtt-dead-letters.jsonl");
  }
  void TearDown() override {
    source_.reset();
    ASSERT_TRUE(log_->Close().ok());
  }

  IngestConfig::Mqtt Entry() {
    IngestConfig::Mqtt m;
    m.broker = "mqtt://127.0.0.1:" + std::to_string(broker_.port());
    m.topics = {"sites/+/sensors/#"};
    m.stream = "telemetry";
    m.partition_key = "device";
    m.topic_fields = {{"site", 1}};
    m.client_id = "fg-test";
    m.username = "ingest";
    m.password = "secret";
    m.reconnect_min_ms = 10;
    m.reconnect_max_ms = 50;
    m.shards = 2;
    return m;
  }

  void StartSource(const IngestConfig::Mqtt& e) {
    auto s = MqttSource::Create(e, e.client_id, log_.get(), dead_.get());
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    source_ = std::move(s).value();
    source_->Start();
  }

  TempDir dir_;
  FakeBroker broker_;
  std::unique_ptr<log::LogManager> log_;
  std::unique_ptr<DeadLetterFile> dead_;
  std::unique_ptr<MqttSource> source_;
};

TEST_F(MqttSourceTest, AcksInOrderOnlyAfterRecordsAreDurable) {
  StartSource(Entry());
  ASSERT_TRUE(log_->DescribeStream("telemetry").ok()) << "missing stream is created";
  ASSERT_TRUE(broker_.Accept());
  std::vector<std::string> filters;
  mq::Connect c = broker_.Handshake(false, &filters);
  EXPECT_EQ(c.client_id, "fg-test");
  EXPECT_FALSE(c.clean_session) << "the session must be persistent";
  EXPECT_EQ(c.username, "ingest");
  EXPECT_EQ(c.password, "secret");
  EXPECT_EQ(filters, std::vector<std::string>{"sites/+/sensors/#"});

  constexpr int kMessages = 60;
  // Message 10 lacks the partition key field, 20 is on a topic outside the filters: both
  // are dead-lettered (and still acked); the rest are records.
  for (int i = 1; i <= kMessages; ++i) {
    std::string payload =
        i == 10 ? R"({"value":1})"
                : R"({"device":"d)" + std::to_string(i % 7) + R"(","n":)" + std::to_string(i) + "}";
    broker_.Publish(i == 20 ? "other/x" : "sites/berlin/sensors/t", payload,
                    static_cast<uint16_t>(i));
  }
  uint64_t good_before = 0;
  for (int i = 1; i <= kMessages; ++i) {
    auto [h, body] = broker_.Read();
    ASSERT_EQ(h.type, mq::PacketType::kPuback) << "ack " << i;
    auto id = mq::DecodePuback(h, body);
    ASSERT_TRUE(id.ok());
    EXPECT_EQ(*id, i) << "PUBACKs must follow the PUBLISH order";
    if (i != 10 && i != 20) ++good_before;
    // Durable before acked: every acked record is already readable.
    EXPECT_GE(CountRecords(*log_, "telemetry"), good_before) << "ack " << i;
  }
  auto records = ReadAllRecords(*log_, "telemetry");
  ASSERT_EQ(records.size(), kMessages - 2u);
  for (const auto& r : records) {
    EXPECT_EQ(r.partition_key.substr(0, 1), "d");
    EXPECT_EQ(r.data.rfind(R"({"site":"berlin","device":)", 0), 0u) << r.data;
  }

  std::ifstream dl(dead_->path());
  std::vector<std::string> lines;
  for (std::string line; std::getline(dl, line);) lines.push_back(line);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_NE(lines[0].find("payload has no field 'device'"), std::string::npos) << lines[0];
  EXPECT_NE(lines[1].find("\"topic\":\"other/x\""), std::string::npos) << lines[1];
  EXPECT_NE(lines[1].find("none of the configured topic filters"), std::string::npos);

  MqttSourceStats st = source_->stats();
  EXPECT_EQ(st.received, kMessages);
  EXPECT_EQ(st.acked, kMessages);
  EXPECT_EQ(st.appended, kMessages - 2u);
  EXPECT_EQ(st.dead_lettered, 2u);
  EXPECT_TRUE(st.connected);
  EXPECT_EQ(st.inflight, 0u);

  source_->Stop();
  auto [h, body] = broker_.Read();
  EXPECT_EQ(h.type, mq::PacketType::kDisconnect) << "a clean stop ends with DISCONNECT";
}

TEST_F(MqttSourceTest, ReconnectsToTheSameSessionAndTakesRedeliveries) {
  StartSource(Entry());
  ASSERT_TRUE(broker_.Accept());
  // First attempt: refused (server unavailable) -> the source retries with backoff.
  {
    auto [h, body] = broker_.Read();
    ASSERT_EQ(h.type, mq::PacketType::kConnect);
    std::string out;
    mq::EncodeConnack(mq::Connack{false, 3}, &out);
    broker_.Send(out);
  }
  ASSERT_TRUE(broker_.Accept());
  broker_.Handshake(false);
  broker_.Publish("sites/a/sensors/t", R"({"device":"x","n":1})", 1);
  broker_.Publish("sites/a/sensors/t", R"({"device":"x","n":2})", 2);
  // The connection drops before the broker reads any PUBACK.
  broker_.CloseClient();
  ASSERT_TRUE(broker_.Accept());
  mq::Connect c = broker_.Handshake(true);
  EXPECT_EQ(c.client_id, "fg-test") << "same client id, so the broker resumes the session";
  EXPECT_FALSE(c.clean_session);
  broker_.Publish("sites/a/sensors/t", R"({"device":"x","n":1})", 1, /*dup=*/true);
  broker_.Publish("sites/a/sensors/t", R"({"device":"x","n":2})", 2, /*dup=*/true);
  for (uint16_t want : {1, 2}) {
    auto [h, body] = broker_.Read();
    ASSERT_EQ(h.type, mq::PacketType::kPuback);
    EXPECT_EQ(*mq::DecodePuback(h, body), want);
  }
  // At least once: each message is in the log, possibly twice.
  auto records = ReadAllRecords(*log_, "telemetry");
  int n1 = 0, n2 = 0;
  for (const auto& r : records) {
    n1 += r.data.find("\"n\":1") != std::string::npos;
    n2 += r.data.find("\"n\":2") != std::string::npos;
  }
  EXPECT_GE(n1, 1);
  EXPECT_GE(n2, 1);
  MqttSourceStats st = source_->stats();
  EXPECT_GE(st.reconnects, 2u);
  EXPECT_EQ(st.redelivered, 2u);
  EXPECT_EQ(st.connects, 2u);
}

TEST_F(MqttSourceTest, MaxInflightOfOneStillDeliversEverythingInOrder) {
  IngestConfig::Mqtt e = Entry();
  e.max_inflight = 1;
  e.partition_key = "topic[3]";
  StartSource(e);
  ASSERT_TRUE(broker_.Accept());
  broker_.Handshake(false);
  // One write, so the first read holds them all and the source must stop at the limit.
  std::string burst;
  std::vector<std::string> topics;
  for (int i = 1; i <= 20; ++i) topics.push_back("sites/a/sensors/t" + std::to_string(i));
  for (int i = 1; i <= 20; ++i) {
    mq::Publish p;
    p.topic = topics[i - 1];
    p.payload = "raw bytes";
    p.qos = 1;
    p.packet_id = static_cast<uint16_t>(i);
    mq::EncodePublish(p, &burst);
  }
  broker_.Send(burst);
  for (int i = 1; i <= 20; ++i) {
    auto [h, body] = broker_.Read();
    ASSERT_EQ(h.type, mq::PacketType::kPuback);
    EXPECT_EQ(*mq::DecodePuback(h, body), i);
    EXPECT_GE(CountRecords(*log_, "telemetry"), static_cast<uint64_t>(i));
  }
  MqttSourceStats st = source_->stats();
  EXPECT_EQ(st.max_inflight, 1u);
  EXPECT_GE(st.paused, 1u) << "reading must have stopped at the limit";
}

}  // namespace
}  // namespace fluxgate::ingest
