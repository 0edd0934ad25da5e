#include "common/config_ingest.h"

#include <toml++/toml.h>

#include "common/config_reader.h"

namespace fluxgate {

using config_internal::TableReader;

Status LoadIngestConfig(const toml::table& table, const std::string& file, IngestConfig& out) {
  TableReader r(table, "ingest.", file);
  if (const toml::array* entries = r.Tables("mqtt")) {
    out.mqtt.clear();
    for (size_t i = 0; i < entries->size(); ++i) {
      IngestConfig::Mqtt m;
      TableReader mr(*entries->get(i)->as_table(), "ingest.mqtt[" + std::to_string(i) + "].", file);
      mr.Read("broker", m.broker);
      mr.Read("topics", m.topics);
      mr.Read("stream", m.stream);
      mr.Read("partition_key", m.partition_key);
      FG_RETURN_IF_ERROR(mr.Finish());
      out.mqtt.push_back(std::move(m));
    }
  }
  return r.Finish();
}

Status ValidateIngestConfig(const IngestConfig& config) {
  (void)config;
  return Status::Ok();
}

}  // namespace fluxgate
