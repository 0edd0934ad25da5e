#include "parquet/column_writer.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstring>

#include "parquet/compression.h"
#include "parquet/rle.h"
#include "parquet/writer.h"
#include "runtime/decimal.h"

namespace fluxgate::parquet {

namespace {

// A page is also closed at this many rows, so booleans and tiny dictionary indices (a
// bit or two per value) still make pages readers can skip through.
constexpr int32_t kMaxPageRows = 20000;

template <class T>
void PutLE(std::string& out, T v) {
  char b[sizeof(T)];
  std::memcpy(b, &v, sizeof(T));  // x86-64 and aarch64 are little-endian, as Parquet is
  out.append(b, sizeof(T));
}

template <class T>
std::string LE(T v) {
  std::string s;
  PutLE(s, v);
  return s;
}

// Big-endian two's complement of v in `width` bytes (FIXED_LEN_BYTE_ARRAY decimals).
void PutBigEndian(std::string& out, runtime::int128 v, int32_t width) {
  char b[16];
  auto u = static_cast<unsigned __int128>(v);
  for (int32_t i = width - 1; i >= 0; --i) {
    b[i] = static_cast<char>(static_cast<uint8_t>(u));
    u >>= 8;
  }
  out.append(b, width);
}

}  // namespace

ColumnChunkWriter::ColumnChunkWriter(const ColumnSpec& spec, const WriterOptions& options)
    : spec_(spec),
      options_(options),
      physical_(spec.physical_type()),
      fixed_len_(spec.type_length()) {
  ResetChunk();
}

void ColumnChunkWriter::ResetChunk() {
  pages_.clear();
  num_values_ = 0;
  null_count_ = 0;
  uncompressed_bytes_ = 0;
  encodings_.clear();
  dict_data_pages_ = plain_data_pages_ = 0;
  use_dictionary_ = options_.dictionary && spec_.type == ColumnType::kString;
  dict_.clear();
  dict_plain_.clear();
  dict_size_ = 0;
  has_minmax_ = false;
  has_plain_strings_ = false;
  min_s_.clear();
  max_s_.clear();
}

size_t ColumnChunkWriter::buffered_bytes() const {
  return pages_.size() + values_.size() + indices_.size() + def_levels_.size() / 8 +
         dict_plain_.size();
}

void ColumnChunkWriter::AddEncoding(Encoding e) {
  if (std::find(encodings_.begin(), encodings_.end(), e) == encodings_.end()) {
    encodings_.push_back(e);
  }
}

void ColumnChunkWriter::AppendStringValue(std::string_view v) {
  if (use_dictionary_) {
    auto it = dict_.find(v);
    uint32_t index;
    if (it != dict_.end()) {
      index = it->second;
    } else {
      index = dict_size_++;
      dict_.emplace(std::string(v), index);
      PutLE(dict_plain_, static_cast<uint32_t>(v.size()));
      dict_plain_.append(v);
    }
    indices_.push_back(index);
    return;
  }
  PutLE(values_, static_cast<uint32_t>(v.size()));
  values_.append(v);
  if (!has_plain_strings_) {
    min_s_.assign(v);
    max_s_.assign(v);
    has_plain_strings_ = true;
  } else if (v < std::string_view(min_s_)) {  // string_view compares bytes unsigned
    min_s_.assign(v);
  } else if (v > std::string_view(max_s_)) {
    max_s_.assign(v);
  }
}

Status ColumnChunkWriter::Append(const runtime::Column& c, size_t begin, size_t end) {
  const bool nullable = spec_.nullable;
  for (size_t row = begin; row < end; ++row) {
    const bool valid = c.IsValid(row);
    if (nullable) def_levels_.push_back(valid ? 1 : 0);
    ++page_values_;
    ++num_values_;
    if (!valid) {
      if (!nullable) {
        return Status::InvalidArgument(
            fmt::format("parquet column '{}' is NOT NULL but row {} is NULL", spec_.name, row));
      }
      ++null_count_;
    } else {
      switch (spec_.type) {
        case ColumnType::kBoolean: {
          int64_t v = c.Bool(row) ? 1 : 0;
          if (bool_bits_ == 0) values_.push_back(0);
          values_.back() = static_cast<char>(values_.back() | (v << bool_bits_));
          bool_bits_ = (bool_bits_ + 1) & 7;
          if (!has_minmax_) {
            min_i_ = max_i_ = v;
            has_minmax_ = true;
          } else {
            min_i_ = std::min(min_i_, v);
            max_i_ = std::max(max_i_, v);
          }
          break;
        }
        case ColumnType::kInt8:
        case ColumnType::kInt16:
        case ColumnType::kInt32:
        case ColumnType::kDate:
        case ColumnType::kInt64:
        case ColumnType::kTimestamp: {
          int64_t v = c.Int64(row);
          if (physical_ == Type::kInt32) {
            PutLE(values_, static_cast<int32_t>(v));
          } else {
            PutLE(values_, v);
          }
          if (!has_minmax_) {
            min_i_ = max_i_ = v;
            has_minmax_ = true;
          } else {
            min_i_ = std::min(min_i_, v);
            max_i_ = std::max(max_i_, v);
          }
          break;
        }
        case ColumnType::kFloat:
        case ColumnType::kDouble: {
          double v = c.Double(row);
          if (spec_.type == ColumnType::kFloat) {
            float f = static_cast<float>(v);
            PutLE(values_, f);
            v = f;
          } else {
            PutLE(values_, v);
          }
          if (std::isnan(v)) break;  // NaN never enters the bounds
          if (!has_minmax_) {
            min_d_ = max_d_ = v;
            has_minmax_ = true;
          } else {
            min_d_ = std::min(min_d_, v);
            max_d_ = std::max(max_d_, v);
          }
          break;
        }
        case ColumnType::kDecimal: {
          runtime::int128 v = c.Decimal(row);
          if (physical_ == Type::kInt32) {
            PutLE(values_, static_cast<int32_t>(v));
          } else if (physical_ == Type::kInt64) {
            PutLE(values_, static_cast<int64_t>(v));
          } else {
            PutBigEndian(values_, v, fixed_len_);
          }
          if (!has_minmax_) {
            min_dec_ = max_dec_ = v;
            has_minmax_ = true;
          } else {
            min_dec_ = std::min(min_dec_, v);
            max_dec_ = std::max(max_dec_, v);
          }
          break;
        }
        case ColumnType::kString:
          AppendStringValue(c.String(row));
          if (use_dictionary_ && dict_plain_.size() > options_.dictionary_page_bytes) {
            // Fallback: this page still uses the dictionary; later pages are PLAIN.
            FG_RETURN_IF_ERROR(FinishPage());
            use_dictionary_ = false;
            continue;
          }
          break;
      }
    }
    if (page_values_ >= kMaxPageRows || values_.size() + indices_.size() >= options_.page_bytes) {
      FG_RETURN_IF_ERROR(FinishPage());
    }
  }
  return Status::Ok();
}

Status ColumnChunkWriter::EmitPage(PageType type, std::string_view body, int32_t num_values,
                                   Encoding encoding, std::string* dest) {
  if (body.size() > static_cast<size_t>(INT32_MAX)) {
    return Status::LimitExceeded(fmt::format("parquet column '{}': page over 2 GiB", spec_.name));
  }
  FG_RETURN_IF_ERROR(Compress(options_.codec, body, options_.compression_level, &scratch_));
  PageHeader h;
  h.type = type;
  h.uncompressed_page_size = static_cast<int32_t>(body.size());
  h.compressed_page_size = static_cast<int32_t>(scratch_.size());
  if (type == PageType::kDictionaryPage) {
    h.dictionary_page = DictionaryPageHeader{num_values, encoding, false};
  } else {
    h.data_page = DataPageHeader{num_values, encoding, Encoding::kRle, Encoding::kRle};
  }
  header_.clear();
  SerializePageHeader(h, &header_);
  dest->append(header_);
  dest->append(scratch_);
  uncompressed_bytes_ += static_cast<int64_t>(header_.size() + body.size());
  return Status::Ok();
}

Status ColumnChunkWriter::FinishPage() {
  if (page_values_ == 0) return Status::Ok();
  body_.clear();
  if (spec_.nullable) {
    scratch_.clear();
    RleEncode(def_levels_.data(), def_levels_.size(), 1, &scratch_);
    PutLE(body_, static_cast<uint32_t>(scratch_.size()));
    body_.append(scratch_);
  }
  Encoding encoding = Encoding::kPlain;
  if (!indices_.empty()) {
    encoding = Encoding::kRleDictionary;
    int width = std::max(1, BitWidth(dict_size_ - 1));
    body_.push_back(static_cast<char>(width));
    RleEncode(indices_.data(), indices_.size(), width, &body_);
    ++dict_data_pages_;
  } else {
    body_.append(values_);
    ++plain_data_pages_;
  }
  FG_RETURN_IF_ERROR(EmitPage(PageType::kDataPage, body_, page_values_, encoding, &pages_));
  AddEncoding(encoding);
  AddEncoding(Encoding::kRle);
  def_levels_.clear();
  values_.clear();
  indices_.clear();
  bool_bits_ = 0;
  page_values_ = 0;
  return Status::Ok();
}

Status ColumnChunkWriter::FinishChunk(std::string* bytes, ColumnMetaData* meta) {
  FG_RETURN_IF_ERROR(FinishPage());
  bytes->clear();
  *meta = ColumnMetaData{};
  int64_t data_uncompressed = uncompressed_bytes_;
  uncompressed_bytes_ = 0;
  if (dict_size_ > 0) {
    FG_RETURN_IF_ERROR(EmitPage(PageType::kDictionaryPage, dict_plain_,
                                static_cast<int32_t>(dict_size_), Encoding::kPlain, bytes));
    meta->dictionary_page_offset = 0;
    meta->encoding_stats.push_back({PageType::kDictionaryPage, Encoding::kPlain, 1});
    AddEncoding(Encoding::kPlain);
  }
  meta->data_page_offset = static_cast<int64_t>(bytes->size());
  bytes->append(pages_);
  if (encodings_.empty()) encodings_ = {Encoding::kPlain, Encoding::kRle};
  std::sort(encodings_.begin(), encodings_.end());
  meta->type = physical_;
  meta->encodings = encodings_;
  meta->path_in_schema = {spec_.name};
  meta->codec = options_.codec;
  meta->num_values = num_values_;
  meta->total_uncompressed_size = data_uncompressed + uncompressed_bytes_;
  meta->total_compressed_size = static_cast<int64_t>(bytes->size());
  if (dict_data_pages_ > 0) {
    meta->encoding_stats.push_back(
        {PageType::kDataPage, Encoding::kRleDictionary, dict_data_pages_});
  }
  if (plain_data_pages_ > 0) {
    meta->encoding_stats.push_back({PageType::kDataPage, Encoding::kPlain, plain_data_pages_});
  }

  Statistics& st = meta->statistics;
  st.null_count = null_count_;
  std::optional<std::string> lo, hi;
  bool legacy = true;  // signed-order types also get the deprecated min/max
  switch (spec_.type) {
    case ColumnType::kBoolean:
      if (has_minmax_) {
        lo = std::string(1, static_cast<char>(min_i_));
        hi = std::string(1, static_cast<char>(max_i_));
      }
      break;
    case ColumnType::kInt8:
    case ColumnType::kInt16:
    case ColumnType::kInt32:
    case ColumnType::kDate:
      if (has_minmax_) {
        lo = LE(static_cast<int32_t>(min_i_));
        hi = LE(static_cast<int32_t>(max_i_));
      }
      break;
    case ColumnType::kInt64:
    case ColumnType::kTimestamp:
      if (has_minmax_) {
        lo = LE(min_i_);
        hi = LE(max_i_);
      }
      break;
    case ColumnType::kFloat:
    case ColumnType::kDouble:
      if (has_minmax_) {
        // Bounds of a column holding both zeros must admit both: min -0.0, max +0.0.
        double mn = min_d_ == 0 ? -0.0 : min_d_;
        double mx = max_d_ == 0 ? 0.0 : max_d_;
        if (spec_.type == ColumnType::kFloat) {
          lo = LE(static_cast<float>(mn));
          hi = LE(static_cast<float>(mx));
        } else {
          lo = LE(mn);
          hi = LE(mx);
        }
      }
      break;
    case ColumnType::kDecimal:
      if (has_minmax_) {
        std::string a, b;
        if (physical_ == Type::kInt32) {
          a = LE(static_cast<int32_t>(min_dec_));
          b = LE(static_cast<int32_t>(max_dec_));
        } else if (physical_ == Type::kInt64) {
          a = LE(static_cast<int64_t>(min_dec_));
          b = LE(static_cast<int64_t>(max_dec_));
        } else {
          PutBigEndian(a, min_dec_, fixed_len_);
          PutBigEndian(b, max_dec_, fixed_len_);
          legacy = false;
        }
        lo = std::move(a);
        hi = std::move(b);
      }
      break;
    case ColumnType::kString: {
      legacy = false;  // unsigned order: only min_value/max_value
      std::string_view mn, mx;
      bool any = false;
      if (has_plain_strings_) {
        mn = min_s_;
        mx = max_s_;
        any = true;
      }
      for (const auto& [entry, index] : dict_) {
        std::string_view e(entry);
        if (!any) {
          mn = mx = e;
          any = true;
        } else if (e < mn) {
          mn = e;
        } else if (e > mx) {
          mx = e;
        }
      }
      if (any && mn.size() <= options_.max_statistics_bytes &&
          mx.size() <= options_.max_statistics_bytes) {
        lo = std::string(mn);
        hi = std::string(mx);
      }
      break;
    }
  }
  if (lo && hi) {
    st.min_value = *lo;
    st.max_value = *hi;
    if (legacy) {
      st.min = std::move(*lo);
      st.max = std::move(*hi);
    }
  }
  ResetChunk();
  return Status::Ok();
}

}  // namespace fluxgate::parquet
