#include "parquet/merge.h"

#include <gtest/gtest.h>

#include "parquet/parquet_test_util.h"
#include "parquet/reader.h"
#include "parquet/writer.h"

namespace fluxgate::parquet {
namespace {

using testing::AllTypesBatch;
using testing::ExpectSameRows;

std::string WriteRows(size_t rows, size_t first, WriterOptions opts = {}) {
  StringSink sink;
  auto batch = AllTypesBatch(rows, first);
  auto w = Writer::Open(*batch.schema(), opts, &sink);
  EXPECT_TRUE(w.ok());
  EXPECT_TRUE((*w)->Write(batch).ok());
  EXPECT_TRUE((*w)->Close().ok());
  return sink.Take();
}

TEST(MergeFiles, ConcatenatesRowGroupsWithRebasedOffsets) {
  WriterOptions small;
  small.row_group_bytes = 16 << 10;
  small.codec = Codec::kZstd;
  std::string a = WriteRows(100, 0);
  std::string b = WriteRows(7000, 100, small);  // several row groups
  std::string c = WriteRows(1, 7100);
  auto rb = FileReader::Open(b);
  ASSERT_TRUE(rb.ok());
  size_t b_groups = (*rb)->num_row_groups();
  ASSERT_GT(b_groups, 1u);

  StringSink out;
  auto stats = MergeFiles({a, b, c}, &out);
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  EXPECT_EQ(stats->rows, 7101);
  EXPECT_EQ(stats->row_groups, static_cast<int64_t>(2 + b_groups));
  EXPECT_EQ(stats->bytes_written, static_cast<int64_t>(out.data().size()));

  auto r = FileReader::Open(out.data());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ((*r)->num_rows(), 7101);
  auto all = (*r)->ReadAll();
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  ExpectSameRows(AllTypesBatch(7101), 0, *all, 0, 7101);
  // Statistics travel with the chunks.
  EXPECT_EQ(*(*r)->row_group(0).columns[12].meta_data.statistics.null_count, 0);
  EXPECT_EQ(*(*r)->row_group(0).columns[12].meta_data.statistics.min_value,
            std::string("\0\0\0\0\0\0\0\0", 8));
}

TEST(MergeFiles, MergedFileMergesAgain) {
  std::string a = WriteRows(50, 0), b = WriteRows(50, 50);
  StringSink ab;
  ASSERT_TRUE(MergeFiles({a, b}, &ab).ok());
  StringSink abab;
  std::string ab_bytes = ab.Take();
  auto st = MergeFiles({ab_bytes, ab_bytes}, &abab);
  ASSERT_TRUE(st.ok());
  auto r = FileReader::Open(abab.data());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)->num_rows(), 200);
  auto all = (*r)->ReadAll();
  ASSERT_TRUE(all.ok());
  ExpectSameRows(AllTypesBatch(100), 0, *all, 100, 100);
}

TEST(MergeFiles, RejectsDifferentSchemas) {
  std::string a = WriteRows(10, 0);
  StringSink sink;
  auto schema = std::make_shared<runtime::Schema>(
      std::vector<runtime::Field>{{"x", sql::DataType::BigInt()}});
  auto w = Writer::Open(*schema, WriterOptions{}, &sink);
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE((*w)->Close().ok());
  StringSink out;
  auto st = MergeFiles({a, sink.data()}, &out);
  EXPECT_TRUE(st.status().IsInvalidArgument()) << st.status().ToString();
  EXPECT_TRUE(out.data().empty());  // nothing written before validation passed
  EXPECT_TRUE(MergeFiles({}, &out).status().IsInvalidArgument());
}

TEST(MergeFiles, CorruptInputNamesTheFile) {
  std::string a = WriteRows(10, 0);
  std::string bad = a.substr(0, a.size() - 3);
  StringSink out;
  auto st = MergeFiles({a, bad}, &out);
  EXPECT_TRUE(st.status().IsCorruption());
  EXPECT_NE(st.status().message().find("input 1"), std::string::npos) << st.status().ToString();
}

}  // namespace
}  // namespace fluxgate::parquet
