// The /v1/jobs and /v1/queries endpoints over a JobManager with fake jobs, driven through
// HttpApi::Handle without a socket.
#include "web/jobs_api.h"

#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <map>
#include <mutex>

#include "jobs/job_manager.h"
#include "web/http_api.h"

namespace fluxgate::web {
namespace {

class FakeJob : public jobs::Job {
 public:
  explicit FakeJob(std::string name) : name_(std::move(name)) {}
  const std::string& name() const override { return name_; }
  Status Start() override {
    std::lock_guard lock(mu_);
    state_ = jobs::JobState::kRunning;
    return Status::Ok();
  }
  Status Stop() override {
    std::lock_guard lock(mu_);
    state_ = jobs::JobState::kStopped;
    return Status::Ok();
  }
  void Abort() override { (void)Stop(); }
  jobs::JobStatus status() const override {
    std::lock_guard lock(mu_);
    jobs::JobStatus s;
    s.name = name_;
    s.state = state_;
    s.records_in = 42;
    return s;
  }

 private:
  const std::string name_;
  mutable std::mutex mu_;
  jobs::JobState state_ = jobs::JobState::kCreated;
};

constexpr char kTables[] = R"(
CREATE TABLE src (device_id STRING, value DOUBLE) WITH ('connector' = 'kinesis', 'stream' = 's');
CREATE TABLE out_a (device_id STRING, value DOUBLE) WITH ('connector' = 'print');
)";
const std::string kJobA = std::string(kTables) + "INSERT INTO out_a SELECT * FROM src;";
const std::string kJobB =
    std::string(kTables) + "INSERT INTO out_a SELECT * FROM src WHERE value > 1;";

class JobsApiTest : public ::testing::Test {
 protected:
  JobsApiTest() {
    jobs::JobManagerOptions o;
    o.factory = [](const sql::Pipeline& p, jobs::JobContext) -> Result<std::unique_ptr<jobs::Job>> {
      return std::unique_ptr<jobs::Job>(std::make_unique<FakeJob>(p.name));
    };
    o.query_factory = [this](const sql::PlanPtr&, const std::string& name, const std::string&,
                             jobs::JobContext,
                             jobs::RowTextSink rows) -> Result<std::unique_ptr<jobs::Job>> {
      std::lock_guard lock(mu_);
      sinks_[name] = std::move(rows);
      return std::unique_ptr<jobs::Job>(std::make_unique<FakeJob>(name));
    };
    o.timer_thread = false;
    manager_ = std::make_unique<jobs::JobManager>(jobs::JobContext{}, std::move(o));
    api_ = std::make_unique<HttpApi>(nullptr, manager_.get());
  }
  ~JobsApiTest() override {
    api_->Stop();
    manager_->StopAll().ok();
  }

  // Starts a request; the future is ready once the API answered.
  std::future<http::Response> Start(const std::string& method, const std::string& target,
                                    const std::string& body = "") {
    auto promise = std::make_shared<std::promise<http::Response>>();
    auto future = promise->get_future();
    http::Request req;
    req.method = method;
    req.target = target;
    req.body = body;
    api_->Handle(std::move(req), [promise](http::Response r) { promise->set_value(std::move(r)); });
    return future;
  }
  http::Response Do(const std::string& method, const std::string& target,
                    const std::string& body = "") {
    return Start(method, target, body).get();
  }

  void Push(const std::string& id, const std::string& row) {
    jobs::RowTextSink sink;
    {
      std::lock_guard lock(mu_);
      sink = sinks_.at("query-" + id);
    }
    sink("query-" + id, row);
  }

  static std::string IdOf(const std::string& body) {
    const std::string key = "\"id\":\"";
    size_t at = body.find(key);
    if (at == std::string::npos) return "";
    at += key.size();
    return body.substr(at, body.find('"', at) - at);
  }

  std::mutex mu_;
  std::map<std::string, jobs::RowTextSink> sinks_;
  std::unique_ptr<jobs::JobManager> manager_;
  std::unique_ptr<HttpApi> api_;
};

TEST_F(JobsApiTest, SubmitListGet) {
  auto r = Do("POST", "/v1/jobs?name=iot-analytics", kJobA);
  EXPECT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(r.content_type, "application/json");
  EXPECT_NE(r.body.find(R"({"name":"iot-analytics","action":"started"})"), std::string::npos)
      << r.body;
  EXPECT_NE(r.body.find(R"("notices":[)"), std::string::npos);

  r = Do("GET", "/v1/jobs");
  ASSERT_EQ(r.status, 200);
  EXPECT_NE(r.body.find(R"("name":"iot-analytics","state":"RUNNING","desired":"running")"),
            std::string::npos)
      << r.body;
  EXPECT_NE(r.body.find(R"("records_in":42)"), std::string::npos);
  EXPECT_NE(r.body.find(R"("watermark_ms":null)"), std::string::npos);
  EXPECT_EQ(r.body.find(R"("script")"), std::string::npos);  // only on the single job

  r = Do("GET", "/v1/jobs/iot-analytics");
  ASSERT_EQ(r.status, 200);
  EXPECT_NE(r.body.find(R"("script":")"), std::string::npos);

  // Identical SQL again: nothing to do, 200.
  r = Do("POST", "/v1/jobs?name=iot-analytics", kJobA);
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find(R"("action":"unchanged")"), std::string::npos);
}

TEST_F(JobsApiTest, ErrorsCarryACodeNameAndAMessage) {
  auto r =
      Do("POST", "/v1/jobs?name=x", std::string(kTables) + "INSERT INTO out_a SELECT * FROM nope;");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find(R"({"error":"InvalidArgument","message":"SQL error at line 4)"),
            std::string::npos)
      << r.body;

  ASSERT_EQ(Do("POST", "/v1/jobs?name=j", kJobA).status, 201);
  r = Do("POST", "/v1/jobs?name=j", kJobB);
  EXPECT_EQ(r.status, 409);
  EXPECT_NE(r.body.find(R"("error":"ResourceBusy")"), std::string::npos);

  EXPECT_EQ(Do("GET", "/v1/jobs/nope").status, 404);
  EXPECT_EQ(Do("POST", "/v1/jobs/nope/stop").status, 404);
  EXPECT_EQ(Do("POST", "/v1/jobs/j/pause").status, 404);
  r = Do("GET", "/v1/jobs/j/stop");
  EXPECT_EQ(r.status, 405);
  ASSERT_EQ(r.headers.size(), 1u);
  EXPECT_EQ(r.headers[0].value, "POST");
  EXPECT_EQ(Do("PUT", "/v1/jobs").status, 405);
  EXPECT_EQ(Do("POST", "/v1/jobs", "").status, 400);
}

TEST_F(JobsApiTest, StopRestartRemove) {
  ASSERT_EQ(Do("POST", "/v1/jobs?name=j", kJobA).status, 201);
  auto r = Do("POST", "/v1/jobs/j/stop");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find(R"("state":"STOPPED","desired":"stopped")"), std::string::npos) << r.body;
  r = Do("POST", "/v1/jobs/j/restart");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find(R"("state":"RUNNING")"), std::string::npos) << r.body;
  r = Do("DELETE", "/v1/jobs/j");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Do("GET", "/v1/jobs/j").status, 404);
}

TEST_F(JobsApiTest, QueryRowsArePolledAndTheQueryStopped) {
  ASSERT_EQ(Do("POST", "/v1/jobs?name=j", kJobA).status, 201);
  auto r = Do("POST", "/v1/queries", "SELECT device_id FROM src");
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_NE(r.body.find(R"("columns":["device_id STRING"])"), std::string::npos) << r.body;
  const std::string id = IdOf(r.body);
  ASSERT_FALSE(id.empty());

  Push(id, "+I[a]");
  r = Do("GET", "/v1/queries/" + id + "/rows?after=0&wait_ms=0");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.body,
            R"({"rows":["+I[a]"],"next":1,"state":"RUNNING","dropped":0,"dropped_total":0})");

  // A long poll is answered when the next row arrives.
  auto pending = Start("GET", "/v1/queries/" + id + "/rows?after=1");
  EXPECT_EQ(pending.wait_for(std::chrono::seconds(0)), std::future_status::timeout);
  Push(id, "+I[b]");
  r = pending.get();
  EXPECT_NE(r.body.find(R"("rows":["+I[b]"],"next":2)"), std::string::npos) << r.body;

  EXPECT_EQ(Do("GET", "/v1/queries/" + id + "/rows?after=x").status, 400);
  EXPECT_EQ(Do("GET", "/v1/queries/" + id + "/rows?after=9").status, 400);
  EXPECT_EQ(Do("DELETE", "/v1/queries/" + id).status, 200);
  r = Do("GET", "/v1/queries/" + id + "/rows?after=2&wait_ms=0");
  EXPECT_EQ(r.status, 404);
  EXPECT_NE(r.body.find(R"("error":"NotFound")"), std::string::npos);
  EXPECT_EQ(Do("DELETE", "/v1/queries/" + id).status, 404);
}

TEST_F(JobsApiTest, BadQueriesAreRefused) {
  auto r = Do("POST", "/v1/queries", "SELECT nope FROM nowhere");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("nowhere"), std::string::npos);
  EXPECT_EQ(Do("POST", "/v1/queries", "").status, 400);
  EXPECT_EQ(Do("GET", "/v1/queries").status, 405);
}

TEST_F(JobsApiTest, OtherPathsStillWork) {
  EXPECT_EQ(Do("GET", "/healthz").status, 200);
  EXPECT_EQ(Do("POST", "/healthz").status, 405);
}

TEST_F(JobsApiTest, AfterStopMutationsAreRefused) {
  api_->Stop();
  auto r = Do("POST", "/v1/jobs?name=j", kJobA);
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(Do("GET", "/v1/jobs").status, 200);  // reads still answer
}

}  // namespace
}  // namespace fluxgate::web
