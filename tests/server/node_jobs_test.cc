// A Node in-process with fake jobs: startup pipelines, the job endpoints on its HTTP
// listener, and jobs surviving a restart of the node in the state they were left in.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <mutex>

#include "http/client.h"
#include "jobs/job_manager.h"
#include "server/node.h"

namespace fluxgate::server {
namespace {

struct Events {
  std::mutex mu;
  std::vector<std::string> list;
  void Add(std::string e) {
    std::lock_guard lock(mu);
    list.push_back(std::move(e));
  }
  int Count(const std::string& e) {
    std::lock_guard lock(mu);
    return static_cast<int>(std::count(list.begin(), list.end(), e));
  }
};

class FakeJob : public jobs::Job {
 public:
  FakeJob(std::string name, Events* events) : name_(std::move(name)), events_(events) {}
  const std::string& name() const override { return name_; }
  Status Start() override {
    events_->Add("start " + name_);
    state_ = jobs::JobState::kRunning;
    return Status::Ok();
  }
  Status Stop() override {
    events_->Add("stop " + name_);
    state_ = jobs::JobState::kStopped;
    return Status::Ok();
  }
  void Abort() override {}
  jobs::JobStatus status() const override {
    jobs::JobStatus s;
    s.name = name_;
    s.state = state_;
    return s;
  }

 private:
  const std::string name_;
  Events* events_;
  std::atomic<jobs::JobState> state_{jobs::JobState::kCreated};
};

constexpr char kPipeline[] = R"(
CREATE TABLE src (device_id STRING, value DOUBLE) WITH ('connector' = 'kinesis', 'stream' = 's');
CREATE TABLE out_a (device_id STRING, value DOUBLE) WITH ('connector' = 'print');
INSERT INTO out_a SELECT * FROM src;
)";

class NodeJobsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/fg_node_jobs_XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    std::ofstream(dir_ + "/sensors.sql") << kPipeline;
    config_.data_dir = dir_ + "/data";
    config_.kinesis_listen = "127.0.0.1:0";
    config_.http_listen = "127.0.0.1:0";
    config_.durability = "none";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  Result<std::unique_ptr<Node>> StartNode() {
    jobs::JobManagerOptions o;
    o.factory = [this](const sql::Pipeline& p,
                       jobs::JobContext c) -> Result<std::unique_ptr<jobs::Job>> {
      EXPECT_NE(c.log, nullptr);
      EXPECT_NE(c.alerts, nullptr);
      return std::unique_ptr<jobs::Job>(std::make_unique<FakeJob>(p.name, &events_));
    };
    return Node::Start(config_, std::move(o), /*shipped_pipelines_dir=*/"");
  }

  std::string dir_;
  ServeConfig config_;
  Events events_;
};

TEST_F(NodeJobsTest, StartupPipelinesRunAndAreManagedOverHttp) {
  config_.pipelines = std::vector<std::string>{dir_ + "/sensors.sql"};
  auto node = StartNode();
  ASSERT_TRUE(node.ok()) << node.status().ToString();
  EXPECT_EQ(events_.Count("start sensors"), 1);

  http::Client client("127.0.0.1", (*node)->http_port());
  auto r = client.Do("GET", "/v1/jobs", {}, "");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 200);
  EXPECT_NE(r->body.find(R"("name":"sensors","state":"RUNNING")"), std::string::npos) << r->body;

  r = client.Do("POST", "/v1/jobs/sensors/stop", {}, "");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(events_.Count("stop sensors"), 1);
  ASSERT_TRUE((*node)->Stop().ok());
  EXPECT_EQ(events_.Count("stop sensors"), 1);  // already stopped

  // Restarted with the same --pipeline: the operator's stop is overridden (an explicit
  // file always runs) and the job is the same one (same directory, same name).
  auto again = StartNode();
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(events_.Count("start sensors"), 2);
  auto info = (*again)->jobs()->Get("sensors");
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->status.state, jobs::JobState::kRunning);
  ASSERT_TRUE((*again)->Stop().ok());
  EXPECT_EQ(events_.Count("stop sensors"), 2);  // shutdown takes the final checkpoint
}

TEST_F(NodeJobsTest, SubmittedJobsResumeAfterARestartWithoutPipelines) {
  config_.pipelines = std::vector<std::string>{};
  {
    auto node = StartNode();
    ASSERT_TRUE(node.ok()) << node.status().ToString();
    http::Client client("127.0.0.1", (*node)->http_port());
    auto r = client.Do("POST", "/v1/jobs?name=submitted", {}, kPipeline);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->status, 201) << r->body;
  }  // ~Node stops it
  EXPECT_EQ(events_.Count("stop submitted"), 1);
  auto node = StartNode();
  ASSERT_TRUE(node.ok()) << node.status().ToString();
  EXPECT_EQ(events_.Count("start submitted"), 2);
}

TEST_F(NodeJobsTest, APipelineFileThatDoesNotBindStopsStartup) {
  std::ofstream(dir_ + "/bad.sql") << "INSERT INTO nowhere SELECT 1;";
  config_.pipelines = std::vector<std::string>{dir_ + "/bad.sql"};
  auto node = StartNode();
  ASSERT_FALSE(node.ok());
  EXPECT_NE(node.status().message().find("bad.sql: "), std::string::npos)
      << node.status().message();
  EXPECT_NE(node.status().message().find("nowhere"), std::string::npos);
}

}  // namespace
}  // namespace fluxgate::server
