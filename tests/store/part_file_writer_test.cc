#include "store/part_file_writer.h"

#include <gtest/gtest.h>

#include "store/part_file_state.h"
#include "store_test_util.h"

namespace fluxgate::store {
namespace {

using testing::AllFiles;
using testing::FaultFileSystem;
using testing::Published;
using testing::PublishedLines;
using testing::StagedFiles;
using testing::TempDir;

constexpr int64_t kT0 = 1'700'000'000'000;
using Lines = std::vector<std::string>;

class PartFileWriterTest : public ::testing::Test {
 protected:
  PartFileWriterOptions Options() {
    PartFileWriterOptions o;
    o.uuid = "u1";
    o.task = 0;
    o.suffix = ".json";
    return o;
  }
  std::unique_ptr<PartFileWriter> Make(PartFileWriterOptions o, ObjectStore* store = nullptr) {
    auto w = PartFileWriter::Create(store ? store : &store_, "bkt", "out", std::move(o), kT0);
    EXPECT_TRUE(w.ok()) << w.status().ToString();
    return w.ok() ? std::move(w).value() : nullptr;
  }
  std::string OutDir() const { return dir_.path() + "/bkt/out"; }
  std::map<std::string, Lines> Output() { return PublishedLines(OutDir(), ".json"); }

  TempDir dir_;
  LocalObjectStore store_{dir_.path()};
};

TEST_F(PartFileWriterTest, NothingIsVisibleBeforeCommit) {
  auto w = Make(Options());
  ASSERT_TRUE(w->Append("", "a\n").ok());
  ASSERT_TRUE(w->Append("", "b\n").ok());
  EXPECT_EQ(StagedFiles(OutDir()), Lines{".part-u1-0-0.json.inprogress"});
  ASSERT_TRUE(w->CloseAll().ok());
  auto state = w->PrepareCommit(1);
  ASSERT_TRUE(state.ok());
  EXPECT_TRUE(Output().empty());  // prepared, not committed
  EXPECT_EQ(w->stats().pending_files, 1u);

  ASSERT_TRUE(w->Commit(1).ok());
  EXPECT_EQ(AllFiles(OutDir()), Lines{"part-u1-0-0.json"});
  EXPECT_EQ(Output()[""], (Lines{"a", "b"}));
  EXPECT_EQ(w->stats().files_published, 1u);
  EXPECT_EQ(w->stats().pending_files, 0u);
}

TEST_F(PartFileWriterTest, OpenFilesStayInProgressAcrossCheckpoints) {
  auto w = Make(Options());
  ASSERT_TRUE(w->Append("", "a\n").ok());
  ASSERT_TRUE(w->PrepareCommit(1).ok());
  ASSERT_TRUE(w->Commit(1).ok());
  EXPECT_TRUE(Output().empty());  // Flink's row formats: a checkpoint does not roll the file
  ASSERT_TRUE(w->Append("", "b\n").ok());
  ASSERT_TRUE(w->CloseAll().ok());
  ASSERT_TRUE(w->PrepareCommit(2).ok());
  ASSERT_TRUE(w->Commit(2).ok());
  EXPECT_EQ(Output()[""], (Lines{"a", "b"}));
}

TEST_F(PartFileWriterTest, CommitIsIdempotentAndOnlyCoversItsCheckpoint) {
  auto o = Options();
  o.max_file_bytes = 4;  // every 4-byte line fills a file
  auto w = Make(o);
  ASSERT_TRUE(w->Append("", "aaa\n").ok());
  ASSERT_TRUE(w->PrepareCommit(1).ok());
  ASSERT_TRUE(w->Append("", "bbb\n").ok());
  ASSERT_TRUE(w->PrepareCommit(2).ok());
  ASSERT_TRUE(w->Append("", "ccc\n").ok());  // pending, no checkpoint yet

  ASSERT_TRUE(w->Commit(1).ok());
  EXPECT_EQ(Output()[""], Lines{"aaa"});
  ASSERT_TRUE(w->Commit(1).ok());
  EXPECT_EQ(Output()[""], Lines{"aaa"});
  ASSERT_TRUE(w->Commit(7).ok());  // covers 2, not the unprepared file
  EXPECT_EQ(Output()[""], (Lines{"aaa", "bbb"}));
  EXPECT_EQ(w->stats().pending_files, 1u);
  ASSERT_TRUE(w->Commit(7).ok());
  EXPECT_EQ(w->stats().files_published, 2u);
}

TEST_F(PartFileWriterTest, UncommittedPendingFilesCarryIntoTheNextCheckpoint) {
  auto o = Options();
  o.max_file_bytes = 2;
  auto w = Make(o);
  ASSERT_TRUE(w->Append("", "a\n").ok());
  ASSERT_TRUE(w->PrepareCommit(1).ok());  // checkpoint 1 then fails: Commit(1) never runs
  ASSERT_TRUE(w->Append("", "b\n").ok());
  auto s2 = w->PrepareCommit(2);
  ASSERT_TRUE(s2.ok());
  auto decoded = DecodePartFileWriterState(*s2);
  ASSERT_TRUE(decoded.ok());
  ASSERT_EQ(decoded->pending.size(), 2u);
  EXPECT_EQ(decoded->pending[0].checkpoint_id, 1u);
  EXPECT_EQ(decoded->pending[1].checkpoint_id, 2u);
  ASSERT_TRUE(w->Commit(2).ok());
  EXPECT_EQ(Output()[""], (Lines{"a", "b"}));
}

TEST_F(PartFileWriterTest, RollsBySize) {
  auto o = Options();
  o.max_file_bytes = 10;
  auto w = Make(o);
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(w->Append("", "line" + std::to_string(i) + "\n").ok());
  ASSERT_TRUE(w->CloseAll().ok());
  ASSERT_TRUE(w->PrepareCommit(1).ok());
  ASSERT_TRUE(w->Commit(1).ok());
  auto files = Published(OutDir(), ".json");
  ASSERT_EQ(files.size(), 10u);  // 6 + 6 > 10: every second line rolls the file first
  for (const auto& f : files) EXPECT_EQ(f.contents.size(), 6u);
  EXPECT_EQ(w->stats().rolled_size, 9u);  // the tenth file is closed by CloseAll
  EXPECT_EQ(w->stats().rolled_close, 1u);
  EXPECT_EQ(Output()[""].size(), 10u);
}

TEST_F(PartFileWriterTest, RollsBySizeExactlyAtTheLimit) {
  auto o = Options();
  o.max_file_bytes = 4;
  auto w = Make(o);
  ASSERT_TRUE(w->Append("", "ab\n").ok());
  ASSERT_TRUE(w->Append("", "c\n").ok());  // 3 + 2 > 4: rolls first
  ASSERT_TRUE(w->Append("", "d\n").ok());  // 2 + 2 = 4: fills the file, rolls after
  EXPECT_EQ(w->stats().open_files, 0u);
  ASSERT_TRUE(w->Append("", "toolong\n").ok());  // larger than the limit alone: own file
  EXPECT_EQ(w->stats().pending_files, 3u);
  ASSERT_TRUE(w->PrepareCommit(1).ok());
  ASSERT_TRUE(w->Commit(1).ok());
  auto files = Published(OutDir(), ".json");
  ASSERT_EQ(files.size(), 3u);
  EXPECT_EQ(files[0].contents, "ab\n");
  EXPECT_EQ(files[1].contents, "c\nd\n");
  EXPECT_EQ(files[2].contents, "toolong\n");
}

TEST_F(PartFileWriterTest, RollsByRolloverInterval) {
  auto o = Options();
  o.rollover_interval_ms = 1000;
  auto w = Make(o);
  ASSERT_TRUE(w->Append("", "a\n").ok());
  ASSERT_TRUE(w->OnTime(kT0 + 500).ok());
  ASSERT_TRUE(w->Append("", "b\n").ok());  // activity does not extend the rollover interval
  ASSERT_TRUE(w->OnTime(kT0 + 999).ok());
  EXPECT_EQ(w->stats().open_files, 1u);
  ASSERT_TRUE(w->OnTime(kT0 + 1000).ok());
  EXPECT_EQ(w->stats().open_files, 0u);
  EXPECT_EQ(w->stats().rolled_rollover, 1u);
  ASSERT_TRUE(w->Append("", "c\n").ok());  // a new file, opened at kT0 + 1000
  ASSERT_TRUE(w->OnTime(kT0 + 1999).ok());
  EXPECT_EQ(w->stats().open_files, 1u);
  ASSERT_TRUE(w->OnTime(kT0 + 500).ok());  // time never runs backwards
  ASSERT_TRUE(w->OnTime(kT0 + 2000).ok());
  EXPECT_EQ(w->stats().rolled_rollover, 2u);
  ASSERT_TRUE(w->PrepareCommit(1).ok());
  ASSERT_TRUE(w->Commit(1).ok());
  auto files = Published(OutDir(), ".json");
  ASSERT_EQ(files.size(), 2u);
  EXPECT_EQ(files[0].contents, "a\nb\n");
  EXPECT_EQ(files[1].contents, "c\n");
}

TEST_F(PartFileWriterTest, RollsByInactivity) {
  auto o = Options();
  o.rollover_interval_ms = 0;  // off
  o.inactivity_interval_ms = 100;
  auto w = Make(o);
  ASSERT_TRUE(w->Append("p=1", "a\n").ok());
  ASSERT_TRUE(w->Append("p=2", "x\n").ok());
  for (int t = 50; t <= 500; t += 50) {  // p=1 keeps getting writes, p=2 does not
    ASSERT_TRUE(w->OnTime(kT0 + t).ok());
    ASSERT_TRUE(w->Append("p=1", "a\n").ok());
  }
  EXPECT_EQ(w->stats().rolled_inactivity, 1u);
  EXPECT_EQ(w->stats().open_files, 1u);
  ASSERT_TRUE(w->OnTime(kT0 + 600).ok());
  EXPECT_EQ(w->stats().rolled_inactivity, 2u);
  EXPECT_EQ(w->stats().rolled_rollover, 0u);
}

TEST_F(PartFileWriterTest, PartitionsAreHiveDirectories) {
  auto w = Make(Options());
  ASSERT_TRUE(w->Append("year=2026/month=11/day=25/hour=19", "a\n").ok());
  ASSERT_TRUE(w->Append("year=2026/month=11/day=25/hour=20", "b\n").ok());
  ASSERT_TRUE(w->Append("year=2026/month=11/day=25/hour=19", "c\n").ok());
  EXPECT_EQ(w->stats().open_files, 2u);
  ASSERT_TRUE(w->CloseAll().ok());
  ASSERT_TRUE(w->PrepareCommit(1).ok());
  ASSERT_TRUE(w->Commit(1).ok());
  EXPECT_EQ(AllFiles(OutDir()), (Lines{"year=2026/month=11/day=25/hour=19/part-u1-0-0.json",
                                       "year=2026/month=11/day=25/hour=20/part-u1-0-1.json"}));
  auto out = Output();
  EXPECT_EQ(out["year=2026/month=11/day=25/hour=19"], (Lines{"a", "c"}));
  EXPECT_EQ(out["year=2026/month=11/day=25/hour=20"], Lines{"b"});
  EXPECT_EQ(w->stats().bytes_written, 6u);
  EXPECT_EQ(w->stats().appends, 3u);
}

TEST_F(PartFileWriterTest, RejectsBadPartitions) {
  auto w = Make(Options());
  for (const char* p : {"/abs", "a//b", "../x", "a/.hidden", "a/"}) {
    EXPECT_TRUE(w->Append(p, "x\n").IsInvalidArgument()) << p;
  }
  EXPECT_TRUE(w->Append("ok=1", "x\n").ok());  // a rejected partition does not poison it
}

TEST_F(PartFileWriterTest, OpenFileLimitRollsTheLeastRecentlyWritten) {
  auto o = Options();
  o.max_open_files = 2;
  auto w = Make(o);
  ASSERT_TRUE(w->Append("p=a", "1\n").ok());
  ASSERT_TRUE(w->OnTime(kT0 + 1).ok());
  ASSERT_TRUE(w->Append("p=b", "2\n").ok());
  ASSERT_TRUE(w->OnTime(kT0 + 2).ok());
  ASSERT_TRUE(w->Append("p=a", "3\n").ok());  // now b is the least recent
  ASSERT_TRUE(w->Append("p=c", "4\n").ok());
  auto s = w->stats();
  EXPECT_EQ(s.open_files, 2u);
  EXPECT_EQ(s.pending_files, 1u);
  EXPECT_EQ(s.rolled_open_file_limit, 1u);
  ASSERT_TRUE(w->PrepareCommit(1).ok());
  ASSERT_TRUE(w->Commit(1).ok());
  EXPECT_EQ(Output()["p=b"], Lines{"2"});
  EXPECT_EQ(Output().count("p=a"), 0u);
}

TEST_F(PartFileWriterTest, OpenFileLimitCanFail) {
  auto o = Options();
  o.max_open_files = 1;
  o.on_open_file_limit = PartFileWriterOptions::OpenFileLimit::kFail;
  auto w = Make(o);
  ASSERT_TRUE(w->Append("p=a", "1\n").ok());
  Status st = w->Append("p=b", "2\n");
  EXPECT_EQ(st.code(), Status::Code::kLimitExceeded);
  EXPECT_NE(st.message().find("max_open_files"), std::string::npos);
  EXPECT_TRUE(w->Append("p=a", "3\n").ok());  // still usable
  EXPECT_EQ(w->stats().open_files, 1u);
}

TEST_F(PartFileWriterTest, RestoreAfterCrashBeforeCommitPublishesPendingFiles) {
  std::string state;
  {
    auto o = Options();
    o.max_file_bytes = 4;
    auto w = Make(o);
    ASSERT_TRUE(w->Append("", "aaa\n").ok());  // rolls: pending
    ASSERT_TRUE(w->Append("", "bb\n").ok());   // open
    auto s = w->PrepareCommit(5);
    ASSERT_TRUE(s.ok());
    state = *s;
    ASSERT_TRUE(w->Append("", "c\n").ok());  // after the checkpoint: into the open file
    ASSERT_TRUE(w->Append("", "dddd\n").ok());
    ASSERT_TRUE(w->PrepareCommit(6).ok());  // checkpoint 6 never completes
  }                                         // crash: Commit(5) never ran
  EXPECT_TRUE(Output().empty());

  auto o = Options();
  o.uuid = "ignored-the-state-wins";
  o.max_file_bytes = 4;
  auto w = Make(o);
  ASSERT_TRUE(w->Restore(state).ok());
  EXPECT_EQ(w->uuid(), "u1");
  EXPECT_EQ(Output()[""], Lines{"aaa"});  // checkpoint 5 completed: its pending file is output
  EXPECT_EQ(w->stats().open_files, 1u);
  // "c" and "dddd" went into files 2 and 3, opened after checkpoint 5; file 1 ("bb") resumes.
  EXPECT_EQ(w->stats().staged_aborted, 2u);
  // Replay what came after checkpoint 5.
  ASSERT_TRUE(w->Append("", "c\n").ok());
  ASSERT_TRUE(w->Append("", "dddd\n").ok());
  ASSERT_TRUE(w->CloseAll().ok());
  ASSERT_TRUE(w->PrepareCommit(6).ok());
  ASSERT_TRUE(w->Commit(6).ok());
  EXPECT_EQ(Output()[""], (Lines{"aaa", "bb", "c", "dddd"}));
  EXPECT_TRUE(StagedFiles(OutDir()).empty());
}

TEST_F(PartFileWriterTest, RestoreAfterCommitIsIdempotent) {
  std::string state;
  {
    auto w = Make(Options());
    ASSERT_TRUE(w->Append("p=1", "a\n").ok());
    ASSERT_TRUE(w->CloseAll().ok());
    ASSERT_TRUE(w->Append("p=1", "b\n").ok());
    auto s = w->PrepareCommit(1);
    ASSERT_TRUE(s.ok());
    state = *s;
    ASSERT_TRUE(w->Commit(1).ok());
  }
  EXPECT_EQ(Output()["p=1"], Lines{"a"});
  for (int i = 0; i < 2; ++i) {  // restoring twice from the same state changes nothing
    auto w = Make(Options());
    ASSERT_TRUE(w->Restore(state).ok());
    EXPECT_EQ(Output()["p=1"], Lines{"a"});
    EXPECT_EQ(w->stats().open_files, 1u);
  }
  auto w = Make(Options());
  ASSERT_TRUE(w->Restore(state).ok());
  ASSERT_TRUE(w->CloseAll().ok());
  ASSERT_TRUE(w->PrepareCommit(2).ok());
  ASSERT_TRUE(w->Commit(2).ok());
  EXPECT_EQ(Output()["p=1"], (Lines{"a", "b"}));
}

// Lifecycle may expire or compact away a published file while its checkpoint is still the
// latest (a stopped job): restoring must not fail on it, nor bring it back.
TEST_F(PartFileWriterTest, RestoreSkipsPendingFilesRemovedAfterPublishing) {
  std::string state;
  {
    auto w = Make(Options());
    ASSERT_TRUE(w->Append("p=1", "a\n").ok());
    ASSERT_TRUE(w->CloseAll().ok());
    auto s = w->PrepareCommit(1);
    ASSERT_TRUE(s.ok());
    state = *s;
    ASSERT_TRUE(w->Commit(1).ok());
  }
  ASSERT_EQ(AllFiles(OutDir()), Lines{"p=1/part-u1-0-0.json"});
  ASSERT_TRUE(store_.Delete("bkt", "out/p=1/part-u1-0-0.json").ok());  // expired
  auto w = Make(Options());
  Status st = w->Restore(state);
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(w->stats().pending_gone, 1u);
  EXPECT_EQ(w->stats().files_published, 0u);
  EXPECT_TRUE(AllFiles(OutDir()).empty());
}

TEST_F(PartFileWriterTest, StartFreshRemovesStaleStagedFilesOfThisWriterOnly) {
  {
    auto w = Make(Options());
    ASSERT_TRUE(w->Append("p=1", "a\n").ok());
    ASSERT_TRUE(w->Append("p=2", "b\n").ok());
    ASSERT_TRUE(w->CloseAll().ok());
    ASSERT_TRUE(w->PrepareCommit(1).ok());
    ASSERT_TRUE(w->Commit(1).ok());
    ASSERT_TRUE(w->Append("p=1", "c\n").ok());
    ASSERT_TRUE(w->PrepareCommit(2).ok());  // staged, never committed
  }
  auto other = Options();
  other.task = 1;
  {
    auto w = Make(other);
    ASSERT_TRUE(w->Append("p=1", "other task\n").ok());
    ASSERT_TRUE(w->PrepareCommit(1).ok());
  }
  ASSERT_EQ(StagedFiles(OutDir()).size(), 2u);

  auto w = Make(Options());  // same uuid, no checkpoint: a fresh start
  ASSERT_TRUE(w->StartFresh().ok());
  EXPECT_EQ(w->stats().staged_aborted, 1u);
  EXPECT_EQ(StagedFiles(OutDir()), Lines{"p=1/.part-u1-1-0.json.inprogress"});  // task 1's
  EXPECT_EQ(w->next_counter(), 2u);  // after the published part-u1-0-0 and -1
  ASSERT_TRUE(w->Append("p=1", "d\n").ok());
  ASSERT_TRUE(w->CloseAll().ok());
  ASSERT_TRUE(w->PrepareCommit(1).ok());
  ASSERT_TRUE(w->Commit(1).ok());
  EXPECT_EQ(Output()["p=1"], (Lines{"a", "d"}));  // the published file was not overwritten

  auto removed = PartFileWriter::AbortAll(&store_, "bkt", "out/", {"", std::nullopt, ".json"});
  ASSERT_TRUE(removed.ok());
  EXPECT_EQ(*removed, 1u);
  EXPECT_TRUE(StagedFiles(OutDir()).empty());
}

TEST_F(PartFileWriterTest, RestoreRemovesFilesStagedAfterTheCheckpoint) {
  std::string state;
  {
    auto w = Make(Options());
    ASSERT_TRUE(w->Append("p=1", "a\n").ok());
    auto s = w->PrepareCommit(1);
    ASSERT_TRUE(s.ok());
    state = *s;
    ASSERT_TRUE(w->Commit(1).ok());
    ASSERT_TRUE(w->Append("p=2", "x\n").ok());
    ASSERT_TRUE(w->Append("p=3", "y\n").ok());
    ASSERT_TRUE(w->PrepareCommit(2).ok());
  }
  {
    auto o = Options();
    o.task = 4;  // another task's staged file must survive
    auto w = Make(o);
    ASSERT_TRUE(w->Append("p=2", "t4\n").ok());
    ASSERT_TRUE(w->PrepareCommit(1).ok());
  }
  EXPECT_EQ(StagedFiles(OutDir()).size(), 4u);
  auto w = Make(Options());
  ASSERT_TRUE(w->Restore(state).ok());
  EXPECT_EQ(w->stats().staged_aborted, 2u);
  EXPECT_EQ(StagedFiles(OutDir()),
            (Lines{"p=1/.part-u1-0-0.json.inprogress", "p=2/.part-u1-4-0.json.inprogress"}));
  EXPECT_EQ(w->next_counter(), 1u);
}

TEST_F(PartFileWriterTest, RestoreChecksTaskSuffixAndFreshness) {
  auto w1 = Make(Options());
  ASSERT_TRUE(w1->Append("", "a\n").ok());
  auto state = w1->PrepareCommit(1);
  ASSERT_TRUE(state.ok());

  auto o = Options();
  o.task = 1;
  EXPECT_TRUE(Make(o)->Restore(*state).IsInvalidArgument());
  o = Options();
  o.suffix = ".csv";
  EXPECT_TRUE(Make(o)->Restore(*state).IsInvalidArgument());
  EXPECT_EQ(w1->Restore(*state).code(), Status::Code::kResourceBusy);
  auto moved = PartFileWriter::Create(&store_, "bkt", "elsewhere", Options(), kT0);
  ASSERT_TRUE(moved.ok());
  EXPECT_TRUE((*moved)->Restore(*state).IsInvalidArgument());  // the sink's path changed
  EXPECT_TRUE(Make(Options())->Restore("garbage").IsCorruption());
}

TEST_F(PartFileWriterTest, FailedWriterRefusesWorkUntilRestored) {
  FaultFileSystem fs;
  LocalObjectStore faulty(dir_.path(), &fs);
  auto w = Make(Options(), &faulty);
  ASSERT_TRUE(w->Append("", "a\n").ok());
  auto state = w->PrepareCommit(1);
  ASSERT_TRUE(state.ok());
  fs.CrashAfter(0);
  EXPECT_FALSE(w->PrepareCommit(2).ok());
  fs.Reset();
  Status st = w->Append("", "b\n");
  EXPECT_EQ(st.code(), Status::Code::kIOError);  // the first failure, remembered
  auto w2 = Make(Options(), &faulty);
  ASSERT_TRUE(w2->Restore(*state).ok());
  ASSERT_TRUE(w2->Append("", "b\n").ok());
  ASSERT_TRUE(w2->CloseAll().ok());
  ASSERT_TRUE(w2->PrepareCommit(2).ok());
  ASSERT_TRUE(w2->Commit(2).ok());
  EXPECT_EQ(Output()[""], (Lines{"a", "b"}));
}

TEST_F(PartFileWriterTest, SuccessFileMarksAPartition) {
  auto w = Make(Options());
  ASSERT_TRUE(w->Append("dt=2026-11-25", "a\n").ok());
  ASSERT_TRUE(w->WriteSuccessFile("dt=2026-11-25").ok());
  EXPECT_EQ(testing::ReadWhole(OutDir() + "/dt=2026-11-25/_SUCCESS"), "");
  auto listed = store_.List("bkt", "out/dt=2026-11-25/");
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 1u);  // the staged part file is not listed
  EXPECT_EQ((*listed)[0].key, "out/dt=2026-11-25/_SUCCESS");
}

TEST_F(PartFileWriterTest, CreateValidatesOptions) {
  auto bad = [&](auto mutate) {
    auto o = Options();
    mutate(o);
    return PartFileWriter::Create(&store_, "bkt", "out", o, kT0).status().IsInvalidArgument();
  };
  EXPECT_TRUE(bad([](auto& o) { o.uuid = "a/b"; }));
  EXPECT_TRUE(bad([](auto& o) { o.suffix = ".json.inprogress"; }));
  EXPECT_TRUE(bad([](auto& o) { o.max_file_bytes = 0; }));
  EXPECT_TRUE(bad([](auto& o) { o.max_open_files = 0; }));
  EXPECT_TRUE(
      PartFileWriter::Create(&store_, "bkt", "../x", Options(), kT0).status().IsInvalidArgument());
  auto o = Options();
  o.uuid.clear();
  auto w = PartFileWriter::Create(&store_, "bkt", "out", o, kT0);
  ASSERT_TRUE(w.ok());
  EXPECT_EQ((*w)->uuid().size(), 36u);  // a random one
}

}  // namespace
}  // namespace fluxgate::store
