// Hostile bytes: the reader reports Corruption (or InvalidArgument for unsupported
// features) with what is wrong, and never crashes or reads outside the file.
#include <gtest/gtest.h>

#include <cstring>
#include <random>

#include "parquet/compression.h"
#include "parquet/parquet_test_util.h"
#include "parquet/reader.h"
#include "parquet/writer.h"

namespace fluxgate::parquet {
namespace {

std::string GoodFile(Codec codec = Codec::kSnappy) {
  StringSink sink;
  auto batch = testing::AllTypesBatch(300);
  WriterOptions opts;
  opts.codec = codec;
  opts.page_bytes = 512;
  auto w = Writer::Open(*batch.schema(), opts, &sink);
  EXPECT_TRUE(w.ok());
  EXPECT_TRUE((*w)->Write(batch).ok());
  EXPECT_TRUE((*w)->Close().ok());
  return sink.Take();
}

// Opens and decodes everything; returns the first error (or OK).
Status ReadEverything(const std::string& bytes) {
  auto r = FileReader::Open(bytes);
  if (!r.ok()) return r.status();
  for (size_t g = 0; g < (*r)->num_row_groups(); ++g) {
    auto b = (*r)->ReadRowGroup(g);
    if (!b.ok()) return b.status();
  }
  return Status::Ok();
}

TEST(CorruptInput, ShortAndBadMagic) {
  Status s = ReadEverything("PAR1");
  EXPECT_TRUE(s.IsCorruption());
  EXPECT_NE(s.message().find("too short"), std::string::npos);
  std::string f = GoodFile();
  std::string bad = f;
  bad[0] = 'X';
  EXPECT_NE(ReadEverything(bad).message().find("magic at start"), std::string::npos);
  bad = f.substr(0, f.size() - 1);
  EXPECT_NE(ReadEverything(bad).message().find("magic at end"), std::string::npos);
}

TEST(CorruptInput, FooterLengthOffByOne) {
  std::string f = GoodFile();
  size_t at = f.size() - 8;
  uint32_t len;
  std::memcpy(&len, f.data() + at, 4);
  for (int delta : {-1, 1}) {
    std::string bad = f;
    uint32_t l = len + delta;
    std::memcpy(bad.data() + at, &l, 4);
    Status s = ReadEverything(bad);
    EXPECT_TRUE(s.IsCorruption()) << delta << " " << s.ToString();
  }
  std::string bad = f;
  uint32_t huge = 0xFFFFFFF0u;
  std::memcpy(bad.data() + at, &huge, 4);
  EXPECT_NE(ReadEverything(bad).message().find("does not fit"), std::string::npos);
}

TEST(CorruptInput, TruncatedDataAreaIsDetected) {
  std::string f = GoodFile();
  auto r = FileReader::Open(f);
  ASSERT_TRUE(r.ok());
  // Zero a page's body: decompression or decoding must fail cleanly.
  const ColumnMetaData& m = (*r)->row_group(0).columns[3].meta_data;
  std::string bad = f;
  for (int64_t i = m.data_page_offset + 20; i < m.data_page_offset + 60; ++i) bad[i] = 0;
  Status s = ReadEverything(bad);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("column 'd'"), std::string::npos) << s.ToString();
}

TEST(CorruptInput, RandomByteFlipsNeverCrash) {
  for (Codec codec : {Codec::kUncompressed, Codec::kSnappy, Codec::kZstd, Codec::kGzip}) {
    std::string f = GoodFile(codec);
    std::mt19937 rng(static_cast<unsigned>(codec) + 1);
    int errors = 0;
    for (int iter = 0; iter < 1500; ++iter) {
      std::string bad = f;
      int flips = 1 + static_cast<int>(rng() % 4);
      for (int k = 0; k < flips; ++k) {
        // Half the flips hit the footer, where one byte changes the most structure.
        size_t footer_len = 400;
        size_t pos = rng() % 2 ? rng() % bad.size() : bad.size() - 1 - rng() % footer_len;
        bad[pos] = static_cast<char>(rng());
      }
      Status s = ReadEverything(bad);
      if (!s.ok()) {
        ++errors;
        EXPECT_FALSE(s.message().empty());
        EXPECT_TRUE(s.IsCorruption() || s.IsInvalidArgument()) << s.ToString();
      }
    }
    EXPECT_GT(errors, 100) << CodecName(codec);
  }
}

TEST(CorruptInput, TruncationsAtEveryLengthNeverCrash) {
  std::string f = GoodFile(Codec::kUncompressed);
  for (size_t n = 0; n < f.size(); n += 7) {
    std::string bad = f.substr(0, n) + "PAR1";
    Status s = ReadEverything(bad);
    EXPECT_FALSE(s.ok()) << n;
  }
}

TEST(CorruptInput, PageClaimingHugeOutputIsRejectedBeforeAllocating) {
  std::string tiny(10, 'x');
  std::string out;
  EXPECT_TRUE(Decompress(Codec::kGzip, tiny, 400u << 20, &out).IsCorruption());
  EXPECT_TRUE(Decompress(Codec::kSnappy, tiny, 400u << 20, &out).IsCorruption());
  EXPECT_TRUE(Decompress(Codec::kZstd, tiny, 400u << 20, &out).IsCorruption());
  EXPECT_TRUE(Decompress(Codec::kZstd, tiny, size_t{1} << 40, &out).IsCorruption());
  std::string z;
  ASSERT_TRUE(Compress(Codec::kZstd, std::string(1000, 'a'), 0, &z).ok());
  EXPECT_TRUE(Decompress(Codec::kZstd, z, 1001, &out).IsCorruption());
  ASSERT_TRUE(Decompress(Codec::kZstd, z, 1000, &out).ok());
  EXPECT_EQ(out, std::string(1000, 'a'));
}

TEST(CorruptInput, UnsupportedFeaturesAreInvalidArgument) {
  // A footer declaring a nested group column.
  FileMetaData m;
  SchemaElement root;
  root.name = "schema";
  root.num_children = 1;
  SchemaElement group;
  group.name = "g";
  group.num_children = 1;
  SchemaElement leaf;
  leaf.name = "x";
  leaf.type = Type::kInt32;
  leaf.repetition = Repetition::kOptional;
  m.schema = {root, group, leaf};
  std::string footer;
  SerializeFileMetaData(m, &footer);
  std::string f = "PAR1" + footer;
  uint32_t len = footer.size();
  f.append(reinterpret_cast<const char*>(&len), 4);
  f += "PAR1";
  Status s = ReadEverything(f);
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_NE(s.message().find("nested"), std::string::npos);
}

}  // namespace
}  // namespace fluxgate::parquet
