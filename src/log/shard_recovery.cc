// Shard::Open: recovery of one shard directory at startup.
//
// Sealed segments with a valid .idx are trusted (they were fully fsync'd before the index
// was written); the last segment and any segment whose index is missing or stale are
// scanned frame by frame, CRCs checked, and cut at the first bad frame. Every repair is
// logged so an operator can see what was lost (only never-acknowledged bytes, unless the
// disk itself lied).
#include <algorithm>

#include "common/logging.h"
#include "log/shard.h"

namespace fluxgate::log {

Result<std::shared_ptr<Shard>> Shard::Open(Env* env, const LogOptions& options,
                                           const std::string& dir, uint32_t index,
                                           std::optional<ShardOffset> closed_end,
                                           RecoveryReport* report) {
  auto logger = GetLogger("log");
  FG_RETURN_IF_ERROR(env->CreateDir(dir));
  FG_ASSIGN_OR_RETURN(auto names, env->ListDir(dir));
  std::vector<ShardOffset> bases;
  for (const std::string& n : names) {
    ShardOffset base;
    if (Segment::ParseSegmentName(n, &base)) {
      bases.push_back(base);
    } else if (n.size() > 4 && n.compare(n.size() - 4, 4, ".tmp") == 0) {
      (void)env->DeleteFile(dir + "/" + n);  // an index write cut short; harmless
    }
  }
  std::sort(bases.begin(), bases.end());

  std::shared_ptr<Shard> shard(new Shard(env, options, dir, index));
  for (size_t i = 0; i < bases.size(); ++i) {
    FG_ASSIGN_OR_RETURN(std::unique_ptr<Segment> seg, Segment::OpenExisting(env, dir, bases[i]));
    const bool last = i + 1 == bases.size();
    bool need_scan = last;
    if (!last) {
      Status st = seg->LoadIndex(env);
      if (!st.ok()) {
        need_scan = true;
        logger->info("recovery: {}: rebuilding index of segment {} ({})", dir, bases[i],
                     st.ToString());
      }
    }
    if (need_scan) {
      ScanStats stats;
      FG_RETURN_IF_ERROR(seg->ScanAndRepair(options.index_interval_bytes, &stats));
      if (stats.bytes_truncated > 0) {
        ++report->torn_tails_truncated;
        report->bytes_truncated += stats.bytes_truncated;
        logger->warn(
            "recovery: {}: truncated segment {} at byte {} ({}), dropping {} bytes; records "
            "before it are intact (a torn tail was never acknowledged; damage further in "
            "means the disk lost synced data)",
            dir, bases[i], stats.bad_position, stats.reason, stats.bytes_truncated);
      }
      if (!last) {
        ++report->indexes_rebuilt;
        Status st = seg->WriteIndex(env);
        if (!st.ok()) logger->warn("recovery: {}: could not write index: {}", dir, st.ToString());
      }
    }
    if (!shard->segments_.empty() && shard->segments_.back()->end_offset != seg->base_offset()) {
      logger->warn("recovery: {}: offsets {}..{} are missing between segments", dir,
                   shard->segments_.back()->end_offset, seg->base_offset());
    }
    report->records += seg->end_offset - seg->base_offset();
    ++report->segments;
    shard->segments_.push_back(std::shared_ptr<Segment>(std::move(seg)));
  }

  shard->closed_end_ = closed_end;
  if (shard->segments_.empty()) {
    if (closed_end) {
      // A closed shard whose segments all expired: nothing left to read.
      shard->committed_end_ = shard->next_offset_ = *closed_end;
      return shard;
    }
    FG_ASSIGN_OR_RETURN(std::unique_ptr<Segment> seg, Segment::Create(env, dir, 0));
    shard->segments_.push_back(std::shared_ptr<Segment>(std::move(seg)));
  }
  const Segment& active = *shard->segments_.back();
  shard->committed_end_ = shard->next_offset_ = active.end_offset;
  shard->write_pos_ = active.size;
  shard->last_index_pos_ =
      active.index.empty() ? kNoIndexYet : active.index.entries().back().position;
  for (const auto& s : shard->segments_) {
    shard->newest_arrival_ms_ = std::max(shard->newest_arrival_ms_, s->max_arrival_ms);
  }
  shard->last_arrival_ms_ = shard->newest_arrival_ms_;
  if (closed_end && *closed_end != shard->committed_end_) {
    logger->warn("recovery: {}: closed at offset {} but data ends at {}", dir, *closed_end,
                 shard->committed_end_);
  }
  return shard;
}

}  // namespace fluxgate::log
