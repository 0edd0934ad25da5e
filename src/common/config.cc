#include "common/config.h"

#include <toml++/toml.h>

#include <set>
#include <string_view>
#include <tuple>

#include "common/config_reader.h"

namespace fluxgate {

using config_internal::TableReader;
Status LoadConfigFile(const std::string& path, ServeConfig& c) {
  toml::table root;
  try {
    root = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    const auto& where = e.source().begin;
    return Status::InvalidArgument(path + ":" + std::to_string(where.line) + ":" +
                                   std::to_string(where.column) + ": " +
                                   std::string(e.description()));
  }
  TableReader top(root, "", path);
  top.Read("data_dir", c.data_dir);
  top.Read("kinesis_listen", c.kinesis_listen);
  top.Read("http_listen", c.http_listen);
  top.Read("durability", c.durability);
  top.Read("log_level", c.log_level);
  top.Read("pipelines", c.pipelines);
  if (const toml::table* t = top.Sub("log")) {
    TableReader r(*t, "log.", path);
    r.Read("segment_bytes", c.log.segment_bytes);
    r.Read("index_interval_bytes", c.log.index_interval_bytes);
    r.Read("max_pending_bytes", c.log.max_pending_bytes);
    r.Read("shard_write_records_per_sec", c.log.shard_write_records_per_sec);
    r.Read("shard_write_bytes_per_sec", c.log.shard_write_bytes_per_sec);
    r.Read("retention_check_interval_ms", c.log.retention_check_interval_ms);
    r.Read("sync_threads", c.log.sync_threads);
    FG_RETURN_IF_ERROR(r.Finish());
  }
  if (const toml::table* t = top.Sub("kinesis")) {
    TableReader r(*t, "kinesis.", path);
    r.Read("region", c.kinesis.region);
    r.Read("account_id", c.kinesis.account_id);
    r.Read("threads", c.kinesis.threads);
    r.Read("max_request_bytes", c.kinesis.max_request_bytes);
    r.Read("create_delay_ms", c.kinesis.create_delay_ms);
    r.Read("delete_delay_ms", c.kinesis.delete_delay_ms);
    r.Read("update_delay_ms", c.kinesis.update_delay_ms);
    r.Read("iterator_ttl_ms", c.kinesis.iterator_ttl_ms);
    r.Read("shard_limit", c.kinesis.shard_limit);
    r.Read("on_demand_shards", c.kinesis.on_demand_shards);
    FG_RETURN_IF_ERROR(r.Finish());
  }
  if (const toml::table* t = top.Sub("http")) {
    TableReader r(*t, "http.", path);
    r.Read("threads", c.http.threads);
    r.Read("bearer_token", c.http.bearer_token);
    FG_RETURN_IF_ERROR(r.Finish());
  }
  if (const toml::table* t = top.Sub("jobs")) {
    TableReader r(*t, "jobs.", path);
    r.Read("worker_threads", c.jobs.worker_threads);
    r.Read("max_state_bytes", c.jobs.max_state_bytes);
    r.Read("read_batch_records", c.jobs.read_batch_records);
    FG_RETURN_IF_ERROR(r.Finish());
  }
  if (const toml::table* t = top.Sub("alerts"))
    FG_RETURN_IF_ERROR(LoadAlertsConfig(*t, path, c.alerts));
  if (const toml::table* t = top.Sub("ingest"))
    FG_RETURN_IF_ERROR(LoadIngestConfig(*t, path, c.ingest));
  if (const toml::table* t = top.Sub("auth")) FG_RETURN_IF_ERROR(LoadAuthConfig(*t, path, c.auth));
  if (const toml::table* t = top.Sub("tls")) FG_RETURN_IF_ERROR(LoadTlsConfig(*t, path, c.tls));
  if (const toml::table* t = top.Sub("quality"))
    FG_RETURN_IF_ERROR(LoadQualityConfig(*t, path, c.quality));
  if (const toml::table* t = top.Sub("store"))
    FG_RETURN_IF_ERROR(LoadStoreConfig(*t, path, c.store));
  // `alarms = []` turns the shipped default alarms off; [[alarms]] tables replace them.
  if (const toml::array* none = root["alarms"].as_array(); none != nullptr && none->empty()) {
    std::vector<std::string> empty;
    top.Read("alarms", empty);
    c.alarms.alarms.clear();
  } else if (const toml::array* a = top.Tables("alarms")) {
    FG_RETURN_IF_ERROR(LoadAlarmsConfig(*a, path, c.alarms));
  }
  if (const toml::table* t = top.Sub("lifecycle"))
    FG_RETURN_IF_ERROR(LoadLifecycleConfig(*t, path, c.lifecycle));
  FG_RETURN_IF_ERROR(top.Finish());
  return ValidateConfig(c);
}

Status ValidateConfig(const ServeConfig& c) {
  if (c.durability != "fsync" && c.durability != "none")
    return Status::InvalidArgument("durability must be \"fsync\" or \"none\", got \"" +
                                   c.durability + "\"");
  if (c.data_dir.empty()) return Status::InvalidArgument("data_dir must not be empty");
  static const std::set<std::string> kLevels = {"trace", "debug",    "info", "warn",
                                                "error", "critical", "off"};
  if (!kLevels.count(c.log_level))
    return Status::InvalidArgument(
        "log_level must be one of trace, debug, info, warn, error, "
        "critical, off; got \"" +
        c.log_level + "\"");
  if (c.kinesis.threads < 1 || c.kinesis.threads > 64)
    return Status::InvalidArgument("kinesis.threads must be between 1 and 64");
  if (c.http.threads < 1 || c.http.threads > 64)
    return Status::InvalidArgument("http.threads must be between 1 and 64");
  if (c.jobs.worker_threads < 1 || c.jobs.worker_threads > 256)
    return Status::InvalidArgument("jobs.worker_threads must be between 1 and 256");
  if (c.jobs.max_state_bytes < (1u << 20))
    return Status::InvalidArgument("jobs.max_state_bytes must be at least 1048576 (1 MiB)");
  if (c.jobs.read_batch_records < 1 || c.jobs.read_batch_records > 100000)
    return Status::InvalidArgument("jobs.read_batch_records must be between 1 and 100000");
  if (c.log.segment_bytes < (1u << 16))
    return Status::InvalidArgument("log.segment_bytes must be at least 65536");
  if (c.log.index_interval_bytes < 64)
    return Status::InvalidArgument("log.index_interval_bytes must be at least 64");
  if (c.log.sync_threads < 1 || c.log.sync_threads > 64)
    return Status::InvalidArgument("log.sync_threads must be between 1 and 64");
  if (c.kinesis.iterator_ttl_ms < 1000)
    return Status::InvalidArgument("kinesis.iterator_ttl_ms must be at least 1000");
  if (c.kinesis.account_id.size() != 12 ||
      c.kinesis.account_id.find_first_not_of("0123456789") != std::string::npos)
    return Status::InvalidArgument("kinesis.account_id must be 12 digits");
  FG_RETURN_IF_ERROR(ValidateIngestConfig(c.ingest));
  FG_RETURN_IF_ERROR(ValidateAuthConfig(c.auth));
  FG_RETURN_IF_ERROR(ValidateTlsConfig(c.tls));
  FG_RETURN_IF_ERROR(ValidateQualityConfig(c.quality));
  FG_RETURN_IF_ERROR(ValidateStoreConfig(c.store));
  FG_RETURN_IF_ERROR(ValidateAlarmsConfig(c.alarms));
  FG_RETURN_IF_ERROR(ValidateLifecycleConfig(c.lifecycle));
  return ValidateAlertsConfig(c.alerts);
}

}  // namespace fluxgate
