// Parquet file metadata (parquet.thrift): the structs fluxgate writes and reads, with their
// Thrift compact encoding. Only the fields fluxgate uses are modelled; the parser skips the
// rest (offset/column indexes, bloom filters, encryption). Optional fields are
// std::optional so "unset" survives a parse/serialize round trip (MergeFiles relies on it).
// Plain values; thread-safe as values.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace fluxgate::parquet {

// Limits every reader and writer path enforces (hostile headers cannot make us allocate
// more): rows of one row group, bytes of one page before or after compression.
inline constexpr int64_t kMaxRowGroupRows = int64_t{1} << 26;
inline constexpr size_t kMaxPageBytes = size_t{512} << 20;

// Enum values are the wire values (see docs/design/parquet.md).
enum class Type : int32_t {
  kBoolean = 0,
  kInt32 = 1,
  kInt64 = 2,
  kInt96 = 3,
  kFloat = 4,
  kDouble = 5,
  kByteArray = 6,
  kFixedLenByteArray = 7,
};

enum class ConvertedType : int32_t {
  kUtf8 = 0,
  kDecimal = 5,
  kDate = 6,
  kTimestampMillis = 9,
  kTimestampMicros = 10,
  kUint8 = 11,
  kUint16 = 12,
  kUint32 = 13,
  kUint64 = 14,
  kInt8 = 15,
  kInt16 = 16,
  kInt32 = 17,
  kInt64 = 18,
};

enum class Repetition : int32_t { kRequired = 0, kOptional = 1, kRepeated = 2 };

enum class Encoding : int32_t {
  kPlain = 0,
  kPlainDictionary = 2,
  kRle = 3,
  kBitPacked = 4,
  kRleDictionary = 8,
};

enum class Codec : int32_t { kUncompressed = 0, kSnappy = 1, kGzip = 2, kZstd = 6 };

enum class PageType : int32_t {
  kDataPage = 0,
  kIndexPage = 1,
  kDictionaryPage = 2,
  kDataPageV2 = 3
};

enum class TimeUnit : uint8_t { kMillis = 1, kMicros = 2, kNanos = 3 };

// LogicalType union; kind selects the member, the rest are its parameters.
struct LogicalType {
  enum class Kind : uint8_t {
    kNone = 0,
    kString = 1,
    kDecimal = 5,
    kDate = 6,
    kTimestamp = 8,
    kInteger = 10,
    kOther = 255,  // a member fluxgate does not interpret (kept as "unknown")
  };
  Kind kind = Kind::kNone;
  int32_t scale = 0;
  int32_t precision = 0;
  bool utc = false;                   // TIMESTAMP isAdjustedToUTC
  TimeUnit unit = TimeUnit::kMillis;  // TIMESTAMP
  int8_t bit_width = 0;               // INTEGER
  bool is_signed = true;              // INTEGER
};

struct SchemaElement {
  std::optional<Type> type;
  std::optional<int32_t> type_length;
  std::optional<Repetition> repetition;
  std::string name;
  std::optional<int32_t> num_children;
  std::optional<ConvertedType> converted_type;
  std::optional<int32_t> scale;
  std::optional<int32_t> precision;
  std::optional<int32_t> field_id;
  LogicalType logical;
};

struct Statistics {
  std::optional<std::string> max;  // legacy, signed order
  std::optional<std::string> min;
  std::optional<int64_t> null_count;
  std::optional<int64_t> distinct_count;
  std::optional<std::string> max_value;
  std::optional<std::string> min_value;
  bool empty() const {
    return !max && !min && !null_count && !distinct_count && !max_value && !min_value;
  }
};

struct PageEncodingStats {
  PageType page_type = PageType::kDataPage;
  Encoding encoding = Encoding::kPlain;
  int32_t count = 0;
};

struct KeyValue {
  std::string key;
  std::optional<std::string> value;
};

struct ColumnMetaData {
  Type type = Type::kInt32;
  std::vector<Encoding> encodings;
  std::vector<std::string> path_in_schema;
  Codec codec = Codec::kUncompressed;
  int64_t num_values = 0;
  int64_t total_uncompressed_size = 0;
  int64_t total_compressed_size = 0;
  std::vector<KeyValue> key_value_metadata;
  int64_t data_page_offset = 0;
  std::optional<int64_t> index_page_offset;
  std::optional<int64_t> dictionary_page_offset;
  Statistics statistics;
  std::vector<PageEncodingStats> encoding_stats;

  // Where the chunk's bytes begin (the dictionary page when there is one).
  int64_t ChunkStart() const {
    return dictionary_page_offset && *dictionary_page_offset >= 4 &&
                   *dictionary_page_offset < data_page_offset
               ? *dictionary_page_offset
               : data_page_offset;
  }
};

struct ColumnChunk {
  std::optional<std::string> file_path;
  int64_t file_offset = 0;
  ColumnMetaData meta_data;
};

struct RowGroup {
  std::vector<ColumnChunk> columns;
  int64_t total_byte_size = 0;
  int64_t num_rows = 0;
  std::optional<int64_t> file_offset;
  std::optional<int64_t> total_compressed_size;
  std::optional<int16_t> ordinal;
};

struct FileMetaData {
  int32_t version = 1;
  std::vector<SchemaElement> schema;
  int64_t num_rows = 0;
  std::vector<RowGroup> row_groups;
  std::vector<KeyValue> key_value_metadata;
  std::optional<std::string> created_by;
  // Number of TYPE_ORDER column orders (one per leaf when written).
  size_t column_orders = 0;
};

struct DataPageHeader {
  int32_t num_values = 0;
  Encoding encoding = Encoding::kPlain;
  Encoding definition_level_encoding = Encoding::kRle;
  Encoding repetition_level_encoding = Encoding::kRle;
};

struct DataPageHeaderV2 {
  int32_t num_values = 0;
  int32_t num_nulls = 0;
  int32_t num_rows = 0;
  Encoding encoding = Encoding::kPlain;
  int32_t definition_levels_byte_length = 0;
  int32_t repetition_levels_byte_length = 0;
  bool is_compressed = true;
};

struct DictionaryPageHeader {
  int32_t num_values = 0;
  Encoding encoding = Encoding::kPlain;
  bool is_sorted = false;
};

struct PageHeader {
  PageType type = PageType::kDataPage;
  int32_t uncompressed_page_size = 0;
  int32_t compressed_page_size = 0;
  std::optional<DataPageHeader> data_page;
  std::optional<DictionaryPageHeader> dictionary_page;
  std::optional<DataPageHeaderV2> data_page_v2;
};

void SerializePageHeader(const PageHeader& h, std::string* out);
void SerializeFileMetaData(const FileMetaData& m, std::string* out);

// Parses a page header at the start of `data`; *consumed = its length in bytes.
Status ParsePageHeader(std::string_view data, PageHeader* h, size_t* consumed);
// Parses a whole footer; checks required fields are present.
Status ParseFileMetaData(std::string_view data, FileMetaData* m);

}  // namespace fluxgate::parquet
