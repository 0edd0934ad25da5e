#include "parquet/thrift_compact.h"

#include <fmt/format.h>

#include <cstring>

namespace fluxgate::parquet::thrift {

namespace {
// Nesting beyond this is not something Parquet metadata ever needs; it bounds recursion.
constexpr int kMaxDepth = 32;
}  // namespace

void CompactWriter::Varint(uint64_t v) {
  while (v >= 0x80) {
    out_->push_back(static_cast<char>((v & 0x7F) | 0x80));
    v >>= 7;
  }
  out_->push_back(static_cast<char>(v));
}

void CompactWriter::FieldHeader(int16_t id, CType type) {
  int16_t delta = id - last_id_.back();
  if (delta > 0 && delta <= 15) {
    out_->push_back(static_cast<char>((delta << 4) | static_cast<uint8_t>(type)));
  } else {
    out_->push_back(static_cast<char>(type));
    Varint(ZigZag32(id));
  }
  last_id_.back() = id;
}

void CompactWriter::FieldI16(int16_t id, int16_t v) {
  FieldHeader(id, CType::kI16);
  Varint(ZigZag32(v));
}

void CompactWriter::FieldI32(int16_t id, int32_t v) {
  FieldHeader(id, CType::kI32);
  Varint(ZigZag32(v));
}

void CompactWriter::FieldI64(int16_t id, int64_t v) {
  FieldHeader(id, CType::kI64);
  Varint(ZigZag64(v));
}

void CompactWriter::FieldI8(int16_t id, int8_t v) {
  FieldHeader(id, CType::kI8);
  out_->push_back(static_cast<char>(v));
}

void CompactWriter::FieldBool(int16_t id, bool v) {
  FieldHeader(id, v ? CType::kBoolTrue : CType::kBoolFalse);
}

void CompactWriter::FieldBinary(int16_t id, std::string_view v) {
  FieldHeader(id, CType::kBinary);
  Varint(v.size());
  out_->append(v);
}

void CompactWriter::BeginStructField(int16_t id) {
  FieldHeader(id, CType::kStruct);
  last_id_.push_back(0);
}

void CompactWriter::BeginListField(int16_t id, CType elem, size_t size) {
  FieldHeader(id, CType::kList);
  if (size < 15) {
    out_->push_back(static_cast<char>((size << 4) | static_cast<uint8_t>(elem)));
  } else {
    out_->push_back(static_cast<char>(0xF0 | static_cast<uint8_t>(elem)));
    Varint(size);
  }
}

void CompactWriter::ListBinary(std::string_view v) {
  Varint(v.size());
  out_->append(v);
}

void CompactWriter::EndStruct() {
  out_->push_back(0);
  if (last_id_.size() > 1) last_id_.pop_back();
}

Status CompactReader::ReadVarint(uint64_t* v) {
  uint64_t result = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (pos_ >= data_.size()) return Status::Corruption("thrift: truncated varint");
    uint8_t b = static_cast<uint8_t>(data_[pos_++]);
    result |= static_cast<uint64_t>(b & 0x7F) << shift;
    if ((b & 0x80) == 0) {
      *v = result;
      return Status::Ok();
    }
  }
  return Status::Corruption("thrift: varint longer than 10 bytes");
}

Status CompactReader::ReadFieldHeader(CType* type, int16_t* id) {
  if (pos_ >= data_.size()) return Status::Corruption("thrift: truncated struct");
  uint8_t b = static_cast<uint8_t>(data_[pos_++]);
  if (b == 0) {
    *type = CType::kStop;
    *id = 0;
    return Status::Ok();
  }
  uint8_t t = b & 0x0F;
  if (t > 12) return Status::Corruption(fmt::format("thrift: bad field type {}", t));
  *type = static_cast<CType>(t);
  uint8_t delta = b >> 4;
  if (delta != 0) {
    *id = static_cast<int16_t>(last_id_.back() + delta);
  } else {
    int32_t v;
    FG_RETURN_IF_ERROR(ReadI32(&v));
    *id = static_cast<int16_t>(v);
  }
  last_id_.back() = *id;
  return Status::Ok();
}

Status CompactReader::ReadI32(int32_t* v) {
  uint64_t u;
  FG_RETURN_IF_ERROR(ReadVarint(&u));
  if (u > 0xFFFFFFFFull) return Status::Corruption("thrift: i32 out of range");
  uint32_t z = static_cast<uint32_t>(u);
  *v = static_cast<int32_t>((z >> 1) ^ (~(z & 1) + 1));
  return Status::Ok();
}

Status CompactReader::ReadI64(int64_t* v) {
  uint64_t z;
  FG_RETURN_IF_ERROR(ReadVarint(&z));
  *v = static_cast<int64_t>((z >> 1) ^ (~(z & 1) + 1));
  return Status::Ok();
}

Status CompactReader::ReadI8(int8_t* v) {
  if (pos_ >= data_.size()) return Status::Corruption("thrift: truncated i8");
  *v = static_cast<int8_t>(data_[pos_++]);
  return Status::Ok();
}

Status CompactReader::ReadBinary(std::string_view* v) {
  uint64_t len;
  FG_RETURN_IF_ERROR(ReadVarint(&len));
  if (len > data_.size() - pos_) return Status::Corruption("thrift: binary runs past the end");
  *v = data_.substr(pos_, len);
  pos_ += len;
  return Status::Ok();
}

Status CompactReader::ReadDouble(double* v) {
  if (data_.size() - pos_ < 8) return Status::Corruption("thrift: truncated double");
  std::memcpy(v, data_.data() + pos_, 8);
  pos_ += 8;
  return Status::Ok();
}

Status CompactReader::ReadListHeader(CType* elem, uint32_t* size) {
  if (pos_ >= data_.size()) return Status::Corruption("thrift: truncated list header");
  uint8_t b = static_cast<uint8_t>(data_[pos_++]);
  uint8_t t = b & 0x0F;
  if (t > 12 || t == 0) return Status::Corruption(fmt::format("thrift: bad list type {}", t));
  *elem = static_cast<CType>(t);
  uint64_t n = b >> 4;
  if (n == 15) FG_RETURN_IF_ERROR(ReadVarint(&n));
  // Every element takes at least one byte, so a longer list cannot fit in what remains.
  if (n > data_.size() - pos_) return Status::Corruption("thrift: list longer than the input");
  *size = static_cast<uint32_t>(n);
  return Status::Ok();
}

Status CompactReader::Skip(CType type) { return Skip(type, 0); }

Status CompactReader::Skip(CType type, int depth) {
  if (depth > kMaxDepth) return Status::Corruption("thrift: nesting too deep");
  switch (type) {
    case CType::kBoolTrue:
    case CType::kBoolFalse:
      return Status::Ok();  // value is in the field header
    case CType::kI8: {
      int8_t v;
      return ReadI8(&v);
    }
    case CType::kI16:
    case CType::kI32:
    case CType::kI64: {
      uint64_t v;
      return ReadVarint(&v);
    }
    case CType::kDouble: {
      double d;
      return ReadDouble(&d);
    }
    case CType::kBinary: {
      std::string_view s;
      return ReadBinary(&s);
    }
    case CType::kList:
    case CType::kSet: {
      CType elem;
      uint32_t n;
      FG_RETURN_IF_ERROR(ReadListHeader(&elem, &n));
      for (uint32_t i = 0; i < n; ++i) {
        if (elem == CType::kBoolTrue || elem == CType::kBoolFalse) {
          int8_t b;
          FG_RETURN_IF_ERROR(ReadI8(&b));
        } else {
          FG_RETURN_IF_ERROR(Skip(elem, depth + 1));
        }
      }
      return Status::Ok();
    }
    case CType::kMap: {
      uint64_t n;
      FG_RETURN_IF_ERROR(ReadVarint(&n));
      if (n == 0) return Status::Ok();
      if (n > data_.size() - pos_) return Status::Corruption("thrift: map larger than input");
      if (pos_ >= data_.size()) return Status::Corruption("thrift: truncated map");
      uint8_t kv = static_cast<uint8_t>(data_[pos_++]);
      CType k = static_cast<CType>(kv >> 4), v = static_cast<CType>(kv & 0x0F);
      if ((kv >> 4) > 12 || (kv & 0x0F) > 12 || (kv >> 4) == 0 || (kv & 0x0F) == 0) {
        return Status::Corruption("thrift: bad map types");
      }
      for (uint64_t i = 0; i < n; ++i) {
        FG_RETURN_IF_ERROR(Skip(k, depth + 1));
        FG_RETURN_IF_ERROR(Skip(v, depth + 1));
      }
      return Status::Ok();
    }
    case CType::kStruct: {
      EnterStruct();
      for (;;) {
        CType t;
        int16_t id;
        FG_RETURN_IF_ERROR(ReadFieldHeader(&t, &id));
        if (t == CType::kStop) break;
        FG_RETURN_IF_ERROR(Skip(t, depth + 1));
      }
      LeaveStruct();
      return Status::Ok();
    }
    default:
      return Status::Corruption("thrift: cannot skip unknown type");
  }
}

Status CompactReader::Expect(CType got, CType want, const char* what) {
  bool ok = got == want;
  if (want == CType::kBoolTrue || want == CType::kBoolFalse) {
    ok = got == CType::kBoolTrue || got == CType::kBoolFalse;
  }
  if (want == CType::kI32 && got == CType::kI16) ok = true;  // lenient: widened anyway
  if (!ok) {
    return Status::Corruption(fmt::format("thrift: field {} has wire type {}, expected {}", what,
                                          static_cast<int>(got), static_cast<int>(want)));
  }
  return Status::Ok();
}

}  // namespace fluxgate::parquet::thrift
