// DeadLetters: alerts a subscription gave up on (max_attempts reached or refused for good),
// each with the last error, kept in <dir>/dead_letters.jsonl so they survive a restart and
// an operator can list them (admin API GET /v1/alerts/dead-letters, `fluxgate alerts
// dead-letters`). One JSON object per line:
//
//   {"time":"...","subscription":"sub-...","topic":"...","kind":"webhook",
//    "target":"http://127.0.0.1:9000","attempts":5,"error":"HTTP 500 from ...",
//    "alert":{...the alert document...}}
//
// Bounded: the newest `limit` entries are kept; the file is rewritten (atomically) when it
// holds twice that many lines. Each Add is fsync'd: dead letters are rare and each one is a
// notification someone did not get.
//
// Thread-safety: all methods may be called from any thread; mu_ guards the file and list.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/status.h"

namespace fluxgate::alerts {

struct DeadLetter {
  int64_t time_ms = 0;
  std::string subscription;  // subscription id
  std::string topic;
  std::string kind;
  std::string target;  // safe to show (no URL path/query)
  uint32_t attempts = 0;
  std::string error;
  std::string alert_json;  // the alert document
};

class DeadLetters {
 public:
  static Result<std::unique_ptr<DeadLetters>> Open(const std::string& dir, uint32_t limit,
                                                   bool sync);
  ~DeadLetters();

  // Appends one entry (logged on failure; a dead letter that cannot be stored is still
  // counted by the caller).
  Status Add(const DeadLetter& d);
  // The newest `n` entries, newest last, as a JSON array text.
  std::string ListJson(size_t n) const;
  uint64_t size() const;

 private:
  DeadLetters(std::string dir, uint32_t limit, bool sync);
  Status RewriteLocked();  // REQUIRES mu_

  const std::string dir_;
  const std::string path_;
  const uint32_t limit_;
  const bool sync_;
  mutable std::mutex mu_;
  int fd_ = -1;                    // GUARDED_BY(mu_)
  std::deque<std::string> lines_;  // GUARDED_BY(mu_): newest last, size <= limit_
  uint64_t file_lines_ = 0;        // GUARDED_BY(mu_)
};

// One entry as its JSON line (no newline).
std::string DeadLetterJson(const DeadLetter& d);

}  // namespace fluxgate::alerts
