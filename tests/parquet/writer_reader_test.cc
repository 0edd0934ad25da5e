// Writer -> FileReader round trips: every type with NULLs, row groups and pages, dictionary
// fallback, every codec, statistics, and the writer's rejections.
#include <gtest/gtest.h>

#include <cstring>

#include "parquet/compression.h"
#include "parquet/parquet_test_util.h"
#include "parquet/reader.h"
#include "parquet/writer.h"

namespace fluxgate::parquet {
namespace {

using testing::AllTypesBatch;
using testing::AllTypesSchema;
using testing::ExpectSameRows;

std::string WriteFile(const std::vector<runtime::RecordBatch>& batches, WriterOptions opts,
                      WriterStats* stats = nullptr) {
  StringSink sink;
  auto w = Writer::Open(*batches[0].schema(), std::move(opts), &sink);
  EXPECT_TRUE(w.ok()) << w.status().ToString();
  for (const auto& b : batches) EXPECT_TRUE((*w)->Write(b).ok());
  EXPECT_TRUE((*w)->Close().ok());
  if (stats) *stats = (*w)->stats();
  return sink.Take();
}

std::unique_ptr<FileReader> OpenOk(const std::string& file) {
  auto r = FileReader::Open(file);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? std::move(r).value() : nullptr;
}

template <class T>
T Load(const std::string& s) {
  T v;
  EXPECT_EQ(s.size(), sizeof(T));
  std::memcpy(&v, s.data(), sizeof(T));
  return v;
}

TEST(WriterReader, EveryTypeWithNullsRoundTrips) {
  auto batch = AllTypesBatch(1000);
  std::string file = WriteFile({batch}, WriterOptions{});
  auto r = OpenOk(file);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->num_rows(), 1000);
  ASSERT_EQ(r->num_row_groups(), 1u);
  auto got = r->ReadRowGroup(0);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  ExpectSameRows(batch, 0, *got, 0, 1000);
  // The runtime types come back as written (INTERVAL reads back as BIGINT milliseconds).
  const runtime::Schema& s = *r->schema();
  for (size_t c = 0; c < s.size(); ++c) {
    sql::DataType want = AllTypesSchema()->field(c).type;
    if (want.kind == sql::TypeKind::kInterval) want = {sql::TypeKind::kBigInt};
    EXPECT_EQ(s.field(c).type.ToString(), want.ToString()) << s.field(c).name;
    EXPECT_EQ(s.field(c).name, AllTypesSchema()->field(c).name);
  }
}

TEST(WriterReader, SchemaAnnotationsFollowTheReference) {
  std::string file = WriteFile({AllTypesBatch(10)}, WriterOptions{});
  auto r = OpenOk(file);
  const auto& schema = r->metadata().schema;
  auto leaf = [&](const char* name) -> const SchemaElement& {
    for (const auto& e : schema) {
      if (e.name == name) return e;
    }
    ADD_FAILURE() << name;
    return schema[0];
  };
  EXPECT_EQ(*leaf("s").type, Type::kByteArray);
  EXPECT_EQ(leaf("s").logical.kind, LogicalType::Kind::kString);
  EXPECT_EQ(*leaf("s").converted_type, ConvertedType::kUtf8);
  EXPECT_EQ(*leaf("i").type, Type::kInt32);
  EXPECT_EQ(leaf("i").logical.bit_width, 32);
  EXPECT_EQ(*leaf("dec9").type, Type::kInt32);
  EXPECT_EQ(*leaf("dec18").type, Type::kInt64);
  EXPECT_EQ(*leaf("dec38").type, Type::kFixedLenByteArray);
  EXPECT_EQ(*leaf("dec38").type_length, 16);
  EXPECT_EQ(*leaf("dec38").precision, 38);
  EXPECT_EQ(leaf("dec38").logical.scale, 10);
  EXPECT_FALSE(leaf("ts").logical.utc);
  EXPECT_EQ(leaf("ts").logical.unit, TimeUnit::kMillis);
  EXPECT_EQ(leaf("ts6").logical.unit, TimeUnit::kMicros);
  EXPECT_EQ(*leaf("ts6").converted_type, ConvertedType::kTimestampMicros);
  EXPECT_TRUE(leaf("ltz").logical.utc);
  EXPECT_EQ(*leaf("id").repetition, Repetition::kRequired);
  EXPECT_EQ(*leaf("b").repetition, Repetition::kOptional);
  EXPECT_EQ(r->metadata().column_orders, schema.size() - 1);
  EXPECT_EQ(*r->metadata().created_by, kCreatedBy);
}

TEST(WriterReader, ParquetOnlyTypesViaExplicitSpecs) {
  std::vector<ColumnSpec> specs(4);
  specs[0] = {"t8", ColumnType::kInt8};
  specs[1] = {"t16", ColumnType::kInt16};
  specs[2] = {"f", ColumnType::kFloat};
  specs[3] = {"day", ColumnType::kDate};
  auto schema = std::make_shared<runtime::Schema>(
      std::vector<runtime::Field>{{"t8", sql::DataType::BigInt()},
                                  {"t16", sql::DataType::BigInt()},
                                  {"f", sql::DataType::Double()},
                                  {"day", sql::DataType::BigInt()}});
  runtime::RecordBatchBuilder b(schema);
  for (int r = 0; r < 300; ++r) {
    r % 5 == 0 ? b.column(0).AppendNull() : b.column(0).AppendInt64(r % 256 - 128);
    b.column(1).AppendInt64(r * 100 - 15000);
    b.column(2).AppendDouble(r * 0.5);
    b.column(3).AppendInt64(20000 + r);
    b.CommitRow();
  }
  auto batch = b.Finish();
  StringSink sink;
  auto w = Writer::Open(specs, WriterOptions{}, &sink);
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE((*w)->Write(batch).ok());
  ASSERT_TRUE((*w)->Close().ok());
  auto r = OpenOk(sink.data());
  EXPECT_EQ(r->columns()[0].type, ColumnType::kInt8);
  EXPECT_EQ(r->columns()[1].type, ColumnType::kInt16);
  EXPECT_EQ(r->columns()[2].type, ColumnType::kFloat);
  EXPECT_EQ(r->columns()[3].type, ColumnType::kDate);
  auto got = r->ReadAll();
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  for (int row = 0; row < 300; ++row) {
    ASSERT_EQ(got->column(0).IsNull(row), row % 5 == 0);
    if (row % 5) {
      EXPECT_EQ(got->column(0).Int64(row), row % 256 - 128);
    }
    EXPECT_EQ(got->column(1).Int64(row), row * 100 - 15000);
    EXPECT_EQ(got->column(2).Double(row), row * 0.5);
    EXPECT_EQ(got->column(3).Int64(row), (20000 + row) * 86'400'000LL);  // DATE -> TIMESTAMP(3)
  }
}

TEST(WriterReader, RowGroupsSplitByBytesAndPagesBySize) {
  WriterOptions opts;
  opts.row_group_bytes = 64 << 10;
  opts.page_bytes = 4 << 10;
  std::vector<runtime::RecordBatch> batches;
  for (int i = 0; i < 10; ++i) batches.push_back(AllTypesBatch(5000, i * 5000));
  WriterStats stats;
  std::string file = WriteFile(batches, opts, &stats);
  auto r = OpenOk(file);
  EXPECT_EQ(r->num_rows(), 50000);
  EXPECT_GT(r->num_row_groups(), 3u);
  EXPECT_EQ(stats.row_groups, static_cast<int64_t>(r->num_row_groups()));
  EXPECT_EQ(stats.bytes_written, static_cast<int64_t>(file.size()));
  // Pages: a 4 KiB page target gives many data pages per chunk (offsets span them).
  const ColumnMetaData& m = r->row_group(0).columns[2].meta_data;
  PageHeader h;
  size_t consumed;
  ASSERT_TRUE(
      ParsePageHeader(std::string_view(file).substr(m.data_page_offset), &h, &consumed).ok());
  EXPECT_LT(h.uncompressed_page_size, m.total_uncompressed_size / 2);
  size_t row = 0;
  for (size_t g = 0; g < r->num_row_groups(); ++g) {
    auto got = r->ReadRowGroup(g);
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    EXPECT_LE(static_cast<int64_t>(got->num_rows()), 50000);
    auto want = AllTypesBatch(got->num_rows(), row);
    ExpectSameRows(want, 0, *got, 0, got->num_rows());
    row += got->num_rows();
  }
  EXPECT_EQ(row, 50000u);
}

TEST(WriterReader, RowGroupsAlsoCappedByRows) {
  WriterOptions opts;
  opts.row_group_rows = 1000;
  auto batch = AllTypesBatch(4500);
  std::string file = WriteFile({batch}, opts);
  auto r = OpenOk(file);
  ASSERT_EQ(r->num_row_groups(), 5u);
  for (size_t g = 0; g < 4; ++g) EXPECT_EQ(r->row_group(g).num_rows, 1000);
  EXPECT_EQ(r->row_group(4).num_rows, 500);
  auto got = r->ReadAll();
  ASSERT_TRUE(got.ok());
  ExpectSameRows(batch, 0, *got, 0, 4500);
}

TEST(WriterReader, EveryCodecRoundTrips) {
  auto batch = AllTypesBatch(3000);
  for (Codec codec : {Codec::kUncompressed, Codec::kSnappy, Codec::kGzip, Codec::kZstd}) {
    WriterOptions opts;
    opts.codec = codec;
    opts.page_bytes = 8 << 10;
    std::string file = WriteFile({batch}, opts);
    auto r = OpenOk(file);
    ASSERT_TRUE(r) << CodecName(codec);
    EXPECT_EQ(r->row_group(0).columns[0].meta_data.codec, codec);
    auto got = r->ReadAll();
    ASSERT_TRUE(got.ok()) << CodecName(codec) << ": " << got.status().ToString();
    ExpectSameRows(batch, 0, *got, 0, 3000);
  }
}

TEST(WriterReader, DictionaryForLowCardinalityStrings) {
  std::string file = WriteFile({AllTypesBatch(2000)}, WriterOptions{});
  auto r = OpenOk(file);
  const ColumnMetaData& m = r->row_group(0).columns[7].meta_data;  // "s"
  ASSERT_TRUE(m.dictionary_page_offset.has_value());
  EXPECT_LT(*m.dictionary_page_offset, m.data_page_offset);
  EXPECT_EQ(m.encodings,
            (std::vector<Encoding>{Encoding::kPlain, Encoding::kRle, Encoding::kRleDictionary}));
  bool dict_data = false, plain_data = false;
  for (const auto& s : m.encoding_stats) {
    if (s.page_type == PageType::kDataPage && s.encoding == Encoding::kRleDictionary)
      dict_data = true;
    if (s.page_type == PageType::kDataPage && s.encoding == Encoding::kPlain) plain_data = true;
  }
  EXPECT_TRUE(dict_data);
  EXPECT_FALSE(plain_data);
  // Non-string columns carry no dictionary.
  EXPECT_FALSE(r->row_group(0).columns[2].meta_data.dictionary_page_offset.has_value());
}

TEST(WriterReader, DictionaryFallsBackToPlainWhenItGrows) {
  auto schema = std::make_shared<runtime::Schema>(
      std::vector<runtime::Field>{{"s", sql::DataType::String()}});
  runtime::RecordBatchBuilder b(schema);
  for (int r = 0; r < 20000; ++r) {
    r % 11 == 0 ? b.column(0).AppendNull()
                : b.column(0).AppendString("value-" + std::to_string(r * 7919 % 20000));
    b.CommitRow();
  }
  auto batch = b.Finish();
  WriterOptions opts;
  opts.dictionary_page_bytes = 4096;
  opts.page_bytes = 2048;
  std::string file = WriteFile({batch}, opts);
  auto r = OpenOk(file);
  const ColumnMetaData& m = r->row_group(0).columns[0].meta_data;
  ASSERT_TRUE(m.dictionary_page_offset.has_value());
  EXPECT_EQ(m.encodings,
            (std::vector<Encoding>{Encoding::kPlain, Encoding::kRle, Encoding::kRleDictionary}));
  int dict_pages = 0, plain_pages = 0;
  for (const auto& s : m.encoding_stats) {
    if (s.page_type == PageType::kDataPage && s.encoding == Encoding::kRleDictionary)
      dict_pages = s.count;
    if (s.page_type == PageType::kDataPage && s.encoding == Encoding::kPlain) plain_pages = s.count;
  }
  EXPECT_GE(dict_pages, 1);
  EXPECT_GE(plain_pages, 1);
  auto got = r->ReadAll();
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  ExpectSameRows(batch, 0, *got, 0, batch.num_rows());
  // Statistics cover dictionary and plain values alike.
  std::string mn, mx;
  int64_t nulls = 0;
  for (size_t i = 0; i < batch.num_rows(); ++i) {
    if (batch.column(0).IsNull(i)) {
      ++nulls;
      continue;
    }
    std::string v(batch.column(0).String(i));
    if (mn.empty() || v < mn) mn = v;
    if (v > mx) mx = v;
  }
  EXPECT_EQ(*m.statistics.min_value, mn);
  EXPECT_EQ(*m.statistics.max_value, mx);
  EXPECT_EQ(*m.statistics.null_count, nulls);
}

TEST(WriterReader, DictionaryOffLeavesPlainStrings) {
  WriterOptions opts;
  opts.dictionary = false;
  auto batch = AllTypesBatch(500);
  std::string file = WriteFile({batch}, opts);
  auto r = OpenOk(file);
  EXPECT_FALSE(r->row_group(0).columns[7].meta_data.dictionary_page_offset.has_value());
  auto got = r->ReadAll();
  ASSERT_TRUE(got.ok());
  ExpectSameRows(batch, 0, *got, 0, 500);
}

TEST(WriterReader, StatisticsValuesAndOrderings) {
  auto schema = std::make_shared<runtime::Schema>(
      std::vector<runtime::Field>{{"s", sql::DataType::String()},
                                  {"i", sql::DataType::Int()},
                                  {"d", sql::DataType::Double()},
                                  {"z", sql::DataType::Double()},
                                  {"nan", sql::DataType::Double()},
                                  {"dec", sql::DataType::Decimal(38, 2)},
                                  {"allnull", sql::DataType::BigInt()}});
  runtime::RecordBatchBuilder b(schema);
  const char* strs[] = {"b", "é", "a", "Z"};
  double ds[] = {1.5, std::nan(""), -3.25, 2.0};
  double zs[] = {0.0, -0.0, 0.0, -0.0};
  runtime::int128 decs[] = {-5, 700, -90000000000000000, 3};
  for (int r = 0; r < 4; ++r) {
    b.column(0).AppendString(strs[r]);
    b.column(1).AppendInt64(r == 2 ? -40 : r * 10);
    b.column(2).AppendDouble(ds[r]);
    b.column(3).AppendDouble(zs[r]);
    b.column(4).AppendDouble(std::nan(""));
    b.column(5).AppendDecimal(decs[r] * 1000000000000LL);
    b.column(6).AppendNull();
    b.CommitRow();
  }
  std::string file = WriteFile({b.Finish()}, WriterOptions{});
  auto r = OpenOk(file);
  const auto& cols = r->row_group(0).columns;
  // Strings: unsigned byte order, so "é" (C3 A9) is the max; no legacy min/max.
  EXPECT_EQ(*cols[0].meta_data.statistics.min_value, "Z");
  EXPECT_EQ(*cols[0].meta_data.statistics.max_value, "é");
  EXPECT_FALSE(cols[0].meta_data.statistics.min.has_value());
  EXPECT_EQ(*cols[0].meta_data.statistics.null_count, 0);
  // Ints: signed, PLAIN 4 bytes; legacy min/max too.
  EXPECT_EQ(Load<int32_t>(*cols[1].meta_data.statistics.min_value), -40);
  EXPECT_EQ(Load<int32_t>(*cols[1].meta_data.statistics.max_value), 30);
  EXPECT_EQ(Load<int32_t>(*cols[1].meta_data.statistics.min), -40);
  // Doubles: NaN never in the bounds.
  EXPECT_EQ(Load<double>(*cols[2].meta_data.statistics.min_value), -3.25);
  EXPECT_EQ(Load<double>(*cols[2].meta_data.statistics.max_value), 2.0);
  // Zeros: min -0.0, max +0.0.
  EXPECT_TRUE(std::signbit(Load<double>(*cols[3].meta_data.statistics.min_value)));
  EXPECT_FALSE(std::signbit(Load<double>(*cols[3].meta_data.statistics.max_value)));
  // All NaN: no bounds at all.
  EXPECT_FALSE(cols[4].meta_data.statistics.min_value.has_value());
  // FIXED_LEN_BYTE_ARRAY decimal: big-endian two's complement, signed order.
  std::string mn = *cols[5].meta_data.statistics.min_value;
  ASSERT_EQ(mn.size(), 16u);
  EXPECT_EQ(static_cast<uint8_t>(mn[0]), 0xFF);  // negative
  std::string mx = *cols[5].meta_data.statistics.max_value;
  EXPECT_EQ(static_cast<uint8_t>(mx[0]), 0x00);
  EXPECT_EQ(static_cast<uint8_t>(mx[15]), (700 * 1000000000000LL) & 0xFF);
  // All NULL: null_count only.
  EXPECT_EQ(*cols[6].meta_data.statistics.null_count, 4);
  EXPECT_FALSE(cols[6].meta_data.statistics.min_value.has_value());
}

TEST(WriterReader, OverlongStringBoundsAreLeftOut) {
  auto schema = std::make_shared<runtime::Schema>(
      std::vector<runtime::Field>{{"s", sql::DataType::String()}});
  runtime::RecordBatchBuilder b(schema);
  b.column(0).AppendString("short");
  b.CommitRow();
  b.column(0).AppendString(std::string(5000, 'x'));
  b.CommitRow();
  b.column(0).AppendNull();
  b.CommitRow();
  std::string file = WriteFile({b.Finish()}, WriterOptions{});
  auto r = OpenOk(file);
  const Statistics& st = r->row_group(0).columns[0].meta_data.statistics;
  EXPECT_FALSE(st.min_value.has_value());
  EXPECT_FALSE(st.max_value.has_value());
  EXPECT_EQ(*st.null_count, 1);
  auto got = r->ReadAll();
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->column(0).String(1).size(), 5000u);
}

TEST(WriterReader, OffsetsAndSizesAreConsistent) {
  WriterOptions opts;
  opts.row_group_bytes = 32 << 10;
  std::string file = WriteFile({AllTypesBatch(20000)}, opts);
  auto r = OpenOk(file);
  int64_t expected_next = 4;
  int64_t rows = 0;
  for (size_t g = 0; g < r->num_row_groups(); ++g) {
    const RowGroup& rg = r->row_group(g);
    EXPECT_EQ(*rg.file_offset, expected_next);
    int64_t sum_c = 0, sum_u = 0;
    for (const ColumnChunk& cc : rg.columns) {
      EXPECT_EQ(cc.file_offset, 0);
      EXPECT_EQ(cc.meta_data.ChunkStart(), expected_next);
      EXPECT_EQ(cc.meta_data.num_values, rg.num_rows);
      expected_next += cc.meta_data.total_compressed_size;
      sum_c += cc.meta_data.total_compressed_size;
      sum_u += cc.meta_data.total_uncompressed_size;
    }
    EXPECT_EQ(*rg.total_compressed_size, sum_c);
    EXPECT_EQ(rg.total_byte_size, sum_u);
    EXPECT_EQ(*rg.ordinal, static_cast<int16_t>(g));
    rows += rg.num_rows;
  }
  EXPECT_EQ(rows, 20000);
  EXPECT_EQ(r->num_rows(), 20000);
}

TEST(WriterReader, StreamsRowGroupsBeforeClose) {
  StringSink sink;
  WriterOptions opts;
  opts.row_group_bytes = 16 << 10;
  auto w = Writer::Open(*AllTypesSchema(), opts, &sink);
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(sink.data(), "PAR1");
  ASSERT_TRUE((*w)->Write(AllTypesBatch(10000)).ok());
  EXPECT_GT(sink.data().size(), 16u << 10);  // row groups went out already
  EXPECT_GE((*w)->stats().row_groups, 1);
  size_t before = sink.data().size();
  ASSERT_TRUE((*w)->FlushRowGroup().ok());
  EXPECT_EQ((*w)->buffered_bytes(), 0u);
  ASSERT_TRUE((*w)->Close().ok());
  EXPECT_GT(sink.data().size(), before);
  EXPECT_FALSE((*w)->Write(AllTypesBatch(1)).ok());
  auto r = OpenOk(sink.data());
  EXPECT_EQ(r->num_rows(), 10000);
}

TEST(WriterReader, EmptyFileIsValid) {
  StringSink sink;
  auto w = Writer::Open(*AllTypesSchema(), WriterOptions{}, &sink);
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE((*w)->Close().ok());
  auto r = OpenOk(sink.data());
  EXPECT_EQ(r->num_rows(), 0);
  EXPECT_EQ(r->num_row_groups(), 0u);
  EXPECT_EQ(r->columns().size(), AllTypesSchema()->size());
}

TEST(WriterReader, ProjectionReadsChosenColumns) {
  auto batch = AllTypesBatch(100);
  std::string file = WriteFile({batch}, WriterOptions{});
  auto r = OpenOk(file);
  auto got = r->ReadRowGroup(0, {7, 2});
  ASSERT_TRUE(got.ok());
  ASSERT_EQ(got->num_columns(), 2u);
  EXPECT_EQ(got->schema()->field(0).name, "s");
  for (size_t i = 0; i < 100; ++i) {
    ASSERT_EQ(got->column(1).IsNull(i), batch.column(2).IsNull(i));
    if (!batch.column(7).IsNull(i)) {
      EXPECT_EQ(got->column(0).String(i), batch.column(7).String(i));
    }
  }
  EXPECT_FALSE(r->ReadRowGroup(0, {99}).ok());
  EXPECT_FALSE(r->ReadRowGroup(5).ok());
}

TEST(WriterReader, RejectsBadInputWithoutFailingTheWriter) {
  StringSink sink;
  auto w = Writer::Open(*AllTypesSchema(), WriterOptions{}, &sink);
  ASSERT_TRUE(w.ok());
  // NULL in the NOT NULL column.
  runtime::RecordBatchBuilder b(AllTypesSchema());
  for (int c = 0; c < 13; ++c) b.column(c).AppendNull();
  b.CommitRow();
  Status s = (*w)->Write(b.Finish());
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_NE(s.message().find("'id'"), std::string::npos);
  // Wrong column count.
  auto other = std::make_shared<runtime::Schema>(
      std::vector<runtime::Field>{{"x", sql::DataType::BigInt()}});
  runtime::RecordBatchBuilder ob(other);
  EXPECT_TRUE((*w)->Write(ob.Finish()).IsInvalidArgument());
  // Still usable.
  ASSERT_TRUE((*w)->Write(AllTypesBatch(10)).ok());
  ASSERT_TRUE((*w)->Close().ok());
  EXPECT_EQ(OpenOk(sink.data())->num_rows(), 10);
}

TEST(WriterReader, OutOfRangeNarrowIntegerIsRejected) {
  StringSink sink;
  auto w = Writer::Open(std::vector<ColumnSpec>{{"t8", ColumnType::kInt8}}, WriterOptions{}, &sink);
  ASSERT_TRUE(w.ok());
  runtime::Column c(sql::DataType::BigInt());
  c.AppendInt64(128);
  EXPECT_TRUE((*w)->WriteColumns({&c}, 1).IsInvalidArgument());
}

TEST(WriterReader, OptionsAndSpecsAreValidated) {
  StringSink sink;
  WriterOptions bad;
  bad.row_group_bytes = 0;
  EXPECT_FALSE(Writer::Open(*AllTypesSchema(), bad, &sink).ok());
  EXPECT_FALSE(Writer::Open(std::vector<ColumnSpec>{{"a"}, {"a"}}, WriterOptions{}, &sink).ok());
  EXPECT_FALSE(ParseCodec("lz4").ok());
  EXPECT_EQ(*ParseCodec("ZSTD"), Codec::kZstd);
}

class FailingSink : public ByteSink {
 public:
  Status Append(std::string_view b) override {
    if (++calls > 1) return Status::IOError("disk full");
    (void)b;
    return Status::Ok();
  }
  int calls = 0;
};

TEST(WriterReader, SinkErrorFailsTheWriter) {
  FailingSink sink;
  WriterOptions opts;
  opts.row_group_bytes = 1024;
  auto w = Writer::Open(*AllTypesSchema(), opts, &sink);
  ASSERT_TRUE(w.ok());
  Status s = (*w)->Write(AllTypesBatch(5000));
  EXPECT_EQ(s.code(), Status::Code::kIOError);
  EXPECT_EQ((*w)->Close().code(), Status::Code::kIOError);
}

}  // namespace
}  // namespace fluxgate::parquet
