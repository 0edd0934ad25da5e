#include "ingest/message_mapper.h"

#include <gtest/gtest.h>

#include <string>

namespace fluxgate::ingest {
namespace {

IngestConfig::Mqtt Entry(std::string partition_key) {
  IngestConfig::Mqtt m;
  m.broker = "mqtt://127.0.0.1:1883";
  m.topics = {"sites/+/sensors/#"};
  m.stream = "telemetry";
  m.partition_key = std::move(partition_key);
  return m;
}

struct Mapped {
  Status status;
  std::string key, data;
};

Mapped Map(MessageMapper& m, std::string_view topic, std::string_view payload) {
  std::string arena = "prefix";  // records are appended after what the arena holds
  MappedRecord r;
  Mapped out;
  out.status = m.Map(topic, payload, &arena, &r);
  if (out.status.ok()) {
    out.key = arena.substr(r.key_offset, r.key_size);
    out.data = arena.substr(r.data_offset, r.data_size);
  } else {
    EXPECT_EQ(arena, "prefix") << "a failed map must leave the arena as it was";
  }
  return out;
}

std::unique_ptr<MessageMapper> Make(const IngestConfig::Mqtt& e, uint32_t max = 1 << 20) {
  auto m = MessageMapper::Create(e, max);
  EXPECT_TRUE(m.ok()) << m.status().ToString();
  return std::move(m).value();
}

TEST(MessageMapper, MatchesConfiguredFiltersOnly) {
  auto e = Entry("topic");
  e.topics = {"sites/+/sensors/#", "alerts"};
  auto m = Make(e);
  EXPECT_TRUE(m->Matches("sites/berlin/sensors/t1"));
  EXPECT_TRUE(m->Matches("alerts"));
  EXPECT_FALSE(m->Matches("sites/berlin/cameras/c1"));
}

TEST(MessageMapper, PartitionKeyFromTopicLevelKeepsPayloadAsIs) {
  auto m = Make(Entry("topic[3]"));
  auto r = Map(*m, "sites/berlin/sensors/t-17", "\x01\x02 not json");
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(r.key, "t-17");
  EXPECT_EQ(r.data, "\x01\x02 not json");
}

TEST(MessageMapper, PartitionKeyFromWholeTopicByDefault) {
  auto m = Make(Entry(""));
  auto r = Map(*m, "sites/berlin/sensors/t-17", "{}");
  ASSERT_TRUE(r.status.ok());
  EXPECT_EQ(r.key, "sites/berlin/sensors/t-17");
}

TEST(MessageMapper, MissingTopicLevelIsUnmappable) {
  auto m = Make(Entry("topic[5]"));
  auto r = Map(*m, "sites/berlin/sensors/t-17", "{}");
  ASSERT_FALSE(r.status.ok());
  EXPECT_NE(r.status.message().find("has no level 5"), std::string::npos);
  auto empty = Map(*Make(Entry("topic[1]")), "sites//sensors/x", "{}");
  ASSERT_FALSE(empty.status.ok());
  EXPECT_NE(empty.status.message().find("partition key is empty"), std::string::npos);
}

TEST(MessageMapper, PartitionKeyFromPayloadField) {
  auto m = Make(Entry("device_id"));
  auto s = Map(*m, "sites/a/sensors/x", R"({"device_id":"dev-9","value":1.5})");
  ASSERT_TRUE(s.status.ok());
  EXPECT_EQ(s.key, "dev-9");
  EXPECT_EQ(s.data, R"({"device_id":"dev-9","value":1.5})");
  auto n = Map(*m, "sites/a/sensors/x", R"({"device_id": 42})");
  ASSERT_TRUE(n.status.ok());
  EXPECT_EQ(n.key, "42");
  auto b = Map(*m, "sites/a/sensors/x", R"({"device_id": true})");
  ASSERT_TRUE(b.status.ok());
  EXPECT_EQ(b.key, "true");
}

TEST(MessageMapper, PayloadFieldProblemsAreUnmappableWithReasons) {
  auto m = Make(Entry("device_id"));
  struct Case {
    const char* payload;
    const char* reason;
  } cases[] = {
      {R"({"value":1})", "payload has no field 'device_id'"},
      {"not json", "payload is not a JSON object"},
      {R"(["device_id"])", "payload is not a JSON object"},
      {R"({"device_id":null})", "is null, not a string"},
      {R"({"device_id":{"a":1}})", "is an object, not a string"},
      {R"({"device_id":""})", "partition key is empty"},
  };
  for (const Case& c : cases) {
    auto r = Map(*m, "sites/a/sensors/x", c.payload);
    ASSERT_FALSE(r.status.ok()) << c.payload;
    EXPECT_NE(r.status.message().find(c.reason), std::string::npos)
        << c.payload << " -> " << r.status.message();
  }
  std::string long_key = R"({"device_id":")" + std::string(257, 'k') + "\"}";
  auto r = Map(*m, "sites/a/sensors/x", long_key);
  ASSERT_FALSE(r.status.ok());
  EXPECT_NE(r.status.message().find("longer than 256"), std::string::npos);
}

TEST(MessageMapper, RecordLargerThanTheLogLimitIsUnmappable) {
  auto m = Make(Entry("topic[1]"), 100);
  EXPECT_TRUE(Map(*m, "sites/a/sensors/x", std::string(99, 'x')).status.ok());
  auto r = Map(*m, "sites/a/sensors/x", std::string(100, 'x'));
  ASSERT_FALSE(r.status.ok());
  EXPECT_NE(r.status.message().find("larger than the log's limit of 100 bytes"), std::string::npos);
}

TEST(MessageMapper, TopicFieldsAreAddedToJsonObjects) {
  auto e = Entry("topic[3]");
  e.topic_fields = {{"site", 1}, {"device_id", 3}, {"missing", 9}};
  e.topic_field = "mqtt_topic";
  auto m = Make(e);
  auto r = Map(*m, "sites/berlin/sensors/t\"1", R"(  {"value": 21.5, "site": "kept"})");
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  // The payload's own "site" wins; absent levels are left out; text is escaped.
  EXPECT_EQ(
      r.data,
      R"({"mqtt_topic":"sites/berlin/sensors/t\"1","device_id":"t\"1","value": 21.5, "site": "kept"})");
  auto empty = Map(*m, "sites/b/sensors/x", "{}");
  ASSERT_TRUE(empty.status.ok());
  EXPECT_EQ(empty.data, R"({"mqtt_topic":"sites/b/sensors/x","device_id":"x","site":"b"})");
  // A non-object payload is stored as it came.
  auto raw = Map(*m, "sites/b/sensors/x", "42.5");
  ASSERT_TRUE(raw.status.ok());
  EXPECT_EQ(raw.data, "42.5");
}

TEST(MessageMapper, FieldSelectionKeepsOnlyListedFields) {
  auto e = Entry("device");
  e.fields = {"device", "value", "absent"};
  e.topic_fields = {{"site", 1}, {"value", 0}};
  auto m = Make(e);
  auto r = Map(*m, "sites/berlin/sensors/t1",
               R"({"noise":[1,2,3],"value":{"c":21.5},"device":"d1","extra":"x"})");
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(r.key, "d1");
  EXPECT_EQ(r.data, R"({"device":"d1","value":{"c":21.5},"site":"berlin"})");
}

}  // namespace
}  // namespace fluxgate::ingest
