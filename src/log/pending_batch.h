// PendingBatch: the state of one Append() call until every record in it is resolved.
//
// Created by Append, referenced by each shard it touched (one "part" per shard), and
// completed by whoever drops the last hold: each part is one hold, released by the thread
// that flushes that shard (the commit thread or one of its sync-pool threads) once the
// shard's bytes are durable (or failed), and Append keeps one extra hold until it has
// queued every part, so a part finishing early cannot complete the batch. Callbacks
// always run on the commit thread, after the round's flushes have all returned.
//
// Threading: `results[i]` is written by Append before its part is queued and, on failure,
// by the thread flushing record i's shard (parts of one batch on different shards may be
// failed concurrently, each writing only its own shard's entries); the mutexes that hand
// a part over, the acq_rel hold count and the sync pool's join order those writes before
// the callback reads them.
#pragma once

#include <atomic>
#include <vector>

#include "log/log_manager.h"

namespace fluxgate::log {

struct PendingBatch {
  std::vector<AppendResult> results;
  AppendCallback done;
  std::atomic<int> holds{1};

  // Drops one hold; true if this was the last (the caller then completes the batch).
  bool Release() { return holds.fetch_sub(1, std::memory_order_acq_rel) == 1; }
};

}  // namespace fluxgate::log
