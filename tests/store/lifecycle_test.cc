// Lifecycle: partition times from Hive paths, expiry, compaction of line and Parquet files,
// and crash safety of compaction (a crash at every file-system operation of a pass, then a
// new pass: every row exactly once). Time is passed in (no clock reads).
#include "store/lifecycle.h"

#include <gtest/gtest.h>
#include <toml++/toml.h>

#include "common/config_lifecycle.h"
#include "parquet/reader.h"
#include "parquet/writer.h"
#include "store/lifecycle_task.h"
#include "store/part_file_codec.h"
#include "store_test_util.h"

namespace fluxgate::store {
namespace {

using testing::AllFiles;
using testing::FaultFileSystem;
using testing::ReadWhole;
using testing::TempDir;

constexpr int64_t kHour = 3'600'000;
constexpr int64_t kDay = 24 * kHour;
// 2026-11-25 00:00:00 UTC
constexpr int64_t kNov25 = 1795564800000;
const std::string kHot = "raw/year=2026/month=11/day=25/hour=10";  // 10:00-11:00 on the 25th
const std::string kOld = "raw/year=2026/month=11/day=01/hour=03";

TEST(PartitionSpan, FromHivePaths) {
  auto h = PartitionSpanOf("year=2026/month=11/day=25/hour=10/part-x-0-0.json");
  ASSERT_TRUE(h);
  EXPECT_EQ(h->start_ms, kNov25 + 10 * kHour);
  EXPECT_EQ(h->end_ms, kNov25 + 11 * kHour);
  auto d = PartitionSpanOf("dt=2026-11-25/f.json");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->start_ms, kNov25);
  EXPECT_EQ(d->end_ms, kNov25 + kDay);
  auto m = PartitionSpanOf("year=2026/month=12/x");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->end_ms - m->start_ms, 31 * kDay);
  auto y = PartitionSpanOf("year=2024/x");  // a leap year
  ASSERT_TRUE(y);
  EXPECT_EQ(y->end_ms - y->start_ms, 366 * kDay);
  EXPECT_FALSE(PartitionSpanOf("device=a/part-x-0-0.json"));
  EXPECT_FALSE(PartitionSpanOf("year=26/x"));
  EXPECT_FALSE(PartitionSpanOf("year=2026/month=13/x") &&
               PartitionSpanOf("year=2026/month=13/x")->end_ms -
                       PartitionSpanOf("year=2026/month=13/x")->start_ms !=
                   365 * kDay);  // a bad month is ignored: the year's span
}

class LifecycleTest : public ::testing::Test {
 protected:
  std::string Line(int i) { return "{\"n\":" + std::to_string(i) + "}\n"; }
  // `n` part files of `per` lines each in `dir`, numbered from `first`.
  std::string PutParts(const std::string& dir, int n, int per, int first = 0,
                       const std::string& suffix = ".json",
                       LineCompression c = LineCompression::kNone) {
    std::string all;
    for (int f = 0; f < n; ++f) {
      std::string text;
      for (int i = 0; i < per; ++i) text += Line(first + f * per + i);
      all += text;
      std::string bytes = text;
      if (c != LineCompression::kNone) {
        auto e = NewLineEncoder(c);
        bytes.clear();
        EXPECT_TRUE((*e)->Encode(text, bytes).ok());
        EXPECT_TRUE((*e)->Finish(bytes).ok());
      }
      char name[64];
      std::snprintf(name, sizeof name, "part-u-0-%03d%s", first / per + f, suffix.c_str());
      EXPECT_TRUE(store_.Put("b", dir + "/" + name, bytes).ok());
    }
    return all;
  }
  // The decompressed contents of every data file in `dir`, in key order.
  std::string Contents(const std::string& dir, LineCompression c = LineCompression::kNone) {
    std::string all;
    auto list = store_.List("b", dir + "/");
    EXPECT_TRUE(list.ok());
    for (const auto& o : *list) {
      if (BaseName(o.key).starts_with("_")) continue;
      auto data = store_.Get("b", o.key);
      auto text = DecompressAll(c, *data);
      EXPECT_TRUE(text.ok()) << o.key;
      all += *text;
    }
    return all;
  }
  std::vector<std::string> Names(const std::string& dir) {
    std::vector<std::string> out;
    for (const auto& f : AllFiles(dir_.path() + "/b/" + dir)) out.push_back(f);
    return out;
  }
  LifecycleRule Compaction() {
    LifecycleRule r;
    r.bucket = "b";
    r.prefix = "raw";
    r.compact = true;
    r.compact_min_files = 3;
    r.compact_target_bytes = 1 << 20;
    r.compact_min_age_ms = kHour;
    return r;
  }

  TempDir dir_;
  LocalObjectStore store_{dir_.path()};
};

TEST_F(LifecycleTest, ExpiresPartitionsOlderThanTheRetention) {
  PutParts(kOld, 2, 1);
  PutParts(kHot, 2, 1);
  ASSERT_TRUE(store_.Put("b", "raw/notes/part-u-0-0.json", "x\n").ok());  // undated
  ASSERT_TRUE(store_.Put("b", kOld + "/_SUCCESS", "").ok());
  LifecycleRule r;
  r.bucket = "b";
  r.prefix = "raw";
  r.expire_after_ms = 7 * kDay;
  // On the 8th at 03:59 the 1st's 03:00 hour is not yet 7 days old; at 04:00 it is.
  auto s = RunLifecycle(&store_, r, kNov25 - 17 * kDay + 3 * kHour + 59 * 60000);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->expired_objects, 0u);
  s = RunLifecycle(&store_, r, kNov25 - 17 * kDay + 4 * kHour);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->expired_objects, 3u);  // two part files and the _SUCCESS marker
  // The undated key falls back to its last-modified time (now, in real time): kept.
  EXPECT_TRUE(Names(kOld).empty());
  EXPECT_EQ(Names(kHot).size(), 2u);
  EXPECT_EQ(ReadWhole(dir_.path() + "/b/raw/notes/part-u-0-0.json"), "x\n");
}

TEST_F(LifecycleTest, CompactsClosedPartitionsOnly) {
  const std::string want = PutParts(kHot, 5, 3);
  const LifecycleRule r = Compaction();
  // 11:30: the hour ended 30 min ago, less than compact_min_age.
  auto s = RunLifecycle(&store_, r, kNov25 + 11 * kHour + 30 * 60000);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->compactions, 0u);
  EXPECT_EQ(Names(kHot).size(), 5u);
  s = RunLifecycle(&store_, r, kNov25 + 12 * kHour);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->compactions, 1u);
  EXPECT_EQ(s->compacted_inputs, 5u);
  auto names = Names(kHot);
  ASSERT_EQ(names.size(), 1u);
  EXPECT_TRUE(names[0].starts_with("compacted-") && names[0].ends_with(".json")) << names[0];
  EXPECT_EQ(Contents(kHot), want);  // same lines, same order
  // A second pass finds one file: nothing to do.
  s = RunLifecycle(&store_, r, kNov25 + 13 * kHour);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->compactions, 0u);
}

TEST_F(LifecycleTest, CompactionRespectsMinFilesAndTargetBytes) {
  LifecycleRule r = Compaction();
  PutParts(kHot, 2, 1);  // below compact_min_files
  auto s = RunLifecycle(&store_, r, kNov25 + 12 * kHour);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->compactions, 0u);
  const std::string other = "raw/year=2026/month=11/day=25/hour=09";
  const std::string want = PutParts(other, 9, 10);  // 9 files of 80-90 bytes
  r.compact_target_bytes = 300;                     // three per merged file
  s = RunLifecycle(&store_, r, kNov25 + 12 * kHour);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->compactions, 3u);
  EXPECT_EQ(Names(other).size(), 3u);
  EXPECT_EQ(Contents(other).size(), want.size());
  std::string got = Contents(other);
  std::sort(got.begin(), got.end());
  std::string sorted = want;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_EQ(got, sorted);
}

TEST_F(LifecycleTest, CompressedLineFilesConcatenate) {
  for (auto [c, suffix] : {std::pair{LineCompression::kGzip, ".json.gz"},
                           std::pair{LineCompression::kZstd, ".json.zst"}}) {
    const std::string dir = std::string("raw/year=2026/month=11/day=25/hour=0") +
                            (c == LineCompression::kGzip ? "1" : "2");
    const std::string want = PutParts(dir, 4, 50, 0, suffix, c);
    auto s = RunLifecycle(&store_, Compaction(), kNov25 + 12 * kHour);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    auto names = Names(dir);
    ASSERT_EQ(names.size(), 1u);
    EXPECT_TRUE(names[0].ends_with(suffix)) << names[0];
    EXPECT_EQ(Contents(dir, c), want);
  }
}

TEST_F(LifecycleTest, ParquetFilesMergeWithoutDecoding) {
  runtime::Schema schema({{"n", sql::DataType::BigInt()}, {"s", sql::DataType::String()}});
  int64_t total = 0;
  for (int f = 0; f < 4; ++f) {
    parquet::StringSink sink;
    auto w = parquet::Writer::Open(schema, parquet::WriterOptions{}, &sink);
    ASSERT_TRUE(w.ok()) << w.status().ToString();
    std::vector<runtime::Column> cols;
    cols.emplace_back(sql::DataType::BigInt());
    cols.emplace_back(sql::DataType::String());
    for (int i = 0; i < 10 + f; ++i) {
      cols[0].AppendInt64(f * 100 + i);
      if (i % 3 == 0) {
        cols[1].AppendNull();
      } else {
        cols[1].AppendString("v" + std::to_string(i));
      }
    }
    total += 10 + f;
    ASSERT_TRUE((*w)->WriteColumns({&cols[0], &cols[1]}, cols[0].size()).ok());
    ASSERT_TRUE((*w)->Close().ok());
    ASSERT_TRUE(
        store_.Put("b", kHot + "/part-u-0-" + std::to_string(f) + ".parquet", sink.data()).ok());
  }
  auto s = RunLifecycle(&store_, Compaction(), kNov25 + 12 * kHour);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->compactions, 1u);
  auto names = Names(kHot);
  ASSERT_EQ(names.size(), 1u);
  auto reader =
      parquet::FileReader::OpenOwned(ReadWhole(dir_.path() + "/b/" + kHot + "/" + names[0]));
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  EXPECT_EQ((*reader)->num_rows(), total);
  auto all = (*reader)->ReadAll();
  ASSERT_TRUE(all.ok());
  int64_t sum = 0;
  for (size_t r = 0; r < all->num_rows(); ++r) sum += all->column(0).Int64(r);
  int64_t want = 0;
  for (int f = 0; f < 4; ++f) {
    for (int i = 0; i < 10 + f; ++i) want += f * 100 + i;
  }
  EXPECT_EQ(sum, want);
}

TEST_F(LifecycleTest, ParquetFilesWithDifferentSchemasAreLeftAlone) {
  for (int f = 0; f < 3; ++f) {
    runtime::Schema schema({{f == 2 ? "other" : "n", sql::DataType::BigInt()}});
    parquet::StringSink sink;
    auto w = parquet::Writer::Open(schema, parquet::WriterOptions{}, &sink);
    runtime::Column c(sql::DataType::BigInt());
    c.AppendInt64(f);
    ASSERT_TRUE((*w)->WriteColumns({&c}, 1).ok());
    ASSERT_TRUE((*w)->Close().ok());
    ASSERT_TRUE(
        store_.Put("b", kHot + "/part-u-0-" + std::to_string(f) + ".parquet", sink.data()).ok());
  }
  auto s = RunLifecycle(&store_, Compaction(), kNov25 + 12 * kHour);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->merge_failures, 1u);
  EXPECT_EQ(Names(kHot).size(), 3u);  // inputs kept, no manifest or staged file left
}

// A crash at every file-system operation of a compaction pass, then a clean pass: the
// partition holds every line exactly once, no manifest and no staged file are left.
TEST_F(LifecycleTest, CompactionIsCrashSafeAtEveryStep) {
  for (int64_t crash_at = 0;; ++crash_at) {
    TempDir dir;
    FaultFileSystem fs;
    LocalObjectStore store(dir.path(), &fs);
    std::string want;
    for (int f = 0; f < 4; ++f) {
      std::string text = Line(f * 2) + Line(f * 2 + 1);
      want += text;
      ASSERT_TRUE(store.Put("b", kHot + "/part-u-0-" + std::to_string(f) + ".json", text).ok());
    }
    fs.CrashAfter(crash_at);
    auto crashed = RunLifecycle(&store, Compaction(), kNov25 + 12 * kHour);
    const bool finished = !fs.crashed();
    fs.Reset();
    // Whatever a reader lists between the crash and the next pass: no line is lost.
    std::string seen;
    auto listed = store.List("b", "raw/");
    ASSERT_TRUE(listed.ok());
    for (const auto& o : *listed) {
      if (!BaseName(o.key).starts_with("_")) seen += *store.Get("b", o.key);
    }
    for (int i = 0; i < 8; ++i) {
      EXPECT_NE(seen.find(Line(i)), std::string::npos)
          << "line " << i << " lost, crash at " << crash_at;
    }
    auto again = RunLifecycle(&store, Compaction(), kNov25 + 13 * kHour);
    ASSERT_TRUE(again.ok()) << again.status().ToString();
    std::string got;
    auto after = store.List("b", "raw/");
    ASSERT_TRUE(after.ok());
    for (const auto& o : *after) {
      ASSERT_FALSE(BaseName(o.key).starts_with("_")) << "manifest left: " << o.key;
      got += *store.Get("b", o.key);
    }
    std::string a = got, b = want;
    std::sort(a.begin(), a.end());
    std::sort(b.begin(), b.end());
    EXPECT_EQ(a, b) << "crash at operation " << crash_at;
    auto staged = store.ListStaged("b", "raw/");
    ASSERT_TRUE(staged.ok());
    EXPECT_TRUE(staged->empty()) << "staged output left, crash at " << crash_at;
    if (finished) {
      ASSERT_TRUE(crashed.ok());
      EXPECT_GT(crash_at, 5) << "the pass should take several operations";
      break;
    }
  }
}

TEST_F(LifecycleTest, TaskRunsEveryRuleAndSumsStats) {
  PutParts(kOld, 3, 1);
  PutParts(kHot, 4, 1, 100);
  LifecycleConfig config;
  LifecycleConfig::Rule expire;
  expire.path = "s3://b/raw/year=2026/month=11/day=01";
  expire.expire_after_days = 7;
  LifecycleConfig::Rule compact;
  compact.path = "s3://b/raw/year=2026/month=11/day=25";
  compact.compact = true;
  compact.compact_min_files = 3;
  config.rules = {expire, compact};
  int opened = 0;
  auto task = LifecycleTask::Create(
      config,
      [&](const SinkLocation& loc) -> Result<SinkStore> {
        ++opened;
        SinkStore s;
        s.store = std::shared_ptr<ObjectStore>(&store_, [](ObjectStore*) {});
        s.bucket = loc.bucket;
        s.prefix = loc.prefix;
        return s;
      },
      [] { return kNov25 + 2 * kDay; });
  ASSERT_TRUE(task.ok()) << task.status().ToString();
  ASSERT_TRUE((*task)->RunOnce().ok());
  EXPECT_EQ(opened, 2);
  EXPECT_EQ((*task)->totals().expired_objects, 3u);
  EXPECT_EQ((*task)->totals().compactions, 1u);
  EXPECT_EQ(Names(kHot).size(), 1u);
}

TEST(LifecycleConfigTest, Validation) {
  LifecycleConfig c;
  EXPECT_TRUE(ValidateLifecycleConfig(c).ok());
  c.rules.push_back({});
  EXPECT_FALSE(ValidateLifecycleConfig(c).ok());  // no path
  c.rules[0].path = "s3://b/raw/";
  EXPECT_FALSE(ValidateLifecycleConfig(c).ok());  // neither expiry nor compaction
  c.rules[0].expire_after_days = 30;
  EXPECT_TRUE(ValidateLifecycleConfig(c).ok());
  c.rules.push_back(c.rules[0]);
  c.rules[1].path = "s3://b/raw";
  EXPECT_FALSE(ValidateLifecycleConfig(c).ok());  // the same path twice
  c.rules.pop_back();
  c.rules[0].compact_min_files = 1;
  EXPECT_FALSE(ValidateLifecycleConfig(c).ok());
  c.rules[0].compact_min_files = 2;
  c.interval_seconds = 10;
  EXPECT_FALSE(ValidateLifecycleConfig(c).ok());
}

TEST(LifecycleConfigTest, LoadsTheTomlSection) {
  auto parsed = toml::parse(R"(
[lifecycle]
interval_seconds = 600
[[lifecycle.rules]]
path = "s3://iot-analytics/raw-data/"
expire_after_days = 30
compact = true
compact_min_files = 4
compact_target_bytes = 1048576
compact_min_age_seconds = 7200
)");
  LifecycleConfig c;
  Status st = LoadLifecycleConfig(*parsed["lifecycle"].as_table(), "f.toml", c);
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(c.interval_seconds, 600u);
  ASSERT_EQ(c.rules.size(), 1u);
  EXPECT_EQ(c.rules[0].path, "s3://iot-analytics/raw-data/");
  EXPECT_EQ(c.rules[0].expire_after_days, 30u);
  EXPECT_TRUE(c.rules[0].compact);
  EXPECT_EQ(c.rules[0].compact_min_files, 4u);
  EXPECT_EQ(c.rules[0].compact_target_bytes, 1048576u);
  EXPECT_EQ(c.rules[0].compact_min_age_seconds, 7200u);
  EXPECT_TRUE(ValidateLifecycleConfig(c).ok());

  auto bad = toml::parse("[lifecycle]\n[[lifecycle.rules]]\npath = \"x\"\nexpire_days = 3\n");
  LifecycleConfig b;
  st = LoadLifecycleConfig(*bad["lifecycle"].as_table(), "f.toml", b);
  EXPECT_TRUE(st.IsInvalidArgument());
  EXPECT_NE(st.message().find("lifecycle.rules[0].expire_days"), std::string::npos) << st.message();
}

}  // namespace
}  // namespace fluxgate::store
