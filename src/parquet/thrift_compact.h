// Thrift compact protocol: the encoding of every Parquet page header and of the footer.
//
// CompactWriter appends fields to a std::string; the caller writes fields of a struct in
// ascending id order and closes each struct with EndStruct(). CompactReader walks the same
// encoding with bounds checks on every byte, a nesting limit and size limits, so hostile
// input yields a Corruption status and never reads out of bounds. Neither class is
// thread-safe; each is used by one encoder/decoder at a time.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace fluxgate::parquet::thrift {

// Compact protocol type ids (field headers and list element types).
enum class CType : uint8_t {
  kStop = 0,
  kBoolTrue = 1,
  kBoolFalse = 2,
  kI8 = 3,
  kI16 = 4,
  kI32 = 5,
  kI64 = 6,
  kDouble = 7,
  kBinary = 8,
  kList = 9,
  kSet = 10,
  kMap = 11,
  kStruct = 12,
};

class CompactWriter {
 public:
  explicit CompactWriter(std::string* out) : out_(out) { last_id_.push_back(0); }

  void FieldI16(int16_t id, int16_t v);  // zigzag varint like i32, but wire type i16
  void FieldI32(int16_t id, int32_t v);
  void FieldI64(int16_t id, int64_t v);
  void FieldI8(int16_t id, int8_t v);
  void FieldBool(int16_t id, bool v);
  void FieldBinary(int16_t id, std::string_view v);
  // Opens a nested struct as field `id`; close it with EndStruct().
  void BeginStructField(int16_t id);
  // Opens a list field; elements follow (structs: BeginListStruct()/EndStruct()).
  void BeginListField(int16_t id, CType elem, size_t size);
  void ListI32(int32_t v) { Varint(ZigZag32(v)); }
  void ListBinary(std::string_view v);
  void BeginListStruct() { last_id_.push_back(0); }
  // Writes the stop byte of the innermost open struct.
  void EndStruct();

  static uint32_t ZigZag32(int32_t v) {
    return (static_cast<uint32_t>(v) << 1) ^ static_cast<uint32_t>(v >> 31);
  }
  static uint64_t ZigZag64(int64_t v) {
    return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
  }
  void Varint(uint64_t v);

 private:
  void FieldHeader(int16_t id, CType type);

  std::string* out_;              // not owned; outlives the writer
  std::vector<int16_t> last_id_;  // previous field id per open struct (top = innermost)
};

class CompactReader {
 public:
  // `data` must outlive the reader.
  explicit CompactReader(std::string_view data) : data_(data) {}

  size_t position() const { return pos_; }

  // Reads the next field header of the current struct: *type = kStop at its end. Field
  // ids are tracked per struct: call EnterStruct()/LeaveStruct() around nested structs.
  Status ReadFieldHeader(CType* type, int16_t* id);
  void EnterStruct() { last_id_.push_back(0); }
  void LeaveStruct() {
    if (!last_id_.empty()) last_id_.pop_back();
  }
  Status ReadI32(int32_t* v);
  Status ReadI64(int64_t* v);
  Status ReadI8(int8_t* v);
  Status ReadBinary(std::string_view* v);
  Status ReadDouble(double* v);
  // For bool fields the value is in the header: true iff type == kBoolTrue. In lists a
  // bool is one byte.
  Status ReadListHeader(CType* elem, uint32_t* size);
  // Skips a value of `type` (any nesting up to the limit).
  Status Skip(CType type);
  // Checks a field's wire type against the expected one (bool accepts either bool id).
  static Status Expect(CType got, CType want, const char* what);

 private:
  Status ReadVarint(uint64_t* v);
  Status Skip(CType type, int depth);

  std::string_view data_;
  size_t pos_ = 0;
  std::vector<int16_t> last_id_{0};
};

}  // namespace fluxgate::parquet::thrift
