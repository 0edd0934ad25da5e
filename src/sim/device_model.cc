#include "sim/device_model.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <utility>

namespace fluxgate::sim {
namespace {

// Ranges follow the recipe's examples and keep a clear gap below the Lambda's thresholds
// (temperature > 80, pressure > 100, vibration > 50). Flow has no threshold there; we alert
// above 250 L/min, a burst well beyond the largest normal pump (200 L/min baseline).
constexpr SensorSpec kSpecs[kSensorTypeCount] = {
    {SensorType::kTemperature, "temperature", "°C", 22, 60, 0.08, 0.010, 0.005, 0.02, -20, 80, 78},
    {SensorType::kPressure, "pressure", "PSI", 30, 80, 0.04, 0.010, 0.004, 0.02, 0, 100, 97},
    {SensorType::kVibration, "vibration", "Hz", 5, 30, 0.06, 0.040, 0.006, 0.02, 0, 50, 48},
    {SensorType::kFlow, "flow", "L/min", 10, 200, 0.10, 0.020, 0.005, 0.02, 0, 250, 240},
};

constexpr double kSecondsPerDay = 86400.0;

}  // namespace

const SensorSpec& SpecFor(SensorType type) { return kSpecs[static_cast<int>(type)]; }

std::vector<Device> MakeFleet(uint64_t seed, uint32_t count) {
  // A stream separate from the readings' so that fleet layout never depends on options.
  uint64_t fleet_seed = seed ^ 0x6a09e667f3bcc908ull;
  Rng rng(SplitMix64(&fleet_seed));
  std::vector<Device> fleet;
  fleet.reserve(count);
  SensorType deck[kSensorTypeCount];
  for (uint32_t i = 0; i < count; ++i) {
    if (i % kSensorTypeCount == 0) {
      for (int k = 0; k < kSensorTypeCount; ++k) deck[k] = static_cast<SensorType>(k);
      for (int k = kSensorTypeCount - 1; k > 0; --k)  // Fisher-Yates
        std::swap(deck[k], deck[rng.Below(k + 1)]);
    }
    Device d;
    d.id = fmt::format("sensor-{:04d}", i + 1);
    d.type = deck[i % kSensorTypeCount];
    d.location = kLocations[rng.Below(std::size(kLocations))];
    const SensorSpec& spec = SpecFor(d.type);
    d.baseline = rng.Uniform(spec.baseline_min, spec.baseline_max);
    d.phase = rng.Uniform(0, 2 * std::numbers::pi);
    fleet.push_back(std::move(d));
  }
  return fleet;
}

double NextNormalValue(Device* device, int64_t time_us, Rng* rng) {
  const SensorSpec& spec = SpecFor(device->type);
  // Ornstein-Uhlenbeck step: wanders slowly, stays bounded (stationary sd ~ sigma/sqrt(2k)).
  device->drift = device->drift * (1 - spec.drift_reversion) + spec.drift_sigma * rng->Normal();
  double noise = spec.noise * rng->Normal();
  double day_fraction =
      std::fmod(static_cast<double>(time_us) / 1e6, kSecondsPerDay) / kSecondsPerDay;
  double cycle =
      spec.daily_amplitude * std::sin(2 * std::numbers::pi * day_fraction + device->phase);
  double value = device->baseline * (1 + cycle + device->drift + noise);
  return std::clamp(value, spec.floor, spec.normal_ceiling);
}

}  // namespace fluxgate::sim
