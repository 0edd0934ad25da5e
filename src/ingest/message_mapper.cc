#include "ingest/message_mapper.h"

#include <fmt/format.h>
#include <simdjson.h>

#include "common/json_writer.h"
#include "ingest/topic_match.h"

namespace fluxgate::ingest {

namespace {

constexpr size_t kMaxPartitionKeyBytes = 256;  // Kinesis PartitionKey limit

Status Unmappable(std::string message) { return Status::InvalidArgument(message); }

const char* JsonTypeName(simdjson::dom::element_type t) {
  switch (t) {
    case simdjson::dom::element_type::ARRAY:
      return "an array";
    case simdjson::dom::element_type::OBJECT:
      return "an object";
    case simdjson::dom::element_type::NULL_VALUE:
      return "null";
    default:
      return "a scalar";
  }
}

}  // namespace

struct MessageMapper::Impl {
  std::vector<std::string> filters;
  PartitionKeySpec key;
  std::vector<std::pair<std::string, uint32_t>> topic_fields;
  std::vector<std::string> fields;
  std::string topic_field;
  uint32_t max_record_bytes = 0;
  // Whether JSON object payloads are rebuilt (fields selected or topic levels added).
  bool reshape = false;

  simdjson::dom::parser parser;
  std::string padded;  // payload copy with simdjson's padding, reused across messages
  std::string key_buf;
  std::string body;

  // The name/value pairs to add from the topic (levels that exist), in config order.
  template <typename Fn>
  void ForEachTopicMember(std::string_view topic, Fn&& fn) const {
    if (!topic_field.empty()) fn(std::string_view(topic_field), topic);
    for (const auto& [name, level] : topic_fields) {
      if (auto value = TopicLevel(topic, level)) fn(std::string_view(name), *value);
    }
  }

  static void AppendMember(std::string_view name, std::string_view json_value, bool* first,
                           std::string* out) {
    if (!*first) out->push_back(',');
    *first = false;
    out->push_back('"');
    AppendJsonEscaped(name, *out);
    out->append("\":");
    out->append(json_value);
  }

  static void AppendStringMember(std::string_view name, std::string_view value, bool* first,
                                 std::string* out) {
    if (!*first) out->push_back(',');
    *first = false;
    out->push_back('"');
    AppendJsonEscaped(name, *out);
    out->append("\":\"");
    AppendJsonEscaped(value, *out);
    out->push_back('"');
  }

  // Rebuilds a JSON object payload into `body`: selected fields (or the whole object)
  // plus the topic members the result does not already have.
  void Reshape(std::string_view topic, std::string_view payload, simdjson::dom::object obj) {
    body.clear();
    body.push_back('{');
    bool first = true;
    if (fields.empty()) {
      ForEachTopicMember(topic, [&](std::string_view name, std::string_view value) {
        if (obj.at_key(name).error() == simdjson::NO_SUCH_FIELD) {
          AppendStringMember(name, value, &first, &body);
        }
      });
      // The original members follow unchanged (no re-serialization of the payload).
      std::string_view rest = payload.substr(payload.find('{') + 1);
      if (!first && obj.size() > 0) body.push_back(',');
      body.append(rest);
      return;
    }
    for (const std::string& f : fields) {
      simdjson::dom::element v;
      if (obj.at_key(f).get(v) == simdjson::SUCCESS) {
        AppendMember(f, simdjson::minify(v), &first, &body);
      }
    }
    ForEachTopicMember(topic, [&](std::string_view name, std::string_view value) {
      bool selected_and_present = false;
      for (const std::string& f : fields) {
        if (f == name && obj.at_key(name).error() != simdjson::NO_SUCH_FIELD) {
          selected_and_present = true;
        }
      }
      if (!selected_and_present) AppendStringMember(name, value, &first, &body);
    });
    body.push_back('}');
  }
};

MessageMapper::MessageMapper() : impl_(std::make_unique<Impl>()) {}
MessageMapper::~MessageMapper() = default;

Result<std::unique_ptr<MessageMapper>> MessageMapper::Create(const IngestConfig::Mqtt& config,
                                                             uint32_t max_record_bytes) {
  std::unique_ptr<MessageMapper> m(new MessageMapper());
  Impl& impl = *m->impl_;
  for (const std::string& f : config.topics) {
    FG_RETURN_IF_ERROR(ValidateTopicFilter(f));
    impl.filters.push_back(f);
  }
  FG_ASSIGN_OR_RETURN(impl.key, ParsePartitionKey(config.partition_key));
  impl.topic_fields.assign(config.topic_fields.begin(), config.topic_fields.end());
  impl.fields = config.fields;
  impl.topic_field = config.topic_field;
  impl.max_record_bytes = max_record_bytes;
  impl.reshape = !impl.topic_fields.empty() || !impl.fields.empty() || !impl.topic_field.empty();
  return m;
}

bool MessageMapper::Matches(std::string_view topic) const {
  for (const std::string& f : impl_->filters) {
    if (TopicMatches(f, topic)) return true;
  }
  return false;
}

Status MessageMapper::Map(std::string_view topic, std::string_view payload, std::string* arena,
                          MappedRecord* out) {
  Impl& m = *impl_;
  const bool need_json = m.key.kind == PartitionKeySpec::Kind::kPayloadField || m.reshape;
  simdjson::dom::object obj;
  bool is_object = false;
  if (need_json) {
    m.padded.assign(payload);
    m.padded.append(simdjson::SIMDJSON_PADDING, '\0');
    simdjson::dom::element doc;
    if (m.parser.parse(m.padded.data(), payload.size(), false).get(doc) == simdjson::SUCCESS &&
        doc.get_object().get(obj) == simdjson::SUCCESS) {
      is_object = true;
    }
  }

  std::string_view key;
  switch (m.key.kind) {
    case PartitionKeySpec::Kind::kTopic:
      key = topic;
      break;
    case PartitionKeySpec::Kind::kTopicLevel: {
      auto level = TopicLevel(topic, m.key.level);
      if (!level) {
        return Unmappable(fmt::format("topic '{}' has no level {} (partition_key = topic[{}])",
                                      topic, m.key.level, m.key.level));
      }
      key = *level;
      break;
    }
    case PartitionKeySpec::Kind::kPayloadField: {
      if (!is_object) {
        return Unmappable(fmt::format(
            "payload is not a JSON object, so it has no field '{}' (partition_key)", m.key.field));
      }
      simdjson::dom::element v;
      if (obj.at_key(m.key.field).get(v) != simdjson::SUCCESS) {
        return Unmappable(fmt::format("payload has no field '{}' (partition_key)", m.key.field));
      }
      std::string_view s;
      if (v.get_string().get(s) == simdjson::SUCCESS) {
        key = s;
      } else if (v.is_number() || v.is_bool()) {
        m.key_buf = simdjson::minify(v);
        key = m.key_buf;
      } else {
        return Unmappable(
            fmt::format("payload field '{}' (partition_key) is {}, not a string, "
                        "number or boolean",
                        m.key.field, JsonTypeName(v.type())));
      }
      break;
    }
  }
  if (key.empty()) {
    return Unmappable(fmt::format("partition key is empty (partition_key = '{}', topic '{}')",
                                  m.key.kind == PartitionKeySpec::Kind::kPayloadField
                                      ? m.key.field
                                      : (m.key.kind == PartitionKeySpec::Kind::kTopic
                                             ? std::string("topic")
                                             : fmt::format("topic[{}]", m.key.level)),
                                  topic));
  }
  if (key.size() > kMaxPartitionKeyBytes) {
    return Unmappable(
        fmt::format("partition key of {} bytes is longer than 256 bytes", key.size()));
  }

  std::string_view data = payload;
  if (m.reshape && is_object) {
    m.Reshape(topic, payload, obj);
    data = m.body;
  }
  if (key.size() + data.size() > m.max_record_bytes) {
    return Unmappable(fmt::format(
        "record of {} bytes (partition key + data) is larger than the log's limit of {} bytes",
        key.size() + data.size(), m.max_record_bytes));
  }
  out->key_offset = arena->size();
  out->key_size = static_cast<uint32_t>(key.size());
  arena->append(key);
  out->data_offset = arena->size();
  out->data_size = static_cast<uint32_t>(data.size());
  arena->append(data);
  return Status::Ok();
}

}  // namespace fluxgate::ingest
