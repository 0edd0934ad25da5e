#include "parquet/merge.h"

#include <fmt/format.h>

#include <memory>

#include "parquet/reader.h"

namespace fluxgate::parquet {

namespace {

bool SameLogical(const LogicalType& a, const LogicalType& b) {
  return a.kind == b.kind && a.scale == b.scale && a.precision == b.precision && a.utc == b.utc &&
         a.unit == b.unit && a.bit_width == b.bit_width && a.is_signed == b.is_signed;
}

bool SameElement(const SchemaElement& a, const SchemaElement& b) {
  return a.type == b.type && a.type_length == b.type_length &&
         a.repetition.value_or(Repetition::kOptional) ==
             b.repetition.value_or(Repetition::kOptional) &&
         a.name == b.name && a.num_children == b.num_children &&
         a.converted_type == b.converted_type && a.scale == b.scale && a.precision == b.precision &&
         SameLogical(a.logical, b.logical);
}

}  // namespace

Result<MergeStats> MergeFiles(const std::vector<std::string_view>& files, ByteSink* sink) {
  if (files.empty()) return Status::InvalidArgument("parquet merge: no input files");
  std::vector<std::unique_ptr<FileReader>> readers;
  for (size_t f = 0; f < files.size(); ++f) {
    auto r = FileReader::Open(files[f]);
    if (!r.ok()) {
      return Status(r.status().code() == Status::Code::kCorruption
                        ? Status::Corruption(
                              fmt::format("parquet merge: input {}: {}", f, r.status().message()))
                        : Status::InvalidArgument(
                              fmt::format("parquet merge: input {}: {}", f, r.status().message())));
    }
    readers.push_back(std::move(r).value());
  }
  const FileMetaData& first = readers[0]->metadata();
  for (size_t f = 1; f < readers.size(); ++f) {
    const FileMetaData& m = readers[f]->metadata();
    bool same = m.schema.size() == first.schema.size();
    for (size_t i = 1; same && i < m.schema.size(); ++i) {
      same = SameElement(m.schema[i], first.schema[i]);
    }
    if (!same) {
      return Status::InvalidArgument(
          fmt::format("parquet merge: input {} has a different schema than input 0", f));
    }
  }

  FileMetaData out;
  out.version = first.version;
  out.schema = first.schema;
  out.key_value_metadata = first.key_value_metadata;
  out.created_by = first.created_by;  // the statistics were written under its rules
  out.column_orders = first.column_orders;

  MergeStats stats;
  auto append = [&](std::string_view bytes) -> Status {
    FG_RETURN_IF_ERROR(sink->Append(bytes));
    stats.bytes_written += static_cast<int64_t>(bytes.size());
    return Status::Ok();
  };
  FG_RETURN_IF_ERROR(append("PAR1"));
  for (size_t f = 0; f < readers.size(); ++f) {
    for (const RowGroup& in : readers[f]->metadata().row_groups) {
      RowGroup rg;
      rg.num_rows = in.num_rows;
      rg.total_byte_size = in.total_byte_size;
      rg.file_offset = stats.bytes_written;
      int64_t compressed = 0;
      for (const ColumnChunk& cc : in.columns) {
        ColumnChunk oc;
        oc.meta_data = cc.meta_data;
        ColumnMetaData& m = oc.meta_data;
        const int64_t start = m.ChunkStart();  // validated by FileReader::Open
        const int64_t delta = stats.bytes_written - start;
        m.data_page_offset += delta;
        if (m.dictionary_page_offset) {
          if (*m.dictionary_page_offset >= 4 &&
              *m.dictionary_page_offset < cc.meta_data.data_page_offset) {
            *m.dictionary_page_offset += delta;
          } else {
            m.dictionary_page_offset.reset();  // a bogus value some writers leave
          }
        }
        m.index_page_offset.reset();
        FG_RETURN_IF_ERROR(append(files[f].substr(static_cast<size_t>(start),
                                                  static_cast<size_t>(m.total_compressed_size))));
        compressed += m.total_compressed_size;
        rg.columns.push_back(std::move(oc));
      }
      rg.total_compressed_size = compressed;
      if (out.row_groups.size() < 32768) rg.ordinal = static_cast<int16_t>(out.row_groups.size());
      out.num_rows += rg.num_rows;
      out.row_groups.push_back(std::move(rg));
    }
  }
  std::string footer;
  SerializeFileMetaData(out, &footer);
  uint32_t len = static_cast<uint32_t>(footer.size());
  for (int i = 0; i < 4; ++i) footer.push_back(static_cast<char>(len >> (8 * i)));
  footer.append("PAR1");
  FG_RETURN_IF_ERROR(append(footer));
  stats.rows = out.num_rows;
  stats.row_groups = static_cast<int64_t>(out.row_groups.size());
  return stats;
}

}  // namespace fluxgate::parquet
