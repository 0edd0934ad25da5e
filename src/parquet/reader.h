// parquet::FileReader: opens a whole Parquet file held in memory and decodes row groups
// into runtime::RecordBatches (it backs `fluxgate query` over the archive and compaction).
//
// Reads what fluxgate writes and simple files from elsewhere: flat schemas (REQUIRED /
// OPTIONAL leaves), data pages v1 and v2, PLAIN, PLAIN_DICTIONARY / RLE_DICTIONARY and RLE
// booleans, codecs UNCOMPRESSED / SNAPPY / GZIP / ZSTD. Anything else (nested or repeated
// columns, DELTA_* / BYTE_STREAM_SPLIT encodings, other codecs, INT96, encryption) gives
// InvalidArgument naming the column and the feature; malformed bytes give Corruption saying
// what is wrong. Every offset and length is checked before use, so hostile input cannot
// make the reader read outside the file.
//
// Thread-safety: after Open() the reader is immutable; ReadRowGroup() may be called from
// several threads at once.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "parquet/column_spec.h"
#include "parquet/format.h"
#include "runtime/record_batch.h"

namespace fluxgate::parquet {

class FileReader {
 public:
  // Parses the footer of `file` (the complete file). The bytes must outlive the reader.
  static Result<std::unique_ptr<FileReader>> Open(std::string_view file);
  // As above, but the reader keeps the bytes.
  static Result<std::unique_ptr<FileReader>> OpenOwned(std::string file);

  const FileMetaData& metadata() const { return meta_; }
  // One spec per leaf column, in file order.
  const std::vector<ColumnSpec>& columns() const { return specs_; }
  // The runtime schema row groups decode into (RuntimeType of each column).
  const std::shared_ptr<const runtime::Schema>& schema() const { return schema_; }
  int64_t num_rows() const { return meta_.num_rows; }
  size_t num_row_groups() const { return meta_.row_groups.size(); }
  const RowGroup& row_group(size_t i) const { return meta_.row_groups[i]; }

  // Decodes row group `i` (all columns).
  Result<runtime::RecordBatch> ReadRowGroup(size_t i) const;
  // Decodes only `columns` (indexes into columns()), in that order.
  Result<runtime::RecordBatch> ReadRowGroup(size_t i, const std::vector<size_t>& columns) const;
  // Decodes all row groups into one batch (tests and small files).
  Result<runtime::RecordBatch> ReadAll() const;

 private:
  FileReader() = default;
  Status Init();
  Status DecodeChunk(size_t rg, size_t col, runtime::Column* out) const;

  std::string owned_;
  std::string_view file_;
  FileMetaData meta_;
  std::vector<ColumnSpec> specs_;
  std::shared_ptr<const runtime::Schema> schema_;
};

}  // namespace fluxgate::parquet
