// The dashboard (web/dashboard.h) driven by Tick() without a thread: snapshots, the SSE
// long-poll framing of /v1/events, the device page endpoint, providers and the assets.
#include "web/dashboard.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <filesystem>
#include <future>
#include <optional>

#include "common/logging.h"
#include "log/log_manager.h"
#include "web/dashboard_assets.h"

namespace fluxgate::web {
namespace {

class DashboardTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SetLogLevel("warn");
    char tmpl[] = "/tmp/fg-dash-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    log::LogOptions lo;
    lo.data_dir = dir_;
    lo.durability = log::Durability::kNone;
    auto log = log::LogManager::Open(lo);
    ASSERT_TRUE(log.ok());
    log_ = std::move(log).value();
    ASSERT_TRUE(log_->CreateStream("iot-telemetry", 2, log::StreamMode::kProvisioned, {}).ok());
    DashboardOptions o;
    o.start_thread = false;
    o.max_waiters = 2;
    o.now_ms = [this] { return now_; };
    o.devices.now_ms = [this] { return now_; };
    o.devices.start_back_ms = now_ + 1;  // from the start of the log
    dash_ = std::make_unique<Dashboard>(log_.get(), nullptr, o);
  }
  void TearDown() override {
    dash_.reset();
    (void)log_->Close();
    std::filesystem::remove_all(dir_);
  }
  void Put(int n, double value) {
    std::vector<std::string> data;
    for (int i = 0; i < n; ++i)
      data.push_back("{\"device_id\":\"d" + std::to_string(i) +
                     "\",\"sensor_type\":\"temperature\"," +
                     "\"location\":\"a\",\"unit\":\"C\",\"value\":" + std::to_string(value) + "}");
    std::vector<log::AppendRecord> recs;
    for (auto& d : data) recs.push_back({std::string_view(d).substr(14, 4), d, std::nullopt});
    std::promise<void> done;
    ASSERT_TRUE(log_->Append("iot-telemetry", recs, [&](auto) { done.set_value(); }).ok());
    done.get_future().wait();
  }
  // Calls Handle; the future is ready unless the request is being held.
  std::future<http::Response> Start(const std::string& target,
                                    std::vector<http::Header> headers = {}) {
    http::Request req;
    req.method = "GET";
    req.target = target;
    req.headers = std::move(headers);
    auto p = std::make_shared<std::promise<http::Response>>();
    auto f = p->get_future();
    http::Responder r = [p](http::Response resp) { p->set_value(std::move(resp)); };
    std::string_view path = req.target;
    path = path.substr(0, path.find('?'));
    EXPECT_TRUE(dash_->Handle(req, path, r));
    return f;
  }
  static bool Ready(std::future<http::Response>& f) {
    return f.wait_for(std::chrono::seconds(0)) == std::future_status::ready;
  }
  // The response, or nullopt when the request is being held.
  std::optional<http::Response> Call(const std::string& target,
                                     std::vector<http::Header> headers = {}) {
    auto f = Start(target, std::move(headers));
    if (!Ready(f)) return std::nullopt;
    return f.get();
  }
  simdjson::dom::element Json(const std::string& text) {
    simdjson::dom::element e;
    EXPECT_EQ(parser_.parse(text).get(e), simdjson::SUCCESS) << text;
    return e;
  }
  int64_t now_ = 1'700'000'000'000;
  std::string dir_;
  std::unique_ptr<log::LogManager> log_;
  std::unique_ptr<Dashboard> dash_;
  simdjson::dom::parser parser_;
};

TEST_F(DashboardTest, SnapshotCarriesStreamsDevicesWindowsAndRates) {
  Put(10, 20.5);
  dash_->Tick();
  now_ += 1000;
  Put(10, 30);
  dash_->Tick();
  uint64_t seq = 0;
  std::string snap = dash_->Snapshot(&seq);
  EXPECT_EQ(seq, 2u);
  auto j = Json(snap);
  EXPECT_EQ(int64_t(j["seq"]), 2);
  EXPECT_EQ(std::string_view(j["streams"].at(0)["name"]), "iot-telemetry");
  EXPECT_DOUBLE_EQ(double(j["streams"].at(0)["records_per_sec"]), 10.0);  // 10 more in 1 s
  EXPECT_EQ(int64_t(j["devices"]["total"]), 10);
  EXPECT_EQ(simdjson::dom::array(j["devices"]["recent"]).size(), 10u);
  EXPECT_DOUBLE_EQ(double(j["devices"]["recent"].at(0)["value"]), 30.0);
  EXPECT_EQ(simdjson::dom::array(j["devices"]["recent"].at(0)["history"]).size(), 2u);
  EXPECT_EQ(int64_t(j["windows"]["groups"].at(0)["count"]), 20);
  EXPECT_EQ(simdjson::dom::array(j["history"]).size(), 1u);  // the first tick has no rate
  EXPECT_FALSE(bool(j["alerts"]["configured"]));
  EXPECT_FALSE(bool(j["alarms"]["configured"]));
  EXPECT_FALSE(bool(j["quality"]["configured"]));
}

TEST_F(DashboardTest, ProvidersAreShownAndBadOutputBecomesEmpty) {
  DashboardSources s;
  s.alerts_json = [] { return std::string("[{\"id\":\"a1\",\"message\":\"hot\"}]"); };
  s.alarms_json = [] { return std::string("not json"); };
  dash_->SetSources(s);
  dash_->Tick();
  auto j = Json(dash_->Snapshot());
  EXPECT_TRUE(bool(j["alerts"]["configured"]));
  EXPECT_EQ(std::string_view(j["alerts"]["items"].at(0)["id"]), "a1");
  EXPECT_TRUE(bool(j["alarms"]["configured"]));
  EXPECT_EQ(simdjson::dom::array(j["alarms"]["items"]).size(), 0u);
  EXPECT_FALSE(bool(j["dead_letters"]["configured"]));
}

TEST_F(DashboardTest, EventsAnswerAtOnceWhenBehindAndHoldUntilTheNextTickOtherwise) {
  dash_->Tick();
  auto first = Call("/v1/events");
  ASSERT_TRUE(first);
  EXPECT_EQ(first->content_type, "text/event-stream; charset=utf-8");
  EXPECT_EQ(first->body.rfind("retry: 250\nid: 1\nevent: snapshot\ndata: {", 0), 0u);
  EXPECT_EQ(first->body.substr(first->body.size() - 2), "\n\n");

  auto f = Start("/v1/events", {{"last-event-id", "1"}});
  EXPECT_FALSE(Ready(f));  // held
  dash_->Tick();
  ASSERT_EQ(f.wait_for(std::chrono::seconds(5)), std::future_status::ready);
  EXPECT_NE(f.get().body.find("id: 2\n"), std::string::npos);
}

TEST_F(DashboardTest, HeldEventRequestsAreLimitedAndReleasedOnStop) {
  dash_->Tick();
  auto fa = Start("/v1/events", {{"last-event-id", "1"}});
  auto fb = Start("/v1/events", {{"last-event-id", "1"}});
  EXPECT_FALSE(Ready(fa));
  EXPECT_FALSE(Ready(fb));
  auto third = Call("/v1/events", {{"last-event-id", "1"}});  // max_waiters = 2
  ASSERT_TRUE(third);
  EXPECT_EQ(third->status, 503);
  dash_->Stop();
  ASSERT_EQ(fa.wait_for(std::chrono::seconds(5)), std::future_status::ready);
  EXPECT_EQ(fa.get().status, 503);
}

TEST_F(DashboardTest, DevicePageEndpoint) {
  Put(30, 1);
  dash_->Tick();
  auto r = Call("/v1/dashboard/devices?sort=device_id&order=desc&limit=5&offset=0&q=d2");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  auto j = Json(r->body);
  EXPECT_EQ(int64_t(j["total"]), 11);  // d2, d20..d29
  EXPECT_EQ(std::string_view(j["devices"].at(0)["device_id"]), "d29");
  EXPECT_EQ(simdjson::dom::array(j["devices"]).size(), 5u);
  EXPECT_EQ(Call("/v1/dashboard/devices?sort=colour")->status, 400);
  EXPECT_EQ(Call("/v1/dashboard/devices?limit=501")->status, 400);
  EXPECT_EQ(Call("/v1/dashboard/devices?offset=-1")->status, 400);
  EXPECT_EQ(Call("/v1/dashboard/devices?order=up")->status, 400);
}

TEST_F(DashboardTest, AssetsHaveTypesAndRevalidateWithETags) {
  ASSERT_FALSE(DashboardAssets().empty());
  auto index = Call("/");
  ASSERT_TRUE(index);
  EXPECT_EQ(index->status, 200);
  EXPECT_EQ(index->content_type, "text/html; charset=utf-8");
  EXPECT_NE(index->body.find("<html"), std::string::npos);
  // Nothing is loaded from the internet.
  EXPECT_EQ(index->body.find("http://"), std::string::npos);
  EXPECT_EQ(index->body.find("https://"), std::string::npos);
  std::string etag;
  for (const auto& h : index->headers)
    if (h.name == "etag") etag = h.value;
  ASSERT_FALSE(etag.empty());
  auto again = Call("/index.html", {{"if-none-match", etag}});
  EXPECT_EQ(again->status, 304);
  EXPECT_TRUE(again->body.empty());
  auto js = Call("/app.js");
  EXPECT_EQ(js->content_type, "text/javascript; charset=utf-8");
  EXPECT_GT(js->body.size(), 10000u);  // uPlot is in the bundle
  EXPECT_TRUE(Dashboard::IsPublicAsset("/app.css"));
  EXPECT_FALSE(Dashboard::IsPublicAsset("/v1/events"));
  http::Request post;
  post.method = "POST";
  post.target = "/";
  http::Responder r = [](http::Response resp) { EXPECT_EQ(resp.status, 405); };
  EXPECT_TRUE(dash_->Handle(post, "/", r));
}

}  // namespace
}  // namespace fluxgate::web
