// Fuzzes the MQTT message mapping (ingest/message_mapper.h): topic filters, the partition
// key (payload field, topic level, whole topic) and the reshaped JSON record body (selected
// fields, topic levels and the topic added as fields), under several [[ingest.mqtt]] rules.
//
// Input: one byte choosing the rule, the topic up to the first LF, then the payload. Topics
// that the MQTT codec would refuse (wildcards, bad UTF-8) are skipped, as the source never
// hands them to the mapper.
//
// Invariants: no crash or sanitizer report; Matches agrees with TopicMatches; a mapped
// record has a 1..256-byte key, fits the record limit, sits where *out says in the arena;
// a failure leaves the arena unchanged and says why; a reshaped JSON object payload
// stays a JSON object.
#include <simdjson.h>

#include <memory>
#include <string>
#include <vector>

#include "common/config_ingest.h"
#include "fuzz_util.h"
#include "ingest/message_mapper.h"
#include "mqtt/mqtt_codec.h"
#include "ingest/topic_match.h"

namespace fluxgate::ingest {
namespace {

struct Rule {
  IngestConfig::Mqtt config;
  uint32_t max_record_bytes;
  bool reshapes;
  std::unique_ptr<MessageMapper> mapper;
};

std::vector<Rule>& Rules() {
  static std::vector<Rule>* rules = [] {
    auto* r = new std::vector<Rule>();
    auto add = [&](std::vector<std::string> topics, std::string key,
                   std::map<std::string, uint32_t> topic_fields, std::vector<std::string> fields,
                   std::string topic_field, uint32_t max_bytes) {
      IngestConfig::Mqtt c;
      c.broker = "mqtt://localhost:1883";
      c.stream = "s";
      c.topics = std::move(topics);
      c.partition_key = std::move(key);
      c.topic_fields = std::move(topic_fields);
      c.fields = std::move(fields);
      c.topic_field = std::move(topic_field);
      const bool reshapes = !c.topic_fields.empty() || !c.fields.empty() || !c.topic_field.empty();
      auto mapper = MessageMapper::Create(c, max_bytes);
      FUZZ_CHECK(mapper.ok());
      r->push_back({std::move(c), max_bytes, reshapes, std::move(*mapper)});
    };
    add({"sensors/#"}, "device_id", {}, {}, "", 1 << 20);
    add({"factory/+/+/+", "plant/#"}, "topic[3]", {{"site", 1}, {"device_id", 3}}, {}, "topic",
        1 << 20);
    add({"#"}, "topic", {}, {"value", "ts", "device_id"}, "", 1 << 20);
    add({"+/+"}, "topic[1]", {{"level0", 0}}, {"a"}, "t", 1 << 20);
    add({"a/b", "+/b/#"}, "device_id", {{"device_id", 2}}, {}, "", 300);
    add({"$SYS/#", "x/+/y"}, "topic[0]", {}, {}, "", 64);
    return r;
  }();
  return *rules;
}

}  // namespace
}  // namespace fluxgate::ingest

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace fluxgate::ingest;
  if (size < 1) return 0;
  auto& rules = Rules();
  Rule& rule = rules[data[0] % rules.size()];
  std::string_view in = fluxgate::fuzz::AsView(data + 1, size - 1);
  const std::string_view topic = fluxgate::fuzz::TakeUntil(in, '\n');
  const std::string_view payload = in;
  // What DecodePublish accepts (ValidateTopicName itself does not check the UTF-8).
  if (!fluxgate::mqtt::ValidateTopicName(topic).ok() || !fluxgate::mqtt::IsMqttUtf8(topic))
    return 0;

  bool any = false;
  for (const std::string& f : rule.config.topics) any |= TopicMatches(f, topic);
  FUZZ_CHECK(rule.mapper->Matches(topic) == any);

  std::string arena = "prefix";
  MappedRecord out;
  fluxgate::Status st = rule.mapper->Map(topic, payload, &arena, &out);
  if (!st.ok()) {
    FUZZ_CHECK(arena == "prefix");
    FUZZ_CHECK(!st.message().empty());
    return 0;
  }
  FUZZ_CHECK(out.key_size >= 1 && out.key_size <= 256);
  FUZZ_CHECK(out.key_offset == 6 && out.data_offset == out.key_offset + out.key_size);
  FUZZ_CHECK(out.data_offset + out.data_size == arena.size());
  FUZZ_CHECK(out.key_size + out.data_size <= rule.max_record_bytes);

  if (rule.reshapes) {
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    simdjson::dom::object obj;
    std::string padded(payload);
    if (parser.parse(padded).get(doc) == simdjson::SUCCESS && doc.get(obj) == simdjson::SUCCESS) {
      const std::string body = arena.substr(out.data_offset, out.data_size);
      simdjson::dom::parser reparser;
      simdjson::dom::element again;
      const auto error = reparser.parse(body).get(again);
      if (error != simdjson::SUCCESS || !again.is_object()) {
        std::fprintf(stderr, "reshaped payload is not a JSON object: %s\n", body.c_str());
        FUZZ_CHECK(false);
      }
    }
  }
  return 0;
}
