// LifecycleConfig: the [lifecycle] section of the serve config — per-prefix retention and
// compaction of what file sinks write (docs/configuration.md "[lifecycle]",
// docs/design/store.md "Lifecycle"). Top level rather than under [store]: [store] is the
// object store's connection, read by its own loader.
//
//   [lifecycle]
//   interval_seconds = 3600            # how often the background task runs
//   [[lifecycle.rules]]
//   path = "s3://iot-analytics/raw-data/"
//   expire_after_days = 30             # delete partitions older than this; 0: never
//   compact = true                     # merge small files of closed partitions
//   compact_min_files = 10             # ... when a partition has at least this many
//   compact_target_bytes = 134217728   # ... into files of about this size
//   compact_min_age_seconds = 3600     # ... once the partition's time span ended this long ago
//
// Plain values and pure functions; safe from any thread.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/config_toml_fwd.h"
#include "common/status.h"

namespace fluxgate {

struct LifecycleConfig {
  uint32_t interval_seconds = 3600;  // 60 .. 604800
  struct Rule {
    std::string path;                // a sink path as in SQL: s3://BUCKET/prefix, file://DIR or DIR
    uint32_t expire_after_days = 0;  // 0: never expire
    bool compact = false;
    uint32_t compact_min_files = 10;               // >= 2
    uint64_t compact_target_bytes = 128ull << 20;  // >= 1024
    uint32_t compact_min_age_seconds = 3600;       // after the partition's time span
  };
  std::vector<Rule> rules;
};

// Reads the top-level [lifecycle] table (interval_seconds and [[lifecycle.rules]]).
Status LoadLifecycleConfig(const toml::table& table, const std::string& file, LifecycleConfig& out);
// InvalidArgument naming the key ("lifecycle.rules[0].path: ...") on the first bad value.
Status ValidateLifecycleConfig(const LifecycleConfig& config);

}  // namespace fluxgate
