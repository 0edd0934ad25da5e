#include "sql/job_settings.h"

#include <cctype>

#include "sql/ast_statement.h"
#include "sql/connector_options.h"

namespace fluxgate::sql {

namespace {

constexpr const char* kCheckpointInterval = "execution.checkpointing.interval";
constexpr const char* kPipelineName = "pipeline.name";
constexpr const char* kIdleTimeout = "table.exec.source.idle-timeout";
constexpr const char* kAllowLateness = "table.exec.emit.allow-lateness";

struct IgnoredKey {
  const char* key;  // a trailing '*' matches any suffix
  const char* reason;
};

const IgnoredKey kIgnoredKeys[] = {
    {"execution.checkpointing.mode", "checkpoints are always exactly-once"},
    {"execution.checkpointing.timeout", "checkpoints are local and never time out"},
    {"execution.checkpointing.min-pause", "checkpoints are local and cheap"},
    {"execution.checkpointing.max-concurrent-checkpoints", "one checkpoint runs at a time"},
    {"execution.checkpointing.externalized-checkpoint-retention",
     "checkpoints are always retained until the next one completes"},
    {"execution.runtime-mode", "jobs always run in streaming mode"},
    {"parallelism.default", "a job's parallelism follows its source's shards"},
    {"pipeline.auto-watermark-interval", "watermarks are emitted per batch"},
    {"sql-client.*", "results are printed by 'fluxgate sql --print'"},
    {"table.exec.state.ttl", "window state is purged when windows fire"},
    {"table.exec.mini-batch.*", "operators always process batches"},
    {"table.local-time-zone", "the session time zone is UTC"},
    {"state.*", "checkpoints are stored under the server's data directory"},
};

bool Matches(const std::string& pattern, const std::string& key) {
  if (!pattern.empty() && pattern.back() == '*') {
    return key.compare(0, pattern.size() - 1, pattern, 0, pattern.size() - 1) == 0;
  }
  return pattern == key;
}

int64_t DurationOrThrow(const SetStatement& set) {
  auto ms = ParseDuration(set.value);
  if (!ms) {
    ThrowBindError(set.value_pos, "invalid value '" + set.value + "' for '" + set.key +
                                      "': expected a duration such as '10 s', '2min' or '500 ms'");
  }
  return *ms;
}

}  // namespace

std::vector<std::string> KnownSettingKeys() {
  return {kCheckpointInterval, kPipelineName, kIdleTimeout, kAllowLateness};
}

void JobSettings::Apply(const SetStatement& set, std::vector<Notice>* notices) {
  const std::string& key = set.key;
  if (key == kCheckpointInterval) {
    int64_t ms = DurationOrThrow(set);
    if (ms <= 0) {
      ThrowBindError(set.value_pos, "'" + key +
                                        "' must be positive (checkpoints are required "
                                        "for exactly-once output)");
    }
    checkpoint_interval_ms = ms;
  } else if (key == kPipelineName) {
    if (set.value.empty()) ThrowBindError(set.value_pos, "'pipeline.name' must not be empty");
    pipeline_name = set.value;
  } else if (key == kIdleTimeout) {
    idle_timeout_ms = DurationOrThrow(set);
  } else if (key == kAllowLateness) {
    allowed_lateness_ms = DurationOrThrow(set);
  } else {
    const IgnoredKey* ignored = nullptr;
    for (const IgnoredKey& k : kIgnoredKeys) {
      if (Matches(k.key, key)) ignored = &k;
    }
    if (ignored == nullptr) {
      std::vector<std::string> known = KnownSettingKeys();
      std::string message = "unknown setting '" + key + "'";
      std::string close = ClosestName(key, known);
      if (!close.empty()) message += "; did you mean '" + close + "'?";
      message += close.empty() ? "; known settings: " : " Known settings: ";
      for (size_t i = 0; i < known.size(); ++i) message += (i ? ", '" : "'") + known[i] + "'";
      ThrowBindError(set.key_pos, message);
    }
    notices->push_back(
        {set.key_pos, "setting '" + key + "' is accepted but ignored: " + ignored->reason});
  }
  raw[key] = set.value;
}

void JobSettings::Reset(const ResetStatement& reset) {
  if (reset.key.empty()) {
    *this = JobSettings();
    return;
  }
  JobSettings defaults;
  if (reset.key == kCheckpointInterval) checkpoint_interval_ms = defaults.checkpoint_interval_ms;
  if (reset.key == kPipelineName) pipeline_name.clear();
  if (reset.key == kIdleTimeout) idle_timeout_ms = JobSettings().idle_timeout_ms;
  if (reset.key == kAllowLateness) allowed_lateness_ms = 0;
  raw.erase(reset.key);
}

}  // namespace fluxgate::sql
