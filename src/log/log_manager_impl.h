// LogManagerImpl: the LogManager behind LogManager::Open. Private to src/log.
//
// Its member functions are spread by job: log_manager.cc (open, recovery, streams,
// reads, close), group_commit.cc (Append and the commit thread), resharding.cc,
// retention.cc.
//
// Threading (see also stream.h, shard.h):
//   streams_mu_  guards streams_ and creating_ (the name -> Stream map); held briefly.
//   commit_mu_   guards dirty_, ready_, stop_commit_; commit_cv_ wakes the commit
//                thread, flushed_cv_ is notified after every commit cycle.
//   The commit thread hands each round's dirty shards to sync_pool_'s threads (one
//   shard per thread at a time) and waits for them before running callbacks; the pool
//   threads take only Shard::mu_ and Shard::seg_mu_ of the shard they flush.
//   retention_mu_ guards stop_retention_.
//   close_mu_    serialises Close().
// Lock order: Stream::mu -> Shard::mu_ -> Shard::seg_mu_; commit_mu_ is never held while
// taking any other lock, and the commit thread never takes a Stream::mu.
#pragma once

#include <atomic>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "log/env.h"
#include "log/log_manager.h"
#include "log/pending_batch.h"
#include "log/shard.h"
#include "log/stream.h"
#include "log/sync_pool.h"

namespace spdlog {
class logger;
}

namespace fluxgate::log {

class LogManagerImpl final : public LogManager {
 public:
  explicit LogManagerImpl(const LogOptions& options);
  ~LogManagerImpl() override;

  Status Recover();  // called once by Open before the threads start
  void StartThreads();

  const RecoveryReport& recovery_report() const override { return report_; }
  const LogOptions& options() const override { return options_; }

  Status CreateStream(const std::string& name, uint32_t shard_count, StreamMode mode,
                      const std::map<std::string, std::string>& tags) override;
  Status DeleteStream(const std::string& name) override;
  Result<StreamMeta> DescribeStream(const std::string& name) const override;
  std::vector<std::string> ListStreams() const override;
  Status SetRetentionHours(const std::string& name, int32_t hours) override;
  Status AddTags(const std::string& name, const std::map<std::string, std::string>& tags) override;
  Status RemoveTags(const std::string& name, const std::vector<std::string>& keys) override;

  Status SplitShard(const std::string& name, uint32_t shard, u128 new_starting_hash_key) override;
  Status MergeShards(const std::string& name, uint32_t shard, uint32_t adjacent) override;
  Status UpdateShardCount(const std::string& name, uint32_t target) override;

  Status Append(const std::string& name, std::span<const AppendRecord> records,
                AppendCallback done) override;
  Result<ReadResult> Read(const std::string& name, uint32_t shard, ShardOffset from,
                          uint32_t max_records, uint64_t max_bytes) const override;
  Status ReadInto(const std::string& name, uint32_t shard, ShardOffset from, uint32_t max_records,
                  uint64_t max_bytes, ReadResult* out) const override;
  Result<ShardOffset> OffsetForTime(const std::string& name, uint32_t shard,
                                    int64_t ts_ms) const override;
  Result<std::pair<ShardOffset, ShardOffset>> ShardBounds(const std::string& name,
                                                          uint32_t shard) const override;
  std::vector<ShardTraffic> Traffic() const override;
  Result<int> EnforceRetention() override;
  Status Close() override;

 private:
  int64_t Now() const { return options_.clock(); }
  std::string StreamDir(const std::string& name) const;
  static std::string ShardDir(const std::string& stream_dir, uint32_t index);
  std::shared_ptr<Stream> FindStream(const std::string& name) const;
  Result<std::shared_ptr<Shard>> FindShard(const std::string& name, uint32_t shard) const;
  // Applies `change` to a copy of the stream's metadata, persists it, then installs it.
  Status UpdateMeta(const std::string& name, const std::function<Status(StreamMeta&)>& change);
  // Blocks until every record accepted for `shards` is durable or failed. The caller
  // holds the stream lock exclusively, so no new records arrive meanwhile.
  void WaitResolved(const std::vector<Shard*>& shards);
  // Closes `parents` and creates `children` (filled in except created_ms/index), under
  // the stream's exclusive lock. Shared by split, merge and update-shard-count.
  Status Reshard(Stream& s, const std::vector<uint32_t>& parents, std::vector<ShardMeta> children);
  Status RecoverStream(const std::string& dir_name);

  void CommitLoop();
  void RetentionLoop();
  void Complete(std::vector<PendingBatch*>& batches);

  LogOptions options_;
  Env* const env_;
  std::shared_ptr<spdlog::logger> logger_;
  RecoveryReport report_;
  int lock_fd_ = -1;  // flock on <data_dir>/LOCK: one process per data directory

  mutable std::mutex streams_mu_;
  std::map<std::string, std::shared_ptr<Stream>> streams_;
  std::set<std::string> creating_;
  std::atomic<uint64_t> trash_seq_{0};

  // Bytes accepted by Append and not yet flushed. Signed: Append adds after queuing, so
  // the commit thread may subtract first and it can dip below zero for a moment.
  std::atomic<int64_t> pending_bytes_{0};

  std::mutex commit_mu_;
  std::condition_variable commit_cv_;
  std::condition_variable flushed_cv_;
  std::vector<std::shared_ptr<Shard>> dirty_;
  std::vector<PendingBatch*> ready_;  // batches with nothing left to flush
  bool stop_commit_ = false;
  std::thread commit_thread_;
  // Flushes a round's dirty shards in parallel; used only by the commit thread. Created
  // before it starts, destroyed after it is joined.
  std::unique_ptr<SyncPool> sync_pool_;

  std::mutex retention_mu_;
  std::condition_variable retention_cv_;
  bool stop_retention_ = false;
  std::thread retention_thread_;

  std::atomic<bool> closing_{false};
  std::mutex close_mu_;
  bool closed_ = false;
};

}  // namespace fluxgate::log
