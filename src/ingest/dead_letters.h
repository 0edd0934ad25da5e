// DeadLetterFile: messages fluxgate acknowledged but could not map to a record (no
// partition key, not JSON where JSON is needed, too large) are kept here with the reason,
// one JSON object per line, so a bad message is set aside rather than lost.
// Path: <data-dir>/ingest/mqtt-dead-letters.jsonl. Line format in docs/design/ingest.md.
//
// Thread-safety: Append may be called from any thread (one mutex); each call writes its
// lines with one write() and fdatasync()s before returning, so a message is on disk before
// the caller acknowledges it.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>

#include "common/status.h"

namespace fluxgate::ingest {

struct DeadLetter {
  int64_t time_ms = 0;
  std::string_view client_id;
  std::string_view stream;
  std::string_view topic;
  std::string_view reason;
  std::string_view payload;  // stored base64-encoded (payloads may be binary)
};

class DeadLetterFile {
 public:
  explicit DeadLetterFile(std::string path) : path_(std::move(path)) {}
  ~DeadLetterFile();

  // Appends one JSON line to `lines` (the caller batches several, then calls Write).
  static void Format(const DeadLetter& letter, std::string* lines);
  // Appends `lines` to the file (creating it and its directory) and fdatasyncs.
  Status Write(std::string_view lines);

  const std::string& path() const { return path_; }

 private:
  const std::string path_;
  std::mutex mu_;
  int fd_ = -1;  // GUARDED_BY(mu_); opened on first write
};

}  // namespace fluxgate::ingest
