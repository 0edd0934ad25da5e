#include "parquet/reader.h"

#include <fmt/format.h>

#include <cstring>

#include "parquet/compression.h"
#include "parquet/rle.h"

namespace fluxgate::parquet {

namespace {

constexpr std::string_view kMagic = "PAR1";

uint32_t LoadU32(const char* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}

// Walks PLAIN-encoded values, handing out each value's raw bytes (booleans as one byte).
class PlainValues {
 public:
  PlainValues(std::string_view data, Type type, int32_t fixed_len)
      : data_(data), type_(type), fixed_len_(fixed_len) {}

  Status Next(std::string_view* raw) {
    size_t width;
    switch (type_) {
      case Type::kBoolean: {
        if ((bit_ >> 3) >= data_.size()) return Status::Corruption("PLAIN booleans run out");
        bool v = (static_cast<uint8_t>(data_[bit_ >> 3]) >> (bit_ & 7)) & 1;
        ++bit_;
        *raw = std::string_view(v ? "\1" : "\0", 1);
        return Status::Ok();
      }
      case Type::kInt32:
      case Type::kFloat:
        width = 4;
        break;
      case Type::kInt64:
      case Type::kDouble:
        width = 8;
        break;
      case Type::kInt96:
        width = 12;
        break;
      case Type::kFixedLenByteArray:
        width = static_cast<size_t>(fixed_len_);
        break;
      case Type::kByteArray: {
        if (data_.size() - pos_ < 4) return Status::Corruption("PLAIN byte array length truncated");
        uint32_t len = LoadU32(data_.data() + pos_);
        pos_ += 4;
        if (len > data_.size() - pos_) {
          return Status::Corruption("PLAIN byte array runs past the page");
        }
        *raw = data_.substr(pos_, len);
        pos_ += len;
        return Status::Ok();
      }
      default:
        return Status::Corruption("unknown physical type");
    }
    if (data_.size() - pos_ < width) return Status::Corruption("PLAIN values run out");
    *raw = data_.substr(pos_, width);
    pos_ += width;
    return Status::Ok();
  }

 private:
  std::string_view data_;
  Type type_;
  int32_t fixed_len_;
  size_t pos_ = 0;
  uint64_t bit_ = 0;
};

// Turns one raw value into a runtime value appended to `out`.
class ValueSink {
 public:
  ValueSink(const ColumnSpec& spec, Type physical, runtime::Column* out)
      : spec_(spec), physical_(physical), out_(out) {}

  Status Emit(std::string_view raw) {
    switch (physical_) {
      case Type::kBoolean:
        out_->AppendBool(raw[0] != 0);
        return Status::Ok();
      case Type::kInt32: {
        int32_t v;
        std::memcpy(&v, raw.data(), 4);
        if (spec_.type == ColumnType::kDate) {
          out_->AppendInt64(int64_t{v} * 86'400'000);
        } else if (spec_.type == ColumnType::kDecimal) {
          out_->AppendDecimal(v);
        } else if (spec_.is_unsigned) {
          out_->AppendInt64(static_cast<uint32_t>(v));
        } else {
          out_->AppendInt64(v);
        }
        return Status::Ok();
      }
      case Type::kInt64: {
        int64_t v;
        std::memcpy(&v, raw.data(), 8);
        if (spec_.type == ColumnType::kDecimal) {
          out_->AppendDecimal(v);
        } else if (spec_.type == ColumnType::kTimestamp && spec_.unit == TimeUnit::kNanos) {
          int64_t q = v / 1000;
          if (v % 1000 < 0) --q;  // floor, so pre-1970 instants stay ordered
          out_->AppendInt64(q);
        } else {
          out_->AppendInt64(v);
        }
        return Status::Ok();
      }
      case Type::kFloat: {
        float f;
        std::memcpy(&f, raw.data(), 4);
        out_->AppendDouble(f);
        return Status::Ok();
      }
      case Type::kDouble: {
        double d;
        std::memcpy(&d, raw.data(), 8);
        out_->AppendDouble(d);
        return Status::Ok();
      }
      case Type::kByteArray:
      case Type::kFixedLenByteArray:
        if (spec_.type == ColumnType::kDecimal) {
          if (raw.size() > 16) return Status::Corruption("decimal wider than 16 bytes");
          unsigned __int128 u = 0;
          if (!raw.empty() && (static_cast<uint8_t>(raw[0]) & 0x80)) u = ~u;  // sign-extend
          for (char c : raw) u = (u << 8) | static_cast<uint8_t>(c);
          out_->AppendDecimal(static_cast<runtime::int128>(u));
        } else {
          out_->AppendString(raw);
        }
        return Status::Ok();
      default:
        return Status::InvalidArgument("INT96 is not supported");
    }
  }

 private:
  const ColumnSpec& spec_;
  Type physical_;
  runtime::Column* out_;
};

const char* EncodingName(Encoding e) {
  switch (static_cast<int>(e)) {
    case 0:
      return "PLAIN";
    case 2:
      return "PLAIN_DICTIONARY";
    case 3:
      return "RLE";
    case 4:
      return "BIT_PACKED";
    case 5:
      return "DELTA_BINARY_PACKED";
    case 6:
      return "DELTA_LENGTH_BYTE_ARRAY";
    case 7:
      return "DELTA_BYTE_ARRAY";
    case 8:
      return "RLE_DICTIONARY";
    case 9:
      return "BYTE_STREAM_SPLIT";
    default:
      return "unknown";
  }
}

}  // namespace

Result<std::unique_ptr<FileReader>> FileReader::Open(std::string_view file) {
  std::unique_ptr<FileReader> r(new FileReader());
  r->file_ = file;
  FG_RETURN_IF_ERROR(r->Init());
  return r;
}

Result<std::unique_ptr<FileReader>> FileReader::OpenOwned(std::string file) {
  std::unique_ptr<FileReader> r(new FileReader());
  r->owned_ = std::move(file);
  r->file_ = r->owned_;
  FG_RETURN_IF_ERROR(r->Init());
  return r;
}

Status FileReader::Init() {
  const size_t size = file_.size();
  if (size < 12) {
    return Status::Corruption(fmt::format("parquet: file of {} bytes is too short", size));
  }
  if (file_.substr(0, 4) != kMagic) return Status::Corruption("parquet: no PAR1 magic at start");
  std::string_view tail = file_.substr(size - 4);
  if (tail == "PARE")
    return Status::InvalidArgument("parquet: encrypted footers are not supported");
  if (tail != kMagic) return Status::Corruption("parquet: no PAR1 magic at end (truncated file?)");
  const uint32_t len = LoadU32(file_.data() + size - 8);
  if (len == 0 || len > size - 12) {
    return Status::Corruption(
        fmt::format("parquet: footer length {} does not fit a {}-byte file", len, size));
  }
  const size_t footer_start = size - 8 - len;
  Status s = ParseFileMetaData(file_.substr(footer_start, len), &meta_);
  if (!s.ok()) return Status::Corruption("parquet footer: " + s.message());

  // Schema: a root group whose children are all leaves.
  if (meta_.schema.empty()) return Status::Corruption("parquet footer: empty schema");
  const SchemaElement& root = meta_.schema[0];
  const size_t leaves = meta_.schema.size() - 1;
  if (root.num_children.value_or(-1) != static_cast<int32_t>(leaves)) {
    for (size_t i = 1; i < meta_.schema.size(); ++i) {
      if (meta_.schema[i].num_children.value_or(0) > 0) {
        return Status::InvalidArgument(fmt::format(
            "parquet column '{}': nested (group) columns are not supported", meta_.schema[i].name));
      }
    }
    return Status::Corruption(fmt::format("parquet footer: root has {} children but {} leaves",
                                          root.num_children.value_or(-1), leaves));
  }
  std::vector<runtime::Field> fields;
  for (size_t i = 1; i < meta_.schema.size(); ++i) {
    const SchemaElement& e = meta_.schema[i];
    if (e.num_children.value_or(0) > 0) {
      return Status::InvalidArgument(
          fmt::format("parquet column '{}': nested (group) columns are not supported", e.name));
    }
    FG_ASSIGN_OR_RETURN(ColumnSpec spec, FromSchemaElement(e));
    fields.push_back({spec.name, RuntimeType(spec)});
    specs_.push_back(std::move(spec));
  }
  schema_ = std::make_shared<runtime::Schema>(std::move(fields));

  // Row groups: every chunk lies inside the data area, its type matches its leaf.
  int64_t total = 0;
  for (size_t g = 0; g < meta_.row_groups.size(); ++g) {
    const RowGroup& rg = meta_.row_groups[g];
    if (rg.num_rows < 0 || rg.num_rows > kMaxRowGroupRows) {  // bounds decode memory
      return Status::Corruption(fmt::format("parquet: row group {} has {} rows (limit {})", g,
                                            rg.num_rows, kMaxRowGroupRows));
    }
    total += rg.num_rows;
    if (rg.columns.size() != leaves) {
      return Status::Corruption(fmt::format("parquet: row group {} has {} column chunks, schema {}",
                                            g, rg.columns.size(), leaves));
    }
    for (size_t c = 0; c < leaves; ++c) {
      const ColumnChunk& cc = rg.columns[c];
      const ColumnMetaData& m = cc.meta_data;
      if (cc.file_path) {
        return Status::InvalidArgument("parquet: column chunks in other files are not supported");
      }
      if (m.type != *meta_.schema[c + 1].type) {
        return Status::Corruption(
            fmt::format("parquet: row group {} column '{}' chunk type differs from the schema", g,
                        specs_[c].name));
      }
      const int64_t start = m.ChunkStart();
      if (start < 4 || m.total_compressed_size <= 0 ||
          m.total_compressed_size > static_cast<int64_t>(footer_start) ||
          start > static_cast<int64_t>(footer_start) - m.total_compressed_size) {
        return Status::Corruption(fmt::format(
            "parquet: row group {} column '{}' chunk [{}, +{}) lies outside the data area", g,
            specs_[c].name, start, m.total_compressed_size));
      }
      if (m.num_values != rg.num_rows) {
        return Status::Corruption(
            fmt::format("parquet: row group {} column '{}' has {} values for {} rows", g,
                        specs_[c].name, m.num_values, rg.num_rows));
      }
    }
  }
  if (total != meta_.num_rows) {
    return Status::Corruption(
        fmt::format("parquet: footer says {} rows, row groups hold {}", meta_.num_rows, total));
  }
  return Status::Ok();
}

Status FileReader::DecodeChunk(size_t g, size_t c, runtime::Column* out) const {
  const RowGroup& rg = meta_.row_groups[g];
  const ColumnMetaData& m = rg.columns[c].meta_data;
  const ColumnSpec& spec = specs_[c];
  const SchemaElement& leaf = meta_.schema[c + 1];
  const Type physical = *leaf.type;
  const int32_t fixed_len = leaf.type_length.value_or(0);
  if (physical == Type::kFixedLenByteArray && fixed_len <= 0) {
    return Status::Corruption("FIXED_LEN_BYTE_ARRAY without a length");
  }
  const bool optional = spec.nullable;
  auto where = [&]() { return fmt::format("row group {} column '{}'", g, spec.name); };

  size_t pos = static_cast<size_t>(m.ChunkStart());
  const size_t end = pos + static_cast<size_t>(m.total_compressed_size);
  const int64_t rows = rg.num_rows;
  int64_t done = 0;
  std::string dict_buf, page_buf;
  std::string dict_bools;  // boolean dictionary entries as bytes
  std::vector<std::string_view> dict;
  bool has_dict = false;
  std::vector<uint32_t> levels, indices;
  ValueSink sink(spec, physical, out);

  while (done < rows) {
    if (pos >= end) {
      return Status::Corruption(
          fmt::format("{}: chunk ends after {} of {} values", where(), done, rows));
    }
    PageHeader h;
    size_t hlen = 0;
    Status s = ParsePageHeader(file_.substr(pos, end - pos), &h, &hlen);
    if (!s.ok())
      return Status::Corruption(fmt::format("{}: page header: {}", where(), s.message()));
    pos += hlen;
    if (static_cast<size_t>(h.compressed_page_size) > end - pos) {
      return Status::Corruption(
          fmt::format("{}: page of {} bytes runs past the chunk", where(), h.compressed_page_size));
    }
    std::string_view stored = file_.substr(pos, static_cast<size_t>(h.compressed_page_size));
    pos += static_cast<size_t>(h.compressed_page_size);

    if (h.type == PageType::kDictionaryPage) {
      if (has_dict || done > 0) {
        return Status::Corruption(fmt::format("{}: dictionary page is not first", where()));
      }
      if (!h.dictionary_page) {
        return Status::Corruption(fmt::format("{}: dictionary page without its header", where()));
      }
      const DictionaryPageHeader& d = *h.dictionary_page;
      if (d.encoding != Encoding::kPlain && d.encoding != Encoding::kPlainDictionary) {
        return Status::InvalidArgument(fmt::format("{}: dictionary encoding {} is not supported",
                                                   where(), EncodingName(d.encoding)));
      }
      s = Decompress(m.codec, stored, static_cast<size_t>(h.uncompressed_page_size), &dict_buf);
      if (!s.ok())
        return Status(s.code() == Status::Code::kCorruption
                          ? Status::Corruption(where() + ": " + s.message())
                          : s);
      if (d.num_values < 0 || static_cast<size_t>(d.num_values) > dict_buf.size() * 8 + 1) {
        return Status::Corruption(fmt::format("{}: bad dictionary size {}", where(), d.num_values));
      }
      PlainValues pv(dict_buf, physical, fixed_len);
      dict.clear();
      if (physical == Type::kBoolean) dict_bools.resize(static_cast<size_t>(d.num_values));
      for (int32_t i = 0; i < d.num_values; ++i) {
        std::string_view raw;
        s = pv.Next(&raw);
        if (!s.ok())
          return Status::Corruption(fmt::format("{}: dictionary: {}", where(), s.message()));
        if (physical == Type::kBoolean) {
          dict_bools[i] = raw[0];
          raw = std::string_view(&dict_bools[i], 1);
        }
        dict.push_back(raw);
      }
      has_dict = true;
      continue;
    }
    if (h.type != PageType::kDataPage && h.type != PageType::kDataPageV2) continue;  // index

    int32_t num_values;
    Encoding encoding;
    std::string_view level_bytes, value_bytes;
    bool levels_prefixed;
    if (h.type == PageType::kDataPage) {
      if (!h.data_page)
        return Status::Corruption(fmt::format("{}: data page without header", where()));
      num_values = h.data_page->num_values;
      encoding = h.data_page->encoding;
      s = Decompress(m.codec, stored, static_cast<size_t>(h.uncompressed_page_size), &page_buf);
      if (!s.ok()) return Status::Corruption(where() + ": " + s.message());
      std::string_view body = page_buf;
      if (optional) {
        if (body.size() < 4)
          return Status::Corruption(fmt::format("{}: levels truncated", where()));
        uint32_t llen = LoadU32(body.data());
        if (llen > body.size() - 4) {
          return Status::Corruption(
              fmt::format("{}: definition levels run past the page", where()));
        }
        level_bytes = body.substr(4, llen);
        value_bytes = body.substr(4 + llen);
      } else {
        value_bytes = body;
      }
      levels_prefixed = true;
    } else {
      if (!h.data_page_v2)
        return Status::Corruption(fmt::format("{}: v2 page without header", where()));
      const DataPageHeaderV2& v2 = *h.data_page_v2;
      num_values = v2.num_values;
      encoding = v2.encoding;
      if (v2.repetition_levels_byte_length != 0) {
        return Status::InvalidArgument(
            fmt::format("{}: repetition levels are not supported", where()));
      }
      if (v2.definition_levels_byte_length < 0 ||
          static_cast<size_t>(v2.definition_levels_byte_length) > stored.size()) {
        return Status::Corruption(fmt::format("{}: v2 level length out of range", where()));
      }
      size_t dl = static_cast<size_t>(v2.definition_levels_byte_length);
      level_bytes = stored.substr(0, dl);
      std::string_view rest = stored.substr(dl);
      if (v2.is_compressed && m.codec != Codec::kUncompressed) {
        if (static_cast<size_t>(h.uncompressed_page_size) < dl) {
          return Status::Corruption(fmt::format("{}: v2 sizes inconsistent", where()));
        }
        s = Decompress(m.codec, rest, static_cast<size_t>(h.uncompressed_page_size) - dl,
                       &page_buf);
        if (!s.ok()) return Status::Corruption(where() + ": " + s.message());
        value_bytes = page_buf;
      } else {
        value_bytes = rest;
      }
      levels_prefixed = false;
    }
    (void)levels_prefixed;
    if (num_values < 0 || num_values > rows - done) {
      return Status::Corruption(
          fmt::format("{}: page has {} values, {} rows remain", where(), num_values, rows - done));
    }
    const size_t n = static_cast<size_t>(num_values);
    size_t present = n;
    levels.resize(n);
    if (optional) {
      RleDecoder dec(level_bytes, 1);
      s = dec.Decode(levels.data(), n);
      if (!s.ok()) {
        return Status::Corruption(fmt::format("{}: definition levels: {}", where(), s.message()));
      }
      present = 0;
      for (size_t i = 0; i < n; ++i) present += levels[i];
    }

    auto emit_rows = [&](auto&& next_raw) -> Status {
      for (size_t i = 0; i < n; ++i) {
        if (optional && levels[i] == 0) {
          out->AppendNull();
          continue;
        }
        std::string_view raw;
        FG_RETURN_IF_ERROR(next_raw(&raw));
        FG_RETURN_IF_ERROR(sink.Emit(raw));
      }
      return Status::Ok();
    };

    if (encoding == Encoding::kPlain) {
      PlainValues pv(value_bytes, physical, fixed_len);
      s = emit_rows([&](std::string_view* raw) { return pv.Next(raw); });
    } else if (encoding == Encoding::kRleDictionary || encoding == Encoding::kPlainDictionary) {
      if (!has_dict) {
        return Status::Corruption(
            fmt::format("{}: dictionary-encoded page without a dictionary", where()));
      }
      if (value_bytes.empty() && present > 0) {
        return Status::Corruption(fmt::format("{}: dictionary indices missing", where()));
      }
      int width = value_bytes.empty() ? 0 : static_cast<uint8_t>(value_bytes[0]);
      if (width > 32)
        return Status::Corruption(fmt::format("{}: index bit width {}", where(), width));
      indices.resize(present);
      RleDecoder dec(value_bytes.empty() ? value_bytes : value_bytes.substr(1), width);
      s = dec.Decode(indices.data(), present);
      if (!s.ok()) {
        return Status::Corruption(fmt::format("{}: dictionary indices: {}", where(), s.message()));
      }
      size_t k = 0;
      s = emit_rows([&](std::string_view* raw) -> Status {
        uint32_t idx = indices[k++];
        if (idx >= dict.size()) {
          return Status::Corruption(
              fmt::format("dictionary index {} out of {} entries", idx, dict.size()));
        }
        *raw = dict[idx];
        return Status::Ok();
      });
    } else if (encoding == Encoding::kRle && physical == Type::kBoolean) {
      std::string_view runs = value_bytes;
      if (levels_prefixed || h.type == PageType::kDataPageV2) {
        if (runs.size() < 4)
          return Status::Corruption(fmt::format("{}: RLE booleans truncated", where()));
        uint32_t l = LoadU32(runs.data());
        if (l > runs.size() - 4)
          return Status::Corruption(fmt::format("{}: RLE booleans overrun", where()));
        runs = runs.substr(4, l);
      }
      indices.resize(present);
      RleDecoder dec(runs, 1);
      s = dec.Decode(indices.data(), present);
      if (!s.ok())
        return Status::Corruption(fmt::format("{}: RLE booleans: {}", where(), s.message()));
      size_t k = 0;
      s = emit_rows([&](std::string_view* raw) -> Status {
        *raw = std::string_view(indices[k++] ? "\1" : "\0", 1);
        return Status::Ok();
      });
    } else {
      return Status::InvalidArgument(
          fmt::format("{}: encoding {} is not supported", where(), EncodingName(encoding)));
    }
    if (!s.ok()) {
      if (s.code() == Status::Code::kCorruption) {
        return Status::Corruption(fmt::format("{}: {}", where(), s.message()));
      }
      return s;
    }
    done += num_values;
  }
  return Status::Ok();
}

Result<runtime::RecordBatch> FileReader::ReadRowGroup(size_t i) const {
  std::vector<size_t> all(specs_.size());
  for (size_t c = 0; c < all.size(); ++c) all[c] = c;
  return ReadRowGroup(i, all);
}

Result<runtime::RecordBatch> FileReader::ReadRowGroup(size_t i,
                                                      const std::vector<size_t>& columns) const {
  if (i >= meta_.row_groups.size()) {
    return Status::InvalidArgument(
        fmt::format("parquet: row group {} of {}", i, meta_.row_groups.size()));
  }
  std::vector<runtime::Field> fields;
  std::vector<runtime::Column> cols;
  for (size_t c : columns) {
    if (c >= specs_.size()) {
      return Status::InvalidArgument(fmt::format("parquet: column {} of {}", c, specs_.size()));
    }
    fields.push_back(schema_->field(c));
    cols.emplace_back(schema_->field(c).type);
    FG_RETURN_IF_ERROR(DecodeChunk(i, c, &cols.back()));
  }
  auto schema =
      columns.size() == specs_.size() ? schema_ : std::make_shared<runtime::Schema>(fields);
  return runtime::RecordBatch::FromColumns(std::move(schema), std::move(cols),
                                           static_cast<size_t>(meta_.row_groups[i].num_rows));
}

Result<runtime::RecordBatch> FileReader::ReadAll() const {
  std::vector<runtime::Column> cols;
  for (size_t c = 0; c < specs_.size(); ++c) {
    cols.emplace_back(schema_->field(c).type);
    for (size_t g = 0; g < meta_.row_groups.size(); ++g) {
      FG_RETURN_IF_ERROR(DecodeChunk(g, c, &cols.back()));
    }
  }
  return runtime::RecordBatch::FromColumns(schema_, std::move(cols),
                                           static_cast<size_t>(meta_.num_rows));
}

}  // namespace fluxgate::parquet
