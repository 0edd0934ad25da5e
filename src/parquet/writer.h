// parquet::Writer: streams runtime::RecordBatches into a Parquet file.
//
// Columns are typed from the SQL schema (see column_spec.h for the mapping). Rows are
// buffered per column as compressed pages; when the buffered row group reaches
// `row_group_bytes` it is written to the ByteSink in one go, so a caller staging S3
// multipart parts sees large appends and never the whole file. Close() writes the footer;
// the file is only valid after Close() (a checkpoint "rolls" the file: Close() it and open
// a new Writer, as Flink's bulk formats do). After any error the writer is failed: every
// later call returns that error and the sink's bytes must be discarded.
//
// Not thread-safe: one writer is driven by one thread (batches from another thread are
// fine as long as calls do not overlap).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "parquet/byte_sink.h"
#include "parquet/column_spec.h"
#include "parquet/format.h"
#include "runtime/record_batch.h"

namespace fluxgate::parquet {

class ColumnChunkWriter;

inline constexpr const char* kCreatedBy = "fluxgate version 0.1.0 (build fluxgate)";

struct WriterOptions {
  Codec codec = Codec::kSnappy;
  int compression_level = 0;  // 0 = codec default (zstd 3, gzip 6)
  // A row group is flushed once its buffered (encoded, compressed) bytes reach this.
  size_t row_group_bytes = size_t{128} << 20;
  // ... or once it holds this many rows (Arrow's default), which bounds what a reader must
  // decode at once when the data compresses very well.
  size_t row_group_rows = size_t{1} << 20;
  // A data page is closed once its encoded values reach this (before compression).
  size_t page_bytes = size_t{1} << 20;
  // Dictionary-encode STRING columns; a chunk whose dictionary page would exceed
  // dictionary_page_bytes falls back to PLAIN for its remaining pages.
  bool dictionary = true;
  size_t dictionary_page_bytes = size_t{1} << 20;
  // String min/max longer than this are left out of the statistics (null_count stays).
  size_t max_statistics_bytes = 4096;
  std::string created_by = kCreatedBy;
  std::vector<KeyValue> key_value_metadata;

  // InvalidArgument for sizes of 0 or limits fluxgate does not support.
  Status Validate() const;
};

struct WriterStats {
  int64_t rows = 0;           // rows accepted (written or buffered)
  int64_t row_groups = 0;     // row groups written to the sink
  int64_t bytes_written = 0;  // bytes handed to the sink
};

class Writer {
 public:
  // Writes "PAR1" to `sink` at once. `sink` must outlive the writer.
  static Result<std::unique_ptr<Writer>> Open(std::vector<ColumnSpec> columns,
                                              WriterOptions options, ByteSink* sink);
  // Columns typed from a runtime schema (SpecsFromSchema).
  static Result<std::unique_ptr<Writer>> Open(const runtime::Schema& schema, WriterOptions options,
                                              ByteSink* sink);
  ~Writer();

  // Appends all rows of `batch`; its columns must match the writer's columns in number
  // and storage (names are not compared). May write row groups to the sink.
  Status Write(const runtime::RecordBatch& batch);
  // Per-column arrays: columns[i] holds rows [0, num_rows) of column i.
  Status WriteColumns(const std::vector<const runtime::Column*>& columns, size_t num_rows);
  // Writes the buffered rows as a row group now (no-op when none are buffered).
  Status FlushRowGroup();
  // Flushes the last row group and writes the footer. The writer accepts nothing after.
  Status Close();

  const std::vector<ColumnSpec>& columns() const { return specs_; }
  const WriterStats& stats() const { return stats_; }
  // Encoded bytes of the row group being buffered.
  size_t buffered_bytes() const;
  bool closed() const { return closed_; }

 private:
  Writer(std::vector<ColumnSpec> specs, WriterOptions options, ByteSink* sink);
  Status Append(std::string_view bytes);
  Status Fail(Status s);

  std::vector<ColumnSpec> specs_;
  WriterOptions options_;
  ByteSink* sink_;  // not owned
  std::vector<std::unique_ptr<ColumnChunkWriter>> chunks_;
  FileMetaData meta_;
  int64_t buffered_rows_ = 0;
  WriterStats stats_;
  std::string chunk_bytes_;
  Status failed_;
  bool closed_ = false;
};

}  // namespace fluxgate::parquet
