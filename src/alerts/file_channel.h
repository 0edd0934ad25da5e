// FileChannel: appends each alert's JSON document as one line to a file (JSON Lines).
//
// The file is opened O_APPEND (created 0640), each line written with one write(2), and
// fsync'd after every alert if the subscription asks for it. When the path no longer
// names the open file (logrotate moved it away), the next alert reopens the path.
// A failure mid-line (disk full) can leave a partial line; the retry appends a fresh one,
// so readers should skip lines that do not parse.
//
// Thread-safety: one thread at a time (the subscription's worker).
#pragma once

#include <memory>
#include <string>

#include "alerts/channel.h"

namespace fluxgate::alerts {

class FileChannel final : public Channel {
 public:
  // Opens (creating) the file now: an IOError naming the path if it cannot be.
  static Result<std::unique_ptr<FileChannel>> Open(const std::string& path, bool fsync);
  ~FileChannel() override;

  Status Deliver(const Delivery& delivery) override;
  const std::string& target() const override { return path_; }

 private:
  FileChannel(std::string path, bool fsync) : path_(std::move(path)), fsync_(fsync) {}
  Status Reopen();
  bool PathStillNamesFd() const;

  const std::string path_;
  const bool fsync_;
  int fd_ = -1;
  std::string line_;  // reused buffer: json + '\n'
};

}  // namespace fluxgate::alerts
