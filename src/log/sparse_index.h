// SparseIndex: one entry every index_interval_bytes of a segment, searchable by offset
// and by arrival time.
//
// Arrival times are made monotonic per shard at append (max(previous, now)), so the same
// entry list is sorted by offset and by time at once: one array serves both lookups and
// both stay O(log n). Not thread-safe; the owning Shard guards it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "log/types.h"

namespace fluxgate::log {

struct IndexEntry {
  ShardOffset offset = 0;
  int64_t arrival_ms = 0;
  uint64_t position = 0;  // byte position of the frame in the segment file
};

// What a sealed segment's .idx file records besides the entries, so opening a segment
// needs no scan.
struct SegmentSummary {
  ShardOffset base_offset = 0;
  ShardOffset end_offset = 0;  // one past the last record
  uint64_t size_bytes = 0;     // segment file size the index was built for
  int64_t max_arrival_ms = 0;  // arrival time of the newest record (0 if none)
};

class SparseIndex {
 public:
  void Add(const IndexEntry& e) { entries_.push_back(e); }
  void Clear() { entries_.clear(); }
  const std::vector<IndexEntry>& entries() const { return entries_; }
  bool empty() const { return entries_.empty(); }

  // Position of the last entry with offset <= `offset`, or `fallback` if none.
  uint64_t PositionForOffset(ShardOffset offset, uint64_t fallback) const;
  // Position of the last entry with arrival_ms < ts_ms, or `fallback` if none: every
  // record at or after ts_ms lies at or after it.
  uint64_t PositionForTime(int64_t ts_ms, uint64_t fallback) const;

  // .idx file codec (docs/formats/log.md). Decode returns Corruption on any mismatch.
  std::string Encode(const SegmentSummary& summary) const;
  static Status Decode(std::string_view bytes, SegmentSummary* summary, SparseIndex* index);

 private:
  std::vector<IndexEntry> entries_;  // strictly increasing offset, non-decreasing time
};

}  // namespace fluxgate::log
