#include "quality/monitor.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>

#include "common/json_writer.h"
#include "log/log_manager.h"

namespace fluxgate::quality {

double DeviceProfile::NullRate(size_t declared_fields) const {
  if (count == 0 || declared_fields == 0) return 0;
  uint64_t empty = 0;
  for (size_t i = 0; i < declared_fields && i < fields.size(); ++i)
    empty += fields[i].missing + fields[i].null;
  return static_cast<double>(empty) / (static_cast<double>(count) * declared_fields);
}

std::optional<DeviceSort> ParseDeviceSort(std::string_view s) {
  if (s.empty() || s == "device_id" || s == "id") return DeviceSort::kDeviceId;
  if (s == "count") return DeviceSort::kCount;
  if (s == "invalid") return DeviceSort::kInvalid;
  if (s == "null_rate") return DeviceSort::kNullRate;
  if (s == "last_seen") return DeviceSort::kLastSeen;
  if (s == "duplicates") return DeviceSort::kDuplicates;
  if (s == "out_of_order") return DeviceSort::kOutOfOrder;
  if (s == "late") return DeviceSort::kLate;
  if (s == "out_of_range") return DeviceSort::kOutOfRange;
  return std::nullopt;
}

Monitor::Monitor(const StreamRules* rules, log::LogManager* log, Options options)
    : rules_(rules), log_(log), options_(std::move(options)) {
  stats_.stream = rules_->stream();
  stats_.fields.resize(rules_->columns().size());
  for (const SensorRange& r : rules_->ranges()) {
    SensorTypeStats s;
    s.sensor_type = r.sensor_type;
    s.has_range = true;
    s.range_min = r.min;
    s.range_max = r.max;
    sensors_.push_back(std::move(s));
  }
}

int64_t Monitor::Now() const {
  if (options_.now_ms) return options_.now_ms();
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Result<uint64_t> Monitor::Poll() {
  if (log_ == nullptr) return uint64_t{0};
  auto meta = log_->DescribeStream(rules_->stream());
  if (!meta.ok()) {
    std::lock_guard<std::mutex> lock(mu_);
    stats_.stream_exists = false;
    stats_.caught_up = true;
    stats_.lag_records = 0;
    return uint64_t{0};
  }
  const bool first = stream_created_ms_ < 0;
  if (!first && meta->created_ms != stream_created_ms_) next_.clear();  // recreated
  const bool from_latest = first && rules_->config().start_position == "latest";
  stream_created_ms_ = meta->created_ms;

  uint64_t read_total = 0, lag = 0;
  std::vector<alerts::Alert> alerts;
  for (const log::ShardMeta& shard : meta->shards) {
    auto it = next_.find(shard.index);
    if (it == next_.end()) {
      log::ShardOffset start = 0;
      if (from_latest) {
        auto bounds = log_->ShardBounds(rules_->stream(), shard.index);
        if (bounds.ok()) start = bounds->second;
      }
      it = next_.emplace(shard.index, start).first;
    }
    Status st = log_->ReadInto(rules_->stream(), shard.index, it->second,
                               options_.read_batch_records, 4ull << 20, &read_);
    if (!st.ok()) {
      if (st.IsNotFound()) next_.erase(it);  // shard expired or stream deleted meanwhile
      continue;
    }
    if (!read_.records.empty()) {
      std::lock_guard<std::mutex> lock(mu_);
      for (const log::StoredRecord& rec : read_.records)
        ObserveLocked(rec.data, rec.arrival_ms, &alerts);
    }
    read_total += read_.records.size();
    it->second = std::max(it->second, read_.next_offset);
    if (read_.end_offset > it->second) lag += read_.end_offset - it->second;
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    stats_.stream_exists = true;
    stats_.lag_records = lag;
    stats_.caught_up = lag == 0;
  }
  Publish(alerts);
  return read_total;
}

void Monitor::Sweep() {
  std::vector<alerts::Alert> alerts;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!stats_.caught_up) return;
    const int64_t now = Now();
    const int64_t after = rules_->config().stale_after_ms;
    for (auto& [id, d] : devices_) {
      if (d.p.stale || d.p.last_seen_ms == 0) continue;
      if (now - d.p.last_seen_ms >= after) {
        d.p.stale = true;
        ++stale_count_;
        alerts.push_back(MakeAlert(d.p, true, now));
      }
    }
  }
  Publish(alerts);
}

void Monitor::Observe(std::string_view data, int64_t arrival_ms) {
  std::vector<alerts::Alert> alerts;
  {
    std::lock_guard<std::mutex> lock(mu_);
    ObserveLocked(data, arrival_ms, &alerts);
  }
  Publish(alerts);
}

Monitor::Tracked* Monitor::FindOrAdd(std::string_view id) {
  auto it = devices_.find(id);
  if (it != devices_.end()) return &it->second;
  if (devices_.size() >= rules_->config().max_devices) return nullptr;
  Tracked d;
  d.p.device_id = std::string(id);
  d.p.fields.resize(rules_->columns().size());
  d.recent.reserve(rules_->config().duplicate_window);
  return &devices_.emplace(std::string(id), std::move(d)).first->second;
}

SensorTypeStats* Monitor::SensorStats(std::string_view type) {
  for (SensorTypeStats& s : sensors_)
    if (s.sensor_type == type) return &s;
  // Bounded: a stream with garbage in sensor_type must not grow this without limit.
  std::string_view name = sensors_.size() < Options::kMaxSensorTypes ? type : "(other)";
  for (SensorTypeStats& s : sensors_)
    if (s.sensor_type == name) return &s;
  SensorTypeStats s;
  s.sensor_type = std::string(name);
  sensors_.push_back(std::move(s));
  return &sensors_.back();
}

void Monitor::ObserveLocked(std::string_view data, int64_t arrival_ms,
                            std::vector<alerts::Alert>* alerts) {
  RecordView& v = view_;
  checker_.Check(*rules_, data, &v);
  ++stats_.records;
  Tracked* d = nullptr;
  if (v.device.empty()) {
    ++stats_.no_device;
  } else {
    d = FindOrAdd(v.device);
    if (d == nullptr) ++stats_.untracked_records;
  }
  if (!v.ok()) {
    ++stats_.invalid;
    ++stats_.problems[ProblemName(v.problem)];
  }
  const size_t ncols = v.cells.size();
  for (size_t c = 0; c < ncols; ++c) {
    FieldCounts& f = stats_.fields[c];
    const Cell cell = v.cells[c];
    f.missing += cell == Cell::kMissing;
    f.null += cell == Cell::kNull;
    f.invalid += cell == Cell::kInvalid;
  }
  if (!v.sensor_type.empty() && v.has_value) {
    SensorTypeStats* s = SensorStats(v.sensor_type);
    ++s->records;
    s->min = s->value_count ? std::min(s->min, v.value) : v.value;
    s->max = s->value_count ? std::max(s->max, v.value) : v.value;
    ++s->value_count;
    s->out_of_range += v.out_of_range;
    if (!v.sensor_has_range && !rules_->ranges().empty()) ++stats_.unknown_sensor_type;
  }
  stats_.out_of_range += v.out_of_range;

  // Ordering checks need a device; they use the device's own history only.
  bool duplicate = false, out_of_order = false, late = false;
  if (d != nullptr && v.has_timestamp) {
    const int64_t ts = v.timestamp_ms;
    duplicate = std::find(d->recent.begin(), d->recent.end(), ts) != d->recent.end();
    if (!duplicate && d->p.has_event_time && ts < d->p.newest_event_ms) {
      out_of_order = true;
      late = d->p.newest_event_ms - ts > rules_->config().late_after_ms;
    }
    const uint32_t window = rules_->config().duplicate_window;
    if (d->recent.size() < window) {
      d->recent.push_back(ts);
    } else {
      d->recent[d->recent_next] = ts;
      d->recent_next = (d->recent_next + 1) % window;
    }
  }
  stats_.duplicates += duplicate;
  stats_.out_of_order += out_of_order;
  stats_.late += late;
  if (d == nullptr) return;

  DeviceProfile& p = d->p;
  ++p.count;
  if (!v.ok()) {
    ++p.invalid;
    p.last_invalid_reason = v.Reason(*rules_);
  }
  for (size_t c = 0; c < ncols; ++c) {
    FieldCounts& f = p.fields[c];
    const Cell cell = v.cells[c];
    f.missing += cell == Cell::kMissing;
    f.null += cell == Cell::kNull;
    f.invalid += cell == Cell::kInvalid;
  }
  if (!v.sensor_type.empty() && v.sensor_type != p.sensor_type) p.sensor_type = v.sensor_type;
  if (v.has_value) {
    p.min = p.value_count ? std::min(p.min, v.value) : v.value;
    p.max = p.value_count ? std::max(p.max, v.value) : v.value;
    p.sum += v.value;
    ++p.value_count;
  }
  p.out_of_range += v.out_of_range;
  p.duplicates += duplicate;
  p.out_of_order += out_of_order;
  p.late += late;
  if (v.has_timestamp) {
    p.last_event_ms = v.timestamp_ms;
    p.newest_event_ms =
        p.has_event_time ? std::max(p.newest_event_ms, v.timestamp_ms) : v.timestamp_ms;
    p.has_event_time = true;
  }
  if (p.first_seen_ms == 0) p.first_seen_ms = arrival_ms;
  p.last_seen_ms = std::max(p.last_seen_ms, arrival_ms);
  if (p.stale) {
    p.stale = false;
    --stale_count_;
    alerts->push_back(MakeAlert(p, false, Now()));
  }
}

void Monitor::OnIngestInvalid(const RecordView& v, bool dead_lettered) {
  std::lock_guard<std::mutex> lock(mu_);
  ++(dead_lettered ? stats_.dead_lettered : stats_.rejected);
  ++stats_.problems[ProblemName(v.problem)];
  if (v.device.empty()) return;
  Tracked* d = FindOrAdd(v.device);
  if (d == nullptr) return;
  ++d->p.invalid;
  d->p.last_invalid_reason = v.Reason(*rules_);
  for (size_t c = 0; c < v.cells.size() && c < d->p.fields.size(); ++c) {
    if (v.cells[c] == Cell::kInvalid) ++d->p.fields[c].invalid;
  }
}

alerts::Alert Monitor::MakeAlert(const DeviceProfile& d, bool stale, int64_t now) const {
  alerts::Alert a;
  a.topic = rules_->config().alert_topic;
  a.rule = stale ? "quality.stale-device" : "quality.device-recovered";
  a.severity = stale ? "warning" : "info";
  a.subject = stale ? "fluxgate data quality: device stale" : "fluxgate data quality: device back";
  const std::string last = alerts::FormatTimeUtc(d.last_seen_ms);
  a.message = stale ? fmt::format("Device {} on stream {} sent no data for {} s (last record {})",
                                  d.device_id, rules_->stream(),
                                  rules_->config().stale_after_ms / 1000, last)
                    : fmt::format("Device {} on stream {} is sending again (record at {})",
                                  d.device_id, rules_->stream(), last);
  a.event_time_ms = now;
  // Deterministic attributes: the same episode replayed yields the same alert id.
  JsonWriter w(a.attributes);
  w.BeginObject().Key("stream").String(rules_->stream()).Key("device_id").String(d.device_id);
  w.Key("state").String(stale ? "stale" : "recovered").Key("last_seen").String(last);
  w.Key("stale_after_ms").Int(rules_->config().stale_after_ms).EndObject();
  return a;
}

void Monitor::Publish(std::vector<alerts::Alert>& alerts) const {
  if (!options_.publish) return;
  for (alerts::Alert& a : alerts) options_.publish(std::move(a));
}

StreamStats Monitor::Stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  StreamStats s = stats_;
  s.devices = devices_.size();
  s.stale_devices = stale_count_;
  s.sensor_types = sensors_;
  std::sort(s.sensor_types.begin(), s.sensor_types.end(),
            [](const SensorTypeStats& a, const SensorTypeStats& b) {
              return a.sensor_type < b.sensor_type;
            });
  // Node + key + profile + its vectors; std::string's small buffer is in the node.
  const size_t per_device = sizeof(Tracked) + sizeof(std::string) + 2 * sizeof(void*) +
                            rules_->columns().size() * sizeof(FieldCounts) +
                            rules_->config().duplicate_window * sizeof(int64_t);
  s.memory_bytes = devices_.size() * per_device;
  for (const auto& [id, d] : devices_) {
    if (!d.p.stale) continue;
    s.stale_device_ids.push_back(id);
  }
  std::sort(s.stale_device_ids.begin(), s.stale_device_ids.end());
  if (s.stale_device_ids.size() > 100) s.stale_device_ids.resize(100);
  return s;
}

std::vector<DeviceProfile> Monitor::Devices(DeviceSort sort, size_t limit, bool stale_only,
                                            size_t* total) const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<const DeviceProfile*> all;
  all.reserve(devices_.size());
  for (const auto& [id, d] : devices_)
    if (!stale_only || d.p.stale) all.push_back(&d.p);
  if (total) *total = all.size();
  const size_t declared = static_cast<size_t>(rules_->declared_columns());
  auto key = [&](const DeviceProfile* p) -> double {
    switch (sort) {
      case DeviceSort::kCount:
        return static_cast<double>(p->count);
      case DeviceSort::kInvalid:
        return static_cast<double>(p->invalid);
      case DeviceSort::kNullRate:
        return p->NullRate(declared);
      case DeviceSort::kDuplicates:
        return static_cast<double>(p->duplicates);
      case DeviceSort::kOutOfOrder:
        return static_cast<double>(p->out_of_order);
      case DeviceSort::kLate:
        return static_cast<double>(p->late);
      case DeviceSort::kOutOfRange:
        return static_cast<double>(p->out_of_range);
      default:
        return 0;
    }
  };
  auto less = [&](const DeviceProfile* a, const DeviceProfile* b) {
    if (sort == DeviceSort::kDeviceId) return a->device_id < b->device_id;
    if (sort == DeviceSort::kLastSeen) {
      if (a->last_seen_ms != b->last_seen_ms) return a->last_seen_ms < b->last_seen_ms;
      return a->device_id < b->device_id;
    }
    const double ka = key(a), kb = key(b);
    if (ka != kb) return ka > kb;
    return a->device_id < b->device_id;
  };
  const size_t n = std::min(limit, all.size());
  std::partial_sort(all.begin(), all.begin() + n, all.end(), less);
  std::vector<DeviceProfile> out;
  out.reserve(n);
  for (size_t i = 0; i < n; ++i) out.push_back(*all[i]);
  return out;
}

std::optional<DeviceProfile> Monitor::Device(std::string_view device_id) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = devices_.find(device_id);
  if (it == devices_.end()) return std::nullopt;
  return it->second.p;
}

}  // namespace fluxgate::quality
