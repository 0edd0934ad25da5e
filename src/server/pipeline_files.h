// Which SQL pipeline files `fluxgate serve` runs at startup, read into StartupScripts for
// JobManager::RestoreFromDisk.
//
// With no `pipelines` setting (no --pipeline flag, no `pipelines` key) serve runs the
// shipped pipelines/iot-analytics.sql, found by FindShippedPipelinesDir. Thread-safe
// (no shared state).
#pragma once

#include <string>
#include <vector>

#include "common/config.h"
#include "common/status.h"
#include "jobs/job_manager.h"

namespace fluxgate::server {

// The file the shipped pipeline lives in, inside the pipelines directory.
inline constexpr char kShippedPipelineFile[] = "iot-analytics.sql";

// The first existing directory of: $FLUXGATE_PIPELINES_DIR, <binary dir>/pipelines,
// <binary dir>/../pipelines, then <source tree>/pipelines (the tree this file was compiled
// from). Empty if none holds kShippedPipelineFile.
std::string FindShippedPipelinesDir();

// The scripts to run: each file of config.pipelines (named after the file, without
// extension: "iot-analytics"), or with the setting unset the shipped pipeline from
// `shipped_dir` (a missing one only logs a warning: the server runs no pipeline). The
// shipped pipeline is submitted with keep_stopped, so a job an operator stopped stays
// stopped across restarts; an explicitly named file always runs. InvalidArgument naming the
// file if one cannot be read.
Result<std::vector<jobs::StartupScript>> LoadStartupScripts(const ServeConfig& config,
                                                            const std::string& shipped_dir);

}  // namespace fluxgate::server
