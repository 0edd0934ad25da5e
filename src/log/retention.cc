// Retention: deletes whole segments whose newest record is older than the stream's
// retention period, and forgets closed shards once nothing of them is left.
//
// Whole segments only: no file is ever rewritten, so retention costs one unlink per
// segment and cannot corrupt data. The trim offset (first retained offset) is simply the
// base of the first remaining segment, so it advances with every deletion.
#include "common/logging.h"
#include "log/log_manager_impl.h"
#include "log/meta_store.h"

namespace fluxgate::log {

Result<int> LogManagerImpl::EnforceRetention() {
  const int64_t now = Now();
  std::vector<std::shared_ptr<Stream>> streams;
  {
    std::lock_guard<std::mutex> lock(streams_mu_);
    for (auto& [n, s] : streams_) streams.push_back(s);
  }
  int deleted = 0;
  for (auto& s : streams) {
    int64_t cutoff;
    std::vector<std::pair<ShardMeta, std::shared_ptr<Shard>>> shards;
    {
      std::shared_lock<std::shared_mutex> lock(s->mu);
      if (s->deleted) continue;
      cutoff = now - int64_t{s->meta.retention_hours} * 3'600'000;
      for (const ShardMeta& sm : s->meta.shards) shards.emplace_back(sm, s->shards.at(sm.index));
    }
    std::vector<uint32_t> expired;
    for (auto& [sm, shard] : shards) {
      FG_ASSIGN_OR_RETURN(int n, shard->DropExpired(cutoff));
      deleted += n;
      if (!sm.open() && sm.closed_ms < cutoff && shard->Empty()) expired.push_back(sm.index);
    }
    if (expired.empty()) continue;
    std::unique_lock<std::shared_mutex> lock(s->mu);
    if (s->deleted) continue;
    StreamMeta m = s->meta;
    std::erase_if(m.shards, [&](const ShardMeta& sm) {
      return std::find(expired.begin(), expired.end(), sm.index) != expired.end();
    });
    FG_RETURN_IF_ERROR(WriteStreamMeta(env_, s->dir, m));
    s->meta = std::move(m);
    for (uint32_t i : expired) {
      const std::string dir = s->shards.at(i)->dir();
      s->shards.erase(i);
      logger_->info("retention: stream {}: dropped closed shard {} (every record expired)", s->name,
                    ShardIdFor(i));
      FG_RETURN_IF_ERROR(env_->DeleteDirRecursive(dir));
    }
  }
  return deleted;
}

void LogManagerImpl::RetentionLoop() {
  std::unique_lock<std::mutex> lock(retention_mu_);
  while (!stop_retention_) {
    retention_cv_.wait_for(lock, std::chrono::milliseconds(options_.retention_check_interval_ms),
                           [&] { return stop_retention_; });
    if (stop_retention_) break;
    lock.unlock();
    Result<int> r = EnforceRetention();
    if (!r.ok()) logger_->error("retention failed: {}", r.status().ToString());
    lock.lock();
  }
}

}  // namespace fluxgate::log
