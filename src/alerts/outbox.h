// Outbox: the durable queue every alert passes through before delivery. AlertHub::Publish
// appends the alert with the ids of the subscriptions it must reach (Append, fsync'd
// before it returns, fsyncs of concurrent callers grouped); each subscription's worker
// marks it done when it was delivered, dead-lettered or dropped (MarkDone). Opening the
// outbox after a crash (kill -9) hands back every (alert, subscription) not marked done,
// so it is delivered again — at least once.
//
// File: <dir>/outbox.log, a sequence of frames (docs/design/alerts.md "Outbox format"):
//   u32 length (LE) | u32 crc32c(payload) (LE) | payload
//   payload 'A': u64 seq | u16 n | n x (u16 len | subscription id) | encoded Alert
//   payload 'D': u64 seq | subscription id
// A torn or corrupt last frame (a crash mid-write) ends the log; Open truncates it.
// Compaction rewrites the pending alerts into a new file (write, fsync, rename, fsync
// dir) when done frames make up most of the file.
//
// Bounded: Append refuses (LimitExceeded) once the pending alerts' frames reach
// max_bytes; the caller counts and reports it.
//
// Thread-safety: all methods may be called from any thread; mu_ guards the file and the
// pending table. Append's fsync is done by one caller at a time, outside mu_, for every
// frame written so far (group commit).
#pragma once

#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "alerts/alert.h"
#include "common/status.h"

namespace fluxgate::alerts {

// Alert <-> bytes, as the outbox stores it (length-prefixed fields). Decode fails with
// Corruption on a short or malformed buffer.
void EncodeAlert(const Alert& a, std::string& out);
Result<Alert> DecodeAlert(std::string_view in);

class Outbox {
 public:
  struct Pending {
    uint64_t seq = 0;
    Alert alert;
    std::vector<std::string> subscriptions;  // not yet done, in append order
  };
  struct Stats {
    uint64_t file_bytes = 0;     // outbox.log now
    uint64_t pending_bytes = 0;  // frames of alerts with a subscription not done
    uint64_t pending_alerts = 0;
    uint64_t compactions = 0;
    uint64_t refused = 0;  // Append over max_bytes
  };

  // Opens (creating) <dir>/outbox.log, replays it and truncates a torn tail. `recovered`
  // receives the alerts still pending, in seq order. `sync` false skips fsync (tests,
  // durability = "none").
  static Result<std::unique_ptr<Outbox>> Open(const std::string& dir, uint64_t max_bytes, bool sync,
                                              std::vector<Pending>* recovered);
  ~Outbox();
  Outbox(const Outbox&) = delete;
  Outbox& operator=(const Outbox&) = delete;

  // Appends `alert` for `subscriptions` (non-empty) and returns its seq once the frame is
  // on disk (with `sync` false: written, durable only after the next Sync()).
  // LimitExceeded when the pending frames would pass max_bytes; IOError if the write or
  // fsync failed (the outbox then refuses further appends until restart).
  Result<uint64_t> Append(const Alert& alert, const std::vector<std::string>& subscriptions,
                          bool sync = true);
  // Makes every frame written so far durable; concurrent callers share one fsync.
  Status Sync();
  // Marks (seq, subscription) done. Not fsync'd by itself (a lost mark means one repeat
  // after a crash; ids let receivers drop it); the next Append's fsync covers it.
  void MarkDone(uint64_t seq, std::string_view subscription);

  Stats stats() const;

 private:
  struct Entry {
    uint64_t frame_bytes = 0;
    std::set<std::string, std::less<>> pending;
    std::string frame;  // the 'A' payload, kept for compaction
  };
  Outbox(std::string dir, uint64_t max_bytes, bool sync);
  Status Replay(std::vector<Pending>* recovered);
  Status WriteFrameLocked(std::string_view payload);      // REQUIRES mu_
  Status SyncLocked(std::unique_lock<std::mutex>& lock);  // REQUIRES mu_ (held by `lock`)
  void MaybeCompactLocked();                              // REQUIRES mu_
  Status CompactLocked();                                 // REQUIRES mu_

  const std::string dir_;
  const std::string path_;
  const uint64_t max_bytes_;
  const bool sync_;

  mutable std::mutex mu_;
  std::condition_variable synced_cv_;
  int fd_ = -1;                        // GUARDED_BY(mu_)
  Status failed_;                      // GUARDED_BY(mu_): sticky write error
  uint64_t next_seq_ = 1;              // GUARDED_BY(mu_)
  std::map<uint64_t, Entry> entries_;  // GUARDED_BY(mu_): seq -> pending alert
  // Group commit: frames are numbered as written; synced_ <= written_. A caller whose
  // frame is past synced_ waits, or, if no fsync runs, runs one for all up to written_.
  uint64_t written_ = 0;  // GUARDED_BY(mu_)
  uint64_t synced_ = 0;   // GUARDED_BY(mu_)
  bool syncing_ = false;  // GUARDED_BY(mu_)
  Stats stats_;           // GUARDED_BY(mu_)
};

}  // namespace fluxgate::alerts
