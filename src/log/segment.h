// Segment: one file of a shard's log holding a contiguous run of offsets, plus its sparse
// index (kept in memory; written to a .idx file when the segment is sealed).
//
// File: 16-byte header (magic "FGSG", u32 version, u64 base offset), then frames
// (frame.h). Names: <base offset, 20 digits>.seg / .idx (docs/formats/log.md).
//
// Threading: a live segment's mutable fields (size, end_offset, max_arrival_ms, index) are
// guarded by the owning Shard's segment mutex; only the shard's Flush (one thread at a
// time, shard.h) appends to the file. The File itself may be pread by readers concurrently.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "common/status.h"
#include "log/env.h"
#include "log/sparse_index.h"
#include "log/types.h"

namespace fluxgate::log {

inline constexpr uint64_t kSegmentHeaderBytes = 16;

// What a scan found; filled by Segment::ScanAndRepair.
struct ScanStats {
  uint64_t records = 0;
  uint64_t bytes_truncated = 0;  // > 0 when a torn or corrupt tail was cut off
  uint64_t bad_position = 0;     // where the first bad frame started (if truncated)
  std::string reason;            // why it was truncated
};

class Segment {
 public:
  static std::string SegmentPath(const std::string& dir, ShardOffset base);
  static std::string IndexPath(const std::string& dir, ShardOffset base);
  // Parses "<20 digits>.seg"; false for any other name.
  static bool ParseSegmentName(const std::string& name, ShardOffset* base);

  // Creates a new, empty segment file (header written, directory fsync'd).
  static Result<std::unique_ptr<Segment>> Create(Env* env, const std::string& dir,
                                                 ShardOffset base);
  // Opens an existing segment; its summary and index are empty until LoadIndex or
  // ScanAndRepair fills them.
  static Result<std::unique_ptr<Segment>> OpenExisting(Env* env, const std::string& dir,
                                                       ShardOffset base);

  // Loads the .idx file if it exists and matches this file (base, size, checksum).
  // Returns a non-OK status saying why it could not be used.
  Status LoadIndex(Env* env);
  // Reads every frame, checking CRCs and that offsets run base, base+1, ...; rebuilds
  // the index and summary; truncates the file at the first bad frame.
  Status ScanAndRepair(uint32_t index_interval_bytes, ScanStats* stats);
  // Writes the .idx file for the current contents (atomically; not needed for safety,
  // a missing or stale index is rebuilt at the next Open).
  Status WriteIndex(Env* env) const;
  Status DeleteFiles(Env* env) const;

  ShardOffset base_offset() const { return base_; }
  File* file() const { return file_.get(); }
  const std::string& dir() const { return dir_; }

  // Guarded by the owning Shard's segment mutex once live.
  uint64_t size = kSegmentHeaderBytes;  // bytes durable (readable) in the file
  ShardOffset end_offset = 0;           // one past the last readable record
  int64_t max_arrival_ms = 0;           // newest readable record's arrival (0 if none)
  SparseIndex index;

 private:
  Segment(std::string dir, ShardOffset base, std::unique_ptr<File> file)
      : dir_(std::move(dir)), base_(base), file_(std::move(file)) {
    end_offset = base_;
  }

  const std::string dir_;
  const ShardOffset base_;
  const std::unique_ptr<File> file_;
};

}  // namespace fluxgate::log
