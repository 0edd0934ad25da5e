// Shard lifecycle after creation: closing (resharding) and retention.
#include "common/logging.h"
#include "log/shard.h"

namespace fluxgate::log {

ShardOffset Shard::Close() {
  std::lock_guard<std::mutex> lock(seg_mu_);
  closed_end_ = committed_end_;
  return committed_end_;
}

bool Shard::closed() const {
  std::lock_guard<std::mutex> lock(seg_mu_);
  return closed_end_.has_value();
}

bool Shard::Empty() const {
  std::lock_guard<std::mutex> lock(seg_mu_);
  return segments_.empty();
}

Result<int> Shard::DropExpired(int64_t cutoff_ms) {
  std::vector<std::shared_ptr<Segment>> victims;
  {
    std::lock_guard<std::mutex> lock(seg_mu_);
    // The commit thread appends to the last segment of an open shard: never drop it.
    const size_t keep = closed_end_ ? 0 : 1;
    while (segments_.size() > keep && segments_.front()->max_arrival_ms < cutoff_ms) {
      victims.push_back(segments_.front());
      segments_.erase(segments_.begin());
    }
  }
  auto logger = GetLogger("log");
  Status first_error;
  for (const auto& s : victims) {
    logger->info("retention: {}: deleted segment {} (offsets {}..{})", dir_, s->base_offset(),
                 s->base_offset(), s->end_offset);
    Status st = s->DeleteFiles(env_);
    if (!st.ok() && !st.IsNotFound() && first_error.ok()) first_error = st;
  }
  if (!first_error.ok()) return first_error;
  return static_cast<int>(victims.size());
}

}  // namespace fluxgate::log
