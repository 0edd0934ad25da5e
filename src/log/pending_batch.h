// PendingBatch: the state of one Append() call until every record in it is resolved.
//
// Created by Append, referenced by each shard it touched (one "part" per shard), and
// completed by whoever drops the last hold: each part is one hold, released by the commit
// thread once that shard's bytes are durable (or failed), and Append keeps one extra hold
// until it has queued every part, so a part finishing early cannot complete the batch.
// Callbacks always run on the commit thread.
//
// Threading: `results[i]` is written by Append before its part is queued and, on failure,
// by the commit thread; the mutexes that hand a part over order those writes.
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
