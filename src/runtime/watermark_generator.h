// WatermarkGenerator: event-time progress of one operator input set (e.g. the shards a
// source task reads), from WATERMARK FOR ts AS ts - INTERVAL 'n' ...
//
//  - per input: the largest event time seen; its watermark = max - out_of_orderness;
//  - combined: the minimum over inputs that are not idle; INT64_MIN (nothing fires) until
//    every non-idle input has seen a record;
//  - idleness: an input with no records for idle_timeout (0 = never idle, Flink's default)
//    stops holding the watermark back until it receives data again;
//  - all inputs idle (issue 3, where we deliberately go beyond Flink, whose watermark then
//    stops): the watermark follows the wall clock, now - out_of_orderness (or the newest
//    event time seen on any input minus out_of_orderness, if that is later: with every
//    input quiet, all of them have delivered what they had), so the last windows of a
//    quiet plant still close. Requires device clocks roughly in sync with
//    ours; a record older than that watermark later is late like any other;
//  - never goes back; Current() only reports increases.
// The clock is read once per call, never per record. Not thread-safe (one per task).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "runtime/clock.h"

namespace fluxgate::runtime {

struct WatermarkOptions {
  int64_t out_of_orderness_ms = 0;
  int64_t idle_timeout_ms = 0;  // 0: inputs never count as idle
  bool advance_when_all_idle = true;
};

class WatermarkGenerator {
 public:
  // `clock` must outlive the generator.
  WatermarkGenerator(WatermarkOptions options, const Clock* clock)
      : options_(options), clock_(clock) {}

  // Registers an input (a shard); returns its index. It starts active, with no data.
  size_t AddInput();
  size_t num_inputs() const { return inputs_.size(); }
  // Records a batch's event times for `input` (ms); NULL rowtimes must be filtered out.
  void Observe(size_t input, const int64_t* event_times, size_t n);
  // The batch's maximum event time, when the caller already has it.
  void ObserveMax(size_t input, int64_t max_event_time);
  // The combined watermark now (monotonic).
  int64_t Current();
  bool IsIdle(size_t input) const;

  // Checkpoint: version, per-input max event time, last watermark. Activity times are not
  // kept: after a restore every input counts as freshly active.
  void Snapshot(std::string& out) const;
  Status Restore(std::string_view in);

 private:
  struct Input {
    int64_t max_event_time = INT64_MIN;
    int64_t last_activity_ms;
  };
  WatermarkOptions options_;
  const Clock* clock_;
  std::vector<Input> inputs_;
  int64_t watermark_ = INT64_MIN;
};

}  // namespace fluxgate::runtime
