// SideOutput: where a job puts what it could not use, so nothing is dropped silently.
//
//  - dead letters: source records that do not fit the table's schema, with the reason,
//    stream, shard and sequence number and the record's bytes (base64 when not UTF-8
//    text) -> <job dir>/dead-letters.jsonl
//  - late records: rows that arrived after their window / OVER frame closed for good,
//    with the reason -> <job dir>/late-records.jsonl
// Both are JSON Lines, appended and flushed once per step, rotated to `<file>.1` past a
// size limit (one old file kept). Delivery is at-least-once: after a crash, records
// replayed from the last checkpoint can appear twice. The newest entries are also kept in
// memory for the admin API and the dashboard.
// Thread-safety: all methods may be called from any thread.
#pragma once

#include <cstdint>
#include <cstdio>
#include <deque>
#include <mutex>
#include <string>
#include <string_view>

namespace fluxgate::jobs {

class SideOutput {
 public:
  SideOutput(std::string dir, uint64_t max_file_bytes = 64ull << 20);
  ~SideOutput();

  void DeadLetter(std::string_view stream, uint32_t shard, std::string_view sequence_number,
                  std::string_view reason, std::string_view raw);
  void Late(std::string_view table, std::string_view row_json, std::string_view reason);
  void Flush();

  uint64_t dead_letters() const;
  uint64_t late_records() const;
  // The newest entries (JSON objects), oldest first.
  std::deque<std::string> Recent() const;

 private:
  struct File {
    std::string path;
    std::FILE* f = nullptr;
    uint64_t bytes = 0;
  };
  void Write(File& file, const std::string& line);  // REQUIRES mu_

  mutable std::mutex mu_;
  std::string dir_;
  uint64_t max_file_bytes_;
  File dead_;                       // GUARDED_BY(mu_)
  File late_;                       // GUARDED_BY(mu_)
  uint64_t dead_count_ = 0;         // GUARDED_BY(mu_)
  uint64_t late_count_ = 0;         // GUARDED_BY(mu_)
  std::deque<std::string> recent_;  // GUARDED_BY(mu_)
  bool warned_ = false;             // GUARDED_BY(mu_)
};

}  // namespace fluxgate::jobs
