// IngestConfig: the [ingest] section of the serve config — device ingest outside the
// Kinesis API (MQTT subscriptions, the HTTP records endpoint). docs/configuration.md.
#pragma once

#include <string>
#include <vector>

#include "common/status.h"

namespace toml {
inline namespace v3 {
class table;
}
}  // namespace toml

namespace fluxgate {

struct IngestConfig {
  // One [[ingest.mqtt]] table: a broker connection and the topics it maps to a stream.
  struct Mqtt {
    std::string broker;               // mqtt://HOST:PORT or mqtts://HOST:PORT
    std::vector<std::string> topics;  // MQTT topic filters (+ and # wildcards)
    std::string stream;               // log stream the messages go to
    std::string partition_key;        // payload field name, or "topic[N]"
  };
  std::vector<Mqtt> mqtt;
};

// Reads the [ingest] table (`file` only for error messages). InvalidArgument naming the
// key for unknown keys and wrong types.
Status LoadIngestConfig(const toml::table& table, const std::string& file, IngestConfig& out);
// Checks values no type can (URLs, topic filters, partition key shapes).
Status ValidateIngestConfig(const IngestConfig& config);

}  // namespace fluxgate
