#include "alerts/outbox.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>

#include "common/logging.h"
#include "common/posix_io.h"
#include "log/crc32c.h"

namespace fluxgate::alerts {
namespace {

constexpr size_t kHeaderBytes = 8;
constexpr uint32_t kMaxFrameBytes = 16u << 20;  // one alert; a larger length is corruption
// Compaction runs when the file passes this size and done frames are over half of it.
constexpr uint64_t kCompactMinBytes = 1u << 20;

void PutU16(std::string& out, uint16_t v) {
  out.push_back(static_cast<char>(v & 0xff));
  out.push_back(static_cast<char>(v >> 8));
}
void PutU32(std::string& out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
void PutU64(std::string& out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
void PutBytes(std::string& out, std::string_view s) {
  PutU32(out, static_cast<uint32_t>(s.size()));
  out.append(s);
}

// Reads little-endian fields off the front of a buffer; any overrun sets ok = false.
struct Reader {
  std::string_view in;
  bool ok = true;
  uint64_t Uint(int bytes) {
    if (in.size() < static_cast<size_t>(bytes)) {
      ok = false;
      return 0;
    }
    uint64_t v = 0;
    for (int i = 0; i < bytes; ++i) v |= uint64_t{static_cast<unsigned char>(in[i])} << (8 * i);
    in.remove_prefix(bytes);
    return v;
  }
  std::string_view Bytes(size_t n) {
    if (in.size() < n) {
      ok = false;
      return {};
    }
    std::string_view v = in.substr(0, n);
    in.remove_prefix(n);
    return v;
  }
  std::string Str() { return std::string(Bytes(Uint(4))); }
};

uint32_t LoadU32(const char* p) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v |= uint32_t{static_cast<unsigned char>(p[i])} << (8 * i);
  return v;
}

std::string Frame(std::string_view payload) {
  std::string f;
  f.reserve(kHeaderBytes + payload.size());
  PutU32(f, static_cast<uint32_t>(payload.size()));
  PutU32(f, log::Crc32c(payload));
  f.append(payload);
  return f;
}

Status SyncDir(const std::string& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Status::FromErrno("cannot open directory " + dir, errno);
  const int rc = ::fsync(fd);
  const int err = errno;
  ::close(fd);
  if (rc != 0) return Status::FromErrno("cannot fsync directory " + dir, err);
  return Status::Ok();
}

}  // namespace

void EncodeAlert(const Alert& a, std::string& out) {
  PutBytes(out, a.id);
  PutBytes(out, a.topic);
  PutBytes(out, a.rule);
  PutBytes(out, a.severity);
  PutBytes(out, a.subject);
  PutBytes(out, a.message);
  PutU64(out, static_cast<uint64_t>(a.event_time_ms));
  PutBytes(out, a.attributes);
  PutU32(out, a.count);
  PutU64(out, static_cast<uint64_t>(a.first_time_ms));
}

Result<Alert> DecodeAlert(std::string_view in) {
  Reader r{in};
  Alert a;
  a.id = r.Str();
  a.topic = r.Str();
  a.rule = r.Str();
  a.severity = r.Str();
  a.subject = r.Str();
  a.message = r.Str();
  a.event_time_ms = static_cast<int64_t>(r.Uint(8));
  a.attributes = r.Str();
  a.count = static_cast<uint32_t>(r.Uint(4));
  a.first_time_ms = static_cast<int64_t>(r.Uint(8));
  if (!r.ok || !r.in.empty()) return Status::Corruption("malformed alert in the outbox");
  return a;
}

Outbox::Outbox(std::string dir, uint64_t max_bytes, bool sync)
    : dir_(std::move(dir)), path_(dir_ + "/outbox.log"), max_bytes_(max_bytes), sync_(sync) {}

Outbox::~Outbox() {
  if (fd_ >= 0) ::close(fd_);
}

Result<std::unique_ptr<Outbox>> Outbox::Open(const std::string& dir, uint64_t max_bytes, bool sync,
                                             std::vector<Pending>* recovered) {
  if (::mkdir(dir.c_str(), 0750) != 0 && errno != EEXIST)
    return Status::FromErrno("cannot create alert directory " + dir, errno);
  std::unique_ptr<Outbox> box(new Outbox(dir, max_bytes, sync));
  std::lock_guard<std::mutex> lock(box->mu_);
  FG_RETURN_IF_ERROR(box->Replay(recovered));
  // Start from a compact file: what is left is exactly the pending alerts.
  FG_RETURN_IF_ERROR(box->CompactLocked());
  return box;
}

Status Outbox::Replay(std::vector<Pending>* recovered) {
  const int fd = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return Status::Ok();
    return Status::FromErrno("cannot open " + path_, errno);
  }
  std::string data;
  char buf[1 << 16];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int err = errno;
      ::close(fd);
      return Status::FromErrno("cannot read " + path_, err);
    }
    if (n == 0) break;
    data.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  size_t pos = 0;
  uint64_t torn = 0;
  while (pos < data.size()) {
    if (data.size() - pos < kHeaderBytes) {
      torn = data.size() - pos;
      break;
    }
    const uint32_t len = LoadU32(data.data() + pos);
    const uint32_t crc = LoadU32(data.data() + pos + 4);
    if (len > kMaxFrameBytes || data.size() - pos - kHeaderBytes < len ||
        log::Crc32c(data.data() + pos + kHeaderBytes, len) != crc) {
      torn = data.size() - pos;
      break;
    }
    const std::string_view payload(data.data() + pos + kHeaderBytes, len);
    pos += kHeaderBytes + len;
    Reader r{payload};
    const char type = r.Bytes(1).empty() ? '\0' : payload[0];
    const uint64_t seq = r.Uint(8);
    if (!r.ok) continue;
    next_seq_ = std::max(next_seq_, seq + 1);
    if (type == 'A') {
      Entry e;
      const uint64_t n = r.Uint(2);
      for (uint64_t i = 0; i < n && r.ok; ++i) e.pending.emplace(r.Bytes(r.Uint(2)));
      if (!r.ok || !DecodeAlert(r.in).ok()) continue;  // CRC passed: a writer bug; skip it
      e.frame_bytes = kHeaderBytes + len;
      e.frame.assign(payload);
      entries_[seq] = std::move(e);
    } else if (type == 'D') {
      auto it = entries_.find(seq);
      if (it == entries_.end()) continue;
      if (auto sub = it->second.pending.find(r.in); sub != it->second.pending.end())
        it->second.pending.erase(sub);
      if (it->second.pending.empty()) entries_.erase(it);
    }
  }
  if (torn > 0)
    GetLogger("alerts")->warn(
        "alert outbox {}: dropped a torn or corrupt tail of {} bytes (a crash mid-write); "
        "the alert in it, if any, was never acknowledged to its publisher",
        path_, torn);
  for (auto& [seq, e] : entries_) {
    Reader r{e.frame};
    r.Bytes(1 + 8);
    const uint64_t n = r.Uint(2);
    for (uint64_t i = 0; i < n; ++i) r.Bytes(r.Uint(2));
    Pending p;
    p.seq = seq;
    p.alert = *DecodeAlert(r.in);
    // Keep the subscription order of the frame, without the done ones.
    Reader ids{e.frame};
    ids.Bytes(1 + 8);
    const uint64_t m = ids.Uint(2);
    for (uint64_t i = 0; i < m; ++i) {
      std::string id(ids.Bytes(ids.Uint(2)));
      if (e.pending.count(id)) p.subscriptions.push_back(std::move(id));
    }
    if (recovered != nullptr) recovered->push_back(std::move(p));
  }
  return Status::Ok();
}

Status Outbox::CompactLocked() {
  // An fsync in flight uses fd_: let it finish before fd_ is replaced.
  std::unique_lock<std::mutex> lock(mu_, std::adopt_lock);
  synced_cv_.wait(lock, [&] { return !syncing_; });
  lock.release();
  const std::string tmp = path_ + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
  if (fd < 0) return Status::FromErrno("cannot create " + tmp, errno);
  std::string out;
  uint64_t pending_bytes = 0;
  for (auto& [seq, e] : entries_) {
    // Rewrite the frame with only the pending subscriptions, so a long-lived alert whose
    // other subscriptions are done does not keep their ids around.
    Reader r{e.frame};
    r.Bytes(1 + 8);
    const uint64_t n = r.Uint(2);
    for (uint64_t i = 0; i < n; ++i) r.Bytes(r.Uint(2));
    std::string payload;
    payload.push_back('A');
    PutU64(payload, seq);
    PutU16(payload, static_cast<uint16_t>(e.pending.size()));
    for (const std::string& id : e.pending) {
      PutU16(payload, static_cast<uint16_t>(id.size()));
      payload.append(id);
    }
    payload.append(r.in);
    e.frame = std::move(payload);
    e.frame_bytes = kHeaderBytes + e.frame.size();
    pending_bytes += e.frame_bytes;
    out += Frame(e.frame);
  }
  Status st = WriteFully(fd, out, tmp);
  if (st.ok() && sync_) st = DataSync(fd, tmp);
  if (st.ok() && ::rename(tmp.c_str(), path_.c_str()) != 0)
    st = Status::FromErrno("cannot rename " + tmp, errno);
  if (st.ok() && sync_) st = SyncDir(dir_);
  ::close(fd);
  if (!st.ok()) return st;
  const int wfd = ::open(path_.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
  if (wfd < 0) return Status::FromErrno("cannot open " + path_, errno);
  if (fd_ >= 0) ::close(fd_);
  fd_ = wfd;
  synced_ = written_;  // everything before is in the new, synced file
  stats_.file_bytes = out.size();
  stats_.pending_bytes = pending_bytes;
  stats_.pending_alerts = entries_.size();
  ++stats_.compactions;
  return Status::Ok();
}

Status Outbox::WriteFrameLocked(std::string_view payload) {
  if (!failed_.ok()) return failed_;
  const std::string f = Frame(payload);
  Status st = WriteFully(fd_, f, path_);
  if (!st.ok()) {
    failed_ = st;
    GetLogger("alerts")->error("alert outbox {}: {}; alerts are refused until restart", path_,
                               st.message());
    return st;
  }
  stats_.file_bytes += f.size();
  ++written_;
  return Status::Ok();
}

Result<uint64_t> Outbox::Append(const Alert& alert, const std::vector<std::string>& subs,
                                bool sync) {
  std::string payload;
  payload.push_back('A');
  std::unique_lock<std::mutex> lock(mu_);
  const uint64_t seq = next_seq_;
  PutU64(payload, seq);
  PutU16(payload, static_cast<uint16_t>(subs.size()));
  for (const std::string& id : subs) {
    PutU16(payload, static_cast<uint16_t>(id.size()));
    payload.append(id);
  }
  EncodeAlert(alert, payload);
  const uint64_t frame_bytes = kHeaderBytes + payload.size();
  if (stats_.pending_bytes + frame_bytes > max_bytes_) {
    ++stats_.refused;
    return Status::LimitExceeded("alert outbox is full (alerts.outbox_max_bytes = " +
                                 std::to_string(max_bytes_) + " bytes of undelivered alerts)");
  }
  FG_RETURN_IF_ERROR(WriteFrameLocked(payload));
  ++next_seq_;
  Entry& e = entries_[seq];
  e.frame_bytes = frame_bytes;
  e.pending.insert(subs.begin(), subs.end());
  e.frame = std::move(payload);
  stats_.pending_bytes += frame_bytes;
  ++stats_.pending_alerts;
  if (!sync) return seq;
  FG_RETURN_IF_ERROR(SyncLocked(lock));
  return seq;
}

Status Outbox::Sync() {
  std::unique_lock<std::mutex> lock(mu_);
  return SyncLocked(lock);
}

Status Outbox::SyncLocked(std::unique_lock<std::mutex>& lock) {
  if (!sync_) return failed_;
  const uint64_t mine = written_;
  while (synced_ < mine) {
    if (syncing_) {
      synced_cv_.wait(lock);
      continue;
    }
    syncing_ = true;
    const uint64_t upto = written_;
    const int fd = fd_;
    lock.unlock();
    Status st = DataSync(fd, path_);
    lock.lock();
    syncing_ = false;
    if (st.ok()) {
      synced_ = std::max(synced_, upto);
    } else if (failed_.ok()) {
      failed_ = st;
    }
    synced_cv_.notify_all();
    if (!failed_.ok()) return failed_;
  }
  return Status::Ok();
}

void Outbox::MarkDone(uint64_t seq, std::string_view subscription) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = entries_.find(seq);
  if (it == entries_.end()) return;
  auto sub = it->second.pending.find(subscription);
  if (sub == it->second.pending.end()) return;
  it->second.pending.erase(sub);
  std::string payload;
  payload.push_back('D');
  PutU64(payload, seq);
  payload.append(subscription);
  (void)WriteFrameLocked(payload);  // a failure is sticky and logged; Append reports it
  if (it->second.pending.empty()) {
    stats_.pending_bytes -= it->second.frame_bytes;
    --stats_.pending_alerts;
    entries_.erase(it);
  }
  MaybeCompactLocked();
}

void Outbox::MaybeCompactLocked() {
  if (stats_.file_bytes < kCompactMinBytes || stats_.pending_bytes * 2 > stats_.file_bytes) return;
  if (Status st = CompactLocked(); !st.ok()) {
    GetLogger("alerts")->error("alert outbox {}: compaction failed: {}", path_, st.message());
  }
}

Outbox::Stats Outbox::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stats_;
}

}  // namespace fluxgate::alerts
