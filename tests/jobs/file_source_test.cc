// FileSource and RunBatchQuery: file tables read back in batch mode (`fluxgate query`).
#include "jobs/file_source.h"

#include <gtest/gtest.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "jobs/batch_query.h"
#include "jobs/file_source_codec.h"
#include "parquet/byte_sink.h"
#include "parquet/writer.h"
#include "sql/binder.h"

namespace fluxgate::jobs {
namespace {

std::string Gzip(const std::string& in) {
  z_stream z{};
  EXPECT_EQ(deflateInit2(&z, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
  std::string out(deflateBound(&z, in.size()) + 64, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&z, Z_FINISH), Z_STREAM_END);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

std::string Zstd(const std::string& in) {
  std::string out(ZSTD_compressBound(in.size()), '\0');
  size_t n = ZSTD_compress(out.data(), out.size(), in.data(), in.size(), 3);
  EXPECT_FALSE(ZSTD_isError(n));
  out.resize(n);
  return out;
}

TEST(PartitionPathTest, ReadsHiveSegmentsAndSkipsHiddenFiles) {
  const std::vector<std::string> cols = {"year", "day"};
  auto v = ParsePartitionPath("year=2026/month=11/day=25/part-0.json", cols, "__DEFAULT__");
  ASSERT_TRUE(v.has_value());
  ASSERT_EQ(v->size(), 2u);
  EXPECT_EQ((*v)[0].value_or("?"), "2026");
  EXPECT_EQ((*v)[1].value_or("?"), "25");

  auto d = ParsePartitionPath("year=__DEFAULT__/part-0.json", cols, "__DEFAULT__");
  ASSERT_TRUE(d.has_value());
  EXPECT_FALSE((*d)[0].has_value());  // the default partition name reads as NULL
  EXPECT_FALSE((*d)[1].has_value());  // no segment: NULL

  auto e = ParsePartitionPath("year=20%2F26/part-0.json", cols, "x");
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ((*e)[0].value_or("?"), "20/26");

  EXPECT_FALSE(ParsePartitionPath("year=2026/_SUCCESS", cols, "x").has_value());
  EXPECT_FALSE(ParsePartitionPath("year=2026/.part-0.json.inprogress", cols, "x").has_value());
  EXPECT_FALSE(ParsePartitionPath("_tmp/part-0.json", cols, "x").has_value());
  EXPECT_EQ(UnescapePathName("a%3Db%zz%4"), "a=b%zz%4");
}

TEST(ObjectCodecTest, DecodesGzipZstdAndPlainAndRejectsDamage) {
  const std::string text = "{\"a\":1}\n{\"a\":2}\n";
  auto plain = DecodeObjectBytes(text, "p", 1 << 20);
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(*plain, text);

  // Two gzip members, as a file sink that synced twice writes.
  auto gz = DecodeObjectBytes(Gzip("{\"a\":1}\n") + Gzip("{\"a\":2}\n"), "g", 1 << 20);
  ASSERT_TRUE(gz.ok()) << gz.status().ToString();
  EXPECT_EQ(*gz, text);

  auto zs = DecodeObjectBytes(Zstd("{\"a\":1}\n") + Zstd("{\"a\":2}\n"), "z", 1 << 20);
  ASSERT_TRUE(zs.ok()) << zs.status().ToString();
  EXPECT_EQ(*zs, text);

  std::string cut = Gzip(text);
  cut.resize(cut.size() - 6);
  auto bad = DecodeObjectBytes(cut, "obj/cut.json.gz", 1 << 20);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("obj/cut.json.gz"), std::string::npos);

  auto big = DecodeObjectBytes(Gzip(std::string(4096, 'x')), "big", 1000);
  ASSERT_FALSE(big.ok());
  EXPECT_EQ(big.status().code(), Status::Code::kLimitExceeded);

  auto parquet = DecodeObjectBytes("PAR1....PAR1", "t.parquet", 1 << 20);
  ASSERT_FALSE(parquet.ok());
  EXPECT_NE(parquet.status().message().find("Parquet"), std::string::npos);
}

class BatchQueryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (std::filesystem::temp_directory_path() / "fgquery-XXXXXX").string();
    dir_ = ::mkdtemp(tmpl.data());
    table_dir_ = dir_ + "/readings";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  void Write(const std::string& rel, const std::string& bytes) {
    const std::filesystem::path p = table_dir_ + "/" + rel;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << bytes;
  }

  std::string Ddl() const {
    return "CREATE TABLE readings (device_id STRING, ts TIMESTAMP(3), `value` DOUBLE, "
           "location STRING, `day` STRING, `hour` STRING) PARTITIONED BY (`day`, `hour`) "
           "WITH ('connector' = 'filesystem', 'path' = '" +
           table_dir_ + "', 'format' = 'json');\n";
  }

  // Runs `select` (after the table's DDL) and returns its rows as text, plus stats.
  Result<std::vector<std::string>> Query(const std::string& select,
                                         BatchQueryOptions options = {}) {
    sql::Catalog catalog;
    sql::BindOptions bind;
    bind.batch = true;
    FG_ASSIGN_OR_RETURN(sql::BoundScript bound, sql::BindSql(Ddl() + select, &catalog, bind));
    if (bound.queries.size() != 1) return Status::InvalidArgument("want one query");
    options.data_dir = dir_;
    std::vector<std::string> rows;
    FG_ASSIGN_OR_RETURN(
        stats_, RunBatchQuery(bound.queries[0].plan, options, [&](const runtime::RecordBatch& b) {
          for (size_t r = 0; r < b.num_rows(); ++r) rows.push_back(b.RowToString(r));
          return Status::Ok();
        }));
    return rows;
  }

  static std::string Line(const std::string& dev, const std::string& ts, double v,
                          const std::string& loc) {
    return "{\"device_id\":\"" + dev + "\",\"ts\":\"" + ts + "\",\"value\":" + std::to_string(v) +
           ",\"location\":\"" + loc + "\"}\n";
  }

  // Four objects over two days; the hour=10 .zst object also holds a 09:04:59 row, read
  // after 10:xx rows (a stream's watermark would have closed its window already).
  void WriteArchive() {
    Write("day=25/hour=09/part-b-0-0.json", Line("d1", "2026-11-25 09:01:00", 10, "plant-a") +
                                                Line("d2", "2026-11-25 09:02:00", 40, "plant-b"));
    Write("day=25/hour=10/part-a-0-0.json.gz",
          Gzip(Line("d1", "2026-11-25 10:03:00", 30, "plant-a") +
               Line("d1", "2026-11-25 10:01:00", 20, "plant-a")));
    Write("day=25/hour=10/part-a-0-1.json.zst",
          Zstd(Line("d1", "2026-11-25 09:04:59", 50, "plant-a") +  // late for a stream
               Line("d2", "2026-11-25 10:06:00", 60, "plant-b")));
    Write("day=26/hour=00/part-a-0-2.json", Line("d2", "2026-11-26 00:00:01", 70, "plant-b"));
    Write("day=25/hour=10/_SUCCESS", "");
    Write("day=25/hour=10/.part-a-0-3.json.inprogress", "{not json");
  }

  std::string dir_, table_dir_;
  BatchQueryStats stats_;
};

TEST_F(BatchQueryTest, ReadsEveryObjectWithPartitionColumns) {
  WriteArchive();
  auto rows = Query("SELECT device_id, `value`, `day`, `hour` FROM readings");
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  std::vector<std::string> got = *rows;
  std::sort(got.begin(), got.end());
  EXPECT_EQ(got, (std::vector<std::string>{"[d1, 10.0, 25, 09]", "[d1, 20.0, 25, 10]",
                                           "[d1, 30.0, 25, 10]", "[d1, 50.0, 25, 10]",
                                           "[d2, 40.0, 25, 09]", "[d2, 60.0, 25, 10]",
                                           "[d2, 70.0, 26, 00]"}));
  EXPECT_EQ(stats_.files.objects_listed, 4u);  // _SUCCESS and the staged file are hidden
  EXPECT_EQ(stats_.files.objects_read, 4u);
  EXPECT_EQ(stats_.files.rows, 7u);
}

TEST_F(BatchQueryTest, TumbleWindowsCloseOnceAtEndOfInputWithNoRowLate) {
  WriteArchive();
  auto rows = Query(
      "SELECT device_id, AVG(`value`), MAX(`value`), MIN(`value`), COUNT(*), "
      "TUMBLE_START(ts, INTERVAL '5' MINUTE) FROM readings "
      "GROUP BY device_id, TUMBLE(ts, INTERVAL '5' MINUTE)");
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  std::vector<std::string> got = *rows;
  std::sort(got.begin(), got.end());
  // d1 09:00-09:05 holds 10 and the 09:04:59 row read last (50): a stream would have
  // dropped it as late; a batch query must not.
  EXPECT_EQ(got, (std::vector<std::string>{"[d1, 25.0, 30.0, 20.0, 2, 2026-11-25 10:00:00.000]",
                                           "[d1, 30.0, 50.0, 10.0, 2, 2026-11-25 09:00:00.000]",
                                           "[d2, 40.0, 40.0, 40.0, 1, 2026-11-25 09:00:00.000]",
                                           "[d2, 60.0, 60.0, 60.0, 1, 2026-11-25 10:05:00.000]",
                                           "[d2, 70.0, 70.0, 70.0, 1, 2026-11-26 00:00:00.000]"}));
}

TEST_F(BatchQueryTest, PlainGroupByReturnsOnlyFinalRows) {
  WriteArchive();
  auto rows = Query("SELECT location, COUNT(*), SUM(`value`) FROM readings GROUP BY location");
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  std::vector<std::string> got = *rows;
  std::sort(got.begin(), got.end());
  EXPECT_EQ(got, (std::vector<std::string>{"[plant-a, 4, 110.0]", "[plant-b, 3, 170.0]"}));
}

TEST_F(BatchQueryTest, PrunesPartitionsFromWhere) {
  WriteArchive();
  auto rows = Query(
      "SELECT location, AVG(`value`) FROM readings WHERE `day` = '25' AND `hour` = '10' "
      "AND `value` > 0 GROUP BY location");
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  std::vector<std::string> got = *rows;
  std::sort(got.begin(), got.end());
  EXPECT_EQ(got, (std::vector<std::string>{"[plant-a, 33.333333333333336]", "[plant-b, 60.0]"}));
  EXPECT_EQ(stats_.files.objects_listed, 4u);
  EXPECT_EQ(stats_.files.objects_pruned, 2u);
  EXPECT_EQ(stats_.files.objects_read, 2u);

  // Pruning never changes a result: the same query unpruned.
  BatchQueryOptions no_prune;
  no_prune.prune_partitions = false;
  auto all = Query(
      "SELECT location, AVG(`value`) FROM readings WHERE `day` = '25' AND `hour` = '10' "
      "AND `value` > 0 GROUP BY location",
      no_prune);
  ASSERT_TRUE(all.ok());
  std::vector<std::string> unpruned = *all;
  std::sort(unpruned.begin(), unpruned.end());
  EXPECT_EQ(unpruned, got);
  EXPECT_EQ(stats_.files.objects_read, 4u);
}

TEST_F(BatchQueryTest, PrunesThroughASubqueryProjection) {
  WriteArchive();
  auto rows =
      Query("SELECT d, v FROM (SELECT `day` AS d, `value` AS v FROM readings) WHERE d = '26'");
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  EXPECT_EQ(*rows, (std::vector<std::string>{"[26, 70.0]"}));
  EXPECT_EQ(stats_.files.objects_read, 1u);
}

TEST_F(BatchQueryTest, ABadLineNamesTheObjectAndLine) {
  Write("day=25/hour=09/part-0.json",
        Line("d1", "2026-11-25 09:01:00", 10, "a") + "{\"device_id\":\"d1\",\"value\":\"hot\"}\n");
  auto rows = Query("SELECT * FROM readings");
  ASSERT_FALSE(rows.ok());
  const std::string& m = rows.status().message();
  EXPECT_NE(m.find("day=25/hour=09/part-0.json"), std::string::npos) << m;
  EXPECT_NE(m.find("line 2"), std::string::npos) << m;
}

TEST_F(BatchQueryTest, ACorruptObjectIsAnErrorNamingIt) {
  std::string gz = Gzip(Line("d1", "2026-11-25 09:01:00", 10, "a"));
  gz.resize(gz.size() / 2);
  Write("day=25/hour=09/part-0.json.gz", gz);
  auto rows = Query("SELECT * FROM readings");
  ASSERT_FALSE(rows.ok());
  EXPECT_NE(rows.status().message().find("part-0.json.gz"), std::string::npos);
}

TEST_F(BatchQueryTest, EnforcesTheStateLimitAndTheRowLimit) {
  WriteArchive();
  BatchQueryOptions tiny;
  tiny.max_state_bytes = 16;
  auto rows = Query("SELECT device_id, COUNT(*) FROM readings GROUP BY device_id", tiny);
  ASSERT_FALSE(rows.ok());
  EXPECT_EQ(rows.status().code(), Status::Code::kLimitExceeded);

  BatchQueryOptions limit;
  limit.limit = 3;
  limit.batch_rows = 1;  // one row per batch: reading stops early
  auto first = Query("SELECT device_id FROM readings", limit);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->size(), 3u);
  EXPECT_LT(stats_.files.objects_read, 4u);
}

// A Parquet object as the file sink writes one: the data columns only (partition columns
// are in the path), two row groups; the table also has a column the file lacks.
std::string ParquetObject() {
  auto schema = std::make_shared<const runtime::Schema>(
      std::vector<runtime::Field>{{"device_id", sql::DataType::String()},
                                  {"ts", sql::DataType{sql::TypeKind::kTimestamp, 3}},
                                  {"value", sql::DataType::Double()}});
  parquet::StringSink sink;
  auto writer = parquet::Writer::Open(*schema, parquet::WriterOptions{}, &sink);
  EXPECT_TRUE(writer.ok()) << writer.status().ToString();
  for (int g = 0; g < 2; ++g) {
    runtime::RecordBatchBuilder b(schema);
    for (int i = 0; i < 3; ++i) {
      b.column(0).AppendString(i == 2 ? "d2" : "d1");
      // 2026-11-25 09:00:00 + g * 10 min + i min
      b.column(1).AppendInt64(1795597200000 + g * 600000 + i * 60000);
      if (g == 1 && i == 1) {
        b.column(2).AppendNull();
      } else {
        b.column(2).AppendDouble(10.0 * (g * 3 + i + 1));
      }
      b.CommitRow();
    }
    EXPECT_TRUE((*writer)->Write(b.Finish()).ok());
    EXPECT_TRUE((*writer)->FlushRowGroup().ok());
  }
  EXPECT_TRUE((*writer)->Close().ok());
  return sink.data();
}

TEST_F(BatchQueryTest, ReadsParquetObjectsByRowGroupWithPartitionsFromThePath) {
  Write("day=25/hour=09/part-0.parquet", ParquetObject());
  Write("day=25/hour=10/part-1.json", Line("d2", "2026-11-25 10:00:00", 5, "plant-b"));
  auto rows = Query(
      "SELECT device_id, COUNT(*), COUNT(`value`), SUM(`value`), MAX(location), "
      "TUMBLE_START(ts, INTERVAL '10' MINUTE), MAX(`hour`) FROM readings "
      "GROUP BY device_id, TUMBLE(ts, INTERVAL '10' MINUTE)");
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  std::vector<std::string> got = *rows;
  std::sort(got.begin(), got.end());
  EXPECT_EQ(got, (std::vector<std::string>{"[d1, 2, 1, 40.0, NULL, 2026-11-25 09:10:00.000, 09]",
                                           "[d1, 2, 2, 30.0, NULL, 2026-11-25 09:00:00.000, 09]",
                                           "[d2, 1, 1, 30.0, NULL, 2026-11-25 09:00:00.000, 09]",
                                           "[d2, 1, 1, 5.0, plant-b, 2026-11-25 10:00:00.000, 10]",
                                           "[d2, 1, 1, 60.0, NULL, 2026-11-25 09:10:00.000, 09]"}));
  EXPECT_EQ(stats_.files.rows, 7u);
}

TEST_F(BatchQueryTest, AParquetTypeMismatchNamesObjectAndColumn) {
  Write("day=25/hour=09/part-0.parquet", ParquetObject());
  sql::Catalog catalog;
  sql::BindOptions bind;
  bind.batch = true;
  auto bound = sql::BindSql(
      "CREATE TABLE t (device_id STRING, ts BOOLEAN, `day` STRING, `hour` STRING) "
      "PARTITIONED BY (`day`, `hour`) WITH ('connector' = 'filesystem', 'path' = '" +
          table_dir_ + "', 'format' = 'parquet'); SELECT * FROM t",
      &catalog, bind);
  ASSERT_TRUE(bound.ok()) << bound.status().ToString();
  BatchQueryOptions options;
  options.data_dir = dir_;
  auto stats = RunBatchQuery(bound->queries[0].plan, options,
                             [](const runtime::RecordBatch&) { return Status::Ok(); });
  ASSERT_FALSE(stats.ok());
  const std::string& m = stats.status().message();
  EXPECT_NE(m.find("part-0.parquet"), std::string::npos) << m;
  EXPECT_NE(m.find("'ts'"), std::string::npos) << m;
}

TEST_F(BatchQueryTest, EmptyOrMissingTableGivesNoRows) {
  auto rows = Query("SELECT * FROM readings");
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  EXPECT_TRUE(rows->empty());
}

TEST_F(BatchQueryTest, RawFormatReadsLinesWithPartitions) {
  sql::Catalog catalog;
  sql::BindOptions bind;
  bind.batch = true;
  Write("year=2026/hour=07/part-0.json.gz", Gzip("line one\nline, two\n"));
  auto bound = sql::BindSql(
      "CREATE TABLE raw_t (data STRING, `year` STRING, `hour` STRING) PARTITIONED BY "
      "(`year`, `hour`) WITH ('connector' = 's3', 'path' = '" +
          table_dir_ + "', 'format' = 'raw'); SELECT data, `hour` FROM raw_t",
      &catalog, bind);
  ASSERT_TRUE(bound.ok()) << bound.status().ToString();
  std::vector<std::string> rows;
  BatchQueryOptions options;
  options.data_dir = dir_;
  auto stats = RunBatchQuery(bound->queries[0].plan, options, [&](const runtime::RecordBatch& b) {
    for (size_t r = 0; r < b.num_rows(); ++r) rows.push_back(b.RowToString(r));
    return Status::Ok();
  });
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  EXPECT_EQ(rows, (std::vector<std::string>{"[line one, 07]", "[line, two, 07]"}));
}

TEST_F(BatchQueryTest, S3PathsReadTheEmbeddedStoreUnderTheDataDir) {
  // The layout the file sink writes without [store.s3]: <data_dir>/objects/BUCKET/prefix.
  table_dir_ = dir_ + "/objects/bucket/some/prefix";
  Write("day=25/hour=01/part-0.json", Line("d9", "2026-11-25 01:00:00", 1.5, "x"));
  sql::Catalog catalog;
  sql::BindOptions bind;
  bind.batch = true;
  auto bound = sql::BindSql(
      "CREATE TABLE t (device_id STRING, `value` DOUBLE, `day` STRING, `hour` STRING) "
      "PARTITIONED BY (`day`, `hour`) WITH ('connector' = 's3', "
      "'path' = 's3://bucket/some/prefix/'); SELECT device_id, `value`, `day` FROM t",
      &catalog, bind);
  ASSERT_TRUE(bound.ok()) << bound.status().ToString();
  std::vector<std::string> rows;
  BatchQueryOptions options;
  options.data_dir = dir_;
  auto stats = RunBatchQuery(bound->queries[0].plan, options, [&](const runtime::RecordBatch& b) {
    for (size_t r = 0; r < b.num_rows(); ++r) rows.push_back(b.RowToString(r));
    return Status::Ok();
  });
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  EXPECT_EQ(rows, (std::vector<std::string>{"[d9, 1.5, 25]"}));
}

TEST(BatchBindTest, BatchReadsOnlyFileTablesAndStreamsOnlyStreams) {
  const std::string ddl =
      "CREATE TABLE s (a STRING) WITH ('connector' = 'kinesis', 'stream' = 'x');"
      "CREATE TABLE f (a STRING, ts TIMESTAMP(3)) WITH ('connector' = 'filesystem', "
      "'path' = '/tmp/x');";
  sql::BindOptions batch;
  batch.batch = true;
  {
    sql::Catalog c;
    auto r = sql::BindSql(ddl + "SELECT a FROM s", &c, batch);
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.status().message().find("fluxgate query reads only"), std::string::npos);
  }
  {
    sql::Catalog c;
    auto r = sql::BindSql(ddl + "SELECT a FROM f", &c);
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.status().message().find("fluxgate query"), std::string::npos)
        << r.status().message();
  }
  {
    // Any TIMESTAMP column of a file table can drive a window in batch mode...
    sql::Catalog c;
    auto r = sql::BindSql(ddl + "SELECT COUNT(*) FROM f GROUP BY TUMBLE(ts, INTERVAL '1' MINUTE)",
                          &c, batch);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
  }
}

}  // namespace
}  // namespace fluxgate::jobs
