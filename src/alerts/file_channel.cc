#include "alerts/file_channel.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace fluxgate::alerts {

Result<std::unique_ptr<FileChannel>> FileChannel::Open(const std::string& path, bool fsync) {
  std::unique_ptr<FileChannel> ch(new FileChannel(path, fsync));
  FG_RETURN_IF_ERROR(ch->Reopen());
  return ch;
}

FileChannel::~FileChannel() {
  if (fd_ >= 0) ::close(fd_);
}

Status FileChannel::Reopen() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = ::open(path_.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
  if (fd_ < 0) return Status::FromErrno("cannot open alert file " + path_, errno);
  return Status::Ok();
}

bool FileChannel::PathStillNamesFd() const {
  struct stat by_path, by_fd;
  if (::stat(path_.c_str(), &by_path) != 0 || ::fstat(fd_, &by_fd) != 0) return false;
  return by_path.st_dev == by_fd.st_dev && by_path.st_ino == by_fd.st_ino;
}

Status FileChannel::Deliver(const Delivery& d) {
  // One stat per alert is cheap at alert rates and lets logrotate's move-and-create work.
  if (fd_ < 0 || !PathStillNamesFd()) FG_RETURN_IF_ERROR(Reopen());
  line_.assign(d.json);
  line_.push_back('\n');
  const char* p = line_.data();
  size_t left = line_.size();
  while (left > 0) {
    const ssize_t n = ::write(fd_, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      ::close(fd_);  // the next attempt reopens
      fd_ = -1;
      return Status::FromErrno("cannot append to alert file " + path_, err);
    }
    p += n;
    left -= static_cast<size_t>(n);
  }
  if (fsync_ && ::fdatasync(fd_) != 0)
    return Status::FromErrno("cannot fsync alert file " + path_, errno);
  return Status::Ok();
}

}  // namespace fluxgate::alerts
