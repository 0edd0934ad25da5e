// Shared fixture for handler tests: a real LogManager in a temporary directory (no fsync),
// a KinesisApi on top, and helpers to call operations and inspect JSON replies.
#pragma once

#include <gtest/gtest.h>
#include <simdjson.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <future>
#include <memory>
#include <string>

#include "common/logging.h"
#include "http/message.h"
#include "kinesis/api.h"
#include "log/log_manager.h"

namespace fluxgate::kinesis::testing {

struct Reply {
  int status = 0;
  std::string content_type;
  std::string request_id;
  std::string body;
  simdjson::dom::element json;  // valid while the Reply lives (own parser)
  std::shared_ptr<simdjson::dom::parser> parser;

  std::string Type() const {
    std::string_view t;
    if (json["__type"].get(t) != simdjson::SUCCESS) return "";
    return std::string(t);
  }
  std::string Message() const {
    std::string_view m;
    if (json["message"].get(m) != simdjson::SUCCESS) return "";
    return std::string(m);
  }
  std::string Str(const char* pointer) const {
    std::string_view s;
    if (json.at_pointer(pointer).get(s) != simdjson::SUCCESS) return "<missing>";
    return std::string(s);
  }
  int64_t Int(const char* pointer) const {
    int64_t v = -1;
    if (json.at_pointer(pointer).get(v) != simdjson::SUCCESS) return -1;
    return v;
  }
  bool Has(const char* pointer) const {
    return json.at_pointer(pointer).error() == simdjson::SUCCESS;
  }
  size_t Size(const char* pointer) const {
    simdjson::dom::array a;
    if (json.at_pointer(pointer).get(a) != simdjson::SUCCESS) return SIZE_MAX;
    return a.size();
  }
};

class ApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SetLogLevel("warn");  // keep test output readable; errors still show
    Start(DefaultOptions());
  }
  void TearDown() override {
    api_.reset();
    if (log_) (void)log_->Close();
    log_.reset();
    std::filesystem::remove_all(dir_);
  }

  static KinesisOptions DefaultOptions() {
    KinesisOptions o;
    o.create_delay_ms = 0;
    o.delete_delay_ms = 0;
    o.update_delay_ms = 0;
    o.iterator_secret = "test-secret";
    return o;
  }

  void Start(const KinesisOptions& options) {
    api_.reset();
    if (log_) (void)log_->Close();
    log_.reset();
    if (dir_.empty()) {
      char tmpl[] = "/tmp/fg-kinesis-test-XXXXXX";
      ASSERT_NE(mkdtemp(tmpl), nullptr);
      dir_ = tmpl;
    }
    log::LogOptions lo;
    lo.data_dir = dir_;
    lo.durability = log::Durability::kNone;
    auto opened = log::LogManager::Open(lo);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    log_ = std::move(opened).value();
    api_ = std::make_unique<KinesisApi>(log_.get(), options);
  }

  Reply Raw(http::Request req) {
    std::promise<http::Response> done;
    auto fut = done.get_future();
    api_->Handle(std::move(req), [&done](http::Response r) { done.set_value(std::move(r)); });
    EXPECT_EQ(fut.wait_for(std::chrono::seconds(10)), std::future_status::ready);
    http::Response resp = fut.get();
    Reply out;
    out.status = resp.status;
    out.content_type = resp.content_type;
    for (const auto& h : resp.headers)
      if (h.name == "x-amzn-requestid") out.request_id = h.value;
    out.body = resp.body;
    out.parser = std::make_shared<simdjson::dom::parser>();
    if (out.content_type == "application/x-amz-cbor-1.1") {
      // CBOR replies are read by the test itself; json stays an empty object.
      EXPECT_EQ(out.parser->parse(std::string("{}")).get(out.json), simdjson::SUCCESS);
    } else if (!out.body.empty()) {
      EXPECT_EQ(out.parser->parse(out.body).get(out.json), simdjson::SUCCESS) << out.body;
    } else {
      EXPECT_EQ(out.parser->parse(std::string("{}")).get(out.json), simdjson::SUCCESS);
    }
    return out;
  }

  Reply Call(const std::string& op, const std::string& body) {
    http::Request req;
    req.method = "POST";
    req.target = "/";
    req.headers = {{"content-type", "application/x-amz-json-1.1"},
                   {"x-amz-target", "Kinesis_20131202." + op}};
    req.body = body;
    return Raw(std::move(req));
  }

  void CreateStream(const std::string& name, int shards) {
    auto r = Call("CreateStream", "{\"StreamName\":\"" + name +
                                      "\",\"ShardCount\":" + std::to_string(shards) + "}");
    ASSERT_EQ(r.status, 200) << r.body;
  }

  // Puts one record and returns {ShardId, SequenceNumber}.
  std::pair<std::string, std::string> Put(const std::string& stream, const std::string& b64,
                                          const std::string& pk) {
    auto r = Call("PutRecord", "{\"StreamName\":\"" + stream + "\",\"Data\":\"" + b64 +
                                   "\",\"PartitionKey\":\"" + pk + "\"}");
    EXPECT_EQ(r.status, 200) << r.body;
    return {r.Str("/ShardId"), r.Str("/SequenceNumber")};
  }

  std::string Iterator(const std::string& stream, const std::string& shard, const std::string& type,
                       const std::string& extra = "") {
    auto r =
        Call("GetShardIterator", "{\"StreamName\":\"" + stream + "\",\"ShardId\":\"" + shard +
                                     "\",\"ShardIteratorType\":\"" + type + "\"" + extra + "}");
    EXPECT_EQ(r.status, 200) << r.body;
    return r.Str("/ShardIterator");
  }

  std::string dir_;
  std::unique_ptr<log::LogManager> log_;
  std::unique_ptr<KinesisApi> api_;
};

}  // namespace fluxgate::kinesis::testing
