// 'format' = 'parquet' on file sinks: one parquet::Writer per open part file, fed the data
// columns of each run of rows. A bulk format: the PartFileWriter rolls every file at every
// checkpoint (roll_on_checkpoint), and Finish writes the footer; row groups are cut by
// 'parquet.block.size' inside a file, files by 'sink.rolling-policy.file-size'.
#include "jobs/file_format.h"
#include "parquet/writer.h"

namespace fluxgate::jobs {
namespace {

// The parquet writer's sink: bytes wait here until the PartFileWriter takes them.
class PendingBytes final : public parquet::ByteSink {
 public:
  Status Append(std::string_view bytes) override {
    data_.append(bytes);
    return Status::Ok();
  }
  void MoveTo(std::string& out) {
    out.append(data_);
    data_.clear();
  }

 private:
  std::string data_;
};

class ParquetEncoder final : public store::PartFileEncoder {
 public:
  Status Open(const std::vector<parquet::ColumnSpec>& specs, const parquet::WriterOptions& o) {
    FG_ASSIGN_OR_RETURN(writer_, parquet::Writer::Open(specs, o, &sink_));
    return Status::Ok();
  }
  Status Encode(std::string_view, std::string&) override {
    return Status::Internal("a Parquet part file takes rows, not bytes");
  }
  Status WriteColumns(const std::vector<const runtime::Column*>& columns, size_t rows,
                      std::string& out) {
    FG_RETURN_IF_ERROR(writer_->WriteColumns(columns, rows));
    sink_.MoveTo(out);
    return Status::Ok();
  }
  Status Sync(std::string&) override {
    return Status::Internal("a Parquet part file cannot continue after a checkpoint; it rolls");
  }
  Status Finish(std::string& out) override {
    FG_RETURN_IF_ERROR(writer_->Close());
    sink_.MoveTo(out);
    return Status::Ok();
  }
  uint64_t buffered_bytes() const override { return writer_->buffered_bytes(); }

 private:
  PendingBytes sink_;
  std::unique_ptr<parquet::Writer> writer_;
};

class ParquetFormat final : public FileFormat {
 public:
  ParquetFormat(std::shared_ptr<const runtime::Schema> schema, std::vector<int> data_columns,
                std::vector<parquet::ColumnSpec> specs, parquet::WriterOptions options)
      : schema_(std::move(schema)),
        data_columns_(std::move(data_columns)),
        specs_(std::move(specs)),
        options_(std::move(options)) {}

  std::string suffix() const override { return ".parquet"; }
  store::PartFileEncoderFactory encoder() const override {
    // Pointers into this format: the PartFileWriter holding the factory belongs to the
    // same sink task, which owns this format and outlives the writer.
    const std::vector<parquet::ColumnSpec>* specs = &specs_;
    const parquet::WriterOptions* options = &options_;
    return [specs, options]() -> Result<std::unique_ptr<store::PartFileEncoder>> {
      auto e = std::make_unique<ParquetEncoder>();
      FG_RETURN_IF_ERROR(e->Open(*specs, *options));
      return std::unique_ptr<store::PartFileEncoder>(std::move(e));
    };
  }
  bool roll_on_checkpoint() const override { return true; }

  Status Write(store::PartFileWriter& writer, std::string_view partition,
               const runtime::RecordBatch& b, size_t begin, size_t end) override {
    columns_.clear();
    if (begin == 0 && end == b.num_rows()) {
      for (int c : data_columns_) columns_.push_back(&b.column(c));
    } else {
      CopyRows(b, begin, end);
      for (const runtime::Column& c : slice_) columns_.push_back(&c);
    }
    const size_t rows = end - begin;
    return writer.AppendEncoded(partition, [&](store::PartFileEncoder& e, std::string& out) {
      return static_cast<ParquetEncoder&>(e).WriteColumns(columns_, rows, out);
    });
  }

 private:
  // Rows of a batch that spans partitions: copied into reused columns.
  void CopyRows(const runtime::RecordBatch& b, size_t begin, size_t end) {
    if (slice_.empty()) {
      for (size_t i = 0; i < schema_->size(); ++i) slice_.emplace_back(schema_->field(i).type);
    }
    for (size_t i = 0; i < data_columns_.size(); ++i) {
      const runtime::Column& src = b.column(data_columns_[i]);
      runtime::Column& dst = slice_[i];
      dst.Clear();
      for (size_t r = begin; r < end; ++r) {
        if (src.IsNull(r)) {
          dst.AppendNull();
          continue;
        }
        switch (src.physical()) {
          case runtime::PhysicalType::kBool:
            dst.AppendBool(src.Bool(r));
            break;
          case runtime::PhysicalType::kInt64:
            dst.AppendInt64(src.Int64(r));
            break;
          case runtime::PhysicalType::kDouble:
            dst.AppendDouble(src.Double(r));
            break;
          case runtime::PhysicalType::kDecimal:
            dst.AppendDecimal(src.Decimal(r));
            break;
          case runtime::PhysicalType::kString:
            dst.AppendString(src.String(r));
            break;
        }
      }
    }
  }

  std::shared_ptr<const runtime::Schema> schema_;
  const std::vector<int> data_columns_;
  const std::vector<parquet::ColumnSpec> specs_;
  const parquet::WriterOptions options_;
  std::vector<runtime::Column> slice_;
  std::vector<const runtime::Column*> columns_;
};

Result<parquet::Codec> CodecOf(const std::string& name) {
  if (name == "none") return parquet::Codec::kUncompressed;
  if (name == "snappy") return parquet::Codec::kSnappy;
  if (name == "gzip") return parquet::Codec::kGzip;
  if (name == "zstd") return parquet::Codec::kZstd;
  return Status::InvalidArgument("unknown 'parquet.compression' '" + name + "'");
}

}  // namespace

Result<std::unique_ptr<FileFormat>> MakeParquetFormat(
    const std::string& table, const sql::ConnectorConfig& c,
    std::shared_ptr<const runtime::Schema> data_schema, std::vector<int> data_columns) {
  auto specs = parquet::SpecsFromSchema(*data_schema);
  if (!specs.ok()) {
    return Status::InvalidArgument("table '" + table +
                                   "': 'format' = 'parquet': " + specs.status().message());
  }
  parquet::WriterOptions o;
  FG_ASSIGN_OR_RETURN(o.codec, CodecOf(c.parquet_compression));
  o.row_group_bytes = static_cast<size_t>(c.parquet_row_group_bytes);
  FG_RETURN_IF_ERROR(o.Validate());
  return std::unique_ptr<FileFormat>(new ParquetFormat(
      std::move(data_schema), std::move(data_columns), std::move(specs).value(), std::move(o)));
}

}  // namespace fluxgate::jobs
