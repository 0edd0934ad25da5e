// PartFileWriter: exactly-once part files for one (filesystem sink, parallel task).
//
// The caller appends encoded lines per Hive-style partition ("dt=2026-11-25/hr=19", or ""
// for an unpartitioned sink). Each partition has at most one open part file, staged
// (hidden, ".part-<uuid>-<task>-<counter><suffix>.inprogress") until a checkpoint that
// covers it completes; then it is renamed to "part-<uuid>-<task>-<counter><suffix>" in
// the same directory. A file *rolls* — closes and becomes pending — when it would exceed
// max_file_bytes, has been open rollover_interval_ms, or got no write for
// inactivity_interval_ms (Flink's sink.rolling-policy.*). Time only moves through
// OnTime(now_ms): there are no threads and no clock reads inside.
//
// Two-phase commit (docs/design/store.md):
//   PrepareCommit(n)  persists every open file and returns the writer's state S_n: the
//                     uuid and next counter, each open file with its durable length, and
//                     every pending file not yet published (closed before n, or earlier
//                     pending ones whose commit never ran). The caller stores S_n in
//                     checkpoint n.
//   Commit(n)         once checkpoint n is durable: publishes the pending files of every
//                     checkpoint <= n. Idempotent.
//   Restore(S_n)      after a crash, from the last *complete* checkpoint: publishes S_n's
//                     pending files (their checkpoint completed, so they are output even
//                     if Commit(n) never ran; one that is gone altogether was published
//                     and then expired or compacted away, and is skipped), truncates S_n's open
//                     files to their recorded length and keeps appending to them, and aborts every
//                     other staged file of this (uuid, task) — bytes written after checkpoint n,
//                     which the source replays.
//   StartFresh()      a start with no checkpoint: aborts this (uuid, task)'s staged files
//                     and numbers new files after its published ones.
// Invariant: replaying the input after checkpoint n into a writer restored from S_n
// publishes every line exactly once, whatever point the previous run crashed at.
//
// Encoded files (PartFileEncoder, one per open file): compressed line formats end a
// gzip member / zstd frame at every Persist, so each durable length is a valid file a
// resume can continue with a fresh encoder; bulk formats (Parquet) cannot be continued
// after their footer, so with roll_on_checkpoint every PrepareCommit rolls every open file
// (Flink's OnCheckpointRollingPolicy) and the state never holds an open file.
//
// After any failed I/O the writer refuses further work (its files' state is unknown): the
// caller recreates it and restores from the last complete checkpoint.
//
// Thread-safety: none; one task thread owns a writer. The ObjectStore must outlive it.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "store/object_store.h"

namespace fluxgate::store {

// Turns what the caller appends into one part file's bytes. A new encoder starts every
// file, and every resumed one (the resumed bytes end at a Sync point).
// Thread-safety: none; owned by the writer's thread.
class PartFileEncoder {
 public:
  virtual ~PartFileEncoder() = default;
  // Appends the encoding of `input` (the bytes given to PartFileWriter::Append) to `out`.
  [[nodiscard]] virtual Status Encode(std::string_view input, std::string& out) = 0;
  // Before each Persist: appends what makes the bytes so far a complete file that more
  // bytes may follow (end of a gzip member or zstd frame). Nothing when nothing is open.
  [[nodiscard]] virtual Status Sync(std::string& out) = 0;
  // Before the file closes: appends its last bytes (end of stream, Parquet footer).
  [[nodiscard]] virtual Status Finish(std::string& out) = 0;
  // Input taken in but not yet handed out as bytes (counts toward the file's size).
  virtual uint64_t buffered_bytes() const { return 0; }
};
using PartFileEncoderFactory = std::function<Result<std::unique_ptr<PartFileEncoder>>()>;

struct PartFileWriterOptions {
  // Part of every file name. Empty: a random UUID. Restore adopts the checkpoint's uuid.
  // A uuid derived from the job's identity lets StartFresh find an earlier run's leftovers.
  std::string uuid;
  uint32_t task = 0;                              // parallel task index
  std::string suffix;                             // e.g. ".json"; [A-Za-z0-9._-]
  uint64_t max_file_bytes = 128ull << 20;         // sink.rolling-policy.file-size
  int64_t rollover_interval_ms = 30 * 60 * 1000;  // ...rollover-interval; <= 0: never
  int64_t inactivity_interval_ms = 0;             // ...inactivity-interval; <= 0: never
  // Open part files (one per partition being written). When a new partition would pass
  // the limit, kRollLeastRecent closes the least recently written file (counted in
  // stats().rolled_open_file_limit); kFail returns LimitExceeded and writes nothing.
  size_t max_open_files = 64;
  enum class OpenFileLimit {
    kRollLeastRecent,
    kFail
  } on_open_file_limit = OpenFileLimit::kRollLeastRecent;
  std::string success_file_name = "_SUCCESS";  // sink.partition-commit.success-file.name
  // Empty: bytes are written as given. Otherwise each file's bytes go through its own
  // encoder; size limits then apply to encoded bytes (plus the encoder's buffered input).
  PartFileEncoderFactory encoder;
  // Bulk formats: every PrepareCommit rolls every open file (counted in rolled_checkpoint).
  bool roll_on_checkpoint = false;
};

struct PartFileWriterStats {
  uint64_t bytes_written = 0;  // bytes appended (encoded) by this instance (replays count again)
  uint64_t appends = 0;
  uint64_t files_opened = 0;
  uint64_t rolled_size = 0;
  uint64_t rolled_rollover = 0;
  uint64_t rolled_inactivity = 0;
  uint64_t rolled_open_file_limit = 0;
  uint64_t rolled_close = 0;       // CloseAll
  uint64_t rolled_checkpoint = 0;  // roll_on_checkpoint
  uint64_t files_published = 0;    // by Commit and Restore
  uint64_t staged_aborted = 0;     // stale staged files removed by Restore / StartFresh
  uint64_t pending_gone = 0;       // Restore: checkpointed files published and removed since
  uint64_t open_files = 0;         // now
  uint64_t pending_files = 0;      // now: closed, not yet published
};

class PartFileWriter {
 public:
  // `store` is not owned. Keys are <base_prefix>/<partition>/<file name> in `bucket`.
  // `now_ms` starts the writer's clock (see OnTime).
  static Result<std::unique_ptr<PartFileWriter>> Create(ObjectStore* store, std::string bucket,
                                                        std::string base_prefix,
                                                        PartFileWriterOptions options,
                                                        int64_t now_ms);
  ~PartFileWriter();  // drops open files without persisting: a crash, as far as output goes

  // Appends `bytes` (one or more whole encoded lines) to the partition's open file,
  // opening or rolling one as needed. `partition` is relative, '/'-separated, no segment
  // empty or starting with '.'.
  [[nodiscard]] Status Append(std::string_view partition, std::string_view bytes);
  // Like Append, but `encode` writes into the partition's open file through its encoder
  // (options.encoder must be set): for bulk formats whose input is not bytes, e.g.
  // rows the caller hands its own PartFileEncoder subclass. `encode` appends the encoded
  // bytes to `out`; the writer then rolls the file if it reached max_file_bytes.
  using EncodeFn = std::function<Status(PartFileEncoder& encoder, std::string& out)>;
  [[nodiscard]] Status AppendEncoded(std::string_view partition, const EncodeFn& encode);
  // Advances the writer's clock (never backwards) and rolls files past the rollover or
  // inactivity interval. Files opened or written after this use `now_ms` as their time.
  [[nodiscard]] Status OnTime(int64_t now_ms);
  // Rolls every open file (a graceful stop: the next checkpoint publishes them all).
  [[nodiscard]] Status CloseAll();

  [[nodiscard]] Result<std::string> PrepareCommit(uint64_t checkpoint_id);
  [[nodiscard]] Status Commit(uint64_t checkpoint_id);
  // Only on a writer that has not written yet. The state's task and suffix must match
  // the options (a changed parallelism or format is not supported).
  [[nodiscard]] Status Restore(std::string_view state);
  [[nodiscard]] Status StartFresh();

  // Aborts the staged files under bucket/base_prefix whose names match: uuid (empty: any)
  // and task (nullopt: any), with `suffix`. Returns how many it removed.
  struct StagedSelector {
    std::string uuid;
    std::optional<uint32_t> task;
    std::string suffix;
  };
  static Result<uint64_t> AbortAll(ObjectStore* store, std::string_view bucket,
                                   std::string_view base_prefix, const StagedSelector& selector);

  // sink.partition-commit.policy.kind = success-file: writes an empty marker file into the
  // partition's directory (the caller decides when a partition is complete).
  [[nodiscard]] Status WriteSuccessFile(std::string_view partition);

  PartFileWriterStats stats() const;
  const std::string& uuid() const { return options_.uuid; }
  uint64_t next_counter() const { return counter_; }

 private:
  struct OpenFile {
    uint64_t counter = 0;
    std::unique_ptr<StagedWriter> writer;
    std::unique_ptr<PartFileEncoder> encoder;  // null: bytes as given
    int64_t opened_at_ms = 0;
    int64_t last_write_ms = 0;
  };
  struct PendingFile {
    std::optional<uint64_t> checkpoint_id;  // nullopt: closed since the last PrepareCommit
    std::string partition;
    uint64_t counter = 0;
    StagedObject handle;
  };
  enum class RollReason { kSize, kRollover, kInactivity, kOpenFileLimit, kClose, kCheckpoint };

  PartFileWriter(ObjectStore* store, std::string bucket, std::string base_prefix,
                 PartFileWriterOptions options, int64_t now_ms);

  std::string KeyFor(std::string_view partition, uint64_t counter) const;
  std::string StagedPrefix() const;
  Status OpenFor(std::string_view partition);
  Status NewEncoder(OpenFile& f);
  // Writes encoder output to the file; then rolls the file when it reached the size limit.
  Status WriteEncoded(std::map<std::string, OpenFile, std::less<>>::iterator it,
                      std::string_view bytes, size_t counted);
  uint64_t FileSize(const OpenFile& f) const;
  // Closes the partition's file into pending_ and erases it from open_.
  Status Roll(std::map<std::string, OpenFile, std::less<>>::iterator it, RollReason why);
  Status Fail(Status st);  // records the first I/O failure; later calls return it
  bool Pristine() const;

  ObjectStore* store_;  // not owned
  const std::string bucket_;
  const std::string base_prefix_;  // no leading or trailing '/'
  PartFileWriterOptions options_;
  int64_t now_ms_;
  uint64_t counter_ = 0;  // next file's counter; every file of this writer has a smaller one
  std::map<std::string, OpenFile, std::less<>> open_;  // by partition
  std::vector<PendingFile> pending_;                   // in close order
  PartFileWriterStats stats_;
  Status failed_;
  std::string scratch_;   // encoder output on its way into a file
  bool started_ = false;  // Restore/StartFresh ran or something was written
};

}  // namespace fluxgate::store
