// The simulated fleet: sensor kinds, their plausible signals, and per-device state.
//
// Each device has a fixed sensor type and location and a signal made of a per-device
// baseline, a daily cycle, a slow mean-reverting drift and measurement noise (see
// docs/design/sim.md). Normal readings are kept below the type's alert threshold, so the
// only readings that cross it are the anomalies the generator injects on purpose.
//
// Thread-safety: SensorSpec tables are immutable; a Device is owned by one Generator.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "sim/rng.h"

namespace fluxgate::sim {

enum class SensorType : uint8_t { kTemperature = 0, kPressure, kVibration, kFlow };
inline constexpr int kSensorTypeCount = 4;

// Signal parameters of one sensor type. Amplitude, noise and drift are fractions of the
// device's baseline so that a 10 L/min and a 200 L/min pump look equally plausible.
struct SensorSpec {
  SensorType type;
  std::string_view name;  // "temperature"
  std::string_view unit;  // "°C"
  double baseline_min, baseline_max;
  double daily_amplitude;  // of the daily sine, fraction of baseline
  double noise;            // sd of per-reading noise, fraction of baseline
  double drift_sigma;      // sd of the drift's per-reading step, fraction of baseline
  double drift_reversion;  // pull of the drift back to 0 per reading (0..1)
  double floor;            // physical minimum of a normal reading
  // Readings above this raise an alert downstream. Normal readings are clamped to
  // `normal_ceiling` (< threshold); anomalies land in [1.05, 1.6] x threshold.
  double alert_threshold;
  double normal_ceiling;
};

const SensorSpec& SpecFor(SensorType type);
inline constexpr std::string_view kLocations[] = {"factory-floor-1", "factory-floor-2",
                                                  "warehouse-a", "warehouse-b"};

struct Device {
  std::string id;  // "sensor-0001"
  SensorType type;
  std::string_view location;  // points into kLocations
  double baseline;
  double phase;      // of the daily cycle, radians
  double drift = 0;  // current drift state, fraction of baseline
};

// Builds `count` devices from `seed`. Types are dealt from a shuffled deck of the four kinds
// per block of four devices, so even small fleets cover every kind.
std::vector<Device> MakeFleet(uint64_t seed, uint32_t count);

// Advances the device's drift by one reading and returns its normal value at `time_us`
// (epoch microseconds), before rounding. Consumes exactly two normals from `rng`.
double NextNormalValue(Device* device, int64_t time_us, Rng* rng);

}  // namespace fluxgate::sim
