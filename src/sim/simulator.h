// Simulator: drives a Generator into a RecordSink at a target rate, for a count or a
// duration, with progress on a terminal and a summary at the end.
//
// Timestamps: with `start_time_us` set, record i is observed at start + i/rate (1 ms apart
// when rate is 0), so a run is fully reproducible. Without it, readings are stamped with
// the wall clock when generated. Pacing always follows the wall clock.
//
// Thread-safety: Run() blocks the calling thread; `stop` may be set from any thread (or a
// signal handler) and ends the run after the current record, flushing the sink.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>

#include "common/status.h"
#include "sim/generator.h"
#include "sim/sink.h"

namespace fluxgate::sim {

struct SimulatorOptions {
  GeneratorOptions generator;
  double rate = 10;  // records per second over all devices; 0 = as fast as possible
  std::optional<int64_t> start_time_us;  // virtual clock start (epoch microseconds)
  std::optional<uint64_t> count;         // stop after this many records
  std::optional<double> duration_s;      // or after this long (rate > 0: count = rate*d)
  double flush_interval_s = 0.2;         // paced runs: longest a record waits in a sink's batch
  std::FILE* progress = nullptr;         // where to draw progress ("\r" lines), if any
  double progress_interval_s = 0.5;

  Status Validate() const;
};

struct RunStats {
  uint64_t generated = 0;
  uint64_t anomalies = 0;
  uint64_t out_of_order = 0;
  uint64_t late = 0;
  std::array<uint64_t, kSensorTypeCount> per_type{};
  double elapsed_s = 0;
  bool interrupted = false;
  SinkStats sink;
};

// Runs until the count/duration is reached or *stop becomes true (stop may be null).
// Returns the sink's error if it failed for good; `stats` is filled either way.
Status RunSimulation(const SimulatorOptions& options, RecordSink* sink,
                     const std::atomic<bool>* stop, RunStats* stats);

// Human-readable multi-line summary (ends with a newline).
std::string FormatSummary(const SimulatorOptions& options, const RunStats& stats,
                          const std::string& sink_description);

}  // namespace fluxgate::sim
