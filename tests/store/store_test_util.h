// Shared helpers for the store tests: temp directories, a fault-injecting FileSystem that
// "crashes" at a chosen operation, and readers of a sink's published output.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "store/file_system.h"
#include "store/object_store.h"
#include "store/part_file_name.h"

namespace fluxgate::store::testing {

// A fresh directory under /tmp (or `base`), removed when the test ends.
class TempDir {
 public:
  explicit TempDir(const std::filesystem::path& base = std::filesystem::temp_directory_path()) {
    std::string tmpl = (base / "fgstore-XXXXXX").string();
    path_ = ::mkdtemp(tmpl.data());
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// Forwards to the POSIX FileSystem until `crash_after` operations have run; the next one
// fails (an Append first writes half its bytes: a torn write) and so does every later one,
// as if the process had died there. Reset() brings it back to life.
class FaultFileSystem final : public FileSystem {
 public:
  void CrashAfter(int64_t ops) { left_ = ops; }
  void Reset() {
    left_ = -1;
    crashed_ = false;
  }
  bool crashed() const { return crashed_; }
  int64_t ops() const { return ops_; }

  // Counts one operation; false when it must fail.
  bool Tick() {
    ++ops_;
    if (crashed_) return false;
    if (left_ == 0) {
      crashed_ = true;
      return false;
    }
    if (left_ > 0) --left_;
    return true;
  }
  static Status Crash() { return Status::IOError("injected crash"); }

  class File final : public WritableFile {
   public:
    File(FaultFileSystem* fs, std::unique_ptr<WritableFile> f) : fs_(fs), f_(std::move(f)) {}
    Status Append(std::string_view data) override {
      if (!fs_->Tick()) {
        (void)f_->Append(data.substr(0, data.size() / 2));
        return Crash();
      }
      return f_->Append(data);
    }
    Status Sync() override { return fs_->Tick() ? f_->Sync() : Crash(); }
    Status Truncate(uint64_t size) override { return fs_->Tick() ? f_->Truncate(size) : Crash(); }
    Result<uint64_t> Size() const override { return f_->Size(); }
    const std::string& path() const override { return f_->path(); }

   private:
    FaultFileSystem* fs_;
    std::unique_ptr<WritableFile> f_;
  };

  Result<std::unique_ptr<WritableFile>> NewWritable(const std::string& path) override {
    if (!Tick()) return Crash();
    return Wrap(base_->NewWritable(path));
  }
  Result<std::unique_ptr<WritableFile>> OpenAppendable(const std::string& path) override {
    if (!Tick()) return Crash();
    return Wrap(base_->OpenAppendable(path));
  }
  Result<std::string> ReadFile(const std::string& path) override {
    if (!Tick()) return Crash();
    return base_->ReadFile(path);
  }
  Status Rename(const std::string& from, const std::string& to) override {
    return Tick() ? base_->Rename(from, to) : Crash();
  }
  Status Delete(const std::string& path) override { return Tick() ? base_->Delete(path) : Crash(); }
  Status CreateDirs(const std::string& path) override {
    return Tick() ? base_->CreateDirs(path) : Crash();
  }
  Status DeleteDir(const std::string& path) override {
    return Tick() ? base_->DeleteDir(path) : Crash();
  }
  Status SyncDir(const std::string& path) override {
    return Tick() ? base_->SyncDir(path) : Crash();
  }
  Result<std::vector<DirEntry>> ListDir(const std::string& dir) override {
    if (!Tick()) return Crash();
    return base_->ListDir(dir);
  }
  Result<uint64_t> FileSize(const std::string& path) override {
    if (!Tick()) return Crash();
    return base_->FileSize(path);
  }

 private:
  Result<std::unique_ptr<WritableFile>> Wrap(Result<std::unique_ptr<WritableFile>> f) {
    if (!f.ok()) return f.status();
    return std::unique_ptr<WritableFile>(new File(this, std::move(f).value()));
  }

  FileSystem* base_ = DefaultFileSystem();
  int64_t left_ = -1;  // operations before the crash; -1: never
  int64_t ops_ = 0;
  bool crashed_ = false;
};

inline std::string ReadWhole(const std::string& path) {
  auto r = DefaultFileSystem()->ReadFile(path);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : std::string();
}

// Every file (relative path) under `dir`, hidden ones included, sorted.
inline std::vector<std::string> AllFiles(const std::string& dir) {
  std::vector<std::string> out;
  if (!std::filesystem::exists(dir)) return out;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    if (e.is_regular_file()) out.push_back(std::filesystem::relative(e.path(), dir).string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

// Relative paths of the hidden in-progress files under `dir`.
inline std::vector<std::string> StagedFiles(const std::string& dir) {
  std::vector<std::string> out;
  for (const auto& f : AllFiles(dir)) {
    auto name = BaseName(f);
    if (name.starts_with(".") && name.ends_with(".inprogress")) out.push_back(f);
  }
  return out;
}

struct PublishedFile {
  std::string partition;  // "" at the top
  PartFileId id;
  std::string contents;
};

// The published part files under `dir`, by partition then counter (numerically).
inline std::vector<PublishedFile> Published(const std::string& dir, const std::string& suffix) {
  std::vector<PublishedFile> out;
  for (const auto& f : AllFiles(dir)) {
    auto id = ParsePartFileName(BaseName(f), suffix);
    if (!id) continue;
    std::string partition = f.find('/') == std::string::npos ? "" : DirName(f);
    out.push_back(PublishedFile{partition, *id, ReadWhole(JoinPath(dir, f))});
  }
  std::sort(out.begin(), out.end(), [](const PublishedFile& a, const PublishedFile& b) {
    if (a.partition != b.partition) return a.partition < b.partition;
    if (a.id.task != b.id.task) return a.id.task < b.id.task;
    return a.id.counter < b.id.counter;
  });
  return out;
}

// Published lines per partition, in file (counter) order.
inline std::map<std::string, std::vector<std::string>> PublishedLines(const std::string& dir,
                                                                      const std::string& suffix) {
  std::map<std::string, std::vector<std::string>> out;
  for (const auto& f : Published(dir, suffix)) {
    auto& lines = out[f.partition];
    size_t start = 0;
    while (start < f.contents.size()) {
      size_t nl = f.contents.find('\n', start);
      if (nl == std::string::npos) {
        lines.push_back(f.contents.substr(start) + "<no newline>");
        break;
      }
      lines.push_back(f.contents.substr(start, nl - start));
      start = nl + 1;
    }
  }
  return out;
}

}  // namespace fluxgate::store::testing
