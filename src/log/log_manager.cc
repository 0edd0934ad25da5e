// LogManager: opening and recovery, stream administration, reads, and shutdown.
#include "log/log_manager.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>

#include "common/logging.h"
#include "log/hash_key.h"
#include "log/log_manager_impl.h"
#include "log/meta_store.h"

namespace fluxgate::log {
namespace {

int64_t SystemClockMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

bool ValidStreamName(const std::string& name) {
  if (name.empty() || name.size() > 128) return false;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '.' || c == '-';
    if (!ok) return false;
  }
  return true;
}

// Stream directories are "s-<name>": the prefix keeps "." and ".." (valid stream names)
// from meaning the current or parent directory.
constexpr std::string_view kStreamDirPrefix = "s-";

}  // namespace

Result<std::unique_ptr<LogManager>> LogManager::Open(const LogOptions& options) {
  auto impl = std::make_unique<LogManagerImpl>(options);
  FG_RETURN_IF_ERROR(impl->Recover());
  impl->StartThreads();
  return std::unique_ptr<LogManager>(std::move(impl));
}

LogManagerImpl::LogManagerImpl(const LogOptions& options)
    : options_(options),
      env_(options.env != nullptr ? options.env : DefaultEnv()),
      logger_(GetLogger("log")) {
  if (!options_.clock) options_.clock = SystemClockMs;
  if (options_.index_interval_bytes == 0) options_.index_interval_bytes = 1;
}

LogManagerImpl::~LogManagerImpl() { (void)Close(); }

std::string LogManagerImpl::StreamDir(const std::string& name) const {
  return options_.data_dir + "/streams/" + std::string(kStreamDirPrefix) + name;
}

std::string LogManagerImpl::ShardDir(const std::string& stream_dir, uint32_t index) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "/shard-%012u", index);
  return stream_dir + buf;
}

Status LogManagerImpl::Recover() {
  const std::string& root = options_.data_dir;
  FG_RETURN_IF_ERROR(env_->CreateDir(root + "/streams"));
  lock_fd_ = ::open((root + "/LOCK").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (lock_fd_ < 0) return Status::FromErrno("open " + root + "/LOCK", errno);
  if (::flock(lock_fd_, LOCK_EX | LOCK_NB) != 0) {
    return Status::ResourceBusy("data directory " + root + " is in use by another process");
  }
  if (options_.durability == Durability::kNone) {
    logger_->warn(
        "durability is 'none': records are acknowledged before they are fsync'd, so "
        "acknowledged data may be lost on power failure or kernel crash");
  }
  // Deletions interrupted by a crash finish here.
  FG_RETURN_IF_ERROR(env_->DeleteDirRecursive(root + "/trash"));
  FG_RETURN_IF_ERROR(env_->CreateDir(root + "/trash"));

  FG_ASSIGN_OR_RETURN(auto names, env_->ListDir(root + "/streams"));
  for (const std::string& n : names) FG_RETURN_IF_ERROR(RecoverStream(n));

  logger_->info(
      "recovery: {} streams, {} shards, {} segments, {} records; {} indexes rebuilt, {} "
      "torn tails truncated ({} bytes)",
      report_.streams, report_.shards, report_.segments, report_.records, report_.indexes_rebuilt,
      report_.torn_tails_truncated, report_.bytes_truncated);
  return Status::Ok();
}

Status LogManagerImpl::RecoverStream(const std::string& dir_name) {
  const std::string dir = options_.data_dir + "/streams/" + dir_name;
  if (dir_name.compare(0, kStreamDirPrefix.size(), kStreamDirPrefix) != 0) {
    logger_->warn("recovery: ignoring unexpected entry {}", dir);
    return Status::Ok();
  }
  Result<StreamMeta> meta = ReadStreamMeta(env_, dir);
  if (!meta.ok()) {
    if (meta.status().IsNotFound()) {
      // CreateStream writes the metadata last: no metadata = never created.
      logger_->info("recovery: removing {} (stream creation did not finish)", dir);
      return env_->DeleteDirRecursive(dir);
    }
    return Status::Corruption("cannot read stream metadata in " + dir + ": " +
                              meta.status().ToString());
  }
  auto stream = std::make_shared<Stream>(meta->name, dir);
  if (dir_name.substr(kStreamDirPrefix.size()) != meta->name) {
    return Status::Corruption(dir + " holds metadata of stream '" + meta->name + "'");
  }
  stream->meta = std::move(meta).value();
  std::set<std::string> known;
  for (const ShardMeta& sm : stream->meta.shards) {
    const std::string sdir = ShardDir(dir, sm.index);
    known.insert(sdir.substr(dir.size() + 1));
    FG_ASSIGN_OR_RETURN(auto shard,
                        Shard::Open(env_, options_, sdir, sm.index, sm.end_offset, &report_));
    stream->shards[sm.index] = std::move(shard);
    ++report_.shards;
  }
  FG_ASSIGN_OR_RETURN(auto entries, env_->ListDir(dir));
  for (const std::string& e : entries) {
    if (e.compare(0, 6, "shard-") == 0 && known.count(e) == 0) {
      // Dropped by retention (or a reshard that never committed) before a crash.
      logger_->info("recovery: removing {}/{} (not in the stream's metadata)", dir, e);
      FG_RETURN_IF_ERROR(env_->DeleteDirRecursive(dir + "/" + e));
    }
  }
  stream->RebuildRoutes();
  ++report_.streams;
  streams_[stream->name] = std::move(stream);
  return Status::Ok();
}

void LogManagerImpl::StartThreads() {
  sync_pool_ = std::make_unique<SyncPool>(std::max<uint32_t>(options_.sync_threads, 1));
  commit_thread_ = std::thread([this] { CommitLoop(); });
  retention_thread_ = std::thread([this] { RetentionLoop(); });
}

Status LogManagerImpl::Close() {
  std::lock_guard<std::mutex> close_lock(close_mu_);
  if (closed_) return Status::Ok();
  closing_.store(true);
  // Appends check closing_ under the stream's shared lock; taking every stream lock once
  // waits out the ones already past that check, so nothing is queued after this loop.
  std::vector<std::shared_ptr<Stream>> streams;
  {
    std::lock_guard<std::mutex> lock(streams_mu_);
    for (auto& [n, s] : streams_) streams.push_back(s);
  }
  for (auto& s : streams) std::unique_lock<std::shared_mutex> lock(s->mu);
  {
    std::lock_guard<std::mutex> lock(retention_mu_);
    stop_retention_ = true;
  }
  retention_cv_.notify_all();
  if (retention_thread_.joinable()) retention_thread_.join();
  {
    std::lock_guard<std::mutex> lock(commit_mu_);
    stop_commit_ = true;
  }
  commit_cv_.notify_all();
  if (commit_thread_.joinable()) commit_thread_.join();  // drains everything queued
  sync_pool_.reset();
  if (lock_fd_ >= 0) {
    ::close(lock_fd_);  // releases the flock
    lock_fd_ = -1;
  }
  closed_ = true;
  return Status::Ok();
}

std::shared_ptr<Stream> LogManagerImpl::FindStream(const std::string& name) const {
  std::lock_guard<std::mutex> lock(streams_mu_);
  auto it = streams_.find(name);
  return it == streams_.end() ? nullptr : it->second;
}

static Status StreamNotFound(const std::string& name) {
  return Status::NotFound("Stream " + name + " not found");
}

Result<std::shared_ptr<Shard>> LogManagerImpl::FindShard(const std::string& name,
                                                         uint32_t shard) const {
  auto s = FindStream(name);
  if (!s) return StreamNotFound(name);
  std::shared_lock<std::shared_mutex> lock(s->mu);
  if (s->deleted) return StreamNotFound(name);
  auto it = s->shards.find(shard);
  if (it == s->shards.end()) {
    return Status::NotFound("Shard " + ShardIdFor(shard) + " in stream " + name + " not found");
  }
  return it->second;
}

Status LogManagerImpl::CreateStream(const std::string& name, uint32_t shard_count, StreamMode mode,
                                    const std::map<std::string, std::string>& tags) {
  if (!ValidStreamName(name)) return Status::InvalidArgument("invalid stream name '" + name + "'");
  if (shard_count < 1) return Status::InvalidArgument("shard count must be at least 1");
  if (closing_.load()) return Status::Unavailable("log is closed");
  {
    std::lock_guard<std::mutex> lock(streams_mu_);
    if (streams_.count(name) != 0 || creating_.count(name) != 0) {
      return Status::AlreadyExists("Stream " + name + " already exists");
    }
    creating_.insert(name);
  }
  // Disk work happens outside streams_mu_ so appends to other streams never wait on it.
  auto stream = std::make_shared<Stream>(name, StreamDir(name));
  Status st = [&]() -> Status {
    FG_RETURN_IF_ERROR(env_->DeleteDirRecursive(stream->dir));  // leftover of a failed create
    FG_RETURN_IF_ERROR(env_->CreateDir(stream->dir));
    const int64_t now = Now();
    StreamMeta& m = stream->meta;
    m.name = name;
    m.mode = mode;
    m.created_ms = now;
    m.tags = tags;
    auto ranges = UniformHashRanges(shard_count);
    RecoveryReport ignored;
    for (uint32_t i = 0; i < shard_count; ++i) {
      ShardMeta sm;
      sm.index = i;
      sm.starting_hash_key = ranges[i].first;
      sm.ending_hash_key = ranges[i].second;
      sm.created_ms = now;
      m.shards.push_back(sm);
      FG_ASSIGN_OR_RETURN(auto shard, Shard::Open(env_, options_, ShardDir(stream->dir, i), i,
                                                  std::nullopt, &ignored));
      stream->shards[i] = std::move(shard);
    }
    m.next_shard_index = shard_count;
    // The metadata file is the commit point: a crash before it leaves a directory that
    // recovery removes.
    FG_RETURN_IF_ERROR(WriteStreamMeta(env_, stream->dir, m));
    FG_RETURN_IF_ERROR(env_->SyncDir(options_.data_dir + "/streams"));
    stream->RebuildRoutes();
    return Status::Ok();
  }();
  std::lock_guard<std::mutex> lock(streams_mu_);
  creating_.erase(name);
  if (!st.ok()) {
    (void)env_->DeleteDirRecursive(stream->dir);
    return st;
  }
  streams_[name] = std::move(stream);
  logger_->info("created stream {} with {} shards", name, shard_count);
  return Status::Ok();
}

void LogManagerImpl::WaitResolved(const std::vector<Shard*>& shards) {
  std::unique_lock<std::mutex> lock(commit_mu_);
  flushed_cv_.wait(lock, [&] {
    for (const Shard* s : shards) {
      if (s->unresolved() != 0) return false;
    }
    return true;
  });
}

Status LogManagerImpl::DeleteStream(const std::string& name) {
  std::shared_ptr<Stream> s;
  {
    std::lock_guard<std::mutex> lock(streams_mu_);
    auto it = streams_.find(name);
    if (it == streams_.end()) return StreamNotFound(name);
    s = it->second;
    streams_.erase(it);
  }
  std::unique_lock<std::shared_mutex> lock(s->mu);
  s->deleted = true;
  std::vector<Shard*> shards;
  for (auto& [i, sh] : s->shards) shards.push_back(sh.get());
  WaitResolved(shards);  // let callbacks of in-flight appends fire before files vanish
  // Rename first so a crash mid-delete leaves nothing that looks like a stream.
  const std::string trash = options_.data_dir + "/trash/" + std::to_string(Now()) + "-" +
                            std::to_string(trash_seq_.fetch_add(1));
  FG_RETURN_IF_ERROR(env_->RenameFile(s->dir, trash));
  FG_RETURN_IF_ERROR(env_->SyncDir(options_.data_dir + "/streams"));
  FG_RETURN_IF_ERROR(env_->DeleteDirRecursive(trash));
  logger_->info("deleted stream {}", name);
  return Status::Ok();
}

Result<StreamMeta> LogManagerImpl::DescribeStream(const std::string& name) const {
  auto s = FindStream(name);
  if (!s) return StreamNotFound(name);
  std::shared_lock<std::shared_mutex> lock(s->mu);
  if (s->deleted) return StreamNotFound(name);
  return s->meta;
}

std::vector<std::string> LogManagerImpl::ListStreams() const {
  std::lock_guard<std::mutex> lock(streams_mu_);
  std::vector<std::string> names;
  for (const auto& [n, s] : streams_) names.push_back(n);
  return names;  // std::map iterates in name order
}

std::vector<ShardTraffic> LogManagerImpl::Traffic() const {
  std::vector<std::shared_ptr<Stream>> streams;
  {
    std::lock_guard<std::mutex> lock(streams_mu_);
    for (const auto& [n, s] : streams_) streams.push_back(s);
  }
  std::vector<ShardTraffic> out;
  for (const auto& s : streams) {
    std::shared_lock<std::shared_mutex> lock(s->mu);
    if (s->deleted) continue;
    for (const auto& [index, shard] : s->shards)
      out.push_back({s->name, index, shard->appended_records(), shard->appended_bytes()});
  }
  return out;
}

Status LogManagerImpl::UpdateMeta(const std::string& name,
                                  const std::function<Status(StreamMeta&)>& change) {
  auto s = FindStream(name);
  if (!s) return StreamNotFound(name);
  std::unique_lock<std::shared_mutex> lock(s->mu);
  if (s->deleted) return StreamNotFound(name);
  StreamMeta copy = s->meta;
  FG_RETURN_IF_ERROR(change(copy));
  FG_RETURN_IF_ERROR(WriteStreamMeta(env_, s->dir, copy));
  s->meta = std::move(copy);
  return Status::Ok();
}

Status LogManagerImpl::SetRetentionHours(const std::string& name, int32_t hours) {
  if (hours < 1) return Status::InvalidArgument("retention must be at least 1 hour");
  return UpdateMeta(name, [&](StreamMeta& m) {
    m.retention_hours = hours;
    return Status::Ok();
  });
}

Status LogManagerImpl::AddTags(const std::string& name,
                               const std::map<std::string, std::string>& tags) {
  return UpdateMeta(name, [&](StreamMeta& m) {
    for (const auto& [k, v] : tags) m.tags[k] = v;
    return Status::Ok();
  });
}

Status LogManagerImpl::RemoveTags(const std::string& name, const std::vector<std::string>& keys) {
  return UpdateMeta(name, [&](StreamMeta& m) {
    for (const auto& k : keys) m.tags.erase(k);
    return Status::Ok();
  });
}

Result<ReadResult> LogManagerImpl::Read(const std::string& name, uint32_t shard, ShardOffset from,
                                        uint32_t max_records, uint64_t max_bytes) const {
  FG_ASSIGN_OR_RETURN(auto sh, FindShard(name, shard));
  return sh->Read(from, max_records, max_bytes);
}

Status LogManagerImpl::ReadInto(const std::string& name, uint32_t shard, ShardOffset from,
                                uint32_t max_records, uint64_t max_bytes, ReadResult* out) const {
  FG_ASSIGN_OR_RETURN(auto sh, FindShard(name, shard));
  return sh->ReadInto(from, max_records, max_bytes, out);
}

Result<ShardOffset> LogManagerImpl::OffsetForTime(const std::string& name, uint32_t shard,
                                                  int64_t ts_ms) const {
  FG_ASSIGN_OR_RETURN(auto sh, FindShard(name, shard));
  return sh->OffsetForTime(ts_ms);
}

Result<std::pair<ShardOffset, ShardOffset>> LogManagerImpl::ShardBounds(const std::string& name,
                                                                        uint32_t shard) const {
  FG_ASSIGN_OR_RETURN(auto sh, FindShard(name, shard));
  return sh->Bounds();
}

}  // namespace fluxgate::log
