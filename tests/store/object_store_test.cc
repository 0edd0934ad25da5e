#include "store/object_store.h"

#include <gtest/gtest.h>

#include "store_test_util.h"

namespace fluxgate::store {
namespace {

using testing::AllFiles;
using testing::FaultFileSystem;
using testing::ReadWhole;
using testing::TempDir;

TEST(LocalObjectStoreTest, PutGetListDelete) {
  TempDir dir;
  LocalObjectStore store(dir.path());
  ASSERT_TRUE(store.Put("b", "x/y/one", "1").ok());
  ASSERT_TRUE(store.Put("b", "x/two", "22").ok());
  ASSERT_TRUE(store.Put("b", "z", "333").ok());
  ASSERT_TRUE(store.Put("other", "x/three", "4444").ok());
  EXPECT_EQ(ReadWhole(dir.path() + "/b/x/y/one"), "1");  // bucket = first-level directory

  auto got = store.Get("b", "x/two");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got, "22");
  EXPECT_TRUE(store.Get("b", "x/nope").status().IsNotFound());

  auto all = store.List("b", "");
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[0].key, "x/two");
  EXPECT_EQ((*all)[1].key, "x/y/one");
  EXPECT_EQ((*all)[2].key, "z");
  EXPECT_EQ((*all)[2].size, 3u);

  auto x = store.List("b", "x/");
  ASSERT_TRUE(x.ok());
  EXPECT_EQ(x->size(), 2u);
  auto xt = store.List("b", "x/t");  // a string prefix, not only a directory
  ASSERT_TRUE(xt.ok());
  ASSERT_EQ(xt->size(), 1u);
  EXPECT_EQ((*xt)[0].key, "x/two");
  auto none = store.List("nobucket", "");
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());

  ASSERT_TRUE(store.Delete("b", "z").ok());
  ASSERT_TRUE(store.Delete("b", "z").ok());  // already gone is fine
  EXPECT_TRUE(store.Get("b", "z").status().IsNotFound());
}

TEST(LocalObjectStoreTest, PutReplacesWholeAndLeavesNoTemp) {
  TempDir dir;
  LocalObjectStore store(dir.path());
  ASSERT_TRUE(store.Put("", "k", "old contents").ok());
  ASSERT_TRUE(store.Put("", "k", "new").ok());
  EXPECT_EQ(ReadWhole(dir.path() + "/k"), "new");
  EXPECT_EQ(AllFiles(dir.path()), std::vector<std::string>{"k"});
}

TEST(LocalObjectStoreTest, RejectsBadKeys) {
  TempDir dir;
  LocalObjectStore store(dir.path());
  for (const char* key : {"", "/abs", "a//b", "../up", "a/./b", "a/.hidden", "a/"}) {
    EXPECT_TRUE(store.Put("b", key, "x").IsInvalidArgument()) << key;
  }
  EXPECT_TRUE(ValidateKey("a/b/", true).ok());
  EXPECT_TRUE(ValidateKey("", true).ok());
  EXPECT_TRUE(ValidateKey("a/../b/", true).IsInvalidArgument());
}

TEST(LocalObjectStoreTest, StagedObjectIsHiddenUntilPublished) {
  TempDir dir;
  LocalObjectStore store(dir.path());
  auto w = store.BeginStaged("b", "p/obj.json");
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  ASSERT_TRUE((*w)->Append("hello\n").ok());
  EXPECT_EQ((*w)->size(), 6u);
  EXPECT_EQ(AllFiles(dir.path()), std::vector<std::string>{"b/p/.obj.json.inprogress"});
  auto listed = store.List("b", "");
  ASSERT_TRUE(listed.ok());
  EXPECT_TRUE(listed->empty());

  auto h = (*w)->CloseForPublish();
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h->key, "p/obj.json");
  EXPECT_EQ(h->length, 6u);
  EXPECT_FALSE((*w)->Append("more").ok());  // closed

  auto staged = store.ListStaged("b", "p/");
  ASSERT_TRUE(staged.ok());
  ASSERT_EQ(staged->size(), 1u);
  EXPECT_EQ((*staged)[0].key, "p/obj.json");
  EXPECT_EQ((*staged)[0].length, 6u);

  ASSERT_TRUE(store.PublishStaged(*h).ok());
  EXPECT_EQ(AllFiles(dir.path()), std::vector<std::string>{"b/p/obj.json"});
  EXPECT_EQ(ReadWhole(dir.path() + "/b/p/obj.json"), "hello\n");
  ASSERT_TRUE(store.PublishStaged(*h).ok());  // idempotent
  staged = store.ListStaged("b", "");
  ASSERT_TRUE(staged.ok());
  EXPECT_TRUE(staged->empty());
}

TEST(LocalObjectStoreTest, ResumeCutsBytesAfterThePersistedLength) {
  TempDir dir;
  LocalObjectStore store(dir.path());
  auto w = store.BeginStaged("", "f");
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE((*w)->Append("aaa\n").ok());
  auto h = (*w)->Persist();
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h->length, 4u);
  ASSERT_TRUE((*w)->Append("bbb\n").ok());
  ASSERT_TRUE((*w)->Persist().ok());
  w->reset();  // crash

  auto r = store.ResumeStaged(*h);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ((*r)->size(), 4u);
  ASSERT_TRUE((*r)->Append("ccc\n").ok());
  auto h2 = (*r)->CloseForPublish();
  ASSERT_TRUE(h2.ok());
  ASSERT_TRUE(store.PublishStaged(*h2).ok());
  EXPECT_EQ(ReadWhole(dir.path() + "/f"), "aaa\nccc\n");
}

TEST(LocalObjectStoreTest, DroppedWriterLosesUnpersistedBytes) {
  TempDir dir;
  LocalObjectStore store(dir.path());
  auto w = store.BeginStaged("", "f");
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE((*w)->Append("buffered\n").ok());
  w->reset();
  auto staged = store.ListStaged("", "");
  ASSERT_TRUE(staged.ok());
  ASSERT_EQ(staged->size(), 1u);
  EXPECT_EQ((*staged)[0].length, 0u);  // the buffer never reached the file
}

TEST(LocalObjectStoreTest, ResumeAndPublishReportLostOrShortObjects) {
  TempDir dir;
  LocalObjectStore store(dir.path());
  StagedObject missing{"", "gone", 10, {}};
  EXPECT_TRUE(store.ResumeStaged(missing).status().IsNotFound());
  EXPECT_TRUE(store.PublishStaged(missing).IsNotFound());
  EXPECT_TRUE(store.AbortStaged(missing).ok());

  auto w = store.BeginStaged("", "short");
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE((*w)->Append("abc").ok());
  ASSERT_TRUE((*w)->Persist().ok());
  StagedObject claims_more{"", "short", 10, {}};
  EXPECT_TRUE(store.ResumeStaged(claims_more).status().IsCorruption());
  EXPECT_TRUE(store.PublishStaged(claims_more).IsCorruption());
}

TEST(LocalObjectStoreTest, AbortRemovesStagedFile) {
  TempDir dir;
  LocalObjectStore store(dir.path());
  auto w = store.BeginStaged("b", "a/x");
  ASSERT_TRUE(w.ok());
  auto h = (*w)->Persist();
  ASSERT_TRUE(h.ok());
  ASSERT_TRUE(store.AbortStaged(*h).ok());
  ASSERT_TRUE(store.AbortStaged(*h).ok());
  EXPECT_TRUE(AllFiles(dir.path()).empty());
}

TEST(LocalObjectStoreTest, LargeAppendsBypassTheBuffer) {
  TempDir dir;
  LocalObjectStore store(dir.path());
  auto w = store.BeginStaged("", "big");
  ASSERT_TRUE(w.ok());
  std::string big(200 * 1024, 'x');
  ASSERT_TRUE((*w)->Append("head").ok());
  ASSERT_TRUE((*w)->Append(big).ok());
  ASSERT_TRUE((*w)->Append("tail").ok());
  auto h = (*w)->CloseForPublish();
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h->length, big.size() + 8);
  ASSERT_TRUE(store.PublishStaged(*h).ok());
  EXPECT_EQ(ReadWhole(dir.path() + "/big"), "head" + big + "tail");
}

TEST(LocalObjectStoreTest, FileSystemErrorsComeBackAsStatus) {
  TempDir dir;
  FaultFileSystem fs;
  LocalObjectStore store(dir.path(), &fs);
  fs.CrashAfter(0);
  Status st = store.Put("b", "k", "v");
  EXPECT_EQ(st.code(), Status::Code::kIOError);
  EXPECT_FALSE(store.BeginStaged("b", "k").ok());
  fs.Reset();
  EXPECT_TRUE(store.Put("b", "k", "v").ok());
}

}  // namespace
}  // namespace fluxgate::store
