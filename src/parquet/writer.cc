#include "parquet/writer.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "parquet/column_writer.h"
#include "runtime/decimal.h"

namespace fluxgate::parquet {

namespace {

constexpr std::string_view kMagic = "PAR1";
// Rows appended between row-group size checks: large enough to amortise the check, small
// enough that a group overshoots its byte target by little.
constexpr size_t kSliceRows = 4096;

const char* PhysicalName(runtime::PhysicalType p) {
  switch (p) {
    case runtime::PhysicalType::kBool:
      return "BOOLEAN";
    case runtime::PhysicalType::kInt64:
      return "int64";
    case runtime::PhysicalType::kDouble:
      return "DOUBLE";
    case runtime::PhysicalType::kDecimal:
      return "DECIMAL";
    case runtime::PhysicalType::kString:
      return "STRING";
  }
  return "?";
}

// Range of the values a column type accepts from int64 storage.
bool IntRange(ColumnType t, int64_t* lo, int64_t* hi) {
  switch (t) {
    case ColumnType::kInt8:
      *lo = INT8_MIN, *hi = INT8_MAX;
      return true;
    case ColumnType::kInt16:
      *lo = INT16_MIN, *hi = INT16_MAX;
      return true;
    case ColumnType::kInt32:
    case ColumnType::kDate:
      *lo = INT32_MIN, *hi = INT32_MAX;
      return true;
    default:
      return false;
  }
}

}  // namespace

Status WriterOptions::Validate() const {
  if (row_group_bytes == 0 || page_bytes == 0 || row_group_rows == 0) {
    return Status::InvalidArgument(
        "parquet: row_group_bytes, row_group_rows and page_bytes must be > 0");
  }
  if (row_group_rows > static_cast<size_t>(kMaxRowGroupRows)) {
    return Status::InvalidArgument(
        fmt::format("parquet: row_group_rows must be at most {}", kMaxRowGroupRows));
  }
  if (page_bytes > kMaxPageBytes / 2 || dictionary_page_bytes > kMaxPageBytes / 2) {
    return Status::InvalidArgument(fmt::format(
        "parquet: page_bytes and dictionary_page_bytes must be at most {}", kMaxPageBytes / 2));
  }
  if (codec == Codec::kZstd && (compression_level < 0 || compression_level > 22)) {
    return Status::InvalidArgument("parquet: zstd compression_level must be 0..22");
  }
  if (codec == Codec::kGzip && (compression_level < 0 || compression_level > 9)) {
    return Status::InvalidArgument("parquet: gzip compression_level must be 0..9");
  }
  if (codec != Codec::kUncompressed && codec != Codec::kSnappy && codec != Codec::kGzip &&
      codec != Codec::kZstd) {
    return Status::InvalidArgument("parquet: unsupported codec");
  }
  return Status::Ok();
}

Writer::Writer(std::vector<ColumnSpec> specs, WriterOptions options, ByteSink* sink)
    : specs_(std::move(specs)), options_(std::move(options)), sink_(sink) {
  for (const ColumnSpec& s : specs_) {
    chunks_.push_back(std::make_unique<ColumnChunkWriter>(s, options_));
  }
}

Writer::~Writer() = default;

Result<std::unique_ptr<Writer>> Writer::Open(std::vector<ColumnSpec> columns, WriterOptions options,
                                             ByteSink* sink) {
  FG_RETURN_IF_ERROR(options.Validate());
  if (columns.empty()) return Status::InvalidArgument("parquet: a file needs at least one column");
  std::set<std::string> names;
  for (const ColumnSpec& c : columns) {
    if (c.name.empty()) return Status::InvalidArgument("parquet: empty column name");
    if (!names.insert(c.name).second) {
      return Status::InvalidArgument(fmt::format("parquet: duplicate column '{}'", c.name));
    }
    if (c.type == ColumnType::kDecimal &&
        (c.precision < 1 || c.precision > 38 || c.scale < 0 || c.scale > c.precision)) {
      return Status::InvalidArgument(
          fmt::format("parquet column '{}': bad DECIMAL({},{})", c.name, c.precision, c.scale));
    }
    if (c.type == ColumnType::kTimestamp && c.unit == TimeUnit::kNanos) {
      return Status::InvalidArgument(fmt::format(
          "parquet column '{}': NANOS timestamps are not written (Spark rejects them)", c.name));
    }
  }
  std::unique_ptr<Writer> w(new Writer(std::move(columns), std::move(options), sink));
  FG_RETURN_IF_ERROR(w->Append(kMagic));
  return w;
}

Result<std::unique_ptr<Writer>> Writer::Open(const runtime::Schema& schema, WriterOptions options,
                                             ByteSink* sink) {
  FG_ASSIGN_OR_RETURN(std::vector<ColumnSpec> specs, SpecsFromSchema(schema));
  return Open(std::move(specs), std::move(options), sink);
}

Status Writer::Fail(Status s) {
  if (failed_.ok()) failed_ = s;
  return s;
}

Status Writer::Append(std::string_view bytes) {
  Status s = sink_->Append(bytes);
  if (!s.ok()) return Fail(s);
  stats_.bytes_written += static_cast<int64_t>(bytes.size());
  return Status::Ok();
}

size_t Writer::buffered_bytes() const {
  size_t n = 0;
  for (const auto& c : chunks_) n += c->buffered_bytes();
  return n;
}

Status Writer::Write(const runtime::RecordBatch& batch) {
  std::vector<const runtime::Column*> cols;
  cols.reserve(batch.num_columns());
  for (size_t i = 0; i < batch.num_columns(); ++i) cols.push_back(&batch.column(i));
  return WriteColumns(cols, batch.num_rows());
}

Status Writer::WriteColumns(const std::vector<const runtime::Column*>& columns, size_t num_rows) {
  if (!failed_.ok()) return failed_;
  if (closed_) return Status::InvalidArgument("parquet: write after Close()");
  if (columns.size() != specs_.size()) {
    return Status::InvalidArgument(fmt::format("parquet: batch has {} columns, the file has {}",
                                               columns.size(), specs_.size()));
  }
  // Validate everything first, so a bad batch is rejected whole and the writer stays usable.
  for (size_t i = 0; i < specs_.size(); ++i) {
    const ColumnSpec& s = specs_[i];
    const runtime::Column& c = *columns[i];
    if (c.size() < num_rows) {
      return Status::InvalidArgument(
          fmt::format("parquet column '{}': {} rows, expected {}", s.name, c.size(), num_rows));
    }
    if (c.physical() != s.input_physical()) {
      return Status::InvalidArgument(fmt::format("parquet column '{}' ({}) is fed {} values",
                                                 s.name, s.ToString(), PhysicalName(c.physical())));
    }
    if (!s.nullable && !c.NoNulls()) {
      for (size_t r = 0; r < num_rows; ++r) {
        if (c.IsNull(r)) {
          return Status::InvalidArgument(
              fmt::format("parquet column '{}' is NOT NULL but row {} is NULL", s.name, r));
        }
      }
    }
    int64_t lo, hi;
    if (IntRange(s.type, &lo, &hi)) {
      const int64_t* v = c.int64_data();
      for (size_t r = 0; r < num_rows; ++r) {
        if (c.IsValid(r) && (v[r] < lo || v[r] > hi)) {
          return Status::InvalidArgument(
              fmt::format("parquet column '{}' ({}): row {} value {} is out of range", s.name,
                          s.ToString(), r, v[r]));
        }
      }
    }
    if (s.type == ColumnType::kDecimal) {
      runtime::int128 limit = runtime::Pow10(s.precision);
      const runtime::int128* v = c.decimal_data();
      for (size_t r = 0; r < num_rows; ++r) {
        if (c.IsValid(r) && (v[r] >= limit || v[r] <= -limit)) {
          return Status::InvalidArgument(fmt::format(
              "parquet column '{}': row {} has more than {} digits", s.name, r, s.precision));
        }
      }
    }
  }
  for (size_t begin = 0, end = 0; begin < num_rows; begin = end) {
    size_t room = options_.row_group_rows - static_cast<size_t>(buffered_rows_);
    end = std::min({num_rows, begin + kSliceRows, begin + room});
    for (size_t i = 0; i < chunks_.size(); ++i) {
      Status s = chunks_[i]->Append(*columns[i], begin, end);
      if (!s.ok()) return Fail(s);
    }
    buffered_rows_ += static_cast<int64_t>(end - begin);
    stats_.rows += static_cast<int64_t>(end - begin);
    if (static_cast<size_t>(buffered_rows_) >= options_.row_group_rows ||
        buffered_bytes() >= options_.row_group_bytes) {
      FG_RETURN_IF_ERROR(FlushRowGroup());
    }
  }
  return Status::Ok();
}

Status Writer::FlushRowGroup() {
  if (!failed_.ok()) return failed_;
  if (closed_) return Status::InvalidArgument("parquet: flush after Close()");
  if (buffered_rows_ == 0) return Status::Ok();
  RowGroup rg;
  rg.num_rows = buffered_rows_;
  const int64_t start = stats_.bytes_written;
  int64_t compressed = 0;
  for (auto& chunk : chunks_) {
    ColumnChunk cc;
    Status s = chunk->FinishChunk(&chunk_bytes_, &cc.meta_data);
    if (!s.ok()) return Fail(s);
    const int64_t pos = stats_.bytes_written;
    cc.meta_data.data_page_offset += pos;
    if (cc.meta_data.dictionary_page_offset) *cc.meta_data.dictionary_page_offset += pos;
    FG_RETURN_IF_ERROR(Append(chunk_bytes_));
    rg.total_byte_size += cc.meta_data.total_uncompressed_size;
    compressed += cc.meta_data.total_compressed_size;
    rg.columns.push_back(std::move(cc));
  }
  rg.file_offset = start;
  rg.total_compressed_size = compressed;
  if (meta_.row_groups.size() < 32768) rg.ordinal = static_cast<int16_t>(meta_.row_groups.size());
  meta_.num_rows += rg.num_rows;
  meta_.row_groups.push_back(std::move(rg));
  buffered_rows_ = 0;
  ++stats_.row_groups;
  return Status::Ok();
}

Status Writer::Close() {
  if (!failed_.ok()) return failed_;
  if (closed_) return Status::InvalidArgument("parquet: Close() called twice");
  FG_RETURN_IF_ERROR(FlushRowGroup());
  SchemaElement root;
  root.name = "schema";
  root.num_children = static_cast<int32_t>(specs_.size());
  meta_.schema.clear();
  meta_.schema.push_back(std::move(root));
  for (const ColumnSpec& s : specs_) meta_.schema.push_back(ToSchemaElement(s));
  meta_.created_by = options_.created_by;
  meta_.key_value_metadata = options_.key_value_metadata;
  meta_.column_orders = specs_.size();
  std::string footer;
  SerializeFileMetaData(meta_, &footer);
  uint32_t len = static_cast<uint32_t>(footer.size());
  for (int i = 0; i < 4; ++i) footer.push_back(static_cast<char>(len >> (8 * i)));
  footer.append(kMagic);
  FG_RETURN_IF_ERROR(Append(footer));
  closed_ = true;
  return Status::Ok();
}

}  // namespace fluxgate::parquet
