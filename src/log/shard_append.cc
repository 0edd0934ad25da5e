// The write half of a shard: Append (any thread, encodes into the pending buffer) and
// Flush (the commit thread or a sync-pool thread, one at a time per shard: one write per
// segment touched, fdatasync, publish). Flushes of different shards run concurrently;
// what they share is thread-safe: PendingBatch holds are atomic and FailParts writes only
// the results of its own shard's records.
//
// The append path does no syscalls and no per-record allocation: frames are encoded
// straight into a reused buffer, and index entries / segment rolls are recorded as marks
// so the commit thread can apply them without re-parsing.
#include <algorithm>

#include "common/logging.h"
#include "log/frame.h"
#include "log/shard.h"

namespace fluxgate::log {
namespace {

void Fail(AppendResult& res, const char* code, std::string message) {
  res.ok = false;
  res.error_code = code;
  res.error_message = std::move(message);
}

}  // namespace

void Shard::Append(std::span<const uint32_t> which, std::span<const AppendRecord> records,
                   PendingBatch* batch, AppendContext& ctx, AppendOutcome* out) {
  const LogOptions& o = *ctx.options;
  std::lock_guard<std::mutex> lock(mu_);
  // One arrival time per batch part, never behind the previous record: the time index
  // and AT_TIMESTAMP reads rely on per-shard monotonic time.
  const int64_t arrival = std::max(last_arrival_ms_, ctx.now_ms);
  const int64_t sec = ctx.now_ms / 1000;
  if (sec != rate_window_sec_) {
    rate_window_sec_ = sec;
    rate_records_ = 0;
    rate_bytes_ = 0;
  }
  const size_t pending_before = pending_.size();
  uint32_t accepted = 0;
  uint64_t accepted_bytes = 0;
  for (uint32_t idx : which) {
    const AppendRecord& r = records[idx];
    AppendResult& res = batch->results[idx];
    const size_t fsz = FrameSize(r.partition_key.size(), r.data.size());
    const uint64_t user_bytes = r.partition_key.size() + r.data.size();
    if (broken_) {
      Fail(res, "InternalFailure", "Internal service failure.");
      continue;
    }
    if (fsz > ctx.pending_budget) {
      Fail(res, "ProvisionedThroughputExceededException",
           "Rate exceeded for shard " + ShardIdFor(index_) + " in stream " + *ctx.stream_name +
               " under account " + o.account_id + ". (write queue full)");
      continue;
    }
    if ((o.shard_write_records_per_sec != 0 && rate_records_ + 1 > o.shard_write_records_per_sec) ||
        (o.shard_write_bytes_per_sec != 0 &&
         rate_bytes_ + user_bytes > o.shard_write_bytes_per_sec)) {
      Fail(res, "ProvisionedThroughputExceededException",
           "Rate exceeded for shard " + ShardIdFor(index_) + " in stream " + *ctx.stream_name +
               " under account " + o.account_id + ".");
      continue;
    }
    if (write_pos_ > kSegmentHeaderBytes && write_pos_ + fsz > o.segment_bytes) {
      marks_.push_back({Mark::kRoll, pending_.size(), next_offset_, last_arrival_ms_, 0});
      write_pos_ = kSegmentHeaderBytes;
      last_index_pos_ = kNoIndexYet;
    }
    if (last_index_pos_ == kNoIndexYet || write_pos_ - last_index_pos_ >= o.index_interval_bytes) {
      marks_.push_back({Mark::kIndex, pending_.size(), next_offset_, arrival, write_pos_});
      last_index_pos_ = write_pos_;
    }
    EncodeFrame(next_offset_, arrival, r.partition_key, r.data, pending_);
    res.ok = true;
    res.offset = next_offset_;
    res.arrival_ms = arrival;
    ++next_offset_;
    write_pos_ += fsz;
    last_arrival_ms_ = arrival;
    ctx.pending_budget -= fsz;
    ++rate_records_;
    rate_bytes_ += user_bytes;
    accepted_bytes += user_bytes;
    ++accepted;
  }
  out->accepted = accepted;
  out->bytes = pending_.size() - pending_before;
  if (accepted > 0) {
    appended_records_.fetch_add(accepted, std::memory_order_relaxed);
    appended_bytes_.fetch_add(accepted_bytes, std::memory_order_relaxed);
    batch->holds.fetch_add(1, std::memory_order_relaxed);
    parts_.push_back(batch);
    unresolved_.fetch_add(accepted, std::memory_order_release);
    if (!dirty_) {
      dirty_ = true;
      out->became_dirty = true;
    }
  }
}

Status Shard::WriteAndSync(bool sync, std::vector<std::shared_ptr<Segment>>* created) {
  std::shared_ptr<Segment> active;
  {
    std::lock_guard<std::mutex> lock(seg_mu_);
    active = segments_.back();
  }
  File* cur = active->file();
  size_t pos = 0;
  for (const Mark& m : flushing_marks_) {
    if (m.kind != Mark::kRoll) continue;
    if (m.pending_pos > pos) {
      FG_RETURN_IF_ERROR(cur->Append(std::string_view(flushing_).substr(pos, m.pending_pos - pos)));
    }
    if (sync) FG_RETURN_IF_ERROR(cur->Sync());
    FG_ASSIGN_OR_RETURN(std::unique_ptr<Segment> seg, Segment::Create(env_, dir_, m.offset));
    created->push_back(std::shared_ptr<Segment>(std::move(seg)));
    cur = created->back()->file();
    pos = m.pending_pos;
  }
  if (pos < flushing_.size()) {
    FG_RETURN_IF_ERROR(cur->Append(std::string_view(flushing_).substr(pos)));
  }
  if (sync) FG_RETURN_IF_ERROR(cur->Sync());
  return Status::Ok();
}

void Shard::FailParts(std::vector<PendingBatch*>& parts, const std::string& message,
                      std::vector<PendingBatch*>* completed) {
  for (PendingBatch* b : parts) {
    for (AppendResult& r : b->results) {
      // shard_index is set before any part is queued; `ok` of records routed to other
      // shards may be written concurrently by Append, so read it only for ours.
      if (r.shard_index == index_ && r.ok) Fail(r, "InternalFailure", message);
    }
    if (b->Release()) completed->push_back(b);
  }
  parts.clear();
}

FlushOutcome Shard::Flush(bool sync, std::vector<PendingBatch*>* completed) {
  FlushOutcome out;
  ShardOffset end;
  int64_t newest;
  {
    std::lock_guard<std::mutex> lock(mu_);
    flushing_.clear();
    flushing_marks_.clear();
    flushing_parts_.clear();
    // Swapping keeps both buffers' capacity: steady state allocates nothing.
    pending_.swap(flushing_);
    marks_.swap(flushing_marks_);
    parts_.swap(flushing_parts_);
    end = next_offset_;
    newest = last_arrival_ms_;
    dirty_ = false;
  }
  out.bytes = flushing_.size();
  if (flushing_.empty()) return out;

  std::shared_ptr<Segment> active;
  ShardOffset old_end;
  {
    std::lock_guard<std::mutex> lock(seg_mu_);
    active = segments_.back();
    old_end = committed_end_;
  }
  const uint64_t start_size = active->size;  // only Flush changes it
  std::vector<std::shared_ptr<Segment>> created;
  Status st = WriteAndSync(sync, &created);
  if (!st.ok()) {
    auto logger = GetLogger("log");
    logger->error("{}: write/sync failed, failing {} unacknowledged records: {}", dir_,
                  end - old_end, st.ToString());
    // Put the files back to the last durable state so later appends continue densely
    // after it. Everything queued meanwhile was encoded with offsets past the failed
    // ones, so it fails too.
    Status t = active->file()->Truncate(start_size);
    for (const auto& seg : created) (void)seg->DeleteFiles(env_);
    std::vector<PendingBatch*> later;
    {
      std::lock_guard<std::mutex> lock(mu_);
      out.bytes += pending_.size();
      pending_.clear();
      marks_.clear();
      later.swap(parts_);
      unresolved_.fetch_sub(next_offset_ - old_end, std::memory_order_release);
      next_offset_ = old_end;
      write_pos_ = start_size;
      last_index_pos_ =
          active->index.empty() ? kNoIndexYet : active->index.entries().back().position;
      if (!t.ok()) {
        broken_ = true;
        logger->error(
            "{}: cannot truncate after failed write ({}); shard refuses appends "
            "until restart",
            dir_, t.ToString());
      }
    }
    const std::string msg = "Internal service failure (" + st.message() + ").";
    FailParts(flushing_parts_, msg, completed);
    FailParts(later, msg, completed);
    out.failed = true;
    return out;
  }

  {
    std::lock_guard<std::mutex> lock(seg_mu_);
    Segment* cur = active.get();
    uint64_t cur_start = start_size;  // file size of `cur` before this flush
    uint64_t seg_from = 0;            // pending position where `cur`'s bytes begin
    size_t next_created = 0;
    for (const Mark& m : flushing_marks_) {
      if (m.kind == Mark::kRoll) {
        cur->size = cur_start + (m.pending_pos - seg_from);
        cur->end_offset = m.offset;
        cur->max_arrival_ms = std::max(cur->max_arrival_ms, m.arrival_ms);
        segments_.push_back(created[next_created]);
        cur = created[next_created++].get();
        cur_start = kSegmentHeaderBytes;
        seg_from = m.pending_pos;
      } else {
        cur->index.Add({m.offset, m.arrival_ms, m.segment_pos});
      }
    }
    cur->size = cur_start + (flushing_.size() - seg_from);
    cur->end_offset = end;
    cur->max_arrival_ms = std::max(cur->max_arrival_ms, newest);
    committed_end_ = end;
    newest_arrival_ms_ = newest;
  }
  // Seal the segments this flush rolled past: their contents are final and synced.
  if (!created.empty()) {
    auto seal = [&](const Segment& s) {
      Status ws = s.WriteIndex(env_);
      if (!ws.ok()) {
        GetLogger("log")->warn("{}: index write failed (rebuilt at next start): {}", dir_,
                               ws.ToString());
      }
    };
    seal(*active);
    for (size_t i = 0; i + 1 < created.size(); ++i) seal(*created[i]);
  }
  unresolved_.fetch_sub(end - old_end, std::memory_order_release);
  for (PendingBatch* b : flushing_parts_) {
    if (b->Release()) completed->push_back(b);
  }
  flushing_parts_.clear();
  return out;
}

}  // namespace fluxgate::log
