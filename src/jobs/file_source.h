// FileSource: a 'filesystem' / 's3' table read back as a bounded source (batch mode,
// `fluxgate query`; docs/design/query.md).
//
// Open() lists the published objects under the table's path through a store::ObjectStore
// (local directory, the embedded store under <data-dir>/objects/, or S3 — the source does
// not care which), skips hidden names (a path segment starting with '.' or '_', e.g.
// _SUCCESS and staged files), and reads Hive partition directories (`key=value` segments,
// %XX-unescaped, the table's 'partition.default-name' read as NULL) back as the table's
// PARTITIONED BY columns. Objects whose partition values make a partition filter FALSE or
// NULL are pruned without being read.
//
// Next() then reads the objects in key order and returns the table's rows in batches: the
// data columns decoded from JSON Lines ('format' = 'json', with the table's json.* options)
// or one line per row ('format' = 'raw'), gzip or zstd compressed or not (recognised by
// their magic bytes, whatever the name), or Parquet (parquet::FileReader, one batch per row
// group, columns matched by name: one the file lacks reads as NULL; integers widen and
// timestamp units convert to the table's type, other mismatches are errors), plus the
// partition columns and computed columns.
// A line that does not fit the schema fails the read naming the object and line, unless
// 'json.ignore-parse-errors' is set (then lines that are not JSON are skipped and counted).
//
// Limits: one object is held in memory whole (compressed and decompressed); an object that
// decompresses to more than kMaxObjectBytes fails the read.
// Not thread-safe: one thread drives a FileSource.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "runtime/record_batch.h"
#include "sql/logical_plan.h"
#include "store/object_store.h"

namespace fluxgate::runtime {
class Clock;
}

namespace fluxgate::jobs {

// Where a file table's objects are.
struct FileTableLocation {
  store::ObjectStore* store = nullptr;  // not owned; must outlive the FileSource
  std::string bucket;                   // empty for a plain local directory
  std::string prefix;                   // key prefix: empty or ending in '/'
  std::string display;                  // the table's 'path' as written, for messages
};

// The store a table's 'path' names when no object store is configured: a local directory,
// or for s3:// paths the embedded store under <data_dir>/objects/ (store::ResolveLocalSink,
// the layout the file sink writes). The FileTableLocation points into `store`.
struct OpenedTableStore {
  // shared_ptr: an opener may hand one store (an S3 connection pool) to several tables.
  std::shared_ptr<store::ObjectStore> store;
  FileTableLocation location;
};
Result<OpenedTableStore> OpenLocalTableStore(const sql::SinkPath& path,
                                             const std::string& data_dir);

// One object to read, with its partition values (one per PARTITIONED BY column, in that
// order; nullopt for NULL).
struct FileObject {
  std::string key;
  uint64_t size = 0;
  std::vector<std::optional<std::string>> partition_values;
};

// The partition values of `relative_key` (the key below the table's prefix): each
// directory segment `name=value` whose name is a partition column sets that column
// (unescaped; `default_name` means NULL); columns with no segment are NULL. nullopt when
// the object is hidden (a segment starting with '.' or '_').
std::optional<std::vector<std::optional<std::string>>> ParsePartitionPath(
    std::string_view relative_key, const std::vector<std::string>& partition_columns,
    std::string_view default_name);

// Hive's unescaping of a path segment: %XX -> the byte (invalid escapes stay as written).
std::string UnescapePathName(std::string_view segment);

struct FileSourceStats {
  uint64_t objects_listed = 0;  // published, not hidden
  uint64_t objects_pruned = 0;  // skipped by a partition filter
  uint64_t objects_read = 0;
  uint64_t bytes_read = 0;  // as stored (compressed)
  uint64_t rows = 0;
  uint64_t skipped_lines = 0;  // not JSON, with 'json.ignore-parse-errors'
};

class FileSource {
 public:
  static constexpr uint64_t kMaxObjectBytes = 1ull << 30;

  // `node`'s table must be a 'filesystem'/'s3' table; `node` must outlive the source.
  // `partition_filters`: boolean expressions over the table's columns (node.schema) that
  // reference partition columns only (see PartitionFilters in batch_query.h).
  static Result<std::unique_ptr<FileSource>> Make(const sql::SourceNode& node,
                                                  FileTableLocation location,
                                                  std::vector<sql::BoundExprPtr> partition_filters,
                                                  const runtime::Clock* clock,
                                                  uint32_t batch_rows = 4096);
  ~FileSource();

  // Lists the objects and applies the partition filters.
  Status Open();
  // The objects Open() kept, in the order they will be read.
  const std::vector<FileObject>& objects() const { return objects_; }

  // The next batch of rows (the table's columns, node.schema); false at the end of input.
  Result<bool> Next(runtime::RecordBatch* out);

  const FileSourceStats& stats() const { return stats_; }
  const std::shared_ptr<const runtime::Schema>& schema() const { return output_; }

 private:
  struct Impl;
  FileSource() = default;
  Result<bool> KeepObject(const FileObject& object);
  Status LoadObject(size_t index);
  Result<runtime::RecordBatch> ReadParquetRowGroup(size_t index);
  // The table's rows from `decoded` (the data columns of one object).
  Status FinishBatch(runtime::RecordBatch decoded, runtime::RecordBatch* out);

  const sql::SourceNode* node_ = nullptr;
  FileTableLocation location_;
  std::shared_ptr<const runtime::Schema> output_;
  std::vector<FileObject> objects_;
  FileSourceStats stats_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace fluxgate::jobs
