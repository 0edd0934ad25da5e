// The exactly-once invariant of PartFileWriter under crashes: whatever operation a run
// dies at, restoring the last complete checkpoint's state and replaying the input after
// that checkpoint publishes every line exactly once, in input order within a partition,
// and leaves no staged file behind.
//
// A simulated job drives the writer the way the jobs layer does: appends, clock ticks,
// PrepareCommit -> checkpoint durable -> Commit. A crash is either a failed file-system
// operation (FaultFileSystem: that operation and every later one fail, an append is torn)
// or a plain drop of the writer between two steps.
#include <gtest/gtest.h>

#include <random>

#include "store/part_file_writer.h"
#include "store_test_util.h"

namespace fluxgate::store {
namespace {

using testing::FaultFileSystem;
using testing::PublishedLines;
using testing::StagedFiles;
using testing::TempDir;

struct Line {
  std::string partition;
  std::string text;    // without '\n'
  int64_t advance_ms;  // clock advance before the line
  bool checkpoint_after;
};

std::vector<Line> MakeInput(std::mt19937_64& rng, int n, int partitions) {
  std::vector<Line> in;
  std::uniform_int_distribution<int> part(0, partitions - 1), adv(0, 40), len(1, 12);
  std::bernoulli_distribution ckpt(0.12);
  for (int i = 0; i < n; ++i) {
    Line l;
    int p = part(rng);
    l.partition = p == 0 ? "" : "dt=2026-11-25/hr=" + std::to_string(p);
    l.text = "L" + std::to_string(i) + std::string(len(rng), 'x');
    l.advance_ms = adv(rng);
    l.checkpoint_after = ckpt(rng);
    in.push_back(std::move(l));
  }
  return in;
}

class Job {
 public:
  Job(const std::string& root, PartFileWriterOptions options, const std::vector<Line>* input,
      uint64_t seed = 99)
      : store_(root, &fs_), options_(std::move(options)), input_(input), rng_(seed) {}

  FaultFileSystem& fs() { return fs_; }
  int crashes() const { return crashes_; }

  // One run from the last complete checkpoint until it crashes (false) or finishes.
  // `drop_at`: also crash (drop the writer) just before that step, if >= 0. Commits come
  // late, as checkpoint-complete notifications do: after more appends, and sometimes one
  // covers several checkpoints.
  bool RunOnce(int drop_at) {
    int step = 0;
    auto dropped = [&] { return drop_at >= 0 && step++ == drop_at; };
    size_t pos = last_ ? last_->pos : 0;
    uncommitted_.reset();
    auto created = PartFileWriter::Create(&store_, "bkt", "sink", options_, now_ms_);
    if (!created.ok()) return Crashed();
    std::unique_ptr<PartFileWriter> w = std::move(created).value();
    if (!(last_ ? w->Restore(last_->state) : w->StartFresh()).ok()) return Crashed();
    std::bernoulli_distribution notify(0.3);
    while (pos < input_->size()) {
      const Line& l = (*input_)[pos];
      if (dropped()) return Crashed();
      if (uncommitted_ && notify(rng_)) {
        if (!w->Commit(*uncommitted_).ok()) return Crashed();
        uncommitted_.reset();
        if (dropped()) return Crashed();
      }
      if (l.advance_ms > 0) {
        now_ms_ += l.advance_ms;
        if (!w->OnTime(now_ms_).ok()) return Crashed();
      }
      if (!w->Append(l.partition, l.text + "\n").ok()) return Crashed();
      ++pos;
      if (l.checkpoint_after && !Checkpoint(*w, pos, dropped)) return Crashed();
    }
    if (dropped()) return Crashed();
    if (!w->CloseAll().ok()) return Crashed();
    if (!Checkpoint(*w, pos, dropped)) return Crashed();
    if (!w->Commit(*uncommitted_).ok()) return Crashed();
    if (dropped()) return Crashed();
    return true;
  }

 private:
  struct Complete {
    uint64_t id;
    size_t pos;  // input lines before the checkpoint barrier
    std::string state;
  };

  template <typename Dropped>
  bool Checkpoint(PartFileWriter& w, size_t pos, Dropped& dropped) {
    uint64_t id = next_id_++;  // ids keep growing across restarts, as the job's do
    auto state = w.PrepareCommit(id);
    if (!state.ok() || dropped()) return false;  // checkpoint id never completes
    last_ = Complete{id, pos, *state};           // the checkpoint is durable now
    uncommitted_ = id;                           // its notification is still to come
    return !dropped();
  }
  bool Crashed() {
    ++crashes_;
    return false;
  }

  FaultFileSystem fs_;
  LocalObjectStore store_;
  PartFileWriterOptions options_;
  const std::vector<Line>* input_;
  std::optional<Complete> last_;
  std::optional<uint64_t> uncommitted_;  // the newest completed checkpoint not yet committed
  std::mt19937_64 rng_;
  uint64_t next_id_ = 1;
  int64_t now_ms_ = 1'700'000'000'000;
  int crashes_ = 0;
};

std::map<std::string, std::vector<std::string>> Expected(const std::vector<Line>& input) {
  std::map<std::string, std::vector<std::string>> out;
  for (const auto& l : input) out[l.partition].push_back(l.text);
  return out;
}

PartFileWriterOptions SmallFiles(std::mt19937_64& rng) {
  PartFileWriterOptions o;
  o.uuid = "job-7f3a";
  o.task = 2;
  o.suffix = ".json";
  o.max_file_bytes = std::uniform_int_distribution<uint64_t>(10, 80)(rng);
  o.rollover_interval_ms = std::uniform_int_distribution<int64_t>(0, 400)(rng);
  o.inactivity_interval_ms = std::uniform_int_distribution<int64_t>(0, 150)(rng);
  o.max_open_files = std::uniform_int_distribution<size_t>(1, 3)(rng);
  return o;
}

// Thousands of runs with fsyncs: on tmpfs where there is one, so the test stays fast. The
// crash model does not need a real disk (a crash loses the process, not the page cache).
std::filesystem::path ScratchBase() {
  std::error_code ec;
  if (std::filesystem::is_directory("/dev/shm", ec)) return "/dev/shm";
  return std::filesystem::temp_directory_path();
}

// Crashes at every file-system operation of one run in turn, then recovers on a healthy
// file system: "a crash at ANY point", literally, for one input.
TEST(PartFileWriterCrashTest, CrashAtEveryOperation) {
  std::mt19937_64 rng(7);
  std::vector<Line> input = MakeInput(rng, 40, 3);
  PartFileWriterOptions o;
  o.uuid = "job-1";
  o.suffix = ".json";
  o.max_file_bytes = 30;
  o.inactivity_interval_ms = 60;
  o.max_open_files = 2;

  int64_t total_ops = 0;
  {
    TempDir dir(ScratchBase());
    Job clean(dir.path(), o, &input);
    ASSERT_TRUE(clean.RunOnce(-1));
    total_ops = clean.fs().ops();
    EXPECT_EQ(PublishedLines(dir.path() + "/bkt/sink", ".json"), Expected(input));
  }
  ASSERT_GT(total_ops, 50);
  for (int64_t k = 0; k < total_ops; ++k) {
    TempDir dir(ScratchBase());
    Job job(dir.path(), o, &input);
    job.fs().CrashAfter(k);
    ASSERT_FALSE(job.RunOnce(-1)) << "no crash at op " << k;
    job.fs().Reset();
    ASSERT_TRUE(job.RunOnce(-1)) << "recovery after a crash at op " << k;
    ASSERT_EQ(PublishedLines(dir.path() + "/bkt/sink", ".json"), Expected(input))
        << "crash at op " << k;
    ASSERT_TRUE(StagedFiles(dir.path() + "/bkt/sink").empty()) << "crash at op " << k;
  }
}

// Many inputs and option sets; each trial crashes several times at random operations or
// random steps (sometimes during recovery itself) before it is let to finish.
TEST(PartFileWriterCrashTest, RandomizedCrashesKeepExactlyOnce) {
  for (uint64_t seed = 1; seed <= 150; ++seed) {
    std::mt19937_64 rng(seed);
    std::vector<Line> input = MakeInput(rng, 120, 4);
    TempDir dir(ScratchBase());
    Job job(dir.path(), SmallFiles(rng), &input, seed);
    std::uniform_int_distribution<int> crashes(0, 6), kind(0, 2), op(0, 300), step(0, 200);
    int planned = crashes(rng);
    bool done = false;
    for (int c = 0; c < planned && !done; ++c) {
      job.fs().Reset();
      int k = kind(rng);
      if (k == 0) job.fs().CrashAfter(op(rng));
      done = job.RunOnce(k == 1 ? step(rng) : -1);
    }
    job.fs().Reset();
    for (int tries = 0; !done && tries < 3; ++tries) done = job.RunOnce(-1);
    ASSERT_TRUE(done) << "seed " << seed;
    const std::string out = dir.path() + "/bkt/sink";
    ASSERT_EQ(PublishedLines(out, ".json"), Expected(input))
        << "seed " << seed << " after " << job.crashes() << " crashes";
    ASSERT_TRUE(StagedFiles(out).empty()) << "seed " << seed;
  }
}

}  // namespace
}  // namespace fluxgate::store
