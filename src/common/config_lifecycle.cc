#include "common/config_lifecycle.h"

#include <toml++/toml.h>

#include <set>

#include "common/config_reader.h"

namespace fluxgate {

using config_internal::TableReader;

Status LoadLifecycleConfig(const toml::table& table, const std::string& file,
                           LifecycleConfig& out) {
  TableReader r(table, "lifecycle.", file);
  r.Read("interval_seconds", out.interval_seconds);
  FG_RETURN_IF_ERROR(r.ReadTables(
      "rules", out.rules, [](TableReader& e, const toml::table&, LifecycleConfig::Rule& rule) {
        e.Read("path", rule.path);
        e.Read("expire_after_days", rule.expire_after_days);
        e.Read("compact", rule.compact);
        e.Read("compact_min_files", rule.compact_min_files);
        e.Read("compact_target_bytes", rule.compact_target_bytes);
        e.Read("compact_min_age_seconds", rule.compact_min_age_seconds);
        return e.Finish();
      }));
  return r.Finish();
}

Status ValidateLifecycleConfig(const LifecycleConfig& config) {
  if (config.interval_seconds < 60 || config.interval_seconds > 604'800) {
    return Status::InvalidArgument("lifecycle.interval_seconds must be between 60 and 604800");
  }
  std::set<std::string> paths;
  for (size_t i = 0; i < config.rules.size(); ++i) {
    const LifecycleConfig::Rule& r = config.rules[i];
    const std::string at = "lifecycle.rules[" + std::to_string(i) + "].";
    auto bad = [&](const char* key, const std::string& what) {
      return Status::InvalidArgument(at + key + ": " + what);
    };
    if (r.path.empty()) {
      return bad("path", "required: the sink path, e.g. \"s3://iot-analytics/raw-data/\"");
    }
    std::string norm = r.path;
    while (norm.size() > 1 && norm.back() == '/') norm.pop_back();
    if (!paths.insert(norm).second) return bad("path", "another rule has the same path");
    if (r.expire_after_days == 0 && !r.compact) {
      return bad("expire_after_days", "a rule needs expire_after_days > 0 or compact = true");
    }
    if (r.expire_after_days > 36'500) return bad("expire_after_days", "at most 36500 (100 years)");
    if (r.compact_min_files < 2) return bad("compact_min_files", "must be at least 2");
    if (r.compact_target_bytes < 1024 || r.compact_target_bytes > (5ull << 30)) {
      return bad("compact_target_bytes", "must be between 1024 and 5368709120 (5 GiB)");
    }
  }
  return Status::Ok();
}

}  // namespace fluxgate
