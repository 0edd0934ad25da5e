// DeviceTracker: the dashboard's view of the devices — the latest reading of every device
// with a short history for its sparkline, and per sensor_type/location aggregates over
// 5-minute tumbling windows of arrival time (docs/design/dashboard.md, "Devices").
//
// It tails the telemetry streams itself, like a consumer (Poll), so it works whether or
// not [quality] or any job is configured, and ingest never waits for it. It starts
// `start_back_ms` before the end of each shard, so a restarted server shows recent
// readings at once without replaying the whole retention. Records are JSON objects with
// device_id, value and optionally sensor_type, location, unit, timestamp (the simulator's
// and the recipe's shape); others are counted as `skipped`.
//
// Limits: at most max_devices devices (readings of further devices are counted as
// `untracked`), history_points values per device, max_groups window groups.
//
// Thread-safety: Poll is called by one thread (the Dashboard's); Page, Top, Windows and
// Stats may be called from any thread. All device state is guarded by mu_.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "log/types.h"

namespace fluxgate::log {
class LogManager;
}

namespace fluxgate::web {

struct DeviceReading {
  std::string device_id, sensor_type, location, unit;
  std::string timestamp;  // the record's own timestamp text, as sent
  double value = 0;
  int64_t last_seen_ms = 0;     // arrival time of the newest reading
  uint64_t count = 0;           // readings seen since the tracker started
  std::vector<double> history;  // oldest first, at most history_points
};

// Per (sensor_type, location) aggregate of one 5-minute arrival-time window.
struct WindowAggregate {
  std::string sensor_type, location;
  int64_t window_start_ms = 0, window_end_ms = 0;
  uint64_t count = 0;
  double min = 0, max = 0, sum = 0;
  double avg() const { return count ? sum / static_cast<double>(count) : 0; }
};

enum class DeviceOrder { kDeviceId, kValue, kLastSeen, kCount };
// "device_id" (or "id"), "value", "last_seen", "count"; nullopt for anything else.
std::optional<DeviceOrder> ParseDeviceOrder(std::string_view name);

struct DevicePageQuery {
  DeviceOrder order = DeviceOrder::kDeviceId;
  bool descending = false;
  std::string search;  // case-insensitive substring of device_id, sensor_type or location
  size_t offset = 0;
  size_t limit = 50;
  static constexpr size_t kMaxLimit = 500;
};

struct DevicePage {
  size_t total = 0;  // devices matching the search
  size_t offset = 0;
  std::vector<DeviceReading> devices;
};

struct DeviceTrackerStats {
  uint64_t records = 0;    // read from the log
  uint64_t bytes = 0;      // their data bytes
  uint64_t skipped = 0;    // not a JSON object with device_id and a numeric value
  uint64_t untracked = 0;  // readings of devices beyond max_devices
  uint64_t devices = 0;
  uint64_t lag_records = 0;  // durable records not read yet
};

class DeviceTracker {
 public:
  struct Options {
    std::vector<std::string> streams = {"iot-telemetry"};
    size_t max_devices = 100000;
    size_t history_points = 60;
    size_t max_groups = 4096;
    int64_t window_ms = 5 * 60 * 1000;
    int64_t start_back_ms = 10 * 60 * 1000;  // first Poll starts this far back per shard
    uint32_t read_batch_records = 4096;      // per shard per read
    uint64_t max_records_per_poll = 200000;  // bounds one Poll's work
    std::function<int64_t()> now_ms;         // wall clock; empty = system clock
  };
  // `log` (nullptr: Observe only, for tests) must outlive the tracker.
  DeviceTracker(log::LogManager* log, Options options);

  // Reads what is new in every tracked stream's shards. Returns the records read.
  uint64_t Poll();
  // One record as stored in the log (Poll's per-record step; tests call it).
  void Observe(std::string_view data, int64_t arrival_ms);

  DevicePage Page(const DevicePageQuery& query) const;
  // The `n` most recently updated devices, newest first.
  std::vector<DeviceReading> Recent(size_t n) const;
  // The window in progress and the last completed one (per group), sorted by
  // sensor_type, location, window start.
  std::vector<WindowAggregate> Windows() const;
  DeviceTrackerStats Stats() const;
  const Options& options() const { return options_; }

 private:
  struct Tracked {
    DeviceReading r;
    size_t ring_next = 0;  // history is a ring once full
  };
  struct Group {
    WindowAggregate current, previous;
  };
  int64_t Now() const;
  void ObserveLocked(std::string_view data, int64_t arrival_ms);  // REQUIRES mu_
  static DeviceReading Copy(const Tracked& t);

  log::LogManager* const log_;
  const Options options_;

  // Poll's own: only the polling thread touches these.
  std::map<std::pair<std::string, uint32_t>, log::ShardOffset> next_;
  std::map<std::string, int64_t> created_ms_;  // stream -> its created_ms when first read
  log::ReadResult read_;

  mutable std::mutex mu_;
  std::unordered_map<std::string, Tracked> devices_;             // GUARDED_BY(mu_)
  std::map<std::pair<std::string, std::string>, Group> groups_;  // GUARDED_BY(mu_)
  DeviceTrackerStats stats_;                                     // GUARDED_BY(mu_)
};

}  // namespace fluxgate::web
