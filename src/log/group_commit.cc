// Append and the group-commit thread.
//
// Append routes a batch, takes each shard's lock once, encodes into the shard's pending
// buffer and returns. The single commit thread takes all dirty shards as one round and
// flushes them side by side on the sync pool (per shard: swap buffers, one write() per
// segment touched, one fdatasync, publish to readers), waits for all of them, then runs
// the callbacks of batches whose every part is durable. Appends arriving while a round
// syncs pile up and share the next one: that is the group commit, and why fsync'd
// throughput depends neither on the number of syscalls per record nor, up to the pool
// size, on the number of shards a batch touches.
#include <algorithm>

#include "common/logging.h"
#include "log/frame.h"
#include "log/log_manager_impl.h"

namespace fluxgate::log {
namespace {

// Per-thread scratch for routing, reused across calls: the hot path allocates nothing
// per record once these have grown to the largest batch seen.
struct RouteScratch {
  std::vector<int> slot;         // route position per record (-1: no shard)
  std::vector<uint32_t> counts;  // records per route position, then prefix offsets
  std::vector<uint32_t> order;   // record indexes grouped by route position
  std::vector<std::shared_ptr<Shard>> newly_dirty;
};

}  // namespace

Status LogManagerImpl::Append(const std::string& name, std::span<const AppendRecord> records,
                              AppendCallback done) {
  for (const AppendRecord& r : records) {
    if (r.partition_key.size() + r.data.size() > options_.max_record_bytes) {
      return Status::InvalidArgument(
          "record of " + std::to_string(r.partition_key.size() + r.data.size()) +
          " bytes exceeds the limit of " + std::to_string(options_.max_record_bytes));
    }
    if (r.partition_key.size() > 0xffff) {
      return Status::InvalidArgument("partition key longer than 65535 bytes");
    }
  }
  std::shared_ptr<Stream> stream = FindStream(name);
  if (!stream) return Status::NotFound("Stream " + name + " not found");

  thread_local RouteScratch scratch;
  auto batch = std::make_unique<PendingBatch>();
  batch->results.resize(records.size());
  batch->done = std::move(done);

  std::shared_lock<std::shared_mutex> lock(stream->mu);
  if (stream->deleted) return Status::NotFound("Stream " + name + " not found");
  if (closing_.load()) return Status::Unavailable("log is closed");

  // Route: one hash per record, then a counting sort by shard so each shard is locked
  // once and sees its records in batch order.
  const size_t nroutes = stream->routes.size();
  scratch.slot.resize(records.size());
  scratch.counts.assign(nroutes + 1, 0);
  for (size_t i = 0; i < records.size(); ++i) {
    const AppendRecord& r = records[i];
    const u128 key = r.explicit_hash_key ? *r.explicit_hash_key : HashPartitionKey(r.partition_key);
    const int slot = stream->RouteFor(key);
    scratch.slot[i] = slot;
    if (slot < 0) {
      batch->results[i].error_code = "InternalFailure";
      batch->results[i].error_message = "No open shard holds the hash key.";
      continue;
    }
    // Set before any part is queued: the commit thread relies on it (pending_batch.h).
    batch->results[i].shard_index = stream->routes[slot].shard->index();
    ++scratch.counts[slot + 1];
  }
  for (size_t k = 1; k <= nroutes; ++k) scratch.counts[k] += scratch.counts[k - 1];
  scratch.order.resize(records.size());
  {
    std::vector<uint32_t>& next = scratch.counts;  // becomes the end of each group
    for (size_t i = 0; i < records.size(); ++i) {
      if (scratch.slot[i] >= 0) scratch.order[next[scratch.slot[i]]++] = static_cast<uint32_t>(i);
    }
  }

  AppendContext ctx;
  ctx.now_ms = Now();
  ctx.stream_name = &stream->name;
  ctx.options = &options_;
  const int64_t queued = pending_bytes_.load(std::memory_order_relaxed);
  ctx.pending_budget =
      queued >= static_cast<int64_t>(options_.max_pending_bytes)
          ? 0
          : options_.max_pending_bytes - static_cast<uint64_t>(std::max<int64_t>(queued, 0));
  scratch.newly_dirty.clear();
  uint32_t begin = 0;
  for (size_t k = 0; k < nroutes; ++k) {
    const uint32_t end = scratch.counts[k];
    if (end == begin) continue;
    AppendOutcome out;
    Shard* shard = stream->routes[k].shard;
    shard->Append(std::span<const uint32_t>(scratch.order.data() + begin, end - begin), records,
                  batch.get(), ctx, &out);
    pending_bytes_.fetch_add(static_cast<int64_t>(out.bytes), std::memory_order_relaxed);
    if (out.became_dirty) scratch.newly_dirty.push_back(stream->shards.at(shard->index()));
    begin = end;
  }
  // Drop Append's own hold; if no part is left in flight the batch is complete now, but
  // callbacks run on the commit thread, so hand it over.
  PendingBatch* b = batch.release();
  const bool last = b->Release();
  if (!scratch.newly_dirty.empty() || last) {
    {
      std::lock_guard<std::mutex> cl(commit_mu_);
      for (auto& s : scratch.newly_dirty) dirty_.push_back(std::move(s));
      if (last) ready_.push_back(b);
    }
    commit_cv_.notify_one();
  }
  scratch.newly_dirty.clear();
  return Status::Ok();
}

void LogManagerImpl::Complete(std::vector<PendingBatch*>& batches) {
  for (PendingBatch* b : batches) {
    std::unique_ptr<PendingBatch> owned(b);
    if (!b->done) continue;
    try {
      b->done(std::move(b->results));
    } catch (const std::exception& e) {
      // A throwing callback must not take the commit thread (and every writer) down.
      logger_->error("append callback threw: {}", e.what());
    } catch (...) {
      logger_->error("append callback threw a non-standard exception");
    }
  }
  batches.clear();
}

void LogManagerImpl::CommitLoop() {
  const bool sync = options_.durability == Durability::kFsync;
  std::vector<std::shared_ptr<Shard>> work;
  std::vector<PendingBatch*> completed;
  // One list of completed batches per dirty shard of a round, filled by whichever pool
  // thread flushes that shard and merged here after the round. Kept across rounds (never
  // shrunk) so the steady state allocates nothing; likewise `flush_one` is built once.
  std::vector<std::vector<PendingBatch*>> round_completed;
  const std::function<void(size_t)> flush_one = [&](size_t i) {
    FlushOutcome out = work[i]->Flush(sync, &round_completed[i]);
    pending_bytes_.fetch_sub(static_cast<int64_t>(out.bytes), std::memory_order_relaxed);
  };
  while (true) {
    {
      std::unique_lock<std::mutex> lock(commit_mu_);
      commit_cv_.wait(lock, [&] { return stop_commit_ || !dirty_.empty() || !ready_.empty(); });
      if (stop_commit_ && dirty_.empty() && ready_.empty()) break;
      work.swap(dirty_);
      completed.insert(completed.end(), ready_.begin(), ready_.end());
      ready_.clear();
    }
    // A shard is queued at most once until its Flush clears its dirty flag, and rounds
    // do not overlap, so no shard is flushed by two threads at once.
    if (round_completed.size() < work.size()) round_completed.resize(work.size());
    sync_pool_->Run(work.size(), flush_one);
    for (size_t i = 0; i < work.size(); ++i) {
      completed.insert(completed.end(), round_completed[i].begin(), round_completed[i].end());
      round_completed[i].clear();
    }
    // Records of this round are readable now: wake jobs waiting for data.
    if (!work.empty()) append_signal().Notify();
    work.clear();
    Complete(completed);
    {
      std::lock_guard<std::mutex> lock(commit_mu_);  // pairs with WaitResolved's predicate
    }
    flushed_cv_.notify_all();
  }
}

}  // namespace fluxgate::log
