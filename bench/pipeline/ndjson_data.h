// The benchmark's input: simulator records as NDJSON in one buffer, what the shipped
// pipeline must output for them (computed here directly, without the engine), and
// simdjson's raw parse rate of the same bytes (the floor no JSON engine beats).
//
// Thread-safety: plain values; the functions keep no state.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace fluxgate::bench {

struct NdjsonOptions {
  uint64_t records = 2'000'000;
  uint64_t seed = 42;
  uint32_t devices = 1000;
  // Record i is observed at start + i * interval (the simulator's --start-time with
  // --rate 1000 gives 1 ms): 1000 devices then report once a second each.
  int64_t start_us = 1'767'225'600'000'000;  // 2026-01-01T00:00:00Z
  int64_t interval_us = 1000;
  double anomaly_rate = 0.01;  // the simulator's default
};

// Lines of NDJSON in one buffer with simdjson's padding after the last byte, so any line
// can be parsed in place.
class NdjsonData {
 public:
  size_t size() const { return starts_.empty() ? 0 : starts_.size() - 1; }
  uint64_t bytes() const { return size() == 0 ? 0 : starts_.back(); }
  // Line i without its '\n'.
  std::string_view line(size_t i) const {
    return std::string_view(text_.data() + starts_[i], starts_[i + 1] - starts_[i] - 1);
  }
  // Readable bytes from line i's start to the end of the buffer (padding included).
  size_t capacity_from(size_t i) const { return text_.size() - starts_[i]; }
  std::string_view text() const { return std::string_view(text_.data(), bytes()); }

  // Takes NDJSON text (each line ending in '\n'; a missing last '\n' is added; empty
  // lines are dropped).
  static NdjsonData FromText(std::string text);

 private:
  std::string text_;              // lines, then padding
  std::vector<uint64_t> starts_;  // line i = [starts_[i], starts_[i + 1] - 1)
};

// The simulator's records (sim::Generator, sim::AppendRecordJson: what `fluxgate
// simulate --seed S --start-time T --rate R --count N` writes).
NdjsonData GenerateNdjson(const NdjsonOptions& options);

bool ReadNdjsonFile(const std::string& path, NdjsonData* out, std::string* error);
bool WriteNdjsonFile(const std::string& path, const NdjsonData& data, std::string* error);

// The device_id of a line (the log's partition key); empty when there is none.
std::string_view DeviceIdOf(std::string_view line);

// What the shipped pipeline writes for these records, computed directly.
struct ExpectedOutput {
  uint64_t records = 0;
  uint64_t bad_lines = 0;  // lines the pipeline's JSON table would dead-letter
  // (device_id, sensor_type, location, 5-minute window) groups: rows of
  // iot_analytics_sink once every window has closed.
  uint64_t groups = 0;
  uint64_t windows = 0;   // distinct 5-minute windows
  uint64_t alerts = 0;    // rows the alert INSERT's WHERE keeps
  double sum_of_max = 0;  // Σ over groups of MAX(value)
  double sum_of_min = 0;  // Σ over groups of MIN(value)
  int64_t first_event_ms = 0;
  int64_t last_event_ms = 0;
};
ExpectedOutput ComputeExpected(const NdjsonData& data);

// simdjson ondemand over every line, touching every field (each key, each string value's
// bytes, each number as a double), one thread. `per_line`: one iterate() per line, as an
// engine reading log records does; else iterate_many over the buffer (simdjson's own
// NDJSON path). Returns seconds; *checksum defeats dead-code elimination.
// Uses simdjson's AVX2 kernel when the CPU has it (as the engine's JsonDecoder does).
double SimdjsonParseSeconds(const NdjsonData& data, bool per_line, uint64_t* checksum);
bool SimdjsonHaswellKernel();
std::string SimdjsonVersion();  // "3.0.1"

}  // namespace fluxgate::bench
