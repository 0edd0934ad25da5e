// 'json' and 'raw' file sink formats, optionally gzip- or zstd-compressed.
#include "jobs/file_format.h"
#include "runtime/json_encoder.h"
#include "store/part_file_codec.h"

namespace fluxgate::jobs {
namespace {

class LineFormat final : public FileFormat {
 public:
  LineFormat(bool raw, store::LineCompression compression,
             std::unique_ptr<runtime::JsonRowEncoder> encoder, std::vector<int> data_columns)
      : raw_(raw),
        compression_(compression),
        encoder_(std::move(encoder)),
        data_columns_(std::move(data_columns)) {}

  std::string suffix() const override {
    return ".json" + std::string(store::CompressionSuffix(compression_));
  }
  store::PartFileEncoderFactory encoder() const override {
    if (compression_ == store::LineCompression::kNone) return {};  // bytes as given
    const store::LineCompression c = compression_;
    return [c] { return store::NewLineEncoder(c); };
  }
  bool roll_on_checkpoint() const override { return false; }

  Status Write(store::PartFileWriter& writer, std::string_view partition,
               const runtime::RecordBatch& b, size_t begin, size_t end) override {
    lines_.clear();
    for (size_t r = begin; r < end; ++r) {
      if (raw_) {
        const runtime::Column& col = b.column(data_columns_[0]);
        if (col.IsValid(r)) lines_.append(col.String(r));
      } else {
        encoder_->AppendRow(b, data_columns_, r, lines_);
      }
      lines_ += '\n';
    }
    return writer.Append(partition, lines_);
  }

 private:
  const bool raw_;
  const store::LineCompression compression_;
  std::unique_ptr<runtime::JsonRowEncoder> encoder_;  // 'json' only
  const std::vector<int> data_columns_;
  std::string lines_;  // reused across calls
};

}  // namespace

Result<std::unique_ptr<FileFormat>> MakeLineFormat(
    const std::string& table, const sql::ConnectorConfig& c,
    std::shared_ptr<const runtime::Schema> data_schema, std::vector<int> data_columns) {
  const bool raw = c.format == "raw";
  if (raw &&
      (data_schema->size() != 1 || data_schema->field(0).type.kind != sql::TypeKind::kString)) {
    return Status::InvalidArgument("table '" + table +
                                   "': 'format' = 'raw' writes one STRING column per line; "
                                   "the table has " +
                                   std::to_string(data_schema->size()) +
                                   " columns besides its PARTITIONED BY ones");
  }
  FG_ASSIGN_OR_RETURN(store::LineCompression compression,
                      store::ParseLineCompression(c.compression));
  std::unique_ptr<runtime::JsonRowEncoder> encoder;
  if (!raw) {
    FG_ASSIGN_OR_RETURN(runtime::JsonFormatOptions json,
                        runtime::JsonFormatOptions::FromProperties(c.options));
    encoder = std::make_unique<runtime::JsonRowEncoder>(data_schema, json);
  }
  return std::unique_ptr<FileFormat>(
      new LineFormat(raw, compression, std::move(encoder), std::move(data_columns)));
}

Result<std::unique_ptr<FileFormat>> MakeFileFormat(
    const std::string& table, const sql::ConnectorConfig& config,
    std::shared_ptr<const runtime::Schema> data_schema, std::vector<int> data_columns) {
  if (config.format == "parquet") {
    return MakeParquetFormat(table, config, std::move(data_schema), std::move(data_columns));
  }
  return MakeLineFormat(table, config, std::move(data_schema), std::move(data_columns));
}

}  // namespace fluxgate::jobs
