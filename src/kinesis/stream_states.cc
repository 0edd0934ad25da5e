#include "kinesis/stream_states.h"

namespace fluxgate::kinesis {

const char* StreamStatusName(StreamStatus s) {
  switch (s) {
    case StreamStatus::kCreating:
      return "CREATING";
    case StreamStatus::kActive:
      return "ACTIVE";
    case StreamStatus::kUpdating:
      return "UPDATING";
    case StreamStatus::kDeleting:
      return "DELETING";
  }
  return "ACTIVE";
}

void StreamStates::ExpireLocked(int64_t now_ms) {
  for (auto it = entries_.begin(); it != entries_.end();) {
    if (it->second.until_ms <= now_ms)
      it = entries_.erase(it);
    else
      ++it;
  }
  size_.store(entries_.size(), std::memory_order_relaxed);
}

void StreamStates::MarkCreating(const std::string& name, int64_t until_ms) {
  std::lock_guard lock(mu_);
  entries_[name] = Entry{StreamStatus::kCreating, until_ms, std::nullopt};
  size_.store(entries_.size(), std::memory_order_relaxed);
}

void StreamStates::MarkUpdating(const std::string& name, int64_t until_ms) {
  std::lock_guard lock(mu_);
  entries_[name] = Entry{StreamStatus::kUpdating, until_ms, std::nullopt};
  size_.store(entries_.size(), std::memory_order_relaxed);
}

void StreamStates::MarkDeleting(log::StreamMeta snapshot, int64_t until_ms) {
  std::lock_guard lock(mu_);
  std::string name = snapshot.name;
  entries_[name] = Entry{StreamStatus::kDeleting, until_ms, std::move(snapshot)};
  size_.store(entries_.size(), std::memory_order_relaxed);
}

void StreamStates::Forget(const std::string& name) {
  std::lock_guard lock(mu_);
  entries_.erase(name);
  size_.store(entries_.size(), std::memory_order_relaxed);
}

StreamStatus StreamStates::StatusOf(std::string_view name, int64_t now_ms) {
  if (size_.load(std::memory_order_relaxed) == 0) return StreamStatus::kActive;
  std::lock_guard lock(mu_);
  auto it = entries_.find(name);
  if (it == entries_.end()) return StreamStatus::kActive;
  if (it->second.until_ms <= now_ms) {
    entries_.erase(it);
    size_.store(entries_.size(), std::memory_order_relaxed);
    return StreamStatus::kActive;
  }
  return it->second.status;
}

std::optional<log::StreamMeta> StreamStates::Deleting(std::string_view name, int64_t now_ms) {
  if (size_.load(std::memory_order_relaxed) == 0) return std::nullopt;
  std::lock_guard lock(mu_);
  ExpireLocked(now_ms);
  auto it = entries_.find(name);
  if (it == entries_.end() || it->second.status != StreamStatus::kDeleting) return std::nullopt;
  return it->second.snapshot;
}

std::vector<std::string> StreamStates::DeletingNames(int64_t now_ms) {
  std::vector<std::string> names;
  std::lock_guard lock(mu_);
  ExpireLocked(now_ms);
  for (const auto& [name, e] : entries_)
    if (e.status == StreamStatus::kDeleting) names.push_back(name);
  return names;
}

int StreamStates::CreatingCount(int64_t now_ms) {
  std::lock_guard lock(mu_);
  ExpireLocked(now_ms);
  int n = 0;
  for (const auto& [name, e] : entries_) n += e.status == StreamStatus::kCreating;
  return n;
}

}  // namespace fluxgate::kinesis
