#include "common/config_ingest.h"

#include <toml++/toml.h>

#include <charconv>
#include <set>

#include "common/config_reader.h"

namespace fluxgate {

using config_internal::KeyError;
using config_internal::TableReader;
using config_internal::ValidStreamName;

namespace {

// topic_fields = { name = LEVEL, ... }: an inline table of non-negative integers.
Status ReadTopicFields(const toml::table& t, const std::string& key, const std::string& file,
                       std::map<std::string, uint32_t>& out) {
  out.clear();
  for (const auto& [k, v] : t) {
    auto level = v.value_exact<int64_t>();
    if (!level || *level < 0 || *level > 65535) {
      return KeyError(file, key + "." + std::string(k.str()),
                      "expected a topic level (an integer from 0)");
    }
    out[std::string(k.str())] = static_cast<uint32_t>(*level);
  }
  return Status::Ok();
}

}  // namespace

Status LoadIngestConfig(const toml::table& table, const std::string& file, IngestConfig& out) {
  TableReader r(table, "ingest.", file);
  r.Read("http_max_request_bytes", out.http_max_request_bytes);
  FG_RETURN_IF_ERROR(r.ReadTables(
      "mqtt", out.mqtt, [](TableReader& mr, const toml::table&, IngestConfig::Mqtt& m) -> Status {
        mr.Read("broker", m.broker);
        mr.Read("topics", m.topics);
        mr.Read("stream", m.stream);
        mr.Read("partition_key", m.partition_key);
        mr.Read("qos", m.qos);
        mr.Read("client_id", m.client_id);
        mr.Read("username", m.username);
        mr.Read("password", m.password);
        mr.Read("ca_file", m.ca_file);
        mr.Read("tls_verify", m.tls_verify);
        mr.Read("keepalive_secs", m.keepalive_secs);
        mr.Read("reconnect_min_ms", m.reconnect_min_ms);
        mr.Read("reconnect_max_ms", m.reconnect_max_ms);
        mr.Read("max_inflight", m.max_inflight);
        mr.Read("fields", m.fields);
        mr.Read("topic_field", m.topic_field);
        mr.Read("shards", m.shards);
        const toml::table* tf = mr.Sub("topic_fields");
        FG_RETURN_IF_ERROR(mr.Finish());
        if (tf) {
          FG_RETURN_IF_ERROR(
              ReadTopicFields(*tf, mr.prefix() + "topic_fields", mr.file(), m.topic_fields));
        }
        return Status::Ok();
      }));
  return r.Finish();
}

Status ValidateIngestConfig(const IngestConfig& config) {
  if (config.http_max_request_bytes == 0 || config.http_max_request_bytes > (1ull << 30)) {
    return Status::InvalidArgument(
        "config key 'ingest.http_max_request_bytes': must be from 1 to 1073741824");
  }
  std::set<std::string> client_ids;
  for (size_t i = 0; i < config.mqtt.size(); ++i) {
    const IngestConfig::Mqtt& m = config.mqtt[i];
    const std::string at = "ingest.mqtt[" + std::to_string(i) + "].";
    auto bad = [&](const char* key, const std::string& what) {
      return Status::InvalidArgument("config key '" + at + key + "': " + what);
    };
    if (m.broker.empty()) return bad("broker", "required (mqtt://HOST:PORT or mqtts://HOST:PORT)");
    auto url = ParseBrokerUrl(m.broker);
    if (!url.ok()) return bad("broker", url.status().message());
    if (m.topics.empty()) return bad("topics", "required: at least one topic filter");
    for (const std::string& t : m.topics) {
      if (Status s = ValidateTopicFilter(t); !s.ok()) {
        return bad("topics", "'" + t + "': " + s.message());
      }
    }
    if (m.stream.empty()) return bad("stream", "required");
    if (!ValidStreamName(m.stream)) {
      return bad("stream", "'" + m.stream + "' is not a stream name (1-128 of [a-zA-Z0-9_.-])");
    }
    auto pk = ParsePartitionKey(m.partition_key);
    if (!pk.ok()) return bad("partition_key", pk.status().message());
    if (m.qos > 1) {
      return bad("qos",
                 "must be 0 or 1 (QoS 2 is not supported; QoS 1 with a durable "
                 "log append before PUBACK already gives at-least-once)");
    }
    if (m.client_id.size() > 65535) return bad("client_id", "longer than 65535 bytes");
    if (!m.client_id.empty() && !client_ids.insert(m.client_id).second) {
      return bad("client_id", "'" + m.client_id +
                                  "' is used by another [[ingest.mqtt]] entry; two connections "
                                  "with one client id take each other's session");
    }
    if (!m.password.empty() && m.username.empty()) {
      return bad("password",
                 "set without username (MQTT 3.1.1 sends a password only with a "
                 "user name)");
    }
    if (!m.ca_file.empty() && !url->tls) {
      return bad("ca_file", "only used with an mqtts:// broker");
    }
    if (m.keepalive_secs > 65535) return bad("keepalive_secs", "must be at most 65535");
    if (m.reconnect_min_ms == 0) return bad("reconnect_min_ms", "must be at least 1");
    if (m.reconnect_max_ms < m.reconnect_min_ms) {
      return bad("reconnect_max_ms", "must be at least reconnect_min_ms");
    }
    if (m.max_inflight == 0 || m.max_inflight > 65535) {
      return bad("max_inflight", "must be from 1 to 65535 (MQTT packet ids are 16-bit)");
    }
    if (m.shards == 0 || m.shards > 1024) return bad("shards", "must be from 1 to 1024");
    std::set<std::string> names;
    for (const std::string& f : m.fields) {
      if (f.empty()) return bad("fields", "empty field name");
    }
    for (const auto& [name, level] : m.topic_fields) {
      (void)level;
      if (name.empty()) return bad("topic_fields", "empty field name");
      names.insert(name);
    }
    if (!m.topic_field.empty() && names.count(m.topic_field)) {
      return bad("topic_field", "'" + m.topic_field + "' is also a key of topic_fields");
    }
  }
  return Status::Ok();
}

Result<BrokerUrl> ParseBrokerUrl(std::string_view url) {
  BrokerUrl out;
  std::string_view rest;
  if (url.starts_with("mqtt://")) {
    rest = url.substr(7);
    out.port = 1883;
  } else if (url.starts_with("mqtts://")) {
    rest = url.substr(8);
    out.tls = true;
    out.port = 8883;
  } else {
    return Status::InvalidArgument("'" + std::string(url) +
                                   "': expected mqtt://HOST:PORT or mqtts://HOST:PORT");
  }
  if (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
  if (rest.find_first_of("/?#@") != std::string_view::npos) {
    return Status::InvalidArgument("'" + std::string(url) +
                                   "': only scheme, host and port are allowed (put user "
                                   "names in username/password)");
  }
  std::string_view host = rest, port;
  if (rest.starts_with("[")) {  // [IPv6]:port
    size_t close = rest.find(']');
    if (close == std::string_view::npos) {
      return Status::InvalidArgument("'" + std::string(url) + "': unclosed '[' in the host");
    }
    host = rest.substr(1, close - 1);
    std::string_view after = rest.substr(close + 1);
    if (!after.empty()) {
      if (after[0] != ':') return Status::InvalidArgument("'" + std::string(url) + "': bad port");
      port = after.substr(1);
    }
  } else if (size_t colon = rest.rfind(':'); colon != std::string_view::npos) {
    host = rest.substr(0, colon);
    port = rest.substr(colon + 1);
  }
  if (host.empty()) return Status::InvalidArgument("'" + std::string(url) + "': missing host");
  if (!port.empty() || rest.ends_with(":")) {
    unsigned value = 0;
    auto [p, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (ec != std::errc() || p != port.data() + port.size() || value == 0 || value > 65535) {
      return Status::InvalidArgument("'" + std::string(url) + "': port must be 1-65535");
    }
    out.port = static_cast<uint16_t>(value);
  }
  out.host = std::string(host);
  return out;
}

Status ValidateTopicFilter(std::string_view filter) {
  if (filter.empty()) return Status::InvalidArgument("empty topic filter");
  if (filter.size() > 65535) return Status::InvalidArgument("topic filter longer than 65535 bytes");
  if (filter.find('\0') != std::string_view::npos) {
    return Status::InvalidArgument("topic filter contains U+0000");
  }
  size_t start = 0;
  while (true) {
    size_t end = filter.find('/', start);
    const bool last = end == std::string_view::npos;
    std::string_view level = filter.substr(start, last ? std::string_view::npos : end - start);
    if (level.find('#') != std::string_view::npos) {
      if (level != "#" || !last) {
        return Status::InvalidArgument("'#' must be the whole last level of a topic filter");
      }
    }
    if (level.find('+') != std::string_view::npos && level != "+") {
      return Status::InvalidArgument("'+' must be a whole level of a topic filter");
    }
    if (last) break;
    start = end + 1;
  }
  return Status::Ok();
}

Result<PartitionKeySpec> ParsePartitionKey(std::string_view text) {
  PartitionKeySpec spec;
  if (text.empty() || text == "topic") return spec;
  if (text.starts_with("topic[")) {
    std::string_view inner = text.substr(6);
    if (!inner.ends_with("]") || inner.size() < 2) {
      return Status::InvalidArgument("'" + std::string(text) +
                                     "': expected topic[N] with N a 0-based topic level");
    }
    inner.remove_suffix(1);
    uint32_t level = 0;
    auto [p, ec] = std::from_chars(inner.data(), inner.data() + inner.size(), level);
    if (ec != std::errc() || p != inner.data() + inner.size() || level > 65535) {
      return Status::InvalidArgument("'" + std::string(text) +
                                     "': expected topic[N] with N a 0-based topic level");
    }
    spec.kind = PartitionKeySpec::Kind::kTopicLevel;
    spec.level = level;
    return spec;
  }
  spec.kind = PartitionKeySpec::Kind::kPayloadField;
  spec.field = std::string(text);
  return spec;
}

}  // namespace fluxgate
