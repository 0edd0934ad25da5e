// MemEnv: an in-memory log::Env for the segment harness, so a fuzz run touches no disk
// and each input starts from exactly the bytes given.
//
// Files are strings keyed by path; directories are implicit. Only what Segment uses is
// exercised, but every call behaves like the POSIX Env (NotFound for a missing file,
// reads short only at the end). Not thread-safe: one harness thread.
#pragma once

#include <algorithm>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "log/env.h"

namespace fluxgate::fuzz {

class MemEnv final : public log::Env {
 public:
  void Put(const std::string& path, std::string bytes) { files_[path] = std::move(bytes); }
  const std::string* Get(const std::string& path) const {
    auto it = files_.find(path);
    return it == files_.end() ? nullptr : &it->second;
  }

  Result<std::unique_ptr<log::File>> OpenFile(const std::string& path, bool create) override {
    auto it = files_.find(path);
    if (it == files_.end()) {
      if (!create) return Status::NotFound(path);
      it = files_.emplace(path, std::string()).first;
    }
    return std::unique_ptr<log::File>(new MemFile(path, &it->second));
  }
  Status ReadFile(const std::string& path, std::string* out) override {
    const std::string* f = Get(path);
    if (!f) return Status::NotFound(path);
    *out = *f;
    return Status::Ok();
  }
  Status WriteFileAtomic(const std::string& path, std::string_view data) override {
    files_[path] = std::string(data);
    return Status::Ok();
  }
  Status RenameFile(const std::string& from, const std::string& to) override {
    auto it = files_.find(from);
    if (it == files_.end()) return Status::NotFound(from);
    files_[to] = std::move(it->second);
    files_.erase(from);
    return Status::Ok();
  }
  Status DeleteFile(const std::string& path) override {
    return files_.erase(path) ? Status::Ok() : Status::NotFound(path);
  }
  Status CreateDir(const std::string&) override { return Status::Ok(); }
  Status DeleteDirRecursive(const std::string& dir) override {
    for (auto it = files_.begin(); it != files_.end();)
      it = it->first.rfind(dir + "/", 0) == 0 ? files_.erase(it) : std::next(it);
    return Status::Ok();
  }
  Status SyncDir(const std::string&) override { return Status::Ok(); }
  Result<std::vector<std::string>> ListDir(const std::string& dir) override {
    std::vector<std::string> names;
    for (const auto& [path, bytes] : files_)
      if (path.rfind(dir + "/", 0) == 0) names.push_back(path.substr(dir.size() + 1));
    return names;
  }
  bool FileExists(const std::string& path) override { return files_.count(path) > 0; }

 private:
  class MemFile final : public log::File {
   public:
    // `bytes` is owned by the env and outlives the file (files are never erased while
    // a harness holds them open).
    MemFile(std::string path, std::string* bytes) : path_(std::move(path)), bytes_(bytes) {}
    Status Append(std::string_view data) override {
      bytes_->append(data);
      return Status::Ok();
    }
    Status Sync() override { return Status::Ok(); }
    Status ReadAt(uint64_t pos, size_t n, char* buf, size_t* got) const override {
      *got = 0;
      if (pos >= bytes_->size()) return Status::Ok();
      *got = std::min<uint64_t>(n, bytes_->size() - pos);
      std::memcpy(buf, bytes_->data() + pos, *got);
      return Status::Ok();
    }
    Status Truncate(uint64_t size) override {
      bytes_->resize(size);
      return Status::Ok();
    }
    Result<uint64_t> Size() const override { return static_cast<uint64_t>(bytes_->size()); }
    const std::string& path() const override { return path_; }

   private:
    std::string path_;
    std::string* bytes_;
  };

  std::map<std::string, std::string> files_;
};

}  // namespace fluxgate::fuzz
