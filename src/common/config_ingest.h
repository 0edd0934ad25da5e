// IngestConfig: the [ingest] section of the serve config — device ingest outside the
// Kinesis API (MQTT subscriptions, the HTTP records endpoint). docs/configuration.md.
//
// Also the parsers for the values of [[ingest.mqtt]] that need more than a type check
// (broker URL, topic filters, partition key), so config validation and src/ingest/ read
// them the same way. Pure functions; safe from any thread.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/config_toml_fwd.h"
#include "common/status.h"

namespace fluxgate {

struct IngestConfig {
  // One [[ingest.mqtt]] table: a broker connection (one MQTT client session) and the topic
  // filters whose messages it maps to one stream. Keys named in the comments.
  struct Mqtt {
    // --- contract keys -----------------------------------------------------------------
    std::string broker;               // broker: mqtt://HOST[:PORT] or mqtts://HOST[:PORT]
    std::vector<std::string> topics;  // topics: MQTT topic filters (+ and # wildcards)
    std::string stream;               // stream: log stream the messages go to
    // partition_key: a top-level payload field name, "topic[N]" (0-based topic level) or
    // "topic" (the whole topic). Empty in the file = "topic".
    std::string partition_key;

    // --- session -----------------------------------------------------------------------
    uint32_t qos = 1;              // qos: subscription QoS, 0 or 1 (QoS 1 = acked once durable)
    std::string client_id;         // client_id: empty = derived from host, data dir, broker, stream
    std::string username;          // username (optional)
    std::string password;          // password (optional; needs username; never logged)
    std::string ca_file;           // ca_file: PEM bundle for mqtts:// (empty = system trust store)
    bool tls_verify = true;        // tls_verify: check the broker's certificate and host name
    uint32_t keepalive_secs = 30;  // keepalive_secs: 0 = no keepalive pings
    uint32_t reconnect_min_ms = 200;     // reconnect_min_ms: first reconnect delay
    uint32_t reconnect_max_ms = 30'000;  // reconnect_max_ms: backoff ceiling
    // max_inflight: messages received but not yet PUBACKed (appending, or waiting for an
    // earlier one). At the limit fluxgate stops reading the socket (backpressure).
    uint32_t max_inflight = 4096;

    // --- mapping -----------------------------------------------------------------------
    // topic_fields = { site = 1, device_id = 3 }: topic levels added as fields to JSON
    // object payloads (a field the payload already has is kept as it is).
    std::map<std::string, uint32_t> topic_fields;
    std::vector<std::string> fields;  // fields: keep only these top-level fields (empty = all)
    std::string topic_field;          // topic_field: add the whole topic under this name
    uint32_t shards = 4;              // shards: shard count when the stream is created
  };
  std::vector<Mqtt> mqtt;

  // http_max_request_bytes: largest body POST /v1/streams/{stream}/records accepts; larger
  // ones are answered 413 (docs/operations.md, "HTTP ingest").
  uint64_t http_max_request_bytes = 1ull << 20;
};

// Reads the [ingest] table (`file` only for error messages). InvalidArgument naming the
// key for unknown keys and wrong types.
Status LoadIngestConfig(const toml::table& table, const std::string& file, IngestConfig& out);
// Checks values no type can (URLs, topic filters, partition key shapes, ranges). Errors
// name the key as `ingest.mqtt[I].key`; a password never appears in them.
Status ValidateIngestConfig(const IngestConfig& config);

// mqtt://HOST[:PORT] (default 1883) or mqtts://HOST[:PORT] (default 8883); HOST may be
// a name, an IPv4 address or [IPv6].
struct BrokerUrl {
  bool tls = false;
  std::string host;
  uint16_t port = 0;
};
Result<BrokerUrl> ParseBrokerUrl(std::string_view url);

// MQTT 3.1.1 section 4.7: non-empty; '#' only as the whole last level; '+' only as a
// whole level; no U+0000; at most 65535 bytes.
Status ValidateTopicFilter(std::string_view filter);

// What partition_key names.
struct PartitionKeySpec {
  enum class Kind { kTopic, kTopicLevel, kPayloadField };
  Kind kind = Kind::kTopic;
  uint32_t level = 0;  // kTopicLevel: 0-based topic level
  std::string field;   // kPayloadField: top-level JSON field name
};
// "" or "topic" -> whole topic; "topic[N]" -> level N; anything else -> a payload field.
// InvalidArgument for a malformed "topic[...]".
Result<PartitionKeySpec> ParsePartitionKey(std::string_view text);

}  // namespace fluxgate
