// Compressed part files: gzip members / zstd frames end at every checkpoint, so a file cut
// at any Persist and resumed with a fresh encoder is one valid stream; and the writer's
// encoder hooks (bulk formats roll on every checkpoint).
#include "store/part_file_codec.h"

#include <gtest/gtest.h>

#include <cstdio>

#include "store/part_file_state.h"
#include "store_test_util.h"

namespace fluxgate::store {
namespace {

using testing::AllFiles;
using testing::Published;
using testing::ReadWhole;
using testing::StagedFiles;
using testing::TempDir;

constexpr int64_t kT0 = 1'700'000'000'000;

std::string Lines(int from, int to) {
  std::string out;
  for (int i = from; i < to; ++i) out += "{\"n\":" + std::to_string(i) + ",\"pad\":\"xxxxxxxx\"}\n";
  return out;
}

// Runs a shell command over `data` (written to a temp file) and returns its stdout.
std::string Pipe(const std::string& cmd, const std::string& data, const std::string& dir) {
  const std::string in = dir + "/pipe.in";
  {
    FILE* f = std::fopen(in.c_str(), "wb");
    std::fwrite(data.data(), 1, data.size(), f);
    std::fclose(f);
  }
  FILE* p = popen((cmd + " < " + in).c_str(), "r");
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  EXPECT_EQ(pclose(p), 0) << cmd;
  return out;
}

class CodecTest : public ::testing::TestWithParam<LineCompression> {};

TEST_P(CodecTest, EverySyncEndsAMemberAndTheConcatenationIsOneStream) {
  auto enc = NewLineEncoder(GetParam());
  ASSERT_TRUE(enc.ok());
  std::string file;
  ASSERT_TRUE((*enc)->Encode(Lines(0, 100), file).ok());
  ASSERT_TRUE((*enc)->Sync(file).ok());
  const size_t first = file.size();
  ASSERT_GT(first, 0u);
  // The prefix up to a Sync is complete on its own.
  auto head = DecompressAll(GetParam(), file);
  ASSERT_TRUE(head.ok()) << head.status().ToString();
  EXPECT_EQ(*head, Lines(0, 100));
  // Nothing between two syncs: no empty member.
  ASSERT_TRUE((*enc)->Sync(file).ok());
  EXPECT_EQ(file.size(), first);
  ASSERT_TRUE((*enc)->Encode(Lines(100, 5000), file).ok());
  ASSERT_TRUE((*enc)->Finish(file).ok());
  auto all = DecompressAll(GetParam(), file);
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  EXPECT_EQ(*all, Lines(0, 5000));
  EXPECT_LT(file.size(), Lines(0, 5000).size() / 3);  // it does compress

  // The standard tools read the members / frames as one stream too.
  TempDir dir;
  const std::string tool = GetParam() == LineCompression::kGzip ? "gzip -dc" : "zstd -dcq";
  EXPECT_EQ(Pipe(tool, file, dir.path()), Lines(0, 5000));

  // A cut inside the second member is detected, not silently shortened.
  auto cut = DecompressAll(GetParam(), std::string_view(file).substr(0, file.size() - 3));
  EXPECT_FALSE(cut.ok());
}

INSTANTIATE_TEST_SUITE_P(Compressions, CodecTest,
                         ::testing::Values(LineCompression::kGzip, LineCompression::kZstd),
                         [](const auto& info) {
                           return info.param == LineCompression::kGzip ? "gzip" : "zstd";
                         });

TEST(CodecNames, ParseAndSuffix) {
  EXPECT_EQ(*ParseLineCompression("GZIP"), LineCompression::kGzip);
  EXPECT_EQ(*ParseLineCompression("zstd"), LineCompression::kZstd);
  EXPECT_EQ(*ParseLineCompression("none"), LineCompression::kNone);
  EXPECT_FALSE(ParseLineCompression("lz4").ok());
  EXPECT_EQ(CompressionSuffix(LineCompression::kGzip), ".gz");
  EXPECT_EQ(CompressionSuffix(LineCompression::kZstd), ".zst");
  EXPECT_EQ(CompressionSuffix(LineCompression::kNone), "");
}

class CompressedWriterTest : public ::testing::TestWithParam<LineCompression> {
 protected:
  PartFileWriterOptions Options() {
    PartFileWriterOptions o;
    o.uuid = "u1";
    o.suffix = ".json" + std::string(CompressionSuffix(GetParam()));
    const LineCompression c = GetParam();
    o.encoder = [c] { return NewLineEncoder(c); };
    return o;
  }
  std::unique_ptr<PartFileWriter> Make(PartFileWriterOptions o) {
    auto w = PartFileWriter::Create(&store_, "bkt", "out", std::move(o), kT0);
    EXPECT_TRUE(w.ok()) << w.status().ToString();
    return w.ok() ? std::move(w).value() : nullptr;
  }
  std::string OutDir() const { return dir_.path() + "/bkt/out"; }
  std::string Decompressed(const std::string& contents) {
    auto d = DecompressAll(GetParam(), contents);
    EXPECT_TRUE(d.ok()) << d.status().ToString();
    return d.ok() ? *d : std::string();
  }

  TempDir dir_;
  LocalObjectStore store_{dir_.path()};
};

TEST_P(CompressedWriterTest, CrashAfterACheckpointResumesAValidStreamExactlyOnce) {
  const std::string suffix = Options().suffix;
  std::string state;
  {
    auto w = Make(Options());
    ASSERT_TRUE(w->Append("p=1", Lines(0, 300)).ok());
    auto s = w->PrepareCommit(1);  // ends a member; the staged file's length is valid
    ASSERT_TRUE(s.ok());
    state = *s;
    ASSERT_TRUE(w->Commit(1).ok());
    ASSERT_TRUE(w->Append("p=1", Lines(300, 400)).ok());  // lost in the crash
    ASSERT_TRUE(w->PrepareCommit(2).ok());                // checkpoint 2 never completes
  }                                                       // crash
  auto w = Make(Options());
  ASSERT_TRUE(w->Restore(state).ok());
  ASSERT_TRUE(w->Append("p=1", Lines(300, 600)).ok());  // the replay, and more
  ASSERT_TRUE(w->CloseAll().ok());
  ASSERT_TRUE(w->PrepareCommit(3).ok());
  ASSERT_TRUE(w->Commit(3).ok());
  EXPECT_TRUE(StagedFiles(OutDir()).empty());
  auto files = Published(OutDir(), suffix);
  ASSERT_EQ(files.size(), 1u);
  EXPECT_EQ(files[0].partition, "p=1");
  EXPECT_EQ(Decompressed(files[0].contents), Lines(0, 600));
}

TEST_P(CompressedWriterTest, SizeLimitCountsCompressedBytes) {
  PartFileWriterOptions o = Options();
  o.max_file_bytes = 4096;
  auto w = Make(o);
  const std::string raw = Lines(0, 2000);  // ~60 KB of text, far less compressed
  for (size_t i = 0; i < raw.size(); i += 1000) {
    size_t nl = raw.find('\n', i + 1000);
    size_t end = nl == std::string::npos ? raw.size() : nl + 1;
    ASSERT_TRUE(w->Append("", std::string_view(raw).substr(i, end - i)).ok());
    i = end - 1000;
  }
  ASSERT_TRUE(w->CloseAll().ok());
  ASSERT_TRUE(w->PrepareCommit(1).ok());
  ASSERT_TRUE(w->Commit(1).ok());
  auto files = Published(OutDir(), o.suffix);
  ASSERT_GE(files.size(), 1u);
  ASSERT_LT(files.size(), 15u);  // not one file per ~4 KB of uncompressed text
  std::string all;
  for (const auto& f : files) all += Decompressed(f.contents);
  EXPECT_EQ(all, raw);
}

INSTANTIATE_TEST_SUITE_P(Compressions, CompressedWriterTest,
                         ::testing::Values(LineCompression::kGzip, LineCompression::kZstd),
                         [](const auto& info) {
                           return info.param == LineCompression::kGzip ? "gzip" : "zstd";
                         });

// A bulk encoder: a header when the file opens, a footer when it closes; it cannot Sync.
class FooterEncoder final : public PartFileEncoder {
 public:
  Status Encode(std::string_view input, std::string& out) override {
    if (!started_) out += "HEAD\n";
    started_ = true;
    out.append(input);
    return Status::Ok();
  }
  Status Sync(std::string&) override {
    return Status::Internal("a bulk file must roll, not sync, at a checkpoint");
  }
  Status Finish(std::string& out) override {
    out += "FOOT\n";
    return Status::Ok();
  }

 private:
  bool started_ = false;
};

class BulkWriterTest : public ::testing::Test {
 protected:
  PartFileWriterOptions Options() {
    PartFileWriterOptions o;
    o.uuid = "u1";
    o.suffix = ".bulk";
    o.encoder = [] {
      return Result<std::unique_ptr<PartFileEncoder>>(std::make_unique<FooterEncoder>());
    };
    o.roll_on_checkpoint = true;
    return o;
  }
  std::unique_ptr<PartFileWriter> Make(PartFileWriterOptions o) {
    auto w = PartFileWriter::Create(&store_, "bkt", "out", std::move(o), kT0);
    EXPECT_TRUE(w.ok()) << w.status().ToString();
    return w.ok() ? std::move(w).value() : nullptr;
  }
  std::string OutDir() const { return dir_.path() + "/bkt/out"; }
  TempDir dir_;
  LocalObjectStore store_{dir_.path()};
};

TEST_F(BulkWriterTest, EveryCheckpointRollsEveryOpenFile) {
  auto w = Make(Options());
  ASSERT_TRUE(w->Append("a", "1\n").ok());
  ASSERT_TRUE(w->AppendEncoded("b", [](PartFileEncoder& e, std::string& out) {
                 return e.Encode("2\n", out);
               }).ok());
  auto s1 = w->PrepareCommit(1);
  ASSERT_TRUE(s1.ok());
  auto state = DecodePartFileWriterState(*s1);
  ASSERT_TRUE(state.ok());
  EXPECT_TRUE(state->in_progress.empty());
  EXPECT_EQ(state->pending.size(), 2u);
  EXPECT_EQ(w->stats().rolled_checkpoint, 2u);
  ASSERT_TRUE(w->Append("a", "3\n").ok());
  ASSERT_TRUE(w->PrepareCommit(2).ok());
  ASSERT_TRUE(w->Commit(2).ok());
  auto files = Published(OutDir(), ".bulk");
  ASSERT_EQ(files.size(), 3u);
  EXPECT_EQ(files[0].partition, "a");
  EXPECT_EQ(files[0].contents, "HEAD\n1\nFOOT\n");
  EXPECT_EQ(files[1].contents, "HEAD\n3\nFOOT\n");
  EXPECT_EQ(files[2].partition, "b");
  EXPECT_EQ(files[2].contents, "HEAD\n2\nFOOT\n");
  // A crash after checkpoint 1: its pending files are published on restore, nothing resumes.
  auto w2 = Make(Options());
  ASSERT_TRUE(w2->Restore(*s1).ok());
  EXPECT_EQ(w2->stats().open_files, 0u);
}

TEST_F(BulkWriterTest, RestoreRefusesAStateWithOpenFiles) {
  PartFileWriterOptions line = Options();
  line.roll_on_checkpoint = false;
  line.encoder = {};
  auto w = Make(line);
  ASSERT_TRUE(w->Append("a", "1\n").ok());
  auto s = w->PrepareCommit(1);
  ASSERT_TRUE(s.ok());
  auto bulk = Make(Options());
  Status st = bulk->Restore(*s);
  EXPECT_EQ(st.code(), Status::Code::kInvalidArgument) << st.ToString();
}

TEST_F(BulkWriterTest, AppendEncodedNeedsAnEncoder) {
  PartFileWriterOptions plain = Options();
  plain.encoder = {};
  auto w = Make(plain);
  Status st = w->AppendEncoded("a", [](PartFileEncoder&, std::string&) { return Status::Ok(); });
  EXPECT_EQ(st.code(), Status::Code::kInvalidArgument);
}

TEST_F(BulkWriterTest, AnEncoderErrorFailsTheWriter) {
  auto w = Make(Options());
  Status st = w->AppendEncoded(
      "a", [](PartFileEncoder&, std::string&) { return Status::Internal("bad row"); });
  EXPECT_FALSE(st.ok());
  EXPECT_FALSE(w->Append("a", "x\n").ok());  // refuses further work until restored
}

}  // namespace
}  // namespace fluxgate::store
