// PartFileWriter's two-phase commit over the S3 back end (S3ObjectStore on FakeS3): staged
// multipart uploads are completed when a checkpoint commits, resumed from the checkpoint's
// handle after a crash, and every other upload of the writer is aborted on recovery —
// with compressed files that continue across checkpoints and bulk files that roll.
#include <gtest/gtest.h>

#include "fake_s3.h"
#include "store/part_file_codec.h"
#include "store/part_file_writer.h"
#include "store/s3_object_store.h"

namespace fluxgate::store {
namespace {

using testing::FakeS3;

constexpr int64_t kT0 = 1'700'000'000'000;

std::string Lines(int from, int to) {
  std::string out;
  for (int i = from; i < to; ++i) out += "{\"n\":" + std::to_string(i) + "}\n";
  return out;
}

class PartFileWriterS3Test : public ::testing::Test {
 protected:
  PartFileWriterS3Test() {
    auto fake = std::make_unique<FakeS3>(true);
    fake_ = fake.get();
    S3Options o;
    o.endpoint = "http://127.0.0.1:9000";
    o.path_style = true;
    o.credentials = {"AKIDEXAMPLE", "secret", ""};
    o.sleep = [](std::chrono::milliseconds) {};
    auto s = S3ObjectStore::Create(std::move(o), std::move(fake));
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(*s);
  }
  PartFileWriterOptions Options() {
    PartFileWriterOptions o;
    o.uuid = "u1";
    o.suffix = ".json.zst";
    o.encoder = [] { return NewLineEncoder(LineCompression::kZstd); };
    return o;
  }
  std::unique_ptr<PartFileWriter> Make() {
    auto w = PartFileWriter::Create(store_.get(), "bkt", "out", Options(), kT0);
    EXPECT_TRUE(w.ok()) << w.status().ToString();
    return w.ok() ? std::move(w).value() : nullptr;
  }
  // Published objects under out/ and their decompressed text.
  std::map<std::string, std::string> Output() {
    std::map<std::string, std::string> out;
    for (const auto& [k, obj] : fake_->objects) {
      if (!k.starts_with("bkt/out/")) continue;
      auto text = DecompressAll(LineCompression::kZstd, obj.data);
      EXPECT_TRUE(text.ok()) << k << ": " << text.status().ToString();
      out[k] = text.ok() ? *text : "";
    }
    return out;
  }

  FakeS3* fake_;
  std::unique_ptr<S3ObjectStore> store_;
};

TEST_F(PartFileWriterS3Test, UploadsCompleteOnlyWhenTheCheckpointCommits) {
  auto w = Make();
  ASSERT_TRUE(w->Append("p=1", Lines(0, 100)).ok());
  ASSERT_TRUE(w->CloseAll().ok());
  ASSERT_TRUE(w->PrepareCommit(1).ok());
  EXPECT_TRUE(Output().empty());  // a multipart upload, not an object yet
  EXPECT_EQ(fake_->uploads.size(), 1u);
  ASSERT_TRUE(w->Commit(1).ok());
  auto out = Output();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out.begin()->first, "bkt/out/p=1/part-u1-0-0.json.zst");
  EXPECT_EQ(out.begin()->second, Lines(0, 100));
  EXPECT_TRUE(fake_->uploads.empty());
}

TEST_F(PartFileWriterS3Test, CrashAfterACheckpointResumesAndAbortsLaterUploads) {
  std::string state;
  {
    auto w = Make();
    ASSERT_TRUE(w->Append("p=1", Lines(0, 200)).ok());
    ASSERT_TRUE(w->Append("p=2", Lines(1000, 1010)).ok());
    ASSERT_TRUE(w->CloseAll().ok());                      // p=1 and p=2 pending
    ASSERT_TRUE(w->Append("p=1", Lines(200, 300)).ok());  // open across the checkpoint
    auto s = w->PrepareCommit(1);
    ASSERT_TRUE(s.ok());
    state = *s;
    // Checkpoint 1 is durable, but the crash comes before Commit(1) ...
    ASSERT_TRUE(w->Append("p=1", Lines(300, 400)).ok());  // ... and these are lost
    ASSERT_TRUE(w->Append("p=3", Lines(2000, 2005)).ok());
    ASSERT_TRUE(w->PrepareCommit(2).ok());  // checkpoint 2 never completes
  }
  auto w = Make();
  Status st = w->Restore(state);
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(w->stats().files_published, 2u);            // checkpoint 1's pending files
  EXPECT_GE(w->stats().staged_aborted, 1u);             // p=3's upload, opened after checkpoint 1
  ASSERT_TRUE(w->Append("p=1", Lines(300, 500)).ok());  // the replay, and more
  ASSERT_TRUE(w->CloseAll().ok());
  ASSERT_TRUE(w->PrepareCommit(3).ok());
  ASSERT_TRUE(w->Commit(3).ok());
  auto out = Output();
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out["bkt/out/p=1/part-u1-0-0.json.zst"], Lines(0, 200));
  EXPECT_EQ(out["bkt/out/p=2/part-u1-0-1.json.zst"], Lines(1000, 1010));
  EXPECT_EQ(out["bkt/out/p=1/part-u1-0-2.json.zst"], Lines(200, 500));
  EXPECT_TRUE(fake_->uploads.empty()) << "an upload was left behind";
}

}  // namespace
}  // namespace fluxgate::store
