// Shard: one shard's log — its segments, the append buffer feeding group commit, and the
// read path.
//
// Offsets (Redpanda's naming): `next_offset_` is the written end (assigned to records in
// the pending buffer), `committed_end_` the readable end (durable). Invariant:
// committed_end_ <= next_offset_, and every offset below committed_end_ is on disk and
// fdatasync'd (with Durability::kFsync).
//
// Threading:
//   mu_      guards the append side (pending buffer, offsets assignment, rate window).
//            Held by Append for one batch part; by the flushing thread only to swap
//            buffers.
//   seg_mu_  guards the segment list and every live Segment's mutable fields, the
//            readable end and the closed state. Held briefly by readers (to locate
//            bytes; the pread happens outside), by the flushing thread to publish, and by
//            retention to drop segments.
//   Flush runs on the commit thread or on one of its sync-pool threads (sync_pool.h),
//   never on two threads at once for the same shard: a shard is in at most one round's
//   work list and rounds are separated by the pool's join. "Flush only" fields are
//   touched by nothing else, so they need no lock; the join orders them across rounds.
// Lock order: mu_ before seg_mu_ (never the reverse).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "common/status.h"
#include "log/env.h"
#include "log/log_manager.h"
#include "log/pending_batch.h"
#include "log/segment.h"
#include "log/types.h"

namespace fluxgate::log {

// Per-call inputs of Shard::Append that come from the manager.
struct AppendContext {
  int64_t now_ms = 0;
  const std::string* stream_name = nullptr;  // for error messages; outlives the call
  const LogOptions* options = nullptr;
  // Backpressure budget: bytes this call may still queue across all its shards.
  uint64_t pending_budget = 0;
};

struct AppendOutcome {
  uint32_t accepted = 0;
  uint64_t bytes = 0;         // encoded bytes queued
  bool became_dirty = false;  // caller must hand the shard to the commit thread
};

// What one commit cycle did to a shard.
struct FlushOutcome {
  uint64_t bytes = 0;  // pending bytes released
  bool failed = false;
};

class Shard {
 public:
  // Opens the shard directory and runs recovery on its segments (creating the first
  // segment of a new shard). `closed_end` is the metadata end offset of a closed shard.
  static Result<std::shared_ptr<Shard>> Open(Env* env, const LogOptions& options,
                                             const std::string& dir, uint32_t index,
                                             std::optional<ShardOffset> closed_end,
                                             RecoveryReport* report);

  uint32_t index() const { return index_; }
  const std::string& dir() const { return dir_; }

  // --- append side (any thread) ---
  // Encodes records[idx] for every idx in `which` into the pending buffer, assigning
  // offsets, unless backpressure, rate limits or a failed shard refuse them. Fills the
  // matching batch->results entries and adds a part to the batch if any was accepted.
  void Append(std::span<const uint32_t> which, std::span<const AppendRecord> records,
              PendingBatch* batch, AppendContext& ctx, AppendOutcome* out);
  // Records accepted but not yet resolved by the commit thread.
  uint64_t unresolved() const { return unresolved_.load(std::memory_order_acquire); }
  // Records and bytes (data + partition key) accepted since the shard was opened in this
  // process (metrics; relaxed: a reader may see a count a batch old).
  uint64_t appended_records() const { return appended_records_.load(std::memory_order_relaxed); }
  uint64_t appended_bytes() const { return appended_bytes_.load(std::memory_order_relaxed); }

  // --- one flushing thread at a time (commit thread or its sync pool) ---
  // Writes and syncs everything pending; publishes it to readers or, on error, fails
  // it. Batches whose last hold was released are appended to `completed`, which belongs
  // to the caller alone. Flushes of different shards may run concurrently.
  FlushOutcome Flush(bool sync, std::vector<PendingBatch*>* completed);

  // --- readers (any thread) ---
  Result<ReadResult> Read(ShardOffset from, uint32_t max_records, uint64_t max_bytes) const;
  // Read into `rr`, reusing its records' string buffers (no allocation once warm).
  Status ReadInto(ShardOffset from, uint32_t max_records, uint64_t max_bytes, ReadResult* rr) const;
  Result<ShardOffset> OffsetForTime(int64_t ts_ms) const;
  std::pair<ShardOffset, ShardOffset> Bounds() const;  // trim, readable end

  // --- lifecycle ---
  // Marks the shard closed at its readable end and returns that offset. The caller
  // has stopped appends and waited for unresolved() == 0.
  ShardOffset Close();
  bool closed() const;
  // Deletes whole segments whose newest record is older than `cutoff_ms` (never the
  // last segment of an open shard). Returns how many were deleted.
  Result<int> DropExpired(int64_t cutoff_ms);
  // True if the shard holds no records any more (all segments dropped).
  bool Empty() const;

 private:
  Shard(Env* env, const LogOptions& options, std::string dir, uint32_t index)
      : env_(env), options_(options), dir_(std::move(dir)), index_(index) {}

  // A position inside the pending buffer where something besides bytes happens.
  struct Mark {
    enum Kind : uint8_t { kIndex, kRoll } kind;
    uint64_t pending_pos;  // byte in the pending buffer this applies before
    ShardOffset offset;    // kIndex: entry offset; kRoll: base of the new segment
    int64_t arrival_ms;    // kIndex: entry time; kRoll: newest arrival before the roll
    uint64_t segment_pos;  // kIndex: position in the segment file
  };
  static constexpr uint64_t kNoIndexYet = ~uint64_t{0};

  void FailParts(std::vector<PendingBatch*>& parts, const std::string& message,
                 std::vector<PendingBatch*>* completed);
  Status WriteAndSync(bool sync, std::vector<std::shared_ptr<Segment>>* created);

  Env* const env_;
  const LogOptions& options_;  // owned by the LogManager, which outlives its shards
  const std::string dir_;
  const uint32_t index_;

  // --- append side, guarded by mu_ ---
  std::mutex mu_;
  std::string pending_;
  std::vector<Mark> marks_;
  std::vector<PendingBatch*> parts_;
  ShardOffset next_offset_ = 0;            // written end
  uint64_t write_pos_ = 0;                 // active segment size once pending_ is written
  uint64_t last_index_pos_ = kNoIndexYet;  // write_pos_ of the active segment's last entry
  int64_t last_arrival_ms_ = 0;            // arrival times are max(previous, now)
  bool dirty_ = false;                     // queued for the commit thread
  bool broken_ = false;                    // an I/O error left the file unrepairable
  int64_t rate_window_sec_ = -1;
  uint64_t rate_records_ = 0;
  uint64_t rate_bytes_ = 0;
  std::atomic<uint64_t> unresolved_{0};
  std::atomic<uint64_t> appended_records_{0};  // metrics: one add per Append call
  std::atomic<uint64_t> appended_bytes_{0};

  // --- Flush only (swapped with the append side under mu_) ---
  std::string flushing_;
  std::vector<Mark> flushing_marks_;
  std::vector<PendingBatch*> flushing_parts_;

  // --- guarded by seg_mu_ ---
  mutable std::mutex seg_mu_;
  // shared_ptr: a reader keeps a segment (and its open file) alive after retention has
  // unlinked it, so reads never race with deletion.
  std::vector<std::shared_ptr<Segment>> segments_;  // ascending base offsets
  ShardOffset committed_end_ = 0;                   // readable end
  int64_t newest_arrival_ms_ = 0;
  std::optional<ShardOffset> closed_end_;
};

}  // namespace fluxgate::log
