// [ingest] / [[ingest.mqtt]] loading and validation (src/common/config_ingest.*).
#include "common/config_ingest.h"

#include <gtest/gtest.h>
#include <toml++/toml.h>

namespace fluxgate {
namespace {

Status Load(const std::string& text, IngestConfig* out) {
  toml::table t = toml::parse(text);
  FG_RETURN_IF_ERROR(LoadIngestConfig(*t["ingest"].as_table(), "test.toml", *out));
  return ValidateIngestConfig(*out);
}

const char* kMinimal = R"(
[[ingest.mqtt]]
broker = "mqtt://127.0.0.1:1883"
topics = ["sites/+/sensors/#"]
stream = "telemetry"
partition_key = "topic[3]"
)";

TEST(IngestConfig, ContractKeysAndDefaults) {
  IngestConfig c;
  ASSERT_TRUE(Load(kMinimal, &c).ok());
  ASSERT_EQ(c.mqtt.size(), 1u);
  const auto& m = c.mqtt[0];
  EXPECT_EQ(m.broker, "mqtt://127.0.0.1:1883");
  EXPECT_EQ(m.topics, std::vector<std::string>{"sites/+/sensors/#"});
  EXPECT_EQ(m.stream, "telemetry");
  EXPECT_EQ(m.partition_key, "topic[3]");
  EXPECT_EQ(m.qos, 1u);
  EXPECT_TRUE(m.tls_verify);
  EXPECT_EQ(m.max_inflight, 4096u);
  EXPECT_TRUE(m.client_id.empty());
}

TEST(IngestConfig, AllKeys) {
  IngestConfig c;
  Status s = Load(R"(
[[ingest.mqtt]]
broker = "mqtts://broker.example.com"
topics = ["a/#", "b/+"]
stream = "s1"
partition_key = "device_id"
qos = 0
client_id = "edge-1"
username = "u"
password = "p"
ca_file = "/etc/ssl/ca.pem"
tls_verify = false
keepalive_secs = 10
reconnect_min_ms = 50
reconnect_max_ms = 1000
max_inflight = 100
topic_fields = { site = 1, device_id = 3 }
fields = ["value"]
topic_field = "topic"
shards = 2
)",
                  &c);
  ASSERT_TRUE(s.ok()) << s.ToString();
  const auto& m = c.mqtt[0];
  EXPECT_EQ(m.qos, 0u);
  EXPECT_EQ(m.client_id, "edge-1");
  EXPECT_FALSE(m.tls_verify);
  EXPECT_EQ(m.topic_fields.at("site"), 1u);
  EXPECT_EQ(m.topic_fields.at("device_id"), 3u);
  EXPECT_EQ(m.shards, 2u);
  auto url = ParseBrokerUrl(m.broker);
  ASSERT_TRUE(url.ok());
  EXPECT_TRUE(url->tls);
  EXPECT_EQ(url->port, 8883);
}

// Each broken entry fails with the key named and, where relevant, the reason.
TEST(IngestConfig, ValidationNamesTheKey) {
  struct Case {
    const char* extra;  // lines replacing / added to the minimal entry
    const char* needle;
  } cases[] = {
      {"broker = \"tcp://h:1\"", "ingest.mqtt[0].broker"},
      {"broker = \"mqtt://h:0\"", "port must be 1-65535"},
      {"broker = \"mqtt://user:pw@h:1883\"", "ingest.mqtt[0].broker"},
      {"topics = []", "ingest.mqtt[0].topics"},
      {"topics = [\"a/#/b\"]", "'#' must be the whole last level"},
      {"stream = \"bad name\"", "ingest.mqtt[0].stream"},
      {"partition_key = \"topic[x]\"", "ingest.mqtt[0].partition_key"},
      {"qos = 2", "ingest.mqtt[0].qos"},
      {"password = \"hunter2\"", "ingest.mqtt[0].password"},
      {"ca_file = \"/ca.pem\"", "only used with an mqtts:// broker"},
      {"max_inflight = 0", "ingest.mqtt[0].max_inflight"},
      {"max_inflight = 70000", "ingest.mqtt[0].max_inflight"},
      {"reconnect_min_ms = 500\nreconnect_max_ms = 100", "ingest.mqtt[0].reconnect_max_ms"},
      {"shards = 0", "ingest.mqtt[0].shards"},
      {"keepalive_secs = 70000", "ingest.mqtt[0].keepalive_secs"},
      {"topic_fields = { site = -1 }", "ingest.mqtt[0].topic_fields.site"},
      {"topic_fields = { site = \"1\" }", "ingest.mqtt[0].topic_fields.site"},
      {"topic_fields = { t = 1 }\ntopic_field = \"t\"", "ingest.mqtt[0].topic_field"},
      {"qos = \"1\"", "ingest.mqtt[0].qos"},
      {"brokers = \"x\"", "unknown config key 'ingest.mqtt[0].brokers'"},
  };
  for (const Case& c : cases) {
    std::string text = kMinimal;
    std::string extra = c.extra;
    // A replaced contract key: drop the minimal line with the same key first.
    const std::string key = extra.substr(0, extra.find(' '));
    size_t at = text.find("\n" + key + " = ");
    if (at != std::string::npos) text.erase(at + 1, text.find('\n', at + 1) - at);
    text += extra + "\n";
    IngestConfig cfg;
    Status s = Load(text, &cfg);
    ASSERT_FALSE(s.ok()) << c.extra;
    EXPECT_NE(s.message().find(c.needle), std::string::npos) << c.extra << " -> " << s.message();
    EXPECT_EQ(s.message().find("hunter2"), std::string::npos) << "password in an error";
  }
}

TEST(IngestConfig, MissingRequiredKeys) {
  for (const char* key : {"broker", "topics", "stream"}) {
    std::string text = kMinimal;
    size_t at = text.find(std::string("\n") + key + " = ");
    text.erase(at + 1, text.find('\n', at + 1) - at);
    IngestConfig cfg;
    Status s = Load(text, &cfg);
    ASSERT_FALSE(s.ok()) << key;
    EXPECT_NE(s.message().find(std::string("ingest.mqtt[0].") + key), std::string::npos)
        << s.message();
  }
}

TEST(IngestConfig, DuplicateClientIdsAreRefused) {
  std::string text =
      std::string(kMinimal) + "client_id = \"same\"\n" + kMinimal + "client_id = \"same\"\n";
  IngestConfig c;
  Status s = Load(text, &c);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("ingest.mqtt[1].client_id"), std::string::npos) << s.message();
}

TEST(IngestConfig, BrokerUrls) {
  auto v6 = ParseBrokerUrl("mqtt://[::1]:1884");
  ASSERT_TRUE(v6.ok());
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->port, 1884);
  auto plain = ParseBrokerUrl("mqtt://broker");
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->port, 1883);
  EXPECT_FALSE(plain->tls);
  EXPECT_FALSE(ParseBrokerUrl("mqtt://").ok());
  EXPECT_FALSE(ParseBrokerUrl("mqtt://h:").ok());
  EXPECT_FALSE(ParseBrokerUrl("mqtt://h:99999").ok());
  EXPECT_FALSE(ParseBrokerUrl("mqtt://h/path").ok());
}

TEST(IngestConfig, PartitionKeyShapes) {
  auto level = ParsePartitionKey("topic[12]");
  ASSERT_TRUE(level.ok());
  EXPECT_EQ(level->kind, PartitionKeySpec::Kind::kTopicLevel);
  EXPECT_EQ(level->level, 12u);
  EXPECT_EQ(ParsePartitionKey("topic")->kind, PartitionKeySpec::Kind::kTopic);
  EXPECT_EQ(ParsePartitionKey("")->kind, PartitionKeySpec::Kind::kTopic);
  auto field = ParsePartitionKey("device_id");
  ASSERT_TRUE(field.ok());
  EXPECT_EQ(field->kind, PartitionKeySpec::Kind::kPayloadField);
  EXPECT_EQ(field->field, "device_id");
  for (const char* bad : {"topic[]", "topic[-1]", "topic[1", "topic[1]x", "topic[a]"}) {
    EXPECT_FALSE(ParsePartitionKey(bad).ok()) << bad;
  }
}

}  // namespace
}  // namespace fluxgate
