// Monitor: profiles one stream's records in the background, like a consumer tailing the
// log, so ingest never waits for it (docs/design/quality.md, "Profiles").
//
// Per device (at most max_devices; records of further devices count in the stream totals
// and as `untracked_records`): record count, per-field missing / null / invalid counts,
// min / max / mean of value_field, first and last arrival time, newest event time,
// duplicates (an event time equal to one of the device's last `duplicate_window` event
// times), out-of-order records (older than the device's newest event time) and late ones
// (older by more than late_after; every late record is also out of order), values outside
// the sensor type's physical range, and whether the device is stale (no record arrived
// for stale_after, judged against the wall clock, only once the monitor has caught up
// with the log so a replay after a restart raises nothing spurious). A device turning
// stale or sending again raises an alert on alert_topic.
//
// Thread-safety: Poll and Sweep are called by one thread (the Service's); Observe,
// OnIngestInvalid and the snapshot accessors may be called from any thread. All state is
// guarded by mu_; alerts are published after it is released.
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

#include "alerts/alert.h"
#include "common/status.h"
#include "log/types.h"
#include "quality/record_check.h"
#include "quality/rules.h"

namespace fluxgate::log {
class LogManager;
}

namespace fluxgate::quality {

struct FieldCounts {
  uint64_t missing = 0;  // absent
  uint64_t null = 0;     // JSON null (allowed or not)
  uint64_t invalid = 0;  // present but breaking the schema (or a required field missing)
};

struct DeviceProfile {
  std::string device_id;
  std::string sensor_type;  // the last one seen
  uint64_t count = 0;       // records in the log
  uint64_t invalid = 0;     // records breaking the schema (in the log, rejected or dead-lettered)
  uint64_t duplicates = 0, out_of_order = 0, late = 0, out_of_range = 0;
  uint64_t value_count = 0;  // records with a numeric value_field
  double min = 0, max = 0, sum = 0;
  int64_t first_seen_ms = 0;    // arrival time of the first record
  int64_t last_seen_ms = 0;     // arrival time of the newest record
  int64_t last_event_ms = 0;    // event time of the newest record (0: none had one)
  int64_t newest_event_ms = 0;  // the largest event time seen
  bool has_event_time = false;
  bool stale = false;
  std::vector<FieldCounts> fields;  // one per StreamRules::columns()
  std::string last_invalid_reason;

  double mean() const { return value_count ? sum / static_cast<double>(value_count) : 0; }
  // (missing + null) cells over count x declared fields; 0 for no records.
  double NullRate(size_t declared_fields) const;
};

struct SensorTypeStats {
  std::string sensor_type;
  uint64_t records = 0, out_of_range = 0;
  uint64_t value_count = 0;
  double min = 0, max = 0;
  bool has_range = false;
  double range_min = 0, range_max = 0;
};

struct StreamStats {
  std::string stream;
  bool stream_exists = false;
  bool caught_up = false;
  uint64_t lag_records = 0;    // durable records not read yet
  uint64_t records = 0;        // read from the log
  uint64_t invalid = 0;        // of those, breaking the schema (possible in accept mode)
  uint64_t rejected = 0;       // refused at ingest (reject mode)
  uint64_t dead_lettered = 0;  // diverted at ingest (dead-letter mode)
  uint64_t duplicates = 0, out_of_order = 0, late = 0, out_of_range = 0;
  uint64_t unknown_sensor_type = 0;  // a sensor type without a configured range
  uint64_t no_device = 0;            // records without device_field
  uint64_t untracked_records = 0;    // from devices beyond max_devices
  uint64_t devices = 0, stale_devices = 0;
  uint64_t memory_bytes = 0;                 // estimate of the profiles' memory
  std::vector<FieldCounts> fields;           // stream totals, one per column
  std::map<std::string, uint64_t> problems;  // Problem name -> records (first problem only)
  std::vector<SensorTypeStats> sensor_types;
  std::vector<std::string> stale_device_ids;  // the first 100, sorted
};

enum class DeviceSort {
  kDeviceId,
  kCount,
  kInvalid,
  kNullRate,
  kLastSeen,
  kDuplicates,
  kOutOfOrder,
  kLate,
  kOutOfRange
};
// "device_id" (or "id"), "count", "invalid", "null_rate", "last_seen", "duplicates",
// "out_of_order", "late", "out_of_range"; nullopt for anything else.
std::optional<DeviceSort> ParseDeviceSort(std::string_view name);

class Monitor {
 public:
  struct Options {
    std::function<int64_t()> now_ms;                // wall clock; empty = system clock
    std::function<void(alerts::Alert)> publish;     // stale alerts; empty = none
    uint32_t read_batch_records = 1024;             // per shard per Poll
    static constexpr size_t kMaxSensorTypes = 256;  // beyond: counted under "(other)"
  };
  // `rules` and `log` (nullptr: Observe only, for tests) must outlive the monitor.
  Monitor(const StreamRules* rules, log::LogManager* log, Options options);

  // Reads what is new in every shard (up to read_batch_records each) and profiles it.
  // Returns the number of records read; NotFound-free (a missing stream reads nothing).
  Result<uint64_t> Poll();
  // Marks devices stale once caught up; alerts for each transition.
  void Sweep();

  // Profiles one record as stored in the log (Poll's per-record step; tests call it).
  void Observe(std::string_view data, int64_t arrival_ms);
  // A record the ingest path refused or diverted: counts it against its device.
  void OnIngestInvalid(const RecordView& view, bool dead_lettered);

  StreamStats Stats() const;
  // Profiles sorted by `sort` (counts descending, device id ascending, last_seen oldest
  // first), at most `limit`; only stale ones if `stale_only`. *total = devices matching.
  std::vector<DeviceProfile> Devices(DeviceSort sort, size_t limit, bool stale_only,
                                     size_t* total) const;
  std::optional<DeviceProfile> Device(std::string_view device_id) const;
  const StreamRules& rules() const { return *rules_; }

 private:
  struct Tracked {
    DeviceProfile p;
    std::vector<int64_t> recent;  // ring of the last duplicate_window event times
    uint32_t recent_next = 0;
  };
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  struct Eq {
    using is_transparent = void;
    bool operator()(std::string_view a, std::string_view b) const { return a == b; }
  };

  int64_t Now() const;
  void ObserveLocked(std::string_view data, int64_t arrival_ms,
                     std::vector<alerts::Alert>* alerts);  // REQUIRES mu_
  Tracked* FindOrAdd(std::string_view id);                 // REQUIRES mu_
  SensorTypeStats* SensorStats(std::string_view type);     // REQUIRES mu_
  alerts::Alert MakeAlert(const DeviceProfile& d, bool stale, int64_t now) const;
  void Publish(std::vector<alerts::Alert>& alerts) const;

  const StreamRules* const rules_;
  log::LogManager* const log_;
  const Options options_;

  // Poll's own: only the polling thread touches these.
  std::map<uint32_t, log::ShardOffset> next_;  // shard -> next offset to read
  int64_t stream_created_ms_ = -1;             // detects a deleted and recreated stream
  log::ReadResult read_;

  mutable std::mutex mu_;
  RecordChecker checker_;                                       // GUARDED_BY(mu_)
  RecordView view_;                                             // GUARDED_BY(mu_)
  std::unordered_map<std::string, Tracked, Hash, Eq> devices_;  // GUARDED_BY(mu_)
  StreamStats stats_;  // GUARDED_BY(mu_): totals; devices/stale/memory filled by Stats()
  std::vector<SensorTypeStats> sensors_;  // GUARDED_BY(mu_): configured ranges first
  uint64_t stale_count_ = 0;              // GUARDED_BY(mu_)
};

}  // namespace fluxgate::quality
