#include <sys/stat.h>

#include <algorithm>

#include "store/object_store.h"

namespace fluxgate::store {
namespace {

// Writes are buffered so a sink's per-line appends cost no syscall each.
constexpr size_t kWriteBuffer = 64 * 1024;

std::string KeyDir(std::string_view key) {
  auto pos = key.rfind('/');
  return pos == std::string_view::npos ? std::string() : std::string(key.substr(0, pos));
}

class LocalStagedWriter final : public StagedWriter {
 public:
  LocalStagedWriter(FileSystem* fs, std::unique_ptr<WritableFile> file, std::string bucket,
                    std::string key, std::string dir, uint64_t size, bool dir_synced)
      : fs_(fs),
        file_(std::move(file)),
        bucket_(std::move(bucket)),
        key_(std::move(key)),
        dir_(std::move(dir)),
        written_(size),
        dir_synced_(dir_synced) {}

  Status Append(std::string_view bytes) override {
    if (closed_) return Status::ResourceBusy("staged object closed: " + key_);
    if (buffer_.size() + bytes.size() > kWriteBuffer) {
      FG_RETURN_IF_ERROR(Flush());
      if (bytes.size() >= kWriteBuffer) {
        FG_RETURN_IF_ERROR(file_->Append(bytes));
        written_ += bytes.size();
        return Status::Ok();
      }
    }
    if (buffer_.capacity() < kWriteBuffer) buffer_.reserve(kWriteBuffer);
    buffer_.append(bytes);
    return Status::Ok();
  }
  uint64_t size() const override { return written_ + buffer_.size(); }

  Result<StagedObject> Persist() override {
    if (closed_) return Status::ResourceBusy("staged object closed: " + key_);
    FG_RETURN_IF_ERROR(Flush());
    FG_RETURN_IF_ERROR(file_->Sync());
    if (!dir_synced_) {  // the hidden file's own directory entry must survive a power loss
      FG_RETURN_IF_ERROR(fs_->SyncDir(dir_));
      dir_synced_ = true;
    }
    return StagedObject{bucket_, key_, written_, {}};
  }
  Result<StagedObject> CloseForPublish() override {
    FG_ASSIGN_OR_RETURN(StagedObject h, Persist());
    closed_ = true;
    file_.reset();
    return h;
  }

 private:
  Status Flush() {
    if (buffer_.empty()) return Status::Ok();
    Status st = file_->Append(buffer_);
    if (!st.ok()) return st;  // the file's length is unknown now; the caller fails over
    written_ += buffer_.size();
    buffer_.clear();
    return Status::Ok();
  }

  FileSystem* fs_;
  std::unique_ptr<WritableFile> file_;
  const std::string bucket_, key_, dir_;
  uint64_t written_;    // bytes handed to the file (written_ + buffer_ = size())
  std::string buffer_;  // not yet written
  bool dir_synced_;
  bool closed_ = false;
};

}  // namespace

Status ValidateKey(std::string_view key, bool is_prefix) {
  if (key.empty()) {
    return is_prefix ? Status::Ok() : Status::InvalidArgument("empty object key");
  }
  if (key.front() == '/')
    return Status::InvalidArgument("object key starts with '/': " + std::string(key));
  std::string_view rest = key;
  if (is_prefix && rest.back() == '/') rest.remove_suffix(1);
  while (true) {
    auto pos = rest.find('/');
    std::string_view seg = rest.substr(0, pos);
    // A leading '.' is reserved for staged and temporary files, which List hides.
    if (seg.empty() || seg.front() == '.') {
      return Status::InvalidArgument("bad path segment in object key: " + std::string(key));
    }
    if (pos == std::string_view::npos) break;
    rest.remove_prefix(pos + 1);
  }
  return Status::Ok();
}

LocalObjectStore::LocalObjectStore(std::string root, FileSystem* fs)
    : root_(std::move(root)), fs_(fs ? fs : DefaultFileSystem()) {}

std::string LocalObjectStore::ObjectPath(std::string_view bucket, std::string_view key) const {
  return JoinPath(JoinPath(root_, bucket), key);
}

std::string LocalObjectStore::StagedPath(std::string_view bucket, std::string_view key) const {
  std::string name = ".";
  name += BaseName(key);
  name += kStagedSuffix;
  return JoinPath(ObjectPath(bucket, KeyDir(key)), name);
}

Status LocalObjectStore::Put(std::string_view bucket, std::string_view key, std::string_view data) {
  FG_RETURN_IF_ERROR(ValidateKey(key, false));
  const std::string dir = ObjectPath(bucket, KeyDir(key));
  const std::string tmp = JoinPath(dir, "." + std::string(BaseName(key)) + ".put-tmp");
  FG_RETURN_IF_ERROR(fs_->CreateDirs(dir));
  {
    FG_ASSIGN_OR_RETURN(auto f, fs_->NewWritable(tmp));
    FG_RETURN_IF_ERROR(f->Append(data));
    FG_RETURN_IF_ERROR(f->Sync());
  }
  FG_RETURN_IF_ERROR(fs_->Rename(tmp, ObjectPath(bucket, key)));
  return fs_->SyncDir(dir);
}

Result<std::string> LocalObjectStore::Get(std::string_view bucket, std::string_view key) {
  FG_RETURN_IF_ERROR(ValidateKey(key, false));
  return fs_->ReadFile(ObjectPath(bucket, key));
}

Status LocalObjectStore::Delete(std::string_view bucket, std::string_view key) {
  FG_RETURN_IF_ERROR(ValidateKey(key, false));
  Status st = fs_->Delete(ObjectPath(bucket, key));
  return st.IsNotFound() ? Status::Ok() : st;
}

Result<std::vector<ObjectInfo>> LocalObjectStore::List(std::string_view bucket,
                                                       std::string_view prefix) {
  FG_RETURN_IF_ERROR(ValidateKey(prefix, true));
  std::vector<ObjectInfo> out;
  FG_RETURN_IF_ERROR(Walk(bucket, prefix, false, &out));
  return out;
}

Status LocalObjectStore::Walk(std::string_view bucket, std::string_view prefix, bool staged,
                              std::vector<ObjectInfo>* out) {
  // Start at the deepest directory the prefix names; filter by the whole prefix.
  auto slash = prefix.rfind('/');
  std::string start_rel =
      slash == std::string_view::npos ? "" : std::string(prefix.substr(0, slash));
  std::vector<std::string> todo{start_rel};
  while (!todo.empty()) {
    std::string rel = std::move(todo.back());
    todo.pop_back();
    auto entries = fs_->ListDir(ObjectPath(bucket, rel));
    if (!entries.ok()) {
      if (entries.status().IsNotFound()) continue;  // nothing written there yet
      return entries.status();
    }
    for (const DirEntry& e : *entries) {
      std::string_view name = e.name;
      if (e.is_dir) {
        if (name.front() == '.') continue;
        std::string sub = JoinPath(rel, name);
        // Descend only where keys can still match the prefix.
        std::string_view p = prefix;
        std::string sub_slash = sub + "/";
        if (sub_slash.size() >= p.size() ? sub_slash.compare(0, p.size(), p) == 0
                                         : p.compare(0, sub_slash.size(), sub_slash) == 0) {
          todo.push_back(std::move(sub));
        }
        continue;
      }
      std::string key;
      if (staged) {
        if (name.size() <= 1 + kStagedSuffix.size() || name.front() != '.' ||
            !name.ends_with(kStagedSuffix)) {
          continue;
        }
        key = JoinPath(rel, name.substr(1, name.size() - 1 - kStagedSuffix.size()));
      } else {
        if (name.front() == '.') continue;
        key = JoinPath(rel, name);
      }
      if (!std::string_view(key).starts_with(prefix)) continue;
      std::string path = JoinPath(ObjectPath(bucket, rel), name);
      auto size = fs_->FileSize(path);
      if (!size.ok()) {
        if (size.status().IsNotFound()) continue;  // removed while listing
        return size.status();
      }
      // The modification time is metadata the FileSystem interface does not carry; a
      // failed stat leaves it unknown (0) rather than failing the listing.
      int64_t mtime_ms = 0;
      struct stat sb;
      if (::stat(path.c_str(), &sb) == 0)
        mtime_ms = int64_t(sb.st_mtim.tv_sec) * 1000 + sb.st_mtim.tv_nsec / 1'000'000;
      out->push_back(ObjectInfo{std::move(key), *size, mtime_ms});
    }
  }
  std::sort(out->begin(), out->end(),
            [](const ObjectInfo& a, const ObjectInfo& b) { return a.key < b.key; });
  return Status::Ok();
}

Result<std::unique_ptr<StagedWriter>> LocalObjectStore::BeginStaged(std::string_view bucket,
                                                                    std::string_view key) {
  FG_RETURN_IF_ERROR(ValidateKey(key, false));
  std::string dir = ObjectPath(bucket, KeyDir(key));
  FG_RETURN_IF_ERROR(fs_->CreateDirs(dir));
  FG_ASSIGN_OR_RETURN(auto file, fs_->NewWritable(StagedPath(bucket, key)));
  return std::unique_ptr<StagedWriter>(new LocalStagedWriter(
      fs_, std::move(file), std::string(bucket), std::string(key), std::move(dir), 0, false));
}

Result<std::unique_ptr<StagedWriter>> LocalObjectStore::ResumeStaged(const StagedObject& h) {
  FG_RETURN_IF_ERROR(ValidateKey(h.key, false));
  const std::string path = StagedPath(h.bucket, h.key);
  auto size = fs_->FileSize(path);
  if (!size.ok()) {
    if (size.status().IsNotFound()) {
      return Status::NotFound("staged object to resume is gone (published or aborted since?): " +
                              path);
    }
    return size.status();
  }
  if (*size < h.length) {
    return Status::Corruption("staged object " + path + " holds " + std::to_string(*size) +
                              " bytes, checkpoint recorded " + std::to_string(h.length));
  }
  FG_ASSIGN_OR_RETURN(auto file, fs_->OpenAppendable(path));
  if (*size > h.length) {  // bytes written after the checkpoint: they will be replayed
    FG_RETURN_IF_ERROR(file->Truncate(h.length));
    FG_RETURN_IF_ERROR(file->Sync());
  }
  return std::unique_ptr<StagedWriter>(new LocalStagedWriter(
      fs_, std::move(file), h.bucket, h.key, ObjectPath(h.bucket, KeyDir(h.key)), h.length, true));
}

Status LocalObjectStore::PublishStaged(const StagedObject& h) {
  FG_RETURN_IF_ERROR(ValidateKey(h.key, false));
  const std::string staged = StagedPath(h.bucket, h.key);
  const std::string final_path = ObjectPath(h.bucket, h.key);
  const std::string dir = ObjectPath(h.bucket, KeyDir(h.key));
  auto size = fs_->FileSize(staged);
  if (!size.ok()) {
    if (!size.status().IsNotFound()) return size.status();
    // Already renamed by an earlier attempt; its directory fsync may not have run.
    auto published = fs_->FileSize(final_path);
    if (!published.ok()) {
      if (published.status().IsNotFound()) {
        return Status::NotFound("staged object lost: neither " + staged + " nor " + final_path +
                                " exists");
      }
      return published.status();
    }
    return fs_->SyncDir(dir);
  }
  if (*size < h.length) {
    return Status::Corruption("staged object " + staged + " holds " + std::to_string(*size) +
                              " bytes, checkpoint recorded " + std::to_string(h.length));
  }
  if (*size > h.length) {  // cannot happen for a closed file, but never publish extra bytes
    FG_ASSIGN_OR_RETURN(auto file, fs_->OpenAppendable(staged));
    FG_RETURN_IF_ERROR(file->Truncate(h.length));
    FG_RETURN_IF_ERROR(file->Sync());
  }
  FG_RETURN_IF_ERROR(fs_->Rename(staged, final_path));
  return fs_->SyncDir(dir);
}

Status LocalObjectStore::AbortStaged(const StagedObject& h) {
  FG_RETURN_IF_ERROR(ValidateKey(h.key, false));
  Status st = fs_->Delete(StagedPath(h.bucket, h.key));
  return st.IsNotFound() ? Status::Ok() : st;
}

Result<std::vector<StagedObject>> LocalObjectStore::ListStaged(std::string_view bucket,
                                                               std::string_view prefix) {
  FG_RETURN_IF_ERROR(ValidateKey(prefix, true));
  std::vector<ObjectInfo> files;
  FG_RETURN_IF_ERROR(Walk(bucket, prefix, true, &files));
  std::vector<StagedObject> out;
  out.reserve(files.size());
  for (auto& f : files)
    out.push_back(StagedObject{std::string(bucket), std::move(f.key), f.size, {}});
  return out;
}

}  // namespace fluxgate::store
