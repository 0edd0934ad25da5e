// Lifecycle of what file sinks write: per-prefix retention (expiry) and compaction of
// small files into larger ones (docs/design/store.md "Lifecycle").
//
// RunLifecycle(store, rule, now) makes one pass over the rule's prefix:
//   1. recovery: finishes or undoes compactions a crash interrupted (see below);
//   2. expiry: deletes every object of a partition whose time span ended more than
//      expire_after_ms ago. A partition's time comes from its Hive path (year=/month=/
//      day=/hour=, or dt=/date=YYYY-MM-DD with hr=/hour=), so it is the data's time and the
//      same on every store; a key without one falls back to the object's last-modified
//      time when the store reports it, and is otherwise kept;
//   3. compaction: in each *closed* partition (its time span ended compact_min_age_ms ago,
//      so sinks rarely still add to it) with at least compact_min_files data files of one
//      format, merges runs of files (in key order, up to compact_target_bytes each) into
//      one: JSON Lines and gzip/zstd line files by concatenation (members and frames
//      concatenate), Parquet by parquet::MergeFiles (row groups copied, no decoding).
//
// Crash safety of a merge (inputs I1..In in directory D, id = hash of their keys):
//   a. Put D/_compaction-<id>: the output key and every input key (atomic);
//   b. write D/compacted-<id><suffix> as a staged object and publish it (atomic);
//   c. delete I1..In; d. delete the manifest.
// A crash before (b) published leaves the inputs as they were: recovery aborts the staged
// output and deletes the manifest. A crash after (b) leaves the output and some inputs:
// recovery deletes the remaining inputs (roll forward). Readers that skip '_' names (Hive,
// Spark, DuckDB globs of *.parquet, fluxgate's file source) never see the manifest; between
// (b) and (c) — normally milliseconds, after a crash until the next pass — a reader
// listing the partition may see rows twice. Compaction never changes a file's rows, only
// which object holds them, so no row is lost or duplicated once a pass completes.
// Files a sink publishes while a pass runs are not inputs (only listed files are), and a
// sink restoring a checkpoint whose published files were merged away skips them
// (PartFileWriter::Restore), so compaction cannot make a sink fail or publish twice.
//
// Thread-safety: RunLifecycle is reentrant; two passes over the same prefix at once are
// not supported (one LifecycleTask per node runs them in turn).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"
#include "store/object_store.h"

namespace fluxgate::store {

struct LifecycleRule {
  std::string bucket;           // the store's bucket ("" for a plain directory)
  std::string prefix;           // key prefix, no leading or trailing '/'
  int64_t expire_after_ms = 0;  // 0: never expire
  bool compact = false;
  uint32_t compact_min_files = 10;  // >= 2
  uint64_t compact_target_bytes = 128ull << 20;
  int64_t compact_min_age_ms = 3'600'000;
};

struct LifecycleStats {
  uint64_t expired_objects = 0;
  uint64_t expired_bytes = 0;
  uint64_t undated_kept = 0;      // keys with no partition time and no last-modified time
  uint64_t compactions = 0;       // merged files written
  uint64_t compacted_inputs = 0;  // files merged into them (and deleted)
  uint64_t compacted_bytes = 0;   // bytes of those inputs
  uint64_t rolled_forward = 0;    // interrupted compactions finished by recovery
  uint64_t rolled_back = 0;       // interrupted compactions undone by recovery
  uint64_t merge_failures = 0;    // merges refused (e.g. Parquet schemas differ): inputs kept
};

// The UTC time span [start_ms, end_ms) of the Hive partition a key (its whole path, the
// rule's prefix included) lies in; nullopt when its path names no year.
struct PartitionSpan {
  int64_t start_ms = 0;
  int64_t end_ms = 0;
};
std::optional<PartitionSpan> PartitionSpanOf(std::string_view key);

// One pass (recovery, expiry, compaction) over `rule`'s prefix of `store`.
Result<LifecycleStats> RunLifecycle(ObjectStore* store, const LifecycleRule& rule, int64_t now_ms);

}  // namespace fluxgate::store
