// Shared helpers for the log tests: temp directories, synchronous appends, a fake clock
// and a fault-injecting Env.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <functional>
#include <future>
#include <mutex>
#include <string>
#include <vector>

#include "log/env.h"
#include "log/log_manager.h"

namespace fluxgate::log::testing {

// A fresh directory under /tmp, removed when the test ends.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "fglog-XXXXXX").string();
    path_ = ::mkdtemp(tmpl.data());
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

struct FakeClock {
  std::atomic<int64_t> now_ms{1'700'000'000'000};
  std::function<int64_t()> Fn() {
    return [this] { return now_ms.load(); };
  }
};

// Appends and waits for the callback.
inline std::vector<AppendResult> AppendSync(LogManager& log, const std::string& stream,
                                            const std::vector<AppendRecord>& records) {
  std::promise<std::vector<AppendResult>> p;
  auto f = p.get_future();
  Status st =
      log.Append(stream, records, [&p](std::vector<AppendResult> r) { p.set_value(std::move(r)); });
  EXPECT_TRUE(st.ok()) << st.ToString();
  if (!st.ok()) return {};
  return f.get();
}

inline std::vector<AppendResult> AppendOne(LogManager& log, const std::string& stream,
                                           std::string_view key, std::string_view data) {
  return AppendSync(log, stream, {AppendRecord{key, data, std::nullopt}});
}

// Reads the whole readable range of a shard.
inline std::vector<StoredRecord> ReadAll(LogManager& log, const std::string& stream, uint32_t shard,
                                         ShardOffset from = 0) {
  std::vector<StoredRecord> out;
  while (true) {
    auto r = log.Read(stream, shard, from, 1000, 1 << 20);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    if (!r.ok() || r->records.empty()) break;
    for (auto& rec : r->records) out.push_back(std::move(rec));
    from = r->next_offset;
  }
  return out;
}

// Wraps the default Env; fails fdatasync while fail_syncs > 0 (decrementing it).
// Syncs may come from several sync-pool threads at once: everything here is thread-safe.
// Set the plain (non-atomic) fields before the appends that use them.
class FaultEnv final : public Env {
 public:
  std::atomic<int> fail_syncs{0};
  // Only files whose path contains this count for fail_syncs (empty: every file).
  std::string fail_sync_path;
  // Each Sync first waits (at most 2 s) until this many Syncs have been in progress at
  // the same moment, so a test can check that flushes of different shards overlap.
  std::atomic<int> sync_gate{0};
  // Runs at the start of every Sync, with the file's path (after the gate).
  std::function<void(const std::string& path)> before_sync;

  // The most Syncs ever in progress at once.
  int max_concurrent_syncs() {
    std::lock_guard<std::mutex> lock(sync_mu_);
    return peak_syncs_;
  }

  Result<std::unique_ptr<File>> OpenFile(const std::string& path, bool create) override {
    FG_ASSIGN_OR_RETURN(auto f, base_->OpenFile(path, create));
    return std::unique_ptr<File>(new FaultFile(std::move(f), this));
  }
  Status ReadFile(const std::string& p, std::string* out) override {
    return base_->ReadFile(p, out);
  }
  Status WriteFileAtomic(const std::string& p, std::string_view d) override {
    return base_->WriteFileAtomic(p, d);
  }
  Status RenameFile(const std::string& a, const std::string& b) override {
    return base_->RenameFile(a, b);
  }
  Status DeleteFile(const std::string& p) override { return base_->DeleteFile(p); }
  Status CreateDir(const std::string& p) override { return base_->CreateDir(p); }
  Status DeleteDirRecursive(const std::string& p) override { return base_->DeleteDirRecursive(p); }
  Status SyncDir(const std::string& p) override { return base_->SyncDir(p); }
  Result<std::vector<std::string>> ListDir(const std::string& d) override {
    return base_->ListDir(d);
  }
  bool FileExists(const std::string& p) override { return base_->FileExists(p); }

 private:
  class FaultFile final : public File {
   public:
    FaultFile(std::unique_ptr<File> f, FaultEnv* env) : f_(std::move(f)), env_(env) {}
    Status Append(std::string_view d) override { return f_->Append(d); }
    Status Sync() override {
      env_->EnterSync();
      Status st = SyncOnce();
      env_->LeaveSync();
      return st;
    }
    Status ReadAt(uint64_t pos, size_t n, char* buf, size_t* got) const override {
      return f_->ReadAt(pos, n, buf, got);
    }
    Status Truncate(uint64_t size) override { return f_->Truncate(size); }
    Result<uint64_t> Size() const override { return f_->Size(); }
    const std::string& path() const override { return f_->path(); }

   private:
    Status SyncOnce() {
      if (env_->before_sync) env_->before_sync(path());
      if (env_->fail_sync_path.empty() || path().find(env_->fail_sync_path) != std::string::npos) {
        // Claim one injected failure atomically: concurrent Syncs must not both take it.
        int left = env_->fail_syncs.load();
        while (left > 0 && !env_->fail_syncs.compare_exchange_weak(left, left - 1)) {
        }
        if (left > 0) return Status::IOError("injected fdatasync failure");
      }
      return f_->Sync();
    }

    std::unique_ptr<File> f_;
    FaultEnv* env_;
  };

  void EnterSync() {
    std::unique_lock<std::mutex> lock(sync_mu_);
    peak_syncs_ = std::max(peak_syncs_, ++syncs_in_progress_);
    sync_cv_.notify_all();
    const int gate = sync_gate.load();
    if (gate > 0) {
      sync_cv_.wait_for(lock, std::chrono::seconds(2), [&] { return peak_syncs_ >= gate; });
    }
  }
  void LeaveSync() {
    std::lock_guard<std::mutex> lock(sync_mu_);
    --syncs_in_progress_;
  }

  Env* base_ = DefaultEnv();
  std::mutex sync_mu_;
  std::condition_variable sync_cv_;
  int syncs_in_progress_ = 0;  // GUARDED_BY(sync_mu_)
  int peak_syncs_ = 0;         // GUARDED_BY(sync_mu_)
};

// Paths of a stream's files, following docs/formats/log.md.
inline std::string ShardDirPath(const std::string& data_dir, const std::string& stream,
                                uint32_t shard) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "/shard-%012u", shard);
  return data_dir + "/streams/s-" + stream + buf;
}

inline std::vector<std::string> FilesWithExt(const std::string& dir, const std::string& ext) {
  std::vector<std::string> out;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (e.path().extension() == ext) out.push_back(e.path().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace fluxgate::log::testing
