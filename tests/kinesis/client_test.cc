#include "kinesis/client.h"

#include <gtest/gtest.h>

#include <deque>
#include <mutex>

#include "http/http_test_util.h"
#include "http/server.h"
#include "http/tls_test_util.h"
#include "auth/sigv4.h"

namespace fluxgate::kinesis {
namespace {

// Records each request and answers from a queue of canned responses.
class FakeTransport final : public Transport {
 public:
  struct Sent {
    std::string target;
    std::vector<http::Header> headers;
    std::string body;
    std::string Header(std::string_view name) const {
      for (const auto& h : headers)
        if (h.name == name) return h.value;
      return {};
    }
  };
  FakeTransport(std::vector<Sent>* sent, std::deque<http::Response>* replies)
      : sent_(sent), replies_(replies) {}
  Result<http::Response> Do(const std::string&, const std::string& target,
                            const std::vector<http::Header>& headers,
                            const std::string& body) override {
    sent_->push_back({target, headers, body});
    if (replies_->empty()) return Status::IOError("no reply queued");
    http::Response r = replies_->front();
    replies_->pop_front();
    return r;
  }

 private:
  std::vector<Sent>* sent_;
  std::deque<http::Response>* replies_;
};

http::Response Reply(int status, std::string body) {
  http::Response r;
  r.status = status;
  r.content_type = "application/x-amz-json-1.1";
  r.body = std::move(body);
  return r;
}

class ClientTest : public ::testing::Test {
 protected:
  ClientTest() {
    ClientOptions options;
    options.access_key = "AKIDEXAMPLE";
    options.secret_key = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    client_ = std::make_unique<KinesisClient>(
        options, std::make_unique<FakeTransport>(&sent_, &replies_), "localhost:4567");
    client_->SetClockForTest([] { return std::chrono::system_clock::from_time_t(1440938160); });
  }
  std::vector<FakeTransport::Sent> sent_;
  std::deque<http::Response> replies_;
  std::unique_ptr<KinesisClient> client_;
};

TEST_F(ClientTest, RequestsAreSignedJson11) {
  replies_.push_back(Reply(200, ""));
  ASSERT_TRUE(client_->CreateStream("test", 1).ok());
  ASSERT_EQ(sent_.size(), 1u);
  const auto& req = sent_[0];
  EXPECT_EQ(req.target, "/");
  EXPECT_EQ(req.body, R"({"StreamName":"test","ShardCount":1})");
  EXPECT_EQ(req.Header("x-amz-target"), "Kinesis_20131202.CreateStream");
  EXPECT_EQ(req.Header("content-type"), "application/x-amz-json-1.1");
  EXPECT_EQ(req.Header("x-amz-date"), "20150830T123600Z");

  // Verify the signature the way the server will: rebuild from what was sent.
  auto auth = sigv4::ParseAuthorization(req.Header("authorization"));
  ASSERT_TRUE(auth.ok());
  EXPECT_EQ(auth->access_key, "AKIDEXAMPLE");
  EXPECT_EQ(auth->scope.ToString(), "20150830/us-east-1/kinesis/aws4_request");
  EXPECT_EQ(auth->signed_headers, "content-type;host;x-amz-date;x-amz-target");
  std::string payload_hash = sigv4::Sha256Hex(req.body);
  sigv4::CanonicalRequestParts parts;
  parts.method = "POST";
  parts.target = "/";
  parts.headers = &req.headers;
  parts.signed_headers = auth->signed_headers;
  parts.payload_hash = payload_hash;
  auto canonical = sigv4::BuildCanonicalRequest(parts);
  ASSERT_TRUE(canonical.ok());
  std::string expected = sigv4::ComputeSignature(
      sigv4::DeriveSigningKey("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", auth->scope),
      sigv4::BuildStringToSign("20150830T123600Z", auth->scope, *canonical));
  EXPECT_EQ(auth->signature, expected);
}

TEST_F(ClientTest, ErrorTypeBecomesStatus) {
  replies_.push_back(Reply(
      400,
      R"({"__type":"ResourceNotFoundException","message":"Stream s under account 000000000000 not found."})"));
  auto s = client_->DescribeStreamSummary("s");
  ASSERT_FALSE(s.ok());
  EXPECT_TRUE(s.status().IsNotFound());
  EXPECT_EQ(s.status().message(),
            "ResourceNotFoundException: Stream s under account 000000000000 not found.");

  replies_.push_back(
      Reply(400, R"({"__type":"com.amazon.coral#ProvisionedThroughputExceededException:x",
                     "Message":"Rate exceeded"})"));
  auto t = client_->DescribeStreamSummary("s");
  EXPECT_EQ(t.status().code(), Status::Code::kThrottled);
  EXPECT_EQ(t.status().message(), "ProvisionedThroughputExceededException: Rate exceeded");

  replies_.push_back(Reply(400, R"({"__type":"ResourceInUseException","message":"exists"})"));
  EXPECT_EQ(client_->CreateStream("s", 1).code(), Status::Code::kResourceBusy);

  replies_.push_back(Reply(503, "Service Unavailable"));
  EXPECT_EQ(client_->CreateStream("s", 1).code(), Status::Code::kUnavailable);
}

TEST_F(ClientTest, DescribeStreamSummary) {
  replies_.push_back(Reply(200, R"({"StreamDescriptionSummary":{"StreamName":"s",
      "StreamARN":"arn:aws:kinesis:us-east-1:000000000000:stream/s","StreamStatus":"ACTIVE",
      "RetentionPeriodHours":24,"OpenShardCount":4,"StreamCreationTimestamp":1.7E9}})"));
  auto s = client_->DescribeStreamSummary("s");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->status, "ACTIVE");
  EXPECT_EQ(s->open_shard_count, 4);
  EXPECT_EQ(s->retention_period_hours, 24);
  EXPECT_EQ(s->stream_arn, "arn:aws:kinesis:us-east-1:000000000000:stream/s");
}

TEST_F(ClientTest, ListShardsFollowsNextToken) {
  replies_.push_back(Reply(200, R"({"Shards":[{"ShardId":"shardId-000000000000",
      "HashKeyRange":{"StartingHashKey":"0","EndingHashKey":"1"},
      "SequenceNumberRange":{"StartingSequenceNumber":"49"}}],"NextToken":"tok"})"));
  replies_.push_back(Reply(200, R"({"Shards":[{"ShardId":"shardId-000000000001",
      "HashKeyRange":{"StartingHashKey":"2","EndingHashKey":"3"},
      "SequenceNumberRange":{"StartingSequenceNumber":"50","EndingSequenceNumber":"60"}}]})"));
  auto shards = client_->ListShards("s");
  ASSERT_TRUE(shards.ok()) << shards.status().ToString();
  ASSERT_EQ(shards->size(), 2u);
  EXPECT_EQ((*shards)[0].shard_id, "shardId-000000000000");
  EXPECT_EQ((*shards)[0].ending_hash_key, "1");
  EXPECT_EQ((*shards)[1].ending_sequence_number, "60");
  ASSERT_EQ(sent_.size(), 2u);
  EXPECT_EQ(sent_[1].body, R"({"NextToken":"tok"})");
}

TEST_F(ClientTest, PutRecordsPerRecordResults) {
  replies_.push_back(Reply(200, R"({"FailedRecordCount":1,"Records":[
      {"SequenceNumber":"4959","ShardId":"shardId-000000000000"},
      {"ErrorCode":"ProvisionedThroughputExceededException","ErrorMessage":"Rate exceeded"}]})"));
  std::vector<PutRecordsEntry> entries = {{"hello\x00\xff", "pk\"1"}, {"{}", "pk2"}};
  entries[0].data = std::string("hello\0\xff", 7);
  auto r = client_->PutRecords("s", entries);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->failed_record_count, 1);
  ASSERT_EQ(r->records.size(), 2u);
  EXPECT_TRUE(r->records[0].ok());
  EXPECT_EQ(r->records[0].shard_id, "shardId-000000000000");
  EXPECT_EQ(r->records[0].sequence_number, "4959");
  EXPECT_FALSE(r->records[1].ok());
  EXPECT_EQ(r->records[1].error_code, "ProvisionedThroughputExceededException");
  EXPECT_EQ(sent_[0].body,
            R"({"StreamName":"s","Records":[{"Data":"aGVsbG8A/w==","PartitionKey":"pk\"1"},)"
            R"({"Data":"e30=","PartitionKey":"pk2"}]})");
}

TEST_F(ClientTest, PutRecordsRejectsBadSizesAndMismatchedReplies) {
  EXPECT_TRUE(client_->PutRecords("s", {}).status().IsInvalidArgument());
  EXPECT_TRUE(client_->PutRecords("s", std::vector<PutRecordsEntry>(501, {"x", "k"}))
                  .status()
                  .IsInvalidArgument());
  EXPECT_TRUE(sent_.empty());
  replies_.push_back(Reply(200, R"({"FailedRecordCount":0,"Records":[]})"));
  EXPECT_TRUE(client_->PutRecords("s", {{"x", "k"}}).status().IsCorruption());
}

TEST_F(ClientTest, IteratorAndGetRecords) {
  replies_.push_back(Reply(200, R"({"ShardIterator":"AAAA"})"));
  auto it = client_->GetShardIterator("s", "shardId-000000000000", "TRIM_HORIZON");
  ASSERT_TRUE(it.ok());
  EXPECT_EQ(*it, "AAAA");
  EXPECT_EQ(
      sent_[0].body,
      R"({"StreamName":"s","ShardId":"shardId-000000000000","ShardIteratorType":"TRIM_HORIZON"})");

  replies_.push_back(Reply(200, R"({"Records":[{"SequenceNumber":"1","PartitionKey":"k",
      "Data":"aGk=","ApproximateArrivalTimestamp":1441215410.867}],
      "NextShardIterator":"BBBB","MillisBehindLatest":0})"));
  auto got = client_->GetRecords(*it, 100);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  ASSERT_EQ(got->records.size(), 1u);
  EXPECT_EQ(got->records[0].data, "hi");
  EXPECT_DOUBLE_EQ(got->records[0].approximate_arrival, 1441215410.867);
  EXPECT_EQ(got->next_shard_iterator, "BBBB");
  EXPECT_EQ(sent_[1].body, R"({"ShardIterator":"AAAA","Limit":100})");
}

TEST_F(ClientTest, WaitForActivePolls) {
  replies_.push_back(Reply(200, R"({"StreamDescriptionSummary":{"StreamStatus":"CREATING"}})"));
  replies_.push_back(Reply(200, R"({"StreamDescriptionSummary":{"StreamStatus":"ACTIVE"}})"));
  EXPECT_TRUE(
      client_->WaitForActive("s", std::chrono::seconds(5), std::chrono::milliseconds(1)).ok());
  EXPECT_EQ(sent_.size(), 2u);
}

TEST_F(ClientTest, WaitForActiveTimesOut) {
  for (int i = 0; i < 1000; ++i)
    replies_.push_back(Reply(200, R"({"StreamDescriptionSummary":{"StreamStatus":"CREATING"}})"));
  auto st =
      client_->WaitForActive("s", std::chrono::milliseconds(20), std::chrono::milliseconds(5));
  EXPECT_EQ(st.code(), Status::Code::kUnavailable);
}

TEST_F(ClientTest, MalformedReplyIsCorruption) {
  replies_.push_back(Reply(200, "not json"));
  EXPECT_TRUE(client_->DescribeStreamSummary("s").status().IsCorruption());
}

// The real transport against an in-process HTTPS server with a self-signed certificate.
class HttpsClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(certs_.Make("server"));
    ASSERT_TRUE(certs_.Make("other"));
    server_ = http::testing::MustStart(
        certs_.ServerTls("server"), [this](http::Request&& req, http::Responder respond) {
          {
            std::lock_guard<std::mutex> lock(mu_);
            received_.push_back(std::move(req));
          }
          respond(Reply(200, R"({"StreamDescriptionSummary":{"StreamName":"s",)"
                             R"("StreamStatus":"ACTIVE","OpenShardCount":2}})"));
        });
    ASSERT_TRUE(server_);
  }
  Result<std::unique_ptr<KinesisClient>> Connect(const std::string& ca_file) {
    ClientOptions options;
    options.endpoint = "https://127.0.0.1:" + std::to_string(server_->port());
    options.ca_file = ca_file;
    options.timeout_ms = 10'000;
    return KinesisClient::Create(options);
  }
  std::vector<http::Request> Received() {
    std::lock_guard<std::mutex> lock(mu_);
    return received_;
  }

  http::testing::TestCerts certs_;
  std::mutex mu_;
  std::vector<http::Request> received_;
  std::unique_ptr<http::Server> server_;
};

TEST_F(HttpsClientTest, HttpsEndpointTrustedThroughCaFile) {
  auto client = Connect(certs_.Cert("server"));
  ASSERT_TRUE(client.ok()) << client.status().ToString();
  auto summary = (*client)->DescribeStreamSummary("s");
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  EXPECT_EQ(summary->status, "ACTIVE");
  EXPECT_EQ(summary->open_shard_count, 2);
  auto reqs = Received();
  ASSERT_EQ(reqs.size(), 1u);
  // Signed for exactly the Host header that arrived (the server verifies against it).
  EXPECT_EQ(reqs[0].Get("host"), "127.0.0.1:" + std::to_string(server_->port()));
  EXPECT_NE(reqs[0].Get("authorization").find("SignedHeaders="), std::string::npos);
  EXPECT_EQ(reqs[0].Get("x-amz-target"), "Kinesis_20131202.DescribeStreamSummary");
}

TEST_F(HttpsClientTest, UntrustedCertificateFailsTheCall) {
  auto client = Connect(certs_.Cert("other"));
  ASSERT_TRUE(client.ok()) << client.status().ToString();
  auto summary = (*client)->DescribeStreamSummary("s");
  ASSERT_FALSE(summary.ok());
  EXPECT_EQ(summary.status().code(), Status::Code::kIOError);
  EXPECT_NE(summary.status().message().find("not trusted"), std::string::npos)
      << summary.status().ToString();
  EXPECT_TRUE(Received().empty());
}

TEST_F(HttpsClientTest, UnreadableCaFileIsNamed) {
  const std::string missing = certs_.dir() + "/missing.crt";
  auto client = Connect(missing);
  ASSERT_TRUE(client.ok()) << client.status().ToString();
  auto summary = (*client)->DescribeStreamSummary("s");
  ASSERT_FALSE(summary.ok());
  EXPECT_NE(summary.status().message().find(missing), std::string::npos)
      << summary.status().ToString();
}

TEST(WireTest, JsonStringEscaping) {
  std::string out;
  wire::AppendJsonString("a\"b\\c\n\x01°", &out);
  EXPECT_EQ(out, "\"a\\\"b\\\\c\\n\\u0001°\"");
}

}  // namespace
}  // namespace fluxgate::kinesis
