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
  if (const toml::table* t = top.Sub("alerts")) {
    TableReader r(*t, "alerts.", path);
    r.Read("max_attempts", c.alerts.max_attempts);
    r.Read("initial_backoff_ms", c.alerts.initial_backoff_ms);
    r.Read("max_backoff_ms", c.alerts.max_backoff_ms);
    r.Read("queue_limit", c.alerts.queue_limit);
    r.Read("webhook_timeout_ms", c.alerts.webhook_timeout_ms);
    r.Read("drain_timeout_ms", c.alerts.drain_timeout_ms);
    if (const toml::array* subs = r.Tables("subscriptions")) {
      // The file's list replaces any earlier one: subscriptions are not merged.
      c.alerts.subscriptions.clear();
      for (size_t i = 0; i < subs->size(); ++i) {
        ServeConfig::Alerts::Subscription sub;
        TableReader sr(*subs->get(i)->as_table(),
                       "alerts.subscriptions[" + std::to_string(i) + "].", path);
        sr.Read("topic", sub.topic);
        sr.Read("kind", sub.kind);
        sr.Read("url", sub.url);
        sr.Read("ca_file", sub.ca_file);
        sr.Read("path", sub.path);
        sr.Read("fsync", sub.fsync);
        FG_RETURN_IF_ERROR(sr.Finish());
        c.alerts.subscriptions.push_back(std::move(sub));
      }
    }
    FG_RETURN_IF_ERROR(r.Finish());
  }
  if (const toml::table* t = top.Sub("ingest"))
    FG_RETURN_IF_ERROR(LoadIngestConfig(*t, path, c.ingest));
  if (const toml::table* t = top.Sub("auth")) FG_RETURN_IF_ERROR(LoadAuthConfig(*t, path, c.auth));
  if (const toml::table* t = top.Sub("tls")) FG_RETURN_IF_ERROR(LoadTlsConfig(*t, path, c.tls));
  if (const toml::table* t = top.Sub("quality"))
    FG_RETURN_IF_ERROR(LoadQualityConfig(*t, path, c.quality));
  if (const toml::table* t = top.Sub("store"))
    FG_RETURN_IF_ERROR(LoadStoreConfig(*t, path, c.store));
  if (const toml::array* a = top.Tables("alarms"))
    FG_RETURN_IF_ERROR(LoadAlarmsConfig(*a, path, c.alarms));
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
  return ValidateAlertsConfig(c.alerts);
}

namespace {

bool StartsWithNoCase(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    char c = s[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != prefix[i]) return false;
  }
  return true;
}

// Error messages quote the key, never the URL: webhook URLs often carry a token.
Status CheckSubscription(const ServeConfig::Alerts::Subscription& s, const std::string& key) {
  if (s.topic.empty()) return Status::InvalidArgument(key + "topic is required");
  if (s.topic.size() > 256 ||
      s.topic.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                "0123456789._-") != std::string::npos)
    return Status::InvalidArgument(
        key + "topic must be 1-256 characters of A-Z a-z 0-9 . _ -, got \"" + s.topic + "\"");
  if (s.kind == "webhook") {
    if (s.url.empty())
      return Status::InvalidArgument(key + "url is required for kind = \"webhook\"");
    const bool https = StartsWithNoCase(s.url, "https://");
    if (!https && !StartsWithNoCase(s.url, "http://"))
      return Status::InvalidArgument(key + "url must start with http:// or https://");
    const size_t host_at = https ? 8 : 7;
    const std::string_view authority =
        std::string_view(s.url).substr(host_at, s.url.find_first_of("/?#", host_at) - host_at);
    if (authority.empty()) return Status::InvalidArgument(key + "url has no host");
    if (authority.find('@') != std::string_view::npos)
      return Status::InvalidArgument(key + "url: user info (user:password@) is not supported");
    if (!s.path.empty()) return Status::InvalidArgument(key + "path is only for kind = \"file\"");
    if (s.fsync) return Status::InvalidArgument(key + "fsync is only for kind = \"file\"");
    if (!https && !s.ca_file.empty())
      return Status::InvalidArgument(key + "ca_file is only for https:// urls");
  } else if (s.kind == "file") {
    if (s.path.empty())
      return Status::InvalidArgument(key + "path is required for kind = \"file\"");
    if (!s.url.empty()) return Status::InvalidArgument(key + "url is only for kind = \"webhook\"");
    if (!s.ca_file.empty())
      return Status::InvalidArgument(key + "ca_file is only for kind = \"webhook\"");
  } else if (s.kind.empty()) {
    return Status::InvalidArgument(key + "kind is required (\"webhook\" or \"file\")");
  } else {
    return Status::InvalidArgument(key + "kind must be \"webhook\" or \"file\", got \"" + s.kind +
                                   "\"");
  }
  return Status::Ok();
}

}  // namespace

Status ValidateAlertsConfig(const ServeConfig::Alerts& a) {
  if (a.max_attempts < 1 || a.max_attempts > 100)
    return Status::InvalidArgument("alerts.max_attempts must be between 1 and 100");
  if (a.initial_backoff_ms < 1)
    return Status::InvalidArgument("alerts.initial_backoff_ms must be at least 1");
  if (a.max_backoff_ms < a.initial_backoff_ms)
    return Status::InvalidArgument("alerts.max_backoff_ms must be at least initial_backoff_ms");
  if (a.queue_limit < 1 || a.queue_limit > 10'000'000)
    return Status::InvalidArgument("alerts.queue_limit must be between 1 and 10000000");
  if (a.webhook_timeout_ms < 1)
    return Status::InvalidArgument("alerts.webhook_timeout_ms must be at least 1");
  if (a.drain_timeout_ms < 0)
    return Status::InvalidArgument("alerts.drain_timeout_ms must not be negative");
  std::set<std::tuple<std::string, std::string, std::string>> seen;
  for (size_t i = 0; i < a.subscriptions.size(); ++i) {
    const auto& s = a.subscriptions[i];
    const std::string key = "alerts.subscriptions[" + std::to_string(i) + "].";
    FG_RETURN_IF_ERROR(CheckSubscription(s, key));
    if (!seen.emplace(s.topic, s.kind, s.kind == "file" ? s.path : s.url).second)
      return Status::InvalidArgument("alerts.subscriptions[" + std::to_string(i) +
                                     "] repeats an earlier subscription (same topic, kind and "
                                     "target): every alert would be delivered twice");
  }
  return Status::Ok();
}

}  // namespace fluxgate
