// HTTP ingest (POST /v1/streams/{stream}/records) over a real log in a temporary
// directory, driven through RecordsApi::Handle and HttpApi::Handle without a socket.
#include "web/records_api.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <chrono>
#include <filesystem>
#include <future>
#include <memory>
#include <string>

#include "common/logging.h"
#include "log/log_manager.h"
#include "log/sequence_number.h"
#include "web/http_api.h"

namespace fluxgate::web {
namespace {

struct Reply {
  int status = 0;
  std::string body;
  std::vector<http::Header> headers;
  simdjson::dom::element json;
  std::shared_ptr<simdjson::dom::parser> parser = std::make_shared<simdjson::dom::parser>();

  std::string Header(const std::string& name) const {
    for (const auto& h : headers)
      if (h.name == name) return h.value;
    return "";
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
  size_t Results() const {
    simdjson::dom::array a;
    if (json["results"].get(a) != simdjson::SUCCESS) return SIZE_MAX;
    return a.size();
  }
};

class RecordsApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SetLogLevel("warn");
    char tmpl[] = "/tmp/fg-records-test-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    Open(log::LogOptions{});
  }
  void TearDown() override {
    Close();
    std::filesystem::remove_all(dir_);
  }
  void Close() {
    api_.reset();
    if (log_) (void)log_->Close();
    log_.reset();
  }
  void Open(log::LogOptions lo, RecordsApiOptions ro = {}) {
    Close();
    lo.data_dir = dir_;
    lo.durability = log::Durability::kNone;
    auto opened = log::LogManager::Open(lo);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    log_ = std::move(opened).value();
    api_ = std::make_unique<RecordsApi>(log_.get(), ro);
    if (!log_->DescribeStream("s").ok()) {
      ASSERT_TRUE(log_->CreateStream("s", 2, log::StreamMode::kProvisioned, {}).ok());
    }
  }

  Reply Post(const std::string& target, const std::string& body,
             const std::string& content_type = "application/x-ndjson",
             std::vector<http::Header> extra = {}, const std::string& method = "POST") {
    http::Request req;
    req.method = method;
    req.target = target;
    if (!content_type.empty()) req.headers.push_back({"content-type", content_type});
    for (auto& h : extra) req.headers.push_back(h);
    req.body = body;
    std::string_view path = req.target;
    path = path.substr(0, path.find('?'));
    std::promise<http::Response> done;
    auto fut = done.get_future();
    http::Responder respond = [&done](http::Response r) { done.set_value(std::move(r)); };
    EXPECT_TRUE(api_->Handle(req, path, respond));
    EXPECT_EQ(fut.wait_for(std::chrono::seconds(10)), std::future_status::ready);
    return Parse(fut.get());
  }

  static Reply Parse(http::Response resp) {
    Reply out;
    out.status = resp.status;
    out.body = resp.body;
    out.headers = resp.headers;
    EXPECT_EQ(resp.content_type, "application/json");
    EXPECT_EQ(out.parser->parse(out.body).get(out.json), simdjson::SUCCESS) << out.body;
    return out;
  }

  // Every record of every shard of "s", in shard then offset order.
  std::vector<log::StoredRecord> ReadAll() {
    std::vector<log::StoredRecord> all;
    auto meta = log_->DescribeStream("s");
    EXPECT_TRUE(meta.ok());
    for (const auto& shard : meta->shards) {
      auto r = log_->Read("s", shard.index, 0, 10000, 1 << 30);
      EXPECT_TRUE(r.ok());
      for (auto& rec : r->records) all.push_back(rec);
    }
    return all;
  }

  std::string dir_;
  std::unique_ptr<log::LogManager> log_;
  std::unique_ptr<RecordsApi> api_;
};

TEST_F(RecordsApiTest, NdjsonLinesAreAppendedAndAcknowledgedWithSequenceNumbers) {
  auto r = Post("/v1/streams/s/records?partition_key=device",
                "{\"device\":\"d1\",\"v\":1}\n{\"device\":\"d2\",\"v\":2}\r\n\n  "
                "{\"device\":\"d1\",\"v\":3}  \n");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Str("/stream"), "s");
  EXPECT_EQ(r.Int("/accepted"), 3);
  EXPECT_EQ(r.Int("/failed"), 0);
  ASSERT_EQ(r.Results(), 3u);
  // Physical line numbers: the blank line 3 is skipped, not renumbered.
  EXPECT_EQ(r.Int("/results/0/line"), 1);
  EXPECT_EQ(r.Int("/results/1/line"), 2);
  EXPECT_EQ(r.Int("/results/2/line"), 4);

  auto all = ReadAll();
  ASSERT_EQ(all.size(), 3u);
  std::map<std::string, std::string> seq_by_data;
  for (int i = 0; i < 3; ++i) {
    const std::string pointer = "/results/" + std::to_string(i);
    const std::string shard = r.Str((pointer + "/shard_id").c_str());
    const std::string seq = r.Str((pointer + "/sequence_number").c_str());
    auto parts = log::DecodeSequenceNumber(seq);
    ASSERT_TRUE(parts.has_value()) << seq;
    EXPECT_EQ(log::ShardIdFor(parts->shard_index), shard);
  }
  std::multiset<std::string> keys, data;
  for (const auto& rec : all) {
    keys.insert(rec.partition_key);
    data.insert(rec.data);
  }
  EXPECT_EQ(keys, (std::multiset<std::string>{"d1", "d1", "d2"}));
  // Lines are stored as sent, trimmed of surrounding blanks and the CR.
  EXPECT_EQ(data, (std::multiset<std::string>{"{\"device\":\"d1\",\"v\":1}",
                                              "{\"device\":\"d2\",\"v\":2}",
                                              "{\"device\":\"d1\",\"v\":3}"}));
}

TEST_F(RecordsApiTest, JsonArrayElementsAreStoredMinified) {
  auto r = Post("/v1/streams/s/records?partition_key=id",
                "[ {\"id\": 7, \"t\": \"a b\"} ,\n {\"id\": true} ]", "application/json");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Int("/accepted"), 2);
  auto all = ReadAll();
  ASSERT_EQ(all.size(), 2u);
  std::map<std::string, std::string> by_key;
  for (const auto& rec : all) by_key[rec.partition_key] = rec.data;
  // Numbers and booleans key by their JSON text.
  EXPECT_EQ(by_key["7"], "{\"id\":7,\"t\":\"a b\"}");
  EXPECT_EQ(by_key["true"], "{\"id\":true}");
}

TEST_F(RecordsApiTest, BadLinesFailAloneWithTheirLineNumberAndReason) {
  auto r = Post("/v1/streams/s/records?partition_key=dev",
                "{\"dev\":\"a\"}\n"
                "{not json\n"
                "[1,2]\n"
                "{\"other\":1}\n"
                "{\"dev\":null}\n"
                "{\"dev\":{\"x\":1}}\n"
                "{\"dev\":\"b\"}\n");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Int("/accepted"), 2);
  EXPECT_EQ(r.Int("/failed"), 5);
  ASSERT_EQ(r.Results(), 7u);
  EXPECT_TRUE(r.Has("/results/0/sequence_number"));
  EXPECT_EQ(r.Str("/results/1/error"), "InvalidJson");
  EXPECT_EQ(r.Int("/results/1/line"), 2);
  EXPECT_EQ(r.Str("/results/2/error"), "NotAnObject");
  EXPECT_EQ(r.Str("/results/3/error"), "MissingPartitionKey");
  EXPECT_NE(r.Str("/results/3/message").find("'dev'"), std::string::npos);
  EXPECT_EQ(r.Str("/results/4/error"), "MissingPartitionKey");
  EXPECT_EQ(r.Str("/results/5/error"), "InvalidPartitionKey");
  EXPECT_TRUE(r.Has("/results/6/sequence_number"));
  EXPECT_FALSE(r.Has("/results/1/retryable"));
  EXPECT_EQ(ReadAll().size(), 2u);
}

TEST_F(RecordsApiTest, NothingUsableIs400) {
  auto r = Post("/v1/streams/s/records", "nope\n[]\n");
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(r.Int("/failed"), 2);
  EXPECT_EQ(Post("/v1/streams/s/records", "\n \n").Str("/error"), "NoRecords");
  EXPECT_EQ(Post("/v1/streams/s/records", "[]", "application/json").Str("/error"), "NoRecords");
  auto bad_array = Post("/v1/streams/s/records", "[{\"a\":1},", "application/json");
  EXPECT_EQ(bad_array.status, 400);
  EXPECT_EQ(bad_array.Str("/error"), "InvalidJson");
  EXPECT_EQ(Post("/v1/streams/s/records", "{\"a\":1}", "application/json").status, 400);
  EXPECT_TRUE(ReadAll().empty());
}

TEST_F(RecordsApiTest, HeaderKeyAndDefaultContentKey) {
  auto r = Post("/v1/streams/s/records", "{\"a\":1}\n{\"a\":2}\n", "application/x-ndjson",
                {{"x-partition-key", "fixed"}});
  ASSERT_EQ(r.status, 200) << r.body;
  for (const auto& rec : ReadAll()) EXPECT_EQ(rec.partition_key, "fixed");

  // Both sources at once are ambiguous.
  auto both = Post("/v1/streams/s/records?partition_key=a", "{\"a\":1}\n", "application/x-ndjson",
                   {{"x-partition-key", "fixed"}});
  EXPECT_EQ(both.status, 400);
  EXPECT_EQ(Post("/v1/streams/s/records", "{\"a\":1}\n", "application/x-ndjson",
                 {{"x-partition-key", std::string(257, 'k')}})
                .status,
            400);

  // No key given: a hash of the record, the same for the same bytes.
  ASSERT_EQ(Post("/v1/streams/s/records", "{\"z\":1}\n{\"z\":1}\n{\"z\":2}\n").status, 200);
  std::map<std::string, std::vector<std::string>> keys_by_data;
  for (const auto& rec : ReadAll())
    if (rec.partition_key != "fixed") keys_by_data[rec.data].push_back(rec.partition_key);
  ASSERT_EQ(keys_by_data.size(), 2u);
  const auto& same = keys_by_data["{\"z\":1}"];
  ASSERT_EQ(same.size(), 2u);
  EXPECT_EQ(same[0], same[1]);
  EXPECT_EQ(same[0].size(), 16u);
  EXPECT_NE(keys_by_data["{\"z\":2}"][0], same[0]);
}

TEST_F(RecordsApiTest, RequestLevelErrors) {
  Open(log::LogOptions{}, RecordsApiOptions{64, 1});
  auto big = Post("/v1/streams/s/records", std::string(65, ' '));
  EXPECT_EQ(big.status, 413);
  EXPECT_EQ(big.Str("/error"), "PayloadTooLarge");
  EXPECT_NE(big.Str("/message").find("http_max_request_bytes"), std::string::npos);

  auto missing = Post("/v1/streams/nope/records", "{\"a\":1}\n");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.Str("/error"), "StreamNotFound");
  EXPECT_NE(missing.Str("/message").find("'nope'"), std::string::npos);
  EXPECT_FALSE(log_->DescribeStream("nope").ok()) << "must not auto-create";

  auto get = Post("/v1/streams/s/records", "", "", {}, "GET");
  EXPECT_EQ(get.status, 405);
  EXPECT_EQ(get.Header("allow"), "POST");

  EXPECT_EQ(Post("/v1/streams/s/records", "a,b\n", "text/csv").status, 415);
  // No Content-Type: an array or NDJSON by the first byte.
  EXPECT_EQ(Post("/v1/streams/s/records", " [{\"a\":1}]", "").Int("/accepted"), 1);
  EXPECT_EQ(Post("/v1/streams/s/records", "{\"a\":1}", "").Int("/accepted"), 1);
  EXPECT_EQ(Post("/v1/streams/s/records?partition_key=", "{\"a\":1}").status, 400);
}

TEST_F(RecordsApiTest, OtherPathsAreNotHandled) {
  for (const char* target : {"/v1/streams/s", "/v1/streams/records", "/v1/streams//records",
                             "/v1/streams/a/b/records", "/v1/jobs"}) {
    http::Request req;
    req.method = "POST";
    req.target = target;
    http::Responder respond = [](http::Response) { ADD_FAILURE() << "responded"; };
    EXPECT_FALSE(api_->Handle(req, target, respond)) << target;
  }
}

TEST_F(RecordsApiTest, OversizedRecordsFailAlone) {
  log::LogOptions lo;
  lo.max_record_bytes = 40;
  Open(lo);
  auto r =
      Post("/v1/streams/s/records", "{\"a\":1}\n{\"long\":\"" + std::string(60, 'x') + "\"}\n");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Str("/results/1/error"), "RecordTooLarge");
  EXPECT_EQ(ReadAll().size(), 1u);
}

TEST_F(RecordsApiTest, LogBackpressureIs429WithRetryAfter) {
  log::LogOptions lo;
  lo.max_pending_bytes = 1;  // every frame is larger: the log refuses all, as when full
  Open(lo, RecordsApiOptions{1 << 20, 3});
  auto r = Post("/v1/streams/s/records", "{\"a\":1}\n{\"a\":2}\n");
  EXPECT_EQ(r.status, 429) << r.body;
  EXPECT_EQ(r.Header("retry-after"), "3");
  EXPECT_EQ(r.Str("/results/0/error"), "Throttled");
  bool retryable = false;
  EXPECT_EQ(r.json.at_pointer("/results/1/retryable").get(retryable), simdjson::SUCCESS);
  EXPECT_TRUE(retryable);
  EXPECT_EQ(r.Int("/accepted"), 0);
}

TEST_F(RecordsApiTest, HttpApiRoutesIngestBeforeTheReadOnlyStreamEndpoints) {
  HttpApi http(log_.get());
  auto call = [&](const std::string& method, const std::string& target, std::string body) {
    http::Request req;
    req.method = method;
    req.target = target;
    req.headers = {{"content-type", "application/x-ndjson"}};
    req.body = std::move(body);
    std::promise<http::Response> done;
    auto fut = done.get_future();
    http.Handle(std::move(req), [&done](http::Response r) { done.set_value(std::move(r)); });
    EXPECT_EQ(fut.wait_for(std::chrono::seconds(10)), std::future_status::ready);
    return Parse(fut.get());
  };
  auto posted = call("POST", "/v1/streams/s/records?partition_key=k", "{\"k\":\"x\"}\n");
  EXPECT_EQ(posted.status, 200) << posted.body;
  EXPECT_EQ(call("GET", "/v1/streams/s/records", "").status, 405);
  auto stream = call("GET", "/v1/streams/s", "");
  EXPECT_EQ(stream.status, 200);
  EXPECT_EQ(stream.Int("/records"), 1);
}

}  // namespace
}  // namespace fluxgate::web
