// Env: the log's only door to the file system.
//
// Every read, write, fsync, truncate and directory operation of the log goes through an
// Env so tests can hand in one that fails or corrupts on purpose (LevelDB's pattern) and
// reach every error and recovery path. The default is POSIX. An Env and the Files it
// opens are safe to use from several threads; a File's Append must not race itself.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace fluxgate::log {

// An open file: appends at its end, positional reads, sync, truncate.
class File {
 public:
  virtual ~File() = default;
  // Writes all of `data` at the end of the file (one write() unless it is short).
  [[nodiscard]] virtual Status Append(std::string_view data) = 0;
  // fdatasync: data and the size, not timestamps.
  [[nodiscard]] virtual Status Sync() = 0;
  // Reads up to n bytes at pos; *got < n only at end of file.
  [[nodiscard]] virtual Status ReadAt(uint64_t pos, size_t n, char* buf, size_t* got) const = 0;
  [[nodiscard]] virtual Status Truncate(uint64_t size) = 0;
  [[nodiscard]] virtual Result<uint64_t> Size() const = 0;
  virtual const std::string& path() const = 0;
};

class Env {
 public:
  virtual ~Env() = default;
  // Opens for reading and appending, creating the file if `create`.
  virtual Result<std::unique_ptr<File>> OpenFile(const std::string& path, bool create) = 0;
  [[nodiscard]] virtual Status ReadFile(const std::string& path, std::string* out) = 0;
  // Writes `path` so that it has either the old or the new contents after a crash:
  // temp file, fsync, rename over, fsync the directory.
  [[nodiscard]] virtual Status WriteFileAtomic(const std::string& path, std::string_view data) = 0;
  [[nodiscard]] virtual Status RenameFile(const std::string& from, const std::string& to) = 0;
  [[nodiscard]] virtual Status DeleteFile(const std::string& path) = 0;
  [[nodiscard]] virtual Status CreateDir(const std::string& path) = 0;  // OK if it exists
  [[nodiscard]] virtual Status DeleteDirRecursive(const std::string& path) = 0;
  [[nodiscard]] virtual Status SyncDir(const std::string& path) = 0;
  // Names (not paths) of the entries of `dir`, without "." and "..".
  virtual Result<std::vector<std::string>> ListDir(const std::string& dir) = 0;
  virtual bool FileExists(const std::string& path) = 0;
};

// The process-wide POSIX Env; never destroyed.
Env* DefaultEnv();

}  // namespace fluxgate::log
