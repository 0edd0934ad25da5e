// The request envelope: method, target, content type, body parsing, error shape.
#include "api_test_util.h"
#include "kinesis/cbor.h"

namespace fluxgate::kinesis::testing {
namespace {

using EnvelopeTest = ApiTest;

TEST_F(EnvelopeTest, SuccessCarriesContentTypeAndRequestId) {
  auto r = Call("ListStreams", "{}");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "application/x-amz-json-1.1");
  ASSERT_EQ(r.request_id.size(), 36u);
  EXPECT_EQ(r.request_id[14], '4');  // UUID version 4
  EXPECT_NE(Call("ListStreams", "{}").request_id, r.request_id);
}

TEST_F(EnvelopeTest, PlainJsonIsAcceptedAndEchoed) {
  http::Request req;
  req.method = "POST";
  req.headers = {{"content-type", "application/json"},
                 {"x-amz-target", "Kinesis_20131202.ListStreams"}};
  req.body = "{}";
  auto r = Raw(std::move(req));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "application/json");
}

TEST_F(EnvelopeTest, UnknownOperation) {
  auto r = Call("FlyToTheMoon", "{}");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.Type(), "UnknownOperationException");
}

TEST_F(EnvelopeTest, MissingTargetAndWrongMethod) {
  http::Request req;
  req.method = "POST";
  req.headers = {{"content-type", "application/x-amz-json-1.1"}};
  EXPECT_EQ(Raw(std::move(req)).Type(), "UnknownOperationException");
  http::Request get;
  get.method = "GET";
  get.headers = {{"x-amz-target", "Kinesis_20131202.ListStreams"}};
  auto r = Raw(std::move(get));
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.Type(), "UnknownOperationException");
}

TEST_F(EnvelopeTest, OtherContentTypesAreRejected) {
  for (const char* ct : {"text/plain", "application/xml"}) {
    http::Request req;
    req.method = "POST";
    req.headers = {{"content-type", ct}, {"x-amz-target", "Kinesis_20131202.ListStreams"}};
    req.body = "{}";
    auto r = Raw(std::move(req));
    EXPECT_EQ(r.status, 400) << ct;
    EXPECT_EQ(r.Type(), "UnknownOperationException") << ct;
  }
}

// The Java SDK's default: a CBOR body is answered in CBOR (an empty map asks ListStreams
// for everything: {"HasMoreStreams": false, "StreamNames": [], ...}).
TEST_F(EnvelopeTest, CborIsAnsweredInCbor) {
  http::Request req;
  req.method = "POST";
  req.headers = {{"content-type", "application/x-amz-cbor-1.1"},
                 {"x-amz-target", "Kinesis_20131202.ListStreams"}};
  req.body = std::string("\xa0", 1);  // {}
  auto r = Raw(std::move(req));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "application/x-amz-cbor-1.1");
  auto text = cbor::ToDiagnostic(r.body);
  ASSERT_TRUE(text.ok()) << text.status().message();
  EXPECT_NE(text->find("\"HasMoreStreams\": false"), std::string::npos) << *text;
}

TEST_F(EnvelopeTest, MalformedJsonAndWrongTypesAreSerializationErrors) {
  EXPECT_EQ(Call("ListStreams", "{not json").Type(), "SerializationException");
  EXPECT_EQ(Call("ListStreams", "[1,2]").Type(), "SerializationException");
  auto r = Call("CreateStream", R"({"StreamName":"s","ShardCount":"1"})");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.Type(), "SerializationException");
  EXPECT_EQ(r.Message(), "STRING_VALUE can not be converted to an Integer");
  EXPECT_EQ(Call("CreateStream", R"({"StreamName":5,"ShardCount":1})").Type(),
            "SerializationException");
  EXPECT_EQ(Call("CreateStream", R"({"StreamName":{},"ShardCount":1})").Type(),
            "SerializationException");
}

TEST_F(EnvelopeTest, EmptyBodyCountsAsEmptyObject) {
  auto r = Call("ListStreams", "");
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Size("/StreamNames"), 0u);
}

TEST_F(EnvelopeTest, StubsAnswerPolitely) {
  CreateStream("s", 1);
  auto r = Call("EnableEnhancedMonitoring", R"({"StreamName":"s","ShardLevelMetrics":["ALL"]})");
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Size("/CurrentShardLevelMetrics"), 0u);
  auto e = Call("StartStreamEncryption",
                R"({"StreamName":"s","EncryptionType":"KMS","KeyId":"alias/aws/kinesis"})");
  EXPECT_EQ(e.Type(), "InvalidArgumentException");
  EXPECT_EQ(Call("SubscribeToShard", "{}").Type(), "InvalidArgumentException");
  auto c = Call("ListStreamConsumers",
                R"({"StreamARN":"arn:aws:kinesis:us-east-1:000000000000:stream/s"})");
  EXPECT_EQ(c.Size("/Consumers"), 0u);
}

}  // namespace
}  // namespace fluxgate::kinesis::testing
