#include "common/config.h"

#include <toml++/toml.h>

#include <set>

namespace fluxgate {
namespace {

// Walks one TOML table, assigning known keys and collecting unknown ones.
class TableReader {
 public:
  TableReader(const toml::table& table, std::string prefix, std::string file)
      : table_(table), prefix_(std::move(prefix)), file_(std::move(file)) {}

  template <typename T>
  void Read(const char* key, T& out) {
    seen_.insert(key);
    const toml::node* node = table_.get(key);
    if (node == nullptr || !status_.ok()) return;
    if constexpr (std::is_same_v<T, std::string>) {
      if (auto v = node->value<std::string>()) {
        out = *v;
        return;
      }
      Fail(key, "expected a string");
    } else {
      auto v = node->value<int64_t>();
      if (!v) return Fail(key, "expected an integer");
      if (*v < 0) return Fail(key, "must not be negative");
      out = static_cast<T>(*v);
    }
  }

  const toml::table* Sub(const char* key) {
    seen_.insert(key);
    const toml::node* node = table_.get(key);
    if (node == nullptr) return nullptr;
    if (!node->is_table()) {
      Fail(key, "expected a table");
      return nullptr;
    }
    return node->as_table();
  }

  Status Finish() {
    if (!status_.ok()) return status_;
    for (const auto& [k, v] : table_) {
      if (!seen_.count(std::string(k.str()))) {
        return Status::InvalidArgument(file_ + ": unknown config key '" + prefix_ +
                                       std::string(k.str()) + "'");
      }
    }
    return Status::Ok();
  }

 private:
  void Fail(const char* key, const char* what) {
    if (status_.ok())
      status_ = Status::InvalidArgument(file_ + ": config key '" + prefix_ + key + "': " + what);
  }
  const toml::table& table_;
  std::string prefix_;
  std::string file_;
  std::set<std::string> seen_;
  Status status_;
};

}  // namespace

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
    FG_RETURN_IF_ERROR(r.Finish());
  }
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
  return Status::Ok();
}

}  // namespace fluxgate
