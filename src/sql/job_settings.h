// Job settings from SET 'key' = 'value' statements (the Flink SQL client's settings).
//
// Known keys (docs/sql.md, "Binding and planning"):
//   execution.checkpointing.interval   duration, default 10 s
//   pipeline.name                      the job's identity; default: the pipeline file name
//   table.exec.source.idle-timeout     duration; 0 = never idle. Default 10 s (Flink: 0)
//   table.exec.emit.allow-lateness     duration; how late a row may be and still count
// plus keys a Flink user brings that are recorded but ignored (a Notice). Unknown keys are
// an error. Thread-safe as a value.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "sql/bind_error.h"

namespace fluxgate::sql {

struct SetStatement;
struct ResetStatement;

struct JobSettings {
  int64_t checkpoint_interval_ms = 10000;
  std::string pipeline_name;  // empty: the caller picks (the pipeline file's name)
  int64_t idle_timeout_ms = 10000;  // Flink: 0 (never), which lets one quiet shard stall every window
  int64_t allowed_lateness_ms = 0;
  std::map<std::string, std::string> raw;  // every key set, as written

  // Applies one SET; throws BindError for an unknown key or a bad value.
  void Apply(const SetStatement& set, std::vector<Notice>* notices);
  void Reset(const ResetStatement& reset);
};

// The keys SET accepts and uses, for hints and docs.
std::vector<std::string> KnownSettingKeys();

}  // namespace fluxgate::sql
