// ObjectStore: buckets of whole objects, plus staged objects for exactly-once sinks.
//
// Published objects are written whole (Put) and read whole (Get). A *staged* object is
// the sink's way to write an object over time and make it visible only when a checkpoint
// commits it — the shape of an S3 multipart upload:
//
//   BeginStaged(bucket, key)     local: create hidden ".<name>.inprogress"   S3:
//   CreateMultipartUpload StagedWriter::Append         buffered writes buffered parts
//   StagedWriter::Persist        fdatasync; handle = (key, length)            UploadPart; handle =
//                                                                             (upload id, parts,
//                                                                             tail)
//   StagedWriter::CloseForPublish  like Persist, then the writer is done
//   PublishStaged(handle)        rename to the final name + fsync dir CompleteMultipartUpload
//   ResumeStaged(handle)         truncate to handle.length, keep appending   resume the upload
//   AbortStaged(handle)          delete the hidden file                      AbortMultipartUpload
//   ListStaged(bucket, prefix)   hidden ".inprogress" files                  ListMultipartUploads
//
// A StagedObject handle is plain data: the caller stores it in its checkpoint and hands
// it back after a crash. PublishStaged and AbortStaged are idempotent so recovery can
// repeat them. Nothing here knows about checkpoints; PartFileWriter does.
//
// Thread-safety: an ObjectStore may be used from several threads (LocalObjectStore keeps
// no mutable state); a StagedWriter belongs to one thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "store/file_system.h"

namespace fluxgate::store {

struct ObjectInfo {
  std::string key;
  uint64_t size = 0;
  int64_t last_modified_ms = 0;  // Unix epoch milliseconds; 0 when unknown
};

// Everything needed to resume, publish or abort a staged object after a crash.
struct StagedObject {
  std::string bucket;
  std::string key;      // the key it is published under
  uint64_t length = 0;  // bytes durable when the handle was taken; later ones are discarded
  std::string backend;  // opaque to callers (S3: upload id and part ETags); empty for local
};

class StagedWriter {
 public:
  virtual ~StagedWriter() = default;  // no flush: unpersisted bytes are dropped (crash model)
  [[nodiscard]] virtual Status Append(std::string_view bytes) = 0;
  // Bytes appended so far, persisted or not.
  virtual uint64_t size() const = 0;
  // Makes every appended byte durable; the handle resumes exactly here.
  virtual Result<StagedObject> Persist() = 0;
  // Persist, then the writer accepts nothing more; the handle is for PublishStaged.
  virtual Result<StagedObject> CloseForPublish() = 0;
};

class ObjectStore {
 public:
  virtual ~ObjectStore() = default;

  // Writes a whole object atomically: readers see the old object, none, or all of `data`.
  [[nodiscard]] virtual Status Put(std::string_view bucket, std::string_view key,
                                   std::string_view data) = 0;
  virtual Result<std::string> Get(std::string_view bucket, std::string_view key) = 0;
  // Published objects whose key starts with `prefix`, sorted by key. Staged objects and
  // other hidden names (a path part starting with '.') are not listed.
  virtual Result<std::vector<ObjectInfo>> List(std::string_view bucket,
                                               std::string_view prefix) = 0;
  // OK when the object is already absent (as S3's DELETE).
  [[nodiscard]] virtual Status Delete(std::string_view bucket, std::string_view key) = 0;

  // Starts a staged object for `key`, replacing an earlier staged one of the same key.
  virtual Result<std::unique_ptr<StagedWriter>> BeginStaged(std::string_view bucket,
                                                            std::string_view key) = 0;
  // Reopens a staged object from a Persist handle: bytes after handle.length are cut.
  // NotFound when the staged object is gone (published or aborted since); Corruption when
  // it holds fewer bytes than the handle says.
  virtual Result<std::unique_ptr<StagedWriter>> ResumeStaged(const StagedObject& handle) = 0;
  // Makes the staged object visible under its key, atomically. Idempotent: OK when it was
  // already published. NotFound when neither the staged nor the published object exists.
  [[nodiscard]] virtual Status PublishStaged(const StagedObject& handle) = 0;
  // Discards a staged object; OK when it is already gone.
  [[nodiscard]] virtual Status AbortStaged(const StagedObject& handle) = 0;
  // Staged objects whose key starts with `prefix` (handles with their current length).
  virtual Result<std::vector<StagedObject>> ListStaged(std::string_view bucket,
                                                       std::string_view prefix) = 0;
};

// An ObjectStore over a local directory: bucket B, key K is the file <root>/B/K (an empty
// bucket means <root>/K, for a sink written straight into a directory). Staged objects are
// hidden files "<dir of K>/.<name of K>.inprogress"; publishing renames one to K and
// fsyncs the directory.
class LocalObjectStore final : public ObjectStore {
 public:
  // `fs` is not owned and must outlive the store; nullptr means DefaultFileSystem().
  explicit LocalObjectStore(std::string root, FileSystem* fs = nullptr);

  Status Put(std::string_view bucket, std::string_view key, std::string_view data) override;
  Result<std::string> Get(std::string_view bucket, std::string_view key) override;
  Result<std::vector<ObjectInfo>> List(std::string_view bucket, std::string_view prefix) override;
  Status Delete(std::string_view bucket, std::string_view key) override;

  Result<std::unique_ptr<StagedWriter>> BeginStaged(std::string_view bucket,
                                                    std::string_view key) override;
  Result<std::unique_ptr<StagedWriter>> ResumeStaged(const StagedObject& handle) override;
  Status PublishStaged(const StagedObject& handle) override;
  Status AbortStaged(const StagedObject& handle) override;
  Result<std::vector<StagedObject>> ListStaged(std::string_view bucket,
                                               std::string_view prefix) override;

  // The file a key is published as, and the hidden file it is staged in.
  std::string ObjectPath(std::string_view bucket, std::string_view key) const;
  std::string StagedPath(std::string_view bucket, std::string_view key) const;
  const std::string& root() const { return root_; }

  static constexpr std::string_view kStagedSuffix = ".inprogress";

 private:
  // Visits every file under the directory holding `prefix`; `staged` picks hidden
  // in-progress files instead of published ones.
  Status Walk(std::string_view bucket, std::string_view prefix, bool staged,
              std::vector<ObjectInfo>* out);

  std::string root_;
  FileSystem* fs_;
};

// Checks a key or prefix: relative, no empty segment, none starting with '.' (so no "." or
// ".."; hidden names are reserved for staged files). A prefix may be empty or end in '/'.
Status ValidateKey(std::string_view key, bool is_prefix);

}  // namespace fluxgate::store
