// ColumnChunkWriter: buffers one column of the current row group as finished, compressed
// pages (plus the open page and, for strings, the dictionary), and hands the whole chunk
// out when the row group is flushed. Internal to parquet::Writer; not thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/status.h"
#include "parquet/column_spec.h"
#include "parquet/format.h"
#include "runtime/column.h"

namespace fluxgate::parquet {

struct WriterOptions;

class ColumnChunkWriter {
 public:
  ColumnChunkWriter(const ColumnSpec& spec, const WriterOptions& options);

  // Appends rows [begin, end) of `column` (whose storage matches spec.input_physical()).
  Status Append(const runtime::Column& column, size_t begin, size_t end);
  // Bytes the chunk would take if flushed now (approximate for the open page).
  size_t buffered_bytes() const;
  // Finishes the chunk: *bytes = [dictionary page] data pages; *meta has offsets relative
  // to the chunk's first byte (the caller adds the file position). Resets for the next
  // row group, keeping buffer capacity.
  Status FinishChunk(std::string* bytes, ColumnMetaData* meta);

 private:
  struct StringHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  Status FinishPage();
  Status EmitPage(PageType type, std::string_view body, int32_t num_values, Encoding encoding,
                  std::string* dest);
  void AddEncoding(Encoding e);
  void AppendStringValue(std::string_view v);
  void ResetChunk();

  const ColumnSpec spec_;
  const WriterOptions& options_;  // owned by the Writer, which outlives this
  const Type physical_;
  const int32_t fixed_len_;

  // Open page.
  std::vector<uint32_t> def_levels_;  // optional columns: 1 present, 0 null
  std::string values_;                // PLAIN-encoded values (plain mode)
  std::vector<uint32_t> indices_;     // dictionary indices (dictionary mode)
  uint8_t bool_bits_ = 0;             // booleans: bits in the last byte of values_ (0..7)
  int32_t page_values_ = 0;           // rows in the open page, NULLs included

  // Chunk.
  std::string pages_;  // finished data pages: header + stored body each
  std::string scratch_, body_, header_;
  int64_t num_values_ = 0;
  int64_t null_count_ = 0;
  int64_t uncompressed_bytes_ = 0;  // data pages, headers included
  std::vector<Encoding> encodings_;
  int32_t dict_data_pages_ = 0, plain_data_pages_ = 0;
  bool use_dictionary_;  // dictionary mode for the rest of this chunk
  std::unordered_map<std::string, uint32_t, StringHash, std::equal_to<>> dict_;
  std::string dict_plain_;  // the dictionary page body (PLAIN entries)
  uint32_t dict_size_ = 0;

  // Statistics of the chunk (non-NULL values).
  bool has_minmax_ = false;
  int64_t min_i_ = 0, max_i_ = 0;
  double min_d_ = 0, max_d_ = 0;
  runtime::int128 min_dec_ = 0, max_dec_ = 0;
  std::string min_s_, max_s_;  // plain-mode strings (dictionary entries are scanned at flush)
  bool has_plain_strings_ = false;
};

}  // namespace fluxgate::parquet
