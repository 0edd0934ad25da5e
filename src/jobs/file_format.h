// File formats of the 'filesystem' / 's3' sink: how a run of rows for one partition becomes
// bytes in that partition's part file.
//
//   'json'     JSON Lines (one object per row, the table's json.* options), suffix .json
//   'raw'      the one STRING column's text per line, suffix .json (as before: raw archives
//              hold the JSON records devices sent; NULL is an empty line)
//   + 'compression' = 'gzip' | 'zstd' for the two above: .json.gz / .json.zst, one gzip
//              member / zstd frame per checkpoint interval (store/part_file_codec.h)
//   'parquet'  one Parquet file per part file (columns typed from the sink table's SQL
//              schema; 'parquet.compression', row groups by 'parquet.block.size'); a bulk
//              format, so files roll on every checkpoint. Suffix .parquet.
//
// Partition columns are never in the files (Hive layout): the caller passes the data
// columns only.
// Thread-safety: a FileFormat belongs to one sink task (one thread).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "runtime/record_batch.h"
#include "sql/connector_options.h"
#include "store/part_file_writer.h"

namespace fluxgate::jobs {

class FileFormat {
 public:
  virtual ~FileFormat() = default;
  // The part file suffix (".json.gz") and how the writer encodes each file; the caller
  // copies these into its PartFileWriterOptions.
  virtual std::string suffix() const = 0;
  virtual store::PartFileEncoderFactory encoder() const = 0;
  virtual bool roll_on_checkpoint() const = 0;
  // Writes rows [begin, end) of `batch` (all in `partition`) through `writer`.
  [[nodiscard]] virtual Status Write(store::PartFileWriter& writer, std::string_view partition,
                                     const runtime::RecordBatch& batch, size_t begin,
                                     size_t end) = 0;
};

// `data_columns`: the batch columns written to files (in order), `data_schema` their
// fields. InvalidArgument (naming `table`) for a schema the format cannot write.
Result<std::unique_ptr<FileFormat>> MakeFileFormat(
    const std::string& table, const sql::ConnectorConfig& config,
    std::shared_ptr<const runtime::Schema> data_schema, std::vector<int> data_columns);

// The line formats ('json', 'raw'), and Parquet (file_format_parquet.cc).
Result<std::unique_ptr<FileFormat>> MakeLineFormat(
    const std::string& table, const sql::ConnectorConfig& config,
    std::shared_ptr<const runtime::Schema> data_schema, std::vector<int> data_columns);
Result<std::unique_ptr<FileFormat>> MakeParquetFormat(
    const std::string& table, const sql::ConnectorConfig& config,
    std::shared_ptr<const runtime::Schema> data_schema, std::vector<int> data_columns);

}  // namespace fluxgate::jobs
