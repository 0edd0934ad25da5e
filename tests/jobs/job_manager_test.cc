// JobManager with fake jobs: submission and naming, conflicts, stop/restart, persistence
// and restore, ad-hoc query buffers and expiry. The executor itself is not involved.
#include "jobs/job_manager.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <optional>
#include <sstream>

#include "runtime/clock.h"

namespace fluxgate::jobs {
namespace {

// What the fakes saw, shared by every fake job of one test.
struct World {
  std::mutex mu;
  std::vector<std::string> events;  // "create NAME", "start NAME", "stop NAME"
  std::set<std::string> fail_create, fail_start;
  std::map<std::string, RowTextSink> sinks;  // query job name -> its row sink
  std::map<std::string, std::string> query_sql;

  void Add(std::string e) {
    std::lock_guard lock(mu);
    events.push_back(std::move(e));
  }
  int Count(const std::string& e) {
    std::lock_guard lock(mu);
    return static_cast<int>(std::count(events.begin(), events.end(), e));
  }
};

class FakeJob : public Job {
 public:
  FakeJob(std::string name, std::string sql, World* world)
      : name_(std::move(name)), sql_(std::move(sql)), world_(world) {}
  const std::string& name() const override { return name_; }
  Status Start() override {
    world_->Add("start " + name_);
    std::lock_guard lock(mu_);
    if (world_->fail_start.count(name_)) {
      state_ = JobState::kFailed;
      return Status::InvalidArgument("checkpoint state does not fit the plan");
    }
    state_ = JobState::kRunning;
    return Status::Ok();
  }
  Status Stop() override {
    world_->Add("stop " + name_);
    std::lock_guard lock(mu_);
    state_ = JobState::kStopped;
    return Status::Ok();
  }
  void Abort() override {
    std::lock_guard lock(mu_);
    state_ = JobState::kStopped;
  }
  JobStatus status() const override {
    std::lock_guard lock(mu_);
    JobStatus s;
    s.name = name_;
    s.state = state_;
    s.sql = sql_;
    s.parallelism = 2;
    s.records_in = 7;
    return s;
  }
  void Fail() {
    std::lock_guard lock(mu_);
    state_ = JobState::kFailed;
  }

 private:
  const std::string name_, sql_;
  World* world_;
  mutable std::mutex mu_;
  JobState state_ = JobState::kCreated;
};

constexpr char kTables[] = R"(
CREATE TABLE iot_source (
  device_id STRING,
  ts TIMESTAMP(3),
  value DOUBLE,
  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND
) WITH ('connector' = 'kinesis', 'stream' = 'iot-telemetry', 'format' = 'json');
CREATE TABLE out_a (device_id STRING, value DOUBLE) WITH ('connector' = 'print');
CREATE TABLE out_b (device_id STRING, value DOUBLE) WITH ('connector' = 'print');
)";

std::string Script(const std::string& body) { return std::string(kTables) + body; }

const std::string kInsertA = "INSERT INTO out_a SELECT device_id, value FROM iot_source;\n";
const std::string kInsertB =
    "INSERT INTO out_b SELECT device_id, value FROM iot_source WHERE value > 1;\n";

class JobManagerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/fg_job_manager_XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override {
    manager_.reset();
    std::filesystem::remove_all(dir_);
  }

  JobManagerOptions Options() {
    JobManagerOptions o;
    o.factory = [this](const sql::Pipeline& p, JobContext c) -> Result<std::unique_ptr<Job>> {
      EXPECT_EQ(c.data_dir, dir_);
      world_.Add("create " + p.name);
      if (world_.fail_create.count(p.name)) return Status::InvalidArgument("cannot compile");
      return std::unique_ptr<Job>(std::make_unique<FakeJob>(p.name, p.sql, &world_));
    };
    o.query_factory = [this](const sql::PlanPtr& plan, const std::string& name,
                             const std::string& sql, JobContext,
                             RowTextSink rows) -> Result<std::unique_ptr<Job>> {
      EXPECT_NE(plan, nullptr);
      std::lock_guard lock(world_.mu);
      world_.sinks[name] = std::move(rows);
      world_.query_sql[name] = sql;
      return std::unique_ptr<Job>(std::make_unique<FakeJob>(name, sql, &world_));
    };
    o.clock = &clock_;
    o.timer_thread = false;
    return o;
  }

  JobManager& Open(JobManagerOptions o) {
    manager_.reset();
    JobContext c;
    c.data_dir = dir_;
    manager_ = std::make_unique<JobManager>(c, std::move(o));
    return *manager_;
  }
  JobManager& Open() { return Open(Options()); }

  std::string ReadFile(const std::string& rel) {
    std::ifstream in(dir_ + "/" + rel);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }

  JobState StateOf(const std::string& name) {
    auto info = manager_->Get(name);
    EXPECT_TRUE(info.ok()) << info.status().ToString();
    return info.ok() ? info->status.state : JobState::kCreated;
  }

  // Polls synchronously (the callback runs inline when rows are there or wait_ms is 0).
  Result<QueryRows> Poll(const std::string& id, uint64_t after) {
    std::optional<Result<QueryRows>> out;
    manager_->PollQuery(id, after, 0, [&](Result<QueryRows> r) { out = std::move(r); });
    EXPECT_TRUE(out.has_value());
    return out ? std::move(*out) : Result<QueryRows>(Status::Internal("no answer"));
  }

  void Push(const std::string& query_id, const std::string& row) {
    RowTextSink sink;
    {
      std::lock_guard lock(world_.mu);
      sink = world_.sinks.at("query-" + query_id);
    }
    sink("query-" + query_id, row);
  }

  std::string dir_;
  World world_;
  runtime::ManualClock clock_{1'000'000};
  std::unique_ptr<JobManager> manager_;
};

TEST_F(JobManagerTest, UnnamedPipelinesTakeTheDefaultNameNumberedPerStatement) {
  JobManager& m = Open();
  auto r = m.Submit(Script(kInsertA + kInsertB), {.default_name = "iot-analytics"});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->jobs.size(), 2u);
  EXPECT_EQ(r->jobs[0].name, "iot-analytics");
  EXPECT_EQ(r->jobs[1].name, "iot-analytics-2");
  EXPECT_EQ(r->jobs[0].action, "started");
  EXPECT_EQ(world_.Count("start iot-analytics"), 1);
  EXPECT_EQ(world_.Count("start iot-analytics-2"), 1);
  auto list = m.List();
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0].status.state, JobState::kRunning);
  EXPECT_EQ(list[0].status.records_in, 7u);
  EXPECT_TRUE(list[0].want_running);
}

TEST_F(JobManagerTest, DefaultNameIsSanitizedAndSkipsExplicitNames) {
  JobManager& m = Open();
  auto r = m.Submit(Script(kInsertA + "SET 'pipeline.name' = 'my file';\n" + kInsertB),
                    {.default_name = "my file"});
  // 'pipeline.name' = 'my file' is not a valid job name: refused, nothing started.
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.status().IsInvalidArgument());
  EXPECT_NE(r.status().message().find("my file"), std::string::npos);
  EXPECT_TRUE(m.List().empty());

  r = m.Submit(
      Script("SET 'pipeline.name' = 'x';\n" + kInsertA + "RESET 'pipeline.name';\n" + kInsertB),
      {.default_name = "x"});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->jobs.size(), 2u);
  EXPECT_EQ(r->jobs[0].name, "x");
  EXPECT_EQ(r->jobs[1].name, "x-2");

  r = m.Submit(Script(kInsertA), {.default_name = "a b/c"});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->jobs[0].name, "a-b-c");
}

TEST_F(JobManagerTest, BadSqlIsRefusedWithTheBindersPosition) {
  JobManager& m = Open();
  auto r = m.Submit(Script("INSERT INTO out_a SELECT device_id, vaule FROM iot_source;"),
                    {.default_name = "bad"});
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.status().IsInvalidArgument());
  EXPECT_NE(r.status().message().find("line 10"), std::string::npos) << r.status().message();
  EXPECT_NE(r.status().message().find("vaule"), std::string::npos);
  EXPECT_TRUE(m.List().empty());
  EXPECT_FALSE(std::filesystem::exists(dir_ + "/jobs/bad"));

  r = m.Submit(kTables, {.default_name = "ddl-only"});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("no pipeline"), std::string::npos);
}

TEST_F(JobManagerTest, ExplainsAndNoticesComeBackWithTheJobs) {
  JobManager& m = Open();
  auto r =
      m.Submit(Script("EXPLAIN " + kInsertA + kInsertA + "SELECT device_id FROM iot_source;\n"),
               {.default_name = "j"});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->explains.size(), 1u);
  EXPECT_NE(r->explains[0].find("Sink(table=[out_a]"), std::string::npos);
  ASSERT_EQ(r->jobs.size(), 1u);
  EXPECT_EQ(r->jobs[0].name, "j");
  bool select_notice = false;
  for (const auto& n : r->notices)
    select_notice |= n.find("fluxgate sql --print") != std::string::npos;
  EXPECT_TRUE(select_notice);
}

TEST_F(JobManagerTest, ARunningNameIsRefusedUnlessTheSqlIsIdentical) {
  JobManager& m = Open();
  const std::string a = Script(kInsertA);
  ASSERT_TRUE(m.Submit(a, {.default_name = "j"}).ok());

  auto same = m.Submit(a, {.default_name = "j"});
  ASSERT_TRUE(same.ok()) << same.status().ToString();
  EXPECT_EQ(same->jobs[0].action, "unchanged");
  EXPECT_EQ(world_.Count("start j"), 1);

  auto other = m.Submit(Script(kInsertB), {.default_name = "j"});
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.status().code(), Status::Code::kResourceBusy);
  EXPECT_NE(other.status().message().find("fluxgate jobs stop j"), std::string::npos);
  EXPECT_EQ(m.Get("j")->script, a);

  // Once stopped, the name takes the new SQL.
  ASSERT_TRUE(m.Stop("j").ok());
  auto replaced = m.Submit(Script(kInsertB), {.default_name = "j"});
  ASSERT_TRUE(replaced.ok()) << replaced.status().ToString();
  EXPECT_EQ(replaced->jobs[0].action, "replaced");
  EXPECT_EQ(StateOf("j"), JobState::kRunning);
  EXPECT_EQ(m.Get("j")->script, Script(kInsertB));
  EXPECT_EQ(ReadFile("jobs/j/pipeline.sql"), Script(kInsertB));
}

TEST_F(JobManagerTest, ACompileFailureStartsNothing) {
  JobManager& m = Open();
  world_.fail_create.insert("j-2");
  auto r = m.Submit(Script(kInsertA + kInsertB), {.default_name = "j"});
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.status().IsInvalidArgument());
  EXPECT_NE(r.status().message().find("pipeline 'j-2'"), std::string::npos);
  EXPECT_EQ(world_.Count("start j"), 0);
  EXPECT_TRUE(m.List().empty());
  EXPECT_FALSE(std::filesystem::exists(dir_ + "/jobs/j"));
}

TEST_F(JobManagerTest, AStartFailureIsListedFailedAndTheNameStaysUsable) {
  JobManager& m = Open();
  world_.fail_start.insert("j");
  auto r = m.Submit(Script(kInsertA), {.default_name = "j"});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->jobs[0].action, "failed");
  EXPECT_NE(r->jobs[0].error.find("does not fit"), std::string::npos);
  auto info = m.Get("j");
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->status.state, JobState::kFailed);
  EXPECT_NE(info->status.error.find("does not fit"), std::string::npos);

  world_.fail_start.clear();
  auto again = m.Submit(Script(kInsertB), {.default_name = "j"});
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->jobs[0].action, "replaced");
  EXPECT_EQ(StateOf("j"), JobState::kRunning);
  EXPECT_TRUE(m.Get("j")->status.error.empty());
}

TEST_F(JobManagerTest, StopAndRestart) {
  JobManager& m = Open();
  ASSERT_TRUE(m.Submit(Script(kInsertA), {.default_name = "j"}).ok());
  ASSERT_TRUE(m.Stop("j").ok());
  EXPECT_EQ(StateOf("j"), JobState::kStopped);
  EXPECT_FALSE(m.Get("j")->want_running);
  EXPECT_NE(ReadFile("jobs/j/job.state").find("state=stopped"), std::string::npos);
  ASSERT_TRUE(m.Stop("j").ok());  // idempotent

  ASSERT_TRUE(m.Restart("j").ok());
  EXPECT_EQ(world_.Count("create j"), 2);  // a fresh Job resuming from the checkpoints
  EXPECT_EQ(StateOf("j"), JobState::kRunning);
  EXPECT_NE(ReadFile("jobs/j/job.state").find("state=running"), std::string::npos);

  const int stops = world_.Count("stop j");
  ASSERT_TRUE(m.Restart("j").ok());  // restarting a running job stops it first
  EXPECT_EQ(world_.Count("stop j"), stops + 1);
  EXPECT_EQ(world_.Count("start j"), 3);

  EXPECT_TRUE(m.Stop("nope").IsNotFound());
  EXPECT_TRUE(m.Restart("nope").IsNotFound());
  EXPECT_TRUE(m.Get("nope").status().IsNotFound());
}

TEST_F(JobManagerTest, RemoveDeletesTheJobAndItsDirectory) {
  JobManager& m = Open();
  ASSERT_TRUE(m.Submit(Script(kInsertA), {.default_name = "j"}).ok());
  std::filesystem::create_directories(dir_ + "/jobs/j/checkpoints/1");
  ASSERT_TRUE(m.Remove("j").ok());
  EXPECT_EQ(world_.Count("stop j"), 1);
  EXPECT_TRUE(m.List().empty());
  EXPECT_FALSE(std::filesystem::exists(dir_ + "/jobs/j"));
  EXPECT_TRUE(m.Remove("j").IsNotFound());
}

TEST_F(JobManagerTest, JobsSurviveARestartInTheStateTheOperatorLeftThem) {
  {
    JobManager& m = Open();
    ASSERT_TRUE(m.Submit(Script(kInsertA + kInsertB), {.default_name = "j"}).ok());
    ASSERT_TRUE(m.Stop("j-2").ok());
    EXPECT_EQ(ReadFile("jobs/j/pipeline.sql"), Script(kInsertA + kInsertB));
    ASSERT_TRUE(m.StopAll().ok());  // shutdown: not recorded as stopped
    EXPECT_NE(ReadFile("jobs/j/job.state").find("state=running"), std::string::npos);
    EXPECT_TRUE(m.Submit(Script(kInsertA), {.default_name = "k"}).status().code() ==
                Status::Code::kUnavailable);
  }
  world_.events.clear();
  JobManager& m = Open();
  ASSERT_TRUE(m.RestoreFromDisk().ok());
  EXPECT_EQ(world_.Count("start j"), 1);
  EXPECT_EQ(world_.Count("start j-2"), 0);
  EXPECT_EQ(StateOf("j"), JobState::kRunning);
  EXPECT_EQ(StateOf("j-2"), JobState::kStopped);
  // The restored job is the same job: resubmitting its script changes nothing.
  auto r = m.Submit(Script(kInsertA + kInsertB), {.default_name = "j"});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->jobs[0].action, "unchanged");
  EXPECT_EQ(r->jobs[1].action, "resumed");
  EXPECT_EQ(StateOf("j-2"), JobState::kRunning);
}

TEST_F(JobManagerTest, StartupScriptsReplaceAPersistedJobWithoutRunningTheOldOne) {
  {
    JobManager& m = Open();
    ASSERT_TRUE(m.Submit(Script(kInsertA), {.default_name = "iot"}).ok());
    ASSERT_TRUE(m.StopAll().ok());
  }
  world_.events.clear();
  JobManager& m = Open();
  StartupScript s{"pipelines/iot.sql", Script(kInsertB), {.default_name = "iot"}};
  ASSERT_TRUE(m.RestoreFromDisk({s}).ok());
  EXPECT_EQ(world_.Count("start iot"), 1);
  EXPECT_EQ(world_.Count("stop iot"), 0);  // the old SQL never ran
  EXPECT_EQ(m.Get("iot")->script, Script(kInsertB));
  EXPECT_EQ(ReadFile("jobs/iot/pipeline.sql"), Script(kInsertB));
}

TEST_F(JobManagerTest, TheShippedPipelineStaysStoppedIfTheOperatorStoppedIt) {
  {
    JobManager& m = Open();
    ASSERT_TRUE(m.Submit(Script(kInsertA), {.default_name = "iot"}).ok());
    ASSERT_TRUE(m.Stop("iot").ok());
  }
  world_.events.clear();
  JobManager& m = Open();
  StartupScript s{"shipped", Script(kInsertA), {.default_name = "iot", .keep_stopped = true}};
  ASSERT_TRUE(m.RestoreFromDisk({s}).ok());
  EXPECT_EQ(world_.Count("start iot"), 0);
  EXPECT_EQ(StateOf("iot"), JobState::kStopped);
}

TEST_F(JobManagerTest, ABrokenStartupScriptFailsRestore) {
  JobManager& m = Open();
  StartupScript s{"pipelines/bad.sql", "INSERT INTO nowhere SELECT 1;", {.default_name = "bad"}};
  Status st = m.RestoreFromDisk({s});
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("pipelines/bad.sql: "), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("nowhere"), std::string::npos);
}

TEST_F(JobManagerTest, TwoStartupFilesDefiningOneJobAreRefused) {
  JobManager& m = Open();
  StartupScript a{"a.sql", Script(kInsertA), {.default_name = "same"}};
  StartupScript b{"b.sql", Script(kInsertB), {.default_name = "same"}};
  Status st = m.RestoreFromDisk({a, b});
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("a.sql and b.sql both define job 'same'"), std::string::npos)
      << st.message();
  EXPECT_EQ(world_.Count("start same"), 0);
}

TEST_F(JobManagerTest, APersistedScriptThatNoLongerBindsIsListedFailed) {
  {
    JobManager& m = Open();
    ASSERT_TRUE(m.Submit(Script(kInsertA), {.default_name = "good"}).ok());
  }
  std::filesystem::create_directories(dir_ + "/jobs/broken");
  std::ofstream(dir_ + "/jobs/broken/pipeline.sql") << "INSERT INTO x SELECT;";
  std::ofstream(dir_ + "/jobs/broken/job.state") << "state=running\ndefault_name=broken\n";
  std::filesystem::create_directories(dir_ + "/jobs/not-a-job");  // no pipeline.sql
  JobManager& m = Open();
  ASSERT_TRUE(m.RestoreFromDisk().ok());
  EXPECT_EQ(StateOf("good"), JobState::kRunning);
  auto broken = m.Get("broken");
  ASSERT_TRUE(broken.ok());
  EXPECT_EQ(broken->status.state, JobState::kFailed);
  EXPECT_NE(broken->status.error.find("no longer binds"), std::string::npos);
  EXPECT_TRUE(m.Get("not-a-job").status().IsNotFound());
  EXPECT_FALSE(m.Restart("broken").ok());
}

// ---- ad-hoc queries ----

TEST_F(JobManagerTest, AQueryUsesTheTablesOfSubmittedJobs) {
  JobManager& m = Open();
  auto unknown = m.StartQuery("SELECT device_id, value FROM iot_source");
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.status().message().find("iot_source"), std::string::npos);

  ASSERT_TRUE(m.Submit(Script(kInsertA), {.default_name = "j"}).ok());
  auto q = m.StartQuery("SELECT device_id, value FROM iot_source WHERE value > 2");
  ASSERT_TRUE(q.ok()) << q.status().ToString();
  ASSERT_EQ(q->columns.size(), 2u);
  EXPECT_EQ(q->columns[0], "device_id STRING");
  EXPECT_EQ(m.query_count(), 1u);

  // A script with its own DDL needs no job.
  auto own = m.StartQuery(std::string(kTables) + "SELECT value FROM iot_source;");
  ASSERT_TRUE(own.ok()) << own.status().ToString();

  auto typo = m.StartQuery("SELECT device_id, vaule FROM iot_source");
  ASSERT_FALSE(typo.ok());
  EXPECT_NE(typo.status().message().find("unknown column 'vaule'"), std::string::npos)
      << typo.status().message();
  typo = m.StartQuery("SELECT vaule FROM iot_source");  // FROM after the error's column
  ASSERT_FALSE(typo.ok());
  EXPECT_NE(typo.status().message().find("unknown column 'vaule'"), std::string::npos)
      << typo.status().message();

  auto insert = m.StartQuery(Script(kInsertA));
  ASSERT_FALSE(insert.ok());
  EXPECT_NE(insert.status().message().find("fluxgate sql FILE"), std::string::npos);
}

TEST_F(JobManagerTest, PollingHandsOutRowsInOrderAndReleasesThem) {
  JobManager& m = Open();
  auto q = m.StartQuery(std::string(kTables) + "SELECT device_id FROM iot_source;");
  ASSERT_TRUE(q.ok()) << q.status().ToString();
  Push(q->id, "+I[a]");
  Push(q->id, "+I[b]");
  auto r = Poll(q->id, 0);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->rows, (std::vector<std::string>{"+I[a]", "+I[b]"}));
  EXPECT_EQ(r->next, 2u);
  EXPECT_EQ(r->state, "RUNNING");
  EXPECT_EQ(r->dropped, 0u);
  // The same `after` again (a lost answer) gets the same rows.
  EXPECT_EQ(Poll(q->id, 0)->rows.size(), 2u);
  Push(q->id, "+I[c]");
  r = Poll(q->id, 2);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->rows, (std::vector<std::string>{"+I[c]"}));
  EXPECT_EQ(r->next, 3u);
  EXPECT_EQ(Poll(q->id, 5).status().code(), Status::Code::kInvalidArgument);
  EXPECT_TRUE(Poll("q999", 0).status().IsNotFound());
}

TEST_F(JobManagerTest, ALongPollEndsOnARowOrAtItsDeadline) {
  JobManager& m = Open();
  auto q = m.StartQuery(std::string(kTables) + "SELECT device_id FROM iot_source;");
  ASSERT_TRUE(q.ok());
  std::optional<Result<QueryRows>> got;
  m.PollQuery(q->id, 0, 5'000, [&](Result<QueryRows> r) { got = std::move(r); });
  EXPECT_FALSE(got.has_value());  // parked
  Push(q->id, "+I[x]");
  ASSERT_TRUE(got.has_value());
  ASSERT_TRUE(got->ok());
  EXPECT_EQ((*got)->rows, std::vector<std::string>{"+I[x]"});

  got.reset();
  m.PollQuery(q->id, 1, 5'000, [&](Result<QueryRows> r) { got = std::move(r); });
  clock_.Advance(999);  // max_poll_wait_ms caps the 5 s asked for at 1 s
  m.Tick();
  EXPECT_FALSE(got.has_value());
  clock_.Advance(1);
  m.Tick();
  ASSERT_TRUE(got.has_value());
  ASSERT_TRUE(got->ok());
  EXPECT_TRUE((*got)->rows.empty());
  EXPECT_EQ((*got)->next, 1u);

  // Stopping the query answers a parked poll.
  got.reset();
  m.PollQuery(q->id, 1, 1'000, [&](Result<QueryRows> r) { got = std::move(r); });
  ASSERT_TRUE(m.StopQuery(q->id).ok());
  ASSERT_TRUE(got.has_value());
  ASSERT_TRUE(got->ok());
  EXPECT_EQ((*got)->state, "STOPPED");
  EXPECT_EQ(world_.Count("stop query-" + q->id), 1);
  EXPECT_TRUE(m.StopQuery(q->id).IsNotFound());
}

TEST_F(JobManagerTest, TheRowBufferIsBoundedAndReportsDrops) {
  JobManagerOptions o = Options();
  o.max_query_rows = 3;
  o.max_rows_per_poll = 2;
  JobManager& m = Open(std::move(o));
  auto q = m.StartQuery(std::string(kTables) + "SELECT device_id FROM iot_source;");
  ASSERT_TRUE(q.ok());
  for (int i = 0; i < 5; ++i) Push(q->id, "+I[" + std::to_string(i) + "]");
  auto r = Poll(q->id, 0);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->dropped, 2u);
  EXPECT_EQ(r->dropped_total, 2u);
  EXPECT_EQ(r->rows, (std::vector<std::string>{"+I[2]", "+I[3]"}));  // max_rows_per_poll
  EXPECT_EQ(r->next, 4u);
  r = Poll(q->id, r->next);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->rows, (std::vector<std::string>{"+I[4]"}));
  EXPECT_EQ(r->dropped, 0u);
}

TEST_F(JobManagerTest, AnUnpolledQueryIsStoppedAfterTheIdleTimeout) {
  JobManager& m = Open();
  auto q = m.StartQuery(std::string(kTables) + "SELECT device_id FROM iot_source;");
  ASSERT_TRUE(q.ok());
  clock_.Advance(59'000);
  ASSERT_TRUE(Poll(q->id, 0).ok());  // a poll resets the idle clock
  clock_.Advance(59'000);
  m.Tick();
  EXPECT_EQ(m.query_count(), 1u);
  clock_.Advance(2'000);
  m.Tick();
  EXPECT_EQ(m.query_count(), 0u);
  EXPECT_EQ(world_.Count("stop query-" + q->id), 1);
  auto gone = Poll(q->id, 0);
  ASSERT_TRUE(gone.status().IsNotFound());
  EXPECT_NE(gone.status().message().find("expired"), std::string::npos);
}

TEST_F(JobManagerTest, TheNumberOfQueriesIsLimited) {
  JobManagerOptions o = Options();
  o.max_queries = 1;
  JobManager& m = Open(std::move(o));
  const std::string sql = std::string(kTables) + "SELECT device_id FROM iot_source;";
  auto q = m.StartQuery(sql);
  ASSERT_TRUE(q.ok());
  auto second = m.StartQuery(sql);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), Status::Code::kLimitExceeded);
  ASSERT_TRUE(m.StopQuery(q->id).ok());
  EXPECT_TRUE(m.StartQuery(sql).ok());
}

TEST_F(JobManagerTest, StopAllStopsJobsAndQueries) {
  JobManager& m = Open();
  ASSERT_TRUE(m.Submit(Script(kInsertA), {.default_name = "j"}).ok());
  auto q = m.StartQuery(std::string(kTables) + "SELECT device_id FROM iot_source;");
  ASSERT_TRUE(q.ok());
  std::optional<Result<QueryRows>> got;
  m.PollQuery(q->id, 0, 1'000, [&](Result<QueryRows> r) { got = std::move(r); });
  ASSERT_TRUE(m.StopAll().ok());
  EXPECT_TRUE(got.has_value());
  EXPECT_EQ(world_.Count("stop j"), 1);
  EXPECT_EQ(world_.Count("stop query-" + q->id), 1);
  EXPECT_EQ(m.StartQuery("SELECT 1").status().code(), Status::Code::kUnavailable);
  ASSERT_TRUE(m.StopAll().ok());  // idempotent
  EXPECT_EQ(world_.Count("stop j"), 1);
}

}  // namespace
}  // namespace fluxgate::jobs
