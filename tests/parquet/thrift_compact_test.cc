// Thrift compact encoding of page headers and the footer, checked byte for byte against
// the worked example in shared/reference/parquet.md §8 (a file DuckDB, arrow-rs and
// hyparquet read as rows {a:1}, {a:2}).
#include "parquet/thrift_compact.h"

#include <gtest/gtest.h>

#include <string>

#include "parquet/format.h"
#include "parquet/reader.h"

namespace fluxgate::parquet {
namespace {

std::string Hex(std::string_view s) {
  static const char* d = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (!out.empty()) out.push_back(' ');
    out.push_back(d[c >> 4]);
    out.push_back(d[c & 15]);
  }
  return out;
}

std::string Bytes(std::initializer_list<int> b) {
  std::string s;
  for (int v : b) s.push_back(static_cast<char>(v));
  return s;
}

// The 124 bytes of the reference's worked example.
const std::string& ExampleFile() {
  static const std::string f =
      Bytes({0x50, 0x41, 0x52, 0x31, 0x15, 0x00, 0x15, 0x10, 0x15, 0x10, 0x2C, 0x15, 0x04, 0x15,
             0x00, 0x15, 0x06, 0x15, 0x06, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00,
             0x00, 0x15, 0x02, 0x19, 0x2C, 0x48, 0x06, 0x73, 0x63, 0x68, 0x65, 0x6D, 0x61, 0x15,
             0x02, 0x00, 0x15, 0x02, 0x25, 0x00, 0x18, 0x01, 0x61, 0x00, 0x16, 0x04, 0x19, 0x1C,
             0x19, 0x1C, 0x26, 0x00, 0x1C, 0x15, 0x02, 0x19, 0x15, 0x00, 0x19, 0x18, 0x01, 0x61,
             0x15, 0x00, 0x16, 0x04, 0x16, 0x32, 0x16, 0x32, 0x26, 0x08, 0x00, 0x00, 0x16, 0x32,
             0x16, 0x04, 0x26, 0x08, 0x16, 0x32, 0x00, 0x28, 0x11, 0x70, 0x71, 0x77, 0x20, 0x76,
             0x65, 0x72, 0x73, 0x69, 0x6F, 0x6E, 0x20, 0x31, 0x2E, 0x30, 0x2E, 0x30, 0x19, 0x1C,
             0x1C, 0x00, 0x00, 0x00, 0x57, 0x00, 0x00, 0x00, 0x50, 0x41, 0x52, 0x31});
  return f;
}

TEST(ThriftCompact, VarintAndZigzag) {
  std::string out;
  thrift::CompactWriter w(&out);
  w.Varint(50399);
  EXPECT_EQ(Hex(out), "DF 89 03");
  EXPECT_EQ(thrift::CompactWriter::ZigZag32(0), 0u);
  EXPECT_EQ(thrift::CompactWriter::ZigZag32(-1), 1u);
  EXPECT_EQ(thrift::CompactWriter::ZigZag32(1), 2u);
  EXPECT_EQ(thrift::CompactWriter::ZigZag32(25), 50u);
  EXPECT_EQ(thrift::CompactWriter::ZigZag64(-3), 5u);
}

TEST(ThriftCompact, BoolFieldsCarryNoValueByte) {
  std::string out;
  thrift::CompactWriter w(&out);
  w.FieldBool(1, true);
  w.FieldBool(2, false);
  w.EndStruct();
  EXPECT_EQ(Hex(out), "11 12 00");
}

TEST(ThriftCompact, LongListHeaderAndLongFieldDelta) {
  std::string out;
  thrift::CompactWriter w(&out);
  w.BeginListField(2, thrift::CType::kStruct, 21);
  EXPECT_EQ(Hex(out), "29 FC 15");
  out.clear();
  thrift::CompactWriter w2(&out);
  w2.FieldI32(20, 1);  // delta 20 > 15: long form, type byte then zigzag id
  EXPECT_EQ(Hex(out), "05 28 02");
}

TEST(ThriftCompact, I16FieldUsesItsOwnWireType) {
  std::string out;
  thrift::CompactWriter w(&out);
  w.FieldI16(7, 3);  // RowGroup.ordinal
  EXPECT_EQ(Hex(out), "74 06");
}

TEST(ThriftCompact, ReaderDecodesWhatWriterWrites) {
  std::string out;
  thrift::CompactWriter w(&out);
  w.FieldI32(1, -7);
  w.FieldI64(3, int64_t{1} << 40);
  w.BeginStructField(4);
  w.FieldBinary(1, "hé");
  w.EndStruct();
  w.FieldBool(5, true);
  w.EndStruct();
  thrift::CompactReader r(out);
  thrift::CType t;
  int16_t id;
  ASSERT_TRUE(r.ReadFieldHeader(&t, &id).ok());
  EXPECT_EQ(id, 1);
  int32_t i32;
  ASSERT_TRUE(r.ReadI32(&i32).ok());
  EXPECT_EQ(i32, -7);
  ASSERT_TRUE(r.ReadFieldHeader(&t, &id).ok());
  EXPECT_EQ(id, 3);
  int64_t i64;
  ASSERT_TRUE(r.ReadI64(&i64).ok());
  EXPECT_EQ(i64, int64_t{1} << 40);
  ASSERT_TRUE(r.ReadFieldHeader(&t, &id).ok());
  EXPECT_EQ(id, 4);
  ASSERT_TRUE(r.Skip(t).ok());
  ASSERT_TRUE(r.ReadFieldHeader(&t, &id).ok());
  EXPECT_EQ(id, 5);  // the delta continues from 4 after the nested struct
  EXPECT_EQ(t, thrift::CType::kBoolTrue);
  ASSERT_TRUE(r.ReadFieldHeader(&t, &id).ok());
  EXPECT_EQ(t, thrift::CType::kStop);
}

TEST(ThriftCompact, PageHeaderMatchesWorkedExample) {
  PageHeader h;
  h.type = PageType::kDataPage;
  h.uncompressed_page_size = 8;
  h.compressed_page_size = 8;
  h.data_page = DataPageHeader{2, Encoding::kPlain, Encoding::kRle, Encoding::kRle};
  std::string out;
  SerializePageHeader(h, &out);
  EXPECT_EQ(Hex(out), Hex(ExampleFile().substr(4, 17)));
  PageHeader back;
  size_t consumed = 0;
  ASSERT_TRUE(ParsePageHeader(ExampleFile().substr(4), &back, &consumed).ok());
  EXPECT_EQ(consumed, 17u);
  ASSERT_TRUE(back.data_page.has_value());
  EXPECT_EQ(back.data_page->num_values, 2);
}

FileMetaData ExampleMetaData() {
  FileMetaData m;
  SchemaElement root;
  root.name = "schema";
  root.num_children = 1;
  SchemaElement a;
  a.type = Type::kInt32;
  a.repetition = Repetition::kRequired;
  a.name = "a";
  m.schema = {root, a};
  m.num_rows = 2;
  RowGroup rg;
  ColumnChunk cc;
  cc.meta_data.type = Type::kInt32;
  cc.meta_data.encodings = {Encoding::kPlain};
  cc.meta_data.path_in_schema = {"a"};
  cc.meta_data.codec = Codec::kUncompressed;
  cc.meta_data.num_values = 2;
  cc.meta_data.total_uncompressed_size = 25;
  cc.meta_data.total_compressed_size = 25;
  cc.meta_data.data_page_offset = 4;
  rg.columns = {cc};
  rg.total_byte_size = 25;
  rg.num_rows = 2;
  rg.file_offset = 4;
  rg.total_compressed_size = 25;
  m.row_groups = {rg};
  m.created_by = "pqw version 1.0.0";
  m.column_orders = 1;
  return m;
}

TEST(ThriftCompact, FooterMatchesWorkedExample) {
  std::string footer;
  SerializeFileMetaData(ExampleMetaData(), &footer);
  EXPECT_EQ(footer.size(), 87u);
  EXPECT_EQ(Hex(footer), Hex(ExampleFile().substr(29, 87)));
}

TEST(ThriftCompact, FooterParsesBackToTheSameBytes) {
  FileMetaData m;
  ASSERT_TRUE(ParseFileMetaData(ExampleFile().substr(29, 87), &m).ok());
  EXPECT_EQ(m.num_rows, 2);
  ASSERT_EQ(m.schema.size(), 2u);
  EXPECT_EQ(m.schema[1].name, "a");
  EXPECT_EQ(m.column_orders, 1u);
  std::string again;
  SerializeFileMetaData(m, &again);
  EXPECT_EQ(Hex(again), Hex(ExampleFile().substr(29, 87)));
}

TEST(ThriftCompact, ReaderReadsWorkedExampleFile) {
  auto r = FileReader::Open(ExampleFile());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  auto batch = (*r)->ReadAll();
  ASSERT_TRUE(batch.ok()) << batch.status().ToString();
  ASSERT_EQ(batch->num_rows(), 2u);
  EXPECT_EQ(batch->column(0).Int64(0), 1);
  EXPECT_EQ(batch->column(0).Int64(1), 2);
  EXPECT_EQ((*r)->schema()->field(0).type.kind, sql::TypeKind::kInt);
  EXPECT_FALSE((*r)->schema()->field(0).type.nullable);
}

TEST(ThriftCompact, MissingRequiredFieldIsCorruption) {
  FileMetaData m = ExampleMetaData();
  std::string footer;
  SerializeFileMetaData(m, &footer);
  // Drop FileMetaData.num_rows (field 3: bytes "16 04" right after the schema list).
  std::string broken = footer;
  size_t at = broken.find("\x16\x04\x19\x1C");
  ASSERT_NE(at, std::string::npos);
  broken.erase(at, 2);
  FileMetaData out;
  Status s = ParseFileMetaData(broken, &out);
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
}

}  // namespace
}  // namespace fluxgate::parquet
