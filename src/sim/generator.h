// Generator: the pure core of the simulator, device model -> reading -> JSON record.
//
// Given the same options (seed included) and the same sequence of `now` values, it returns
// the same readings: no clock, no I/O, no global state. The caller decides what `now` is:
// a virtual clock for reproducible runs (--start-time), or the wall clock.
//
// Devices report round-robin. Per reading it always draws the same number of random
// values, so changing e.g. --anomaly-rate leaves the other readings' normal values alone.
//
// Thread-safety: none; one Generator per thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "sim/device_model.h"
#include "sim/rng.h"

namespace fluxgate::sim {

struct GeneratorOptions {
  uint64_t seed = 1;
  uint32_t devices = 10;
  double anomaly_rate = 0.01;  // fraction of readings pushed past the alert threshold
  // Fraction of readings whose timestamp is moved back by (0, max_disorder_s]: bounded
  // disorder, what a watermark with that much allowed out-of-orderness absorbs.
  double out_of_order_rate = 0;
  double max_disorder_s = 5;
  // Fraction of readings moved back by (max_disorder_s, max_lateness_s]: beyond the
  // disorder bound, so event-time windows see them as late.
  double late_rate = 0;
  double max_lateness_s = 60;

  // InvalidArgument naming the first bad field.
  Status Validate() const;
};

enum class Delivery : uint8_t { kOnTime, kOutOfOrder, kLate };

struct Reading {
  uint32_t device = 0;       // index into Generator::devices()
  int64_t timestamp_us = 0;  // event time written into the record (epoch microseconds)
  int64_t observed_us = 0;   // the `now` it was generated at; timestamp_us <= observed_us
  double value = 0;          // rounded to 2 decimals
  bool anomaly = false;
  Delivery delivery = Delivery::kOnTime;
};

class Generator {
 public:
  // `options` must be valid (see Validate).
  explicit Generator(const GeneratorOptions& options);

  const std::vector<Device>& devices() const { return devices_; }
  const GeneratorOptions& options() const { return options_; }

  // The next reading, observed at `now_us` (epoch microseconds).
  Reading Next(int64_t now_us);

 private:
  GeneratorOptions options_;
  std::vector<Device> devices_;
  Rng rng_;
  uint64_t produced_ = 0;
};

// Appends `{"device_id":..,"timestamp":..,"sensor_type":..,"value":..,"unit":..,
// "location":..}` (no newline) to *out.
void AppendRecordJson(const Device& device, const Reading& reading, std::string* out);

// "2026-11-25T19:05:00.123456Z" (always six fractional digits, UTC).
std::string FormatTimestamp(int64_t epoch_us);
// Accepts "YYYY-MM-DDTHH:MM:SS[.fraction](Z|+00:00)" (also a space instead of 'T');
// InvalidArgument otherwise. Only UTC offsets are accepted, to keep runs unambiguous.
Result<int64_t> ParseTimestamp(std::string_view text);

}  // namespace fluxgate::sim
