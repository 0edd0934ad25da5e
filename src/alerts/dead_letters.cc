#include "alerts/dead_letters.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

#include "alerts/alert.h"
#include "common/json_writer.h"
#include "common/logging.h"
#include "common/posix_io.h"

namespace fluxgate::alerts {

std::string DeadLetterJson(const DeadLetter& d) {
  std::string out;
  JsonWriter w(out);
  w.BeginObject();
  w.Key("time").String(FormatTimeUtc(d.time_ms));
  w.Key("subscription").String(d.subscription);
  w.Key("topic").String(d.topic);
  w.Key("kind").String(d.kind);
  w.Key("target").String(d.target);
  w.Key("attempts").Uint(d.attempts);
  w.Key("error").String(d.error);
  w.Key("alert").Raw(d.alert_json.empty() ? std::string_view("{}") : d.alert_json);
  w.EndObject();
  return out;
}

DeadLetters::DeadLetters(std::string dir, uint32_t limit, bool sync)
    : dir_(std::move(dir)), path_(dir_ + "/dead_letters.jsonl"), limit_(limit), sync_(sync) {}

DeadLetters::~DeadLetters() {
  if (fd_ >= 0) ::close(fd_);
}

Result<std::unique_ptr<DeadLetters>> DeadLetters::Open(const std::string& dir, uint32_t limit,
                                                       bool sync) {
  if (::mkdir(dir.c_str(), 0750) != 0 && errno != EEXIST)
    return Status::FromErrno("cannot create alert directory " + dir, errno);
  std::unique_ptr<DeadLetters> d(new DeadLetters(dir, std::max<uint32_t>(limit, 1), sync));
  std::lock_guard<std::mutex> lock(d->mu_);
  {
    std::ifstream in(d->path_);
    std::string line;
    // A line without its newline is a write torn by a crash: dropped by the rewrite below.
    while (std::getline(in, line)) {
      if (in.eof()) break;
      if (line.empty() || line.front() != '{' || line.back() != '}') continue;
      d->lines_.push_back(std::move(line));
      if (d->lines_.size() > d->limit_) d->lines_.pop_front();
    }
  }
  FG_RETURN_IF_ERROR(d->RewriteLocked());
  return d;
}

Status DeadLetters::RewriteLocked() {
  const std::string tmp = path_ + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
  if (fd < 0) return Status::FromErrno("cannot create " + tmp, errno);
  std::string out;
  for (const std::string& l : lines_) out.append(l).push_back('\n');
  Status st = WriteFully(fd, out, tmp);
  if (st.ok() && sync_) st = DataSync(fd, tmp);
  ::close(fd);
  if (st.ok() && ::rename(tmp.c_str(), path_.c_str()) != 0)
    st = Status::FromErrno("cannot rename " + tmp, errno);
  if (!st.ok()) return st;
  if (fd_ >= 0) ::close(fd_);
  fd_ = ::open(path_.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
  if (fd_ < 0) return Status::FromErrno("cannot open " + path_, errno);
  file_lines_ = lines_.size();
  return Status::Ok();
}

Status DeadLetters::Add(const DeadLetter& d) {
  std::string line = DeadLetterJson(d);
  std::lock_guard<std::mutex> lock(mu_);
  lines_.push_back(line);
  if (lines_.size() > limit_) lines_.pop_front();
  if (fd_ < 0) return Status::IOError("dead-letter file " + path_ + " is not open");
  line.push_back('\n');
  FG_RETURN_IF_ERROR(WriteFully(fd_, line, path_));
  if (sync_) FG_RETURN_IF_ERROR(DataSync(fd_, path_));
  if (++file_lines_ >= 2ull * limit_) return RewriteLocked();
  return Status::Ok();
}

std::string DeadLetters::ListJson(size_t n) const {
  std::lock_guard<std::mutex> lock(mu_);
  std::string out = "[";
  const size_t from = lines_.size() > n ? lines_.size() - n : 0;
  for (size_t i = from; i < lines_.size(); ++i) {
    if (i > from) out.push_back(',');
    out += lines_[i];
  }
  out.push_back(']');
  return out;
}

uint64_t DeadLetters::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return lines_.size();
}

}  // namespace fluxgate::alerts
