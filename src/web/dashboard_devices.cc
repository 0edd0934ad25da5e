#include "web/dashboard_devices.h"

#include <simdjson.h>

#include <algorithm>
#include <chrono>
#include <cmath>

#include "log/log_manager.h"

namespace fluxgate::web {

namespace {

bool ContainsIgnoreCase(std::string_view hay, std::string_view needle) {
  if (needle.empty()) return true;
  auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; };
  return std::search(hay.begin(), hay.end(), needle.begin(), needle.end(),
                     [&](char a, char b) { return lower(a) == lower(b); }) != hay.end();
}

std::string_view StringField(simdjson::dom::object obj, std::string_view key) {
  std::string_view s;
  if (obj[key].get_string().get(s) != simdjson::SUCCESS) return {};
  return s;
}

}  // namespace

std::optional<DeviceOrder> ParseDeviceOrder(std::string_view name) {
  if (name == "device_id" || name == "id") return DeviceOrder::kDeviceId;
  if (name == "value") return DeviceOrder::kValue;
  if (name == "last_seen") return DeviceOrder::kLastSeen;
  if (name == "count") return DeviceOrder::kCount;
  return std::nullopt;
}

DeviceTracker::DeviceTracker(log::LogManager* log, Options options)
    : log_(log), options_(std::move(options)) {}

int64_t DeviceTracker::Now() const {
  if (options_.now_ms) return options_.now_ms();
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

uint64_t DeviceTracker::Poll() {
  if (log_ == nullptr) return 0;
  uint64_t read_total = 0, lag = 0, bytes = 0;
  for (const std::string& stream : options_.streams) {
    auto meta = log_->DescribeStream(stream);
    if (!meta.ok()) continue;
    // A deleted and recreated stream starts its offsets again: forget the old positions.
    auto [created, fresh] = created_ms_.try_emplace(stream, meta->created_ms);
    if (!fresh && created->second != meta->created_ms) {
      created->second = meta->created_ms;
      std::erase_if(next_, [&](const auto& e) { return e.first.first == stream; });
    }
    for (const log::ShardMeta& shard : meta->shards) {
      auto key = std::make_pair(stream, shard.index);
      auto it = next_.find(key);
      if (it == next_.end()) {
        log::ShardOffset start = 0;
        auto at = log_->OffsetForTime(stream, shard.index, Now() - options_.start_back_ms);
        if (at.ok()) start = *at;
        it = next_.emplace(key, start).first;
      }
      while (read_total < options_.max_records_per_poll) {
        Status st = log_->ReadInto(stream, shard.index, it->second, options_.read_batch_records,
                                   4ull << 20, &read_);
        if (!st.ok()) break;
        if (read_.end_offset < it->second) {  // the shard is younger than our position
          it->second = read_.trim_offset;     // (recreated within the same millisecond)
          continue;
        }
        if (!read_.records.empty()) {
          std::lock_guard<std::mutex> lock(mu_);
          for (const log::StoredRecord& rec : read_.records) {
            ObserveLocked(rec.data, rec.arrival_ms);
            bytes += rec.data.size();
          }
        }
        read_total += read_.records.size();
        it->second = std::max(it->second, read_.next_offset);
        if (read_.records.empty() || it->second >= read_.end_offset) break;
      }
      if (read_.end_offset > it->second) lag += read_.end_offset - it->second;
    }
  }
  std::lock_guard<std::mutex> lock(mu_);
  stats_.lag_records = lag;
  stats_.bytes += bytes;
  return read_total;
}

void DeviceTracker::Observe(std::string_view data, int64_t arrival_ms) {
  std::lock_guard<std::mutex> lock(mu_);
  ObserveLocked(data, arrival_ms);
}

void DeviceTracker::ObserveLocked(std::string_view data, int64_t arrival_ms) {
  ++stats_.records;
  // A parser per thread (its buffers are reused), kept out of the header so simdjson stays
  // behind this file. Not on the ingest path: Poll runs on the dashboard's own thread.
  static thread_local simdjson::dom::parser parser;
  simdjson::dom::object obj;
  if (parser.parse(data.data(), data.size()).get_object().get(obj) != simdjson::SUCCESS) {
    ++stats_.skipped;
    return;
  }
  std::string_view id = StringField(obj, "device_id");
  double value = 0;
  auto v = obj["value"];
  if (id.empty() || v.get_double().get(value) != simdjson::SUCCESS) {
    int64_t iv = 0;
    if (id.empty() || v.get_int64().get(iv) != simdjson::SUCCESS) {
      ++stats_.skipped;
      return;
    }
    value = static_cast<double>(iv);
  }
  if (!std::isfinite(value)) {
    ++stats_.skipped;
    return;
  }
  auto it = devices_.find(std::string(id));
  if (it == devices_.end()) {
    if (devices_.size() >= options_.max_devices) {
      ++stats_.untracked;
      return;
    }
    it = devices_.emplace(std::string(id), Tracked{}).first;
    it->second.r.device_id = std::string(id);
    it->second.r.history.reserve(options_.history_points);
  }
  DeviceReading& r = it->second.r;
  r.sensor_type = StringField(obj, "sensor_type");
  r.location = StringField(obj, "location");
  r.unit = StringField(obj, "unit");
  r.timestamp = StringField(obj, "timestamp");
  r.value = value;
  r.last_seen_ms = std::max(r.last_seen_ms, arrival_ms);
  ++r.count;
  if (options_.history_points > 0) {
    if (r.history.size() < options_.history_points) {
      r.history.push_back(value);
    } else {
      r.history[it->second.ring_next] = value;
      it->second.ring_next = (it->second.ring_next + 1) % options_.history_points;
    }
  }

  // Window aggregates by arrival time: [start, start + window_ms).
  const int64_t start =
      arrival_ms - ((arrival_ms % options_.window_ms) + options_.window_ms) % options_.window_ms;
  auto gkey = std::make_pair(r.sensor_type, r.location);
  auto g = groups_.find(gkey);
  if (g == groups_.end()) {
    if (groups_.size() >= options_.max_groups) return;
    g = groups_.emplace(gkey, Group{}).first;
  }
  WindowAggregate& cur = g->second.current;
  if (cur.count > 0 && start < cur.window_start_ms) return;  // older than the open window
  if (cur.count > 0 && start > cur.window_start_ms) {
    // The open window closes; it becomes "previous" only if it is the one just before.
    g->second.previous = start == cur.window_end_ms ? cur : WindowAggregate{};
    cur = WindowAggregate{};
  }
  if (cur.count == 0) {
    cur.sensor_type = r.sensor_type;
    cur.location = r.location;
    cur.window_start_ms = start;
    cur.window_end_ms = start + options_.window_ms;
    cur.min = cur.max = value;
  }
  ++cur.count;
  cur.sum += value;
  cur.min = std::min(cur.min, value);
  cur.max = std::max(cur.max, value);
}

DeviceReading DeviceTracker::Copy(const Tracked& t) {
  DeviceReading r = t.r;
  // Unroll the ring so history is oldest first.
  if (t.ring_next != 0) {
    std::rotate(r.history.begin(), r.history.begin() + static_cast<ptrdiff_t>(t.ring_next),
                r.history.end());
  }
  return r;
}

DevicePage DeviceTracker::Page(const DevicePageQuery& q) const {
  DevicePage page;
  page.offset = q.offset;
  const size_t limit = std::min(q.limit, DevicePageQuery::kMaxLimit);
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<const Tracked*> match;
  match.reserve(devices_.size());
  for (const auto& [id, t] : devices_) {
    if (q.search.empty() || ContainsIgnoreCase(id, q.search) ||
        ContainsIgnoreCase(t.r.sensor_type, q.search) ||
        ContainsIgnoreCase(t.r.location, q.search)) {
      match.push_back(&t);
    }
  }
  page.total = match.size();
  if (q.offset >= match.size() || limit == 0) return page;
  // Ties (and the id order itself) fall back to device_id so pages are stable.
  auto less = [&](const Tracked* a, const Tracked* b) {
    const DeviceReading &x = a->r, &y = b->r;
    switch (q.order) {
      case DeviceOrder::kValue:
        if (x.value != y.value) return q.descending ? x.value > y.value : x.value < y.value;
        break;
      case DeviceOrder::kLastSeen:
        if (x.last_seen_ms != y.last_seen_ms)
          return q.descending ? x.last_seen_ms > y.last_seen_ms : x.last_seen_ms < y.last_seen_ms;
        break;
      case DeviceOrder::kCount:
        if (x.count != y.count) return q.descending ? x.count > y.count : x.count < y.count;
        break;
      case DeviceOrder::kDeviceId:
        return q.descending ? x.device_id > y.device_id : x.device_id < y.device_id;
    }
    return x.device_id < y.device_id;
  };
  const size_t end = std::min(match.size(), q.offset + limit);
  std::partial_sort(match.begin(), match.begin() + static_cast<ptrdiff_t>(end), match.end(), less);
  for (size_t i = q.offset; i < end; ++i) page.devices.push_back(Copy(*match[i]));
  return page;
}

std::vector<DeviceReading> DeviceTracker::Recent(size_t n) const {
  DevicePageQuery q;
  q.order = DeviceOrder::kLastSeen;
  q.descending = true;
  q.limit = n;
  return Page(q).devices;
}

std::vector<WindowAggregate> DeviceTracker::Windows() const {
  std::vector<WindowAggregate> out;
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& [key, g] : groups_) {
    if (g.previous.count > 0) out.push_back(g.previous);
    if (g.current.count > 0) out.push_back(g.current);
  }
  return out;
}

DeviceTrackerStats DeviceTracker::Stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  DeviceTrackerStats s = stats_;
  s.devices = devices_.size();
  return s;
}

}  // namespace fluxgate::web
