// FileSystem: the object store's only door to local files.
//
// LocalObjectStore does every open, write, fsync, truncate, rename and directory operation
// through a FileSystem so tests can hand in one that fails (or tears a write) at a chosen
// operation and so reach every crash point of the two-phase commit. The default is POSIX.
// This is fg_store's own small interface rather than log::Env because fg_store only links
// fg_common.
//
// Thread-safety: the POSIX FileSystem is stateless and safe from any thread; one
// WritableFile must be used by one thread at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace fluxgate::store {

// An open file that is only appended to (and truncated on recovery).
class WritableFile {
 public:
  virtual ~WritableFile() = default;  // closes without syncing: unsynced bytes may be lost
  // Writes all of `data` at the end of the file.
  [[nodiscard]] virtual Status Append(std::string_view data) = 0;
  // fdatasync: the data and the size reach the disk.
  [[nodiscard]] virtual Status Sync() = 0;
  // Cuts the file to `size` bytes; later appends land after it.
  [[nodiscard]] virtual Status Truncate(uint64_t size) = 0;
  [[nodiscard]] virtual Result<uint64_t> Size() const = 0;
  virtual const std::string& path() const = 0;
};

struct DirEntry {
  std::string name;  // not a path
  bool is_dir = false;
};

class FileSystem {
 public:
  virtual ~FileSystem() = default;
  // Creates `path` empty (replacing any file there), opened for appending.
  virtual Result<std::unique_ptr<WritableFile>> NewWritable(const std::string& path) = 0;
  // Opens an existing file for appending at its end; NotFound if it is absent.
  virtual Result<std::unique_ptr<WritableFile>> OpenAppendable(const std::string& path) = 0;
  // Reads the whole file; NotFound if absent.
  virtual Result<std::string> ReadFile(const std::string& path) = 0;
  // rename(2): atomic replace of `to`. NotFound if `from` is absent.
  [[nodiscard]] virtual Status Rename(const std::string& from, const std::string& to) = 0;
  // NotFound if absent.
  [[nodiscard]] virtual Status Delete(const std::string& path) = 0;
  // mkdir -p; every directory it creates is made durable (its parent is fsynced).
  [[nodiscard]] virtual Status CreateDirs(const std::string& path) = 0;
  // Removes an empty directory; NotFound if absent, an error if not empty.
  [[nodiscard]] virtual Status DeleteDir(const std::string& path) = 0;
  // fsync of a directory: makes its entries (creations, renames, deletions) durable.
  [[nodiscard]] virtual Status SyncDir(const std::string& path) = 0;
  // Entries of `dir` without "." and ".."; NotFound if absent.
  virtual Result<std::vector<DirEntry>> ListDir(const std::string& dir) = 0;
  // Size of a regular file; NotFound if absent.
  virtual Result<uint64_t> FileSize(const std::string& path) = 0;
};

// The process-wide POSIX FileSystem; never destroyed.
FileSystem* DefaultFileSystem();

// "a/b/c" -> "a/b"; "c" -> "."; "/c" -> "/".
std::string DirName(std::string_view path);
// "a/b/c" -> "c".
std::string_view BaseName(std::string_view path);
// Joins with '/', skipping empty parts and not doubling slashes.
std::string JoinPath(std::string_view a, std::string_view b);

}  // namespace fluxgate::store
