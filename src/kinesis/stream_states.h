// StreamStates: the in-memory CREATING / UPDATING / DELETING bookkeeping of the API.
//
// The log knows only whether a stream exists; AWS clients also expect the transitional
// statuses (waiters poll for ACTIVE). Every change is applied to the log at once, and this
// table reports the transitional status until its deadline passes. Deleted streams are
// gone from the log immediately; their last description is kept here so DescribeStream and
// ListStreams show them as DELETING until the deadline (then ResourceNotFound). Nothing
// here is durable: after a restart every stream in the log is ACTIVE.
//
// Thread-safety: all methods may be called concurrently; one mutex guards the table.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "log/types.h"

namespace fluxgate::kinesis {

enum class StreamStatus { kCreating, kActive, kUpdating, kDeleting };
const char* StreamStatusName(StreamStatus s);

class StreamStates {
 public:
  void MarkCreating(const std::string& name, int64_t until_ms);
  void MarkUpdating(const std::string& name, int64_t until_ms);
  void MarkDeleting(log::StreamMeta snapshot, int64_t until_ms);
  // Drops any entry (e.g. when a stream of this name is created again).
  void Forget(const std::string& name);

  // Status of a stream that exists in the log (ACTIVE unless a transition is pending).
  StreamStatus StatusOf(std::string_view name, int64_t now_ms);
  // The snapshot of a stream still reported as DELETING, if any.
  std::optional<log::StreamMeta> Deleting(std::string_view name, int64_t now_ms);
  // Names of every stream still reported as DELETING.
  std::vector<std::string> DeletingNames(int64_t now_ms);
  // Streams currently CREATING (for the "5 streams CREATING" style limits and tests).
  int CreatingCount(int64_t now_ms);

 private:
  struct Entry {
    StreamStatus status;
    int64_t until_ms;
    std::optional<log::StreamMeta> snapshot;  // set for kDeleting
  };
  void ExpireLocked(int64_t now_ms);

  std::mutex mu_;
  std::map<std::string, Entry, std::less<>> entries_;  // GUARDED_BY(mu_)
  // Lets the hot path skip the lock when nothing is in transition (the common case).
  std::atomic<size_t> size_{0};
};

}  // namespace fluxgate::kinesis
