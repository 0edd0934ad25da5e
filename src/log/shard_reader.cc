// The read half of a shard: locate bytes under the segment mutex (binary search of the
// segment list and the sparse index), then pread and CRC-check frames without any lock,
// so readers never stall the commit thread.
#include <algorithm>

#include "log/frame.h"
#include "log/shard.h"

namespace fluxgate::log {
namespace {

// A sliding window over one segment file, refilled with pread.
class FrameCursor {
 public:
  FrameCursor(const Segment& seg, uint64_t pos, uint64_t limit)
      : seg_(seg), pos_(pos), limit_(limit), buf_pos_(pos) {}

  bool done() const { return pos_ >= limit_; }
  uint64_t position() const { return pos_; }

  // Decodes the frame at the current position; Corruption names the file and position.
  Status Next(FrameView* f) {
    while (true) {
      const size_t have = static_cast<size_t>(buf_pos_ + buf_.size() - pos_);
      const char* p = buf_.data() + (pos_ - buf_pos_);
      FrameStatus st = have == 0 ? FrameStatus::kIncomplete : DecodeFrame(p, have, f);
      if (st == FrameStatus::kOk) {
        pos_ += f->frame_bytes;
        return Status::Ok();
      }
      // Up to two refills per frame: the first may not even hold the header (so the frame's
      // length is unknown and a frame larger than kChunk stays incomplete); the second is
      // sized from the now-known length. Only then is an incomplete frame a real tear.
      if (st == FrameStatus::kIncomplete && refills_here_ < 2) {
        size_t need = kFrameHeaderBytes;
        if (have >= kFrameHeaderBytes) need += GetU32(p + 4);
        size_t want = std::max<size_t>(need, kChunk);
        want = static_cast<size_t>(std::min<uint64_t>(want, limit_ - pos_));
        buf_.resize(want);
        size_t got = 0;
        FG_RETURN_IF_ERROR(seg_.file()->ReadAt(pos_, want, buf_.data(), &got));
        buf_.resize(got);
        buf_pos_ = pos_;
        ++refills_here_;
        continue;
      }
      return Status::Corruption(
          "bad frame in " + seg_.file()->path() + " at position " + std::to_string(pos_) +
          (st == FrameStatus::kIncomplete ? " (truncated)" : " (checksum or length)"));
    }
  }
  // Call after consuming a frame so the next Next() may refill again.
  void Advance() { refills_here_ = 0; }

 private:
  static constexpr size_t kChunk = 256 << 10;
  const Segment& seg_;
  uint64_t pos_;
  const uint64_t limit_;
  std::string buf_;
  uint64_t buf_pos_;  // file position of buf_[0]; pos_ is always within the window
  int refills_here_ = 0;
};

}  // namespace

Result<ReadResult> Shard::Read(ShardOffset from, uint32_t max_records, uint64_t max_bytes) const {
  ReadResult rr;
  FG_RETURN_IF_ERROR(ReadInto(from, max_records, max_bytes, &rr));
  return rr;
}

Status Shard::ReadInto(ShardOffset from, uint32_t max_records, uint64_t max_bytes,
                       ReadResult* out) const {
  ReadResult& rr = *out;
  size_t n = 0;  // records filled; rr.records beyond n are spare buffers from earlier reads
  rr.shard_drained = false;
  std::vector<std::shared_ptr<Segment>> segs;
  std::vector<uint64_t> limits;  // readable bytes of each segment at snapshot time
  uint64_t start_pos = kSegmentHeaderBytes;
  {
    std::lock_guard<std::mutex> lock(seg_mu_);
    rr.trim_offset = segments_.empty() ? committed_end_ : segments_.front()->base_offset();
    rr.end_offset = committed_end_;
    rr.newest_arrival_ms = newest_arrival_ms_;
    rr.shard_closed = closed_end_.has_value();
    from = std::max(from, rr.trim_offset);
    if (from < committed_end_ && !segments_.empty()) {
      auto it = std::upper_bound(
          segments_.begin(), segments_.end(), from,
          [](ShardOffset o, const std::shared_ptr<Segment>& s) { return o < s->base_offset(); });
      if (it != segments_.begin()) --it;
      start_pos = (*it)->index.PositionForOffset(from, kSegmentHeaderBytes);
      for (; it != segments_.end(); ++it) {
        segs.push_back(*it);
        limits.push_back((*it)->size);
      }
    }
  }
  rr.next_offset = from;
  uint64_t bytes = 0;
  bool full = false;
  for (size_t k = 0; k < segs.size() && !full; ++k) {
    // A gap between segments (only after repairing a damaged sealed segment): skip it.
    if (rr.next_offset < segs[k]->base_offset()) rr.next_offset = segs[k]->base_offset();
    FrameCursor cur(*segs[k], k == 0 ? start_pos : kSegmentHeaderBytes, limits[k]);
    while (!cur.done()) {
      if (n >= max_records || rr.next_offset >= rr.end_offset) {
        full = true;
        break;
      }
      FrameView f;
      FG_RETURN_IF_ERROR(cur.Next(&f));
      cur.Advance();
      if (f.offset < rr.next_offset) continue;  // before `from`: the index is sparse
      if (f.offset >= rr.end_offset) {
        full = true;
        break;
      }
      const uint64_t rec_bytes = f.key.size() + f.data.size();
      if (n > 0 && bytes + rec_bytes > max_bytes) {
        full = true;
        break;
      }
      StoredRecord& rec = n < rr.records.size() ? rr.records[n] : rr.records.emplace_back();
      ++n;
      rec.offset = f.offset;
      rec.arrival_ms = f.arrival_ms;
      rec.partition_key.assign(f.key);
      rec.data.reserve(f.data.size() + kRecordReadPadding);
      rec.data.assign(f.data);
      bytes += rec_bytes;
      rr.next_offset = f.offset + 1;
    }
  }
  rr.records.resize(n);
  rr.shard_drained = rr.shard_closed && rr.next_offset >= rr.end_offset;
  return Status::Ok();
}

Result<ShardOffset> Shard::OffsetForTime(int64_t ts_ms) const {
  std::shared_ptr<Segment> seg;
  uint64_t pos = kSegmentHeaderBytes, limit = 0;
  ShardOffset seg_end = 0;
  {
    std::lock_guard<std::mutex> lock(seg_mu_);
    // Arrival times are monotonic, so segments are ordered by time too.
    auto it = std::partition_point(
        segments_.begin(), segments_.end(),
        [&](const std::shared_ptr<Segment>& s) { return s->max_arrival_ms < ts_ms; });
    if (it == segments_.end()) return committed_end_;
    seg = *it;
    pos = seg->index.PositionForTime(ts_ms, kSegmentHeaderBytes);
    limit = seg->size;
    seg_end = seg->end_offset;
  }
  FrameCursor cur(*seg, pos, limit);
  while (!cur.done()) {
    FrameView f;
    FG_RETURN_IF_ERROR(cur.Next(&f));
    cur.Advance();
    if (f.arrival_ms >= ts_ms) return f.offset;
  }
  return seg_end;
}

std::pair<ShardOffset, ShardOffset> Shard::Bounds() const {
  std::lock_guard<std::mutex> lock(seg_mu_);
  ShardOffset trim = segments_.empty() ? committed_end_ : segments_.front()->base_offset();
  return {trim, committed_end_};
}

}  // namespace fluxgate::log
