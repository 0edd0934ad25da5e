#include "auth/sigv4.h"

#include <gtest/gtest.h>

namespace fluxgate::sigv4 {
namespace {

constexpr char kSecret[] = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
constexpr char kDate[] = "20150830T123600Z";
// 2015-08-30T12:36:00Z, the instant every vector of the official suite is signed at.
const auto kVectorTime = std::chrono::system_clock::from_time_t(1440938160);

// Official aws-sig-v4-test-suite case `post-vanilla` (service "service").
TEST(SigV4Test, PostVanillaVector) {
  std::vector<http::Header> headers = {{"host", "example.amazonaws.com"}, {"x-amz-date", kDate}};
  CanonicalRequestParts parts;
  parts.method = "POST";
  parts.target = "/";
  parts.headers = &headers;
  parts.signed_headers = "host;x-amz-date";
  std::string payload_hash = Sha256Hex("");
  parts.payload_hash = payload_hash;
  auto canonical = BuildCanonicalRequest(parts);
  ASSERT_TRUE(canonical.ok()) << canonical.status().ToString();
  EXPECT_EQ(*canonical,
            "POST\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\n"
            "host;x-amz-date\n"
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Sha256Hex(*canonical),
            "553f88c9e4d10fc9e109e2aeb65f030801b70c2f6468faca261d401ae622fc87");

  Scope scope{"20150830", "us-east-1", "service"};
  std::string sts = BuildStringToSign(kDate, scope, *canonical);
  EXPECT_EQ(sts,
            "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n"
            "553f88c9e4d10fc9e109e2aeb65f030801b70c2f6468faca261d401ae622fc87");
  EXPECT_EQ(ComputeSignature(DeriveSigningKey(kSecret, scope), sts),
            "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b");
}

// botocore SigV4Auth output for a Kinesis CreateStream against localhost:4567 (reference §5).
TEST(SigV4Test, KinesisCreateStreamVector) {
  const std::string body = R"({"StreamName": "test", "ShardCount": 1})";
  EXPECT_EQ(Sha256Hex(body), "29d8f629303bc706020d7f14983bbeb770109da3be4ed715dc605ff069092214");
  std::vector<http::Header> headers = {{"Content-Type", "application/x-amz-json-1.1"},
                                       {"X-Amz-Target", "Kinesis_20131202.CreateStream"},
                                       {"X-Amz-Date", kDate},
                                       {"host", "localhost:4567"}};
  std::string payload_hash = Sha256Hex(body);
  CanonicalRequestParts parts;
  parts.method = "POST";
  parts.target = "/";
  parts.headers = &headers;
  parts.signed_headers = "content-type;host;x-amz-date;x-amz-target";
  parts.payload_hash = payload_hash;
  auto canonical = BuildCanonicalRequest(parts);
  ASSERT_TRUE(canonical.ok());
  EXPECT_EQ(Sha256Hex(*canonical),
            "40721fbba11400e170d1839130989a8704a78e765a484d2dcf16f72a35ee6a22");
  Scope scope{"20150830", "us-east-1", "kinesis"};
  EXPECT_EQ(ComputeSignature(DeriveSigningKey(kSecret, scope),
                             BuildStringToSign(kDate, scope, *canonical)),
            "b8505d88eb97749bc5d164735e5de6dff4417635c1c276db5d01d1f78235437d");
}

// The whole-request signer must land on the same signature as the step-by-step vector.
TEST(SigV4Test, SignRequestMatchesKinesisVector) {
  const std::string body = R"({"StreamName": "test", "ShardCount": 1})";
  std::vector<http::Header> headers = {{"content-type", "application/x-amz-json-1.1"},
                                       {"host", "localhost:4567"},
                                       {"x-amz-target", "Kinesis_20131202.CreateStream"}};
  Credentials creds{"AKIDEXAMPLE", kSecret, ""};
  ASSERT_TRUE(
      SignRequest(creds, "us-east-1", "kinesis", kVectorTime, "POST", "/", &headers, body).ok());
  ASSERT_EQ(headers.size(), 5u);
  EXPECT_EQ(headers[3].name, "x-amz-date");
  EXPECT_EQ(headers[3].value, kDate);
  EXPECT_EQ(headers[4].name, "authorization");
  EXPECT_EQ(headers[4].value,
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/kinesis/aws4_request, "
            "SignedHeaders=content-type;host;x-amz-date;x-amz-target, "
            "Signature=b8505d88eb97749bc5d164735e5de6dff4417635c1c276db5d01d1f78235437d");
}

TEST(SigV4Test, SignRequestNeedsHost) {
  std::vector<http::Header> headers = {{"content-type", "application/x-amz-json-1.1"}};
  EXPECT_TRUE(
      SignRequest({"a", "b", ""}, "us-east-1", "kinesis", kVectorTime, "POST", "/", &headers, "{}")
          .IsInvalidArgument());
}

TEST(SigV4Test, SessionTokenIsSigned) {
  std::vector<http::Header> headers = {{"host", "h"}};
  ASSERT_TRUE(SignRequest({"a", "b", "tok"}, "us-east-1", "kinesis", kVectorTime, "POST", "/",
                          &headers, "{}")
                  .ok());
  auto auth = ParseAuthorization(headers.back().value);
  ASSERT_TRUE(auth.ok());
  EXPECT_EQ(auth->signed_headers, "host;x-amz-date;x-amz-security-token");
}

TEST(SigV4Test, ParseAuthorizationRoundTrip) {
  auto auth = ParseAuthorization(
      "AWS4-HMAC-SHA256 Credential=AKID/20150830/eu-west-1/kinesis/aws4_request, "
      "SignedHeaders=content-type;host, Signature=abcd");
  ASSERT_TRUE(auth.ok()) << auth.status().ToString();
  EXPECT_EQ(auth->access_key, "AKID");
  EXPECT_EQ(auth->scope.date, "20150830");
  EXPECT_EQ(auth->scope.region, "eu-west-1");
  EXPECT_EQ(auth->scope.service, "kinesis");
  EXPECT_EQ(auth->signed_headers, "content-type;host");
  EXPECT_EQ(auth->signature, "abcd");
  EXPECT_EQ(FormatAuthorization(*auth),
            "AWS4-HMAC-SHA256 Credential=AKID/20150830/eu-west-1/kinesis/aws4_request, "
            "SignedHeaders=content-type;host, Signature=abcd");
}

TEST(SigV4Test, ParseAuthorizationRejectsIncomplete) {
  EXPECT_FALSE(ParseAuthorization("Basic dXNlcjpwYXNz").ok());
  EXPECT_FALSE(ParseAuthorization("AWS4-HMAC-SHA256 Credential=A/20150830/r/s/aws4_request, "
                                  "SignedHeaders=host")
                   .ok());
  EXPECT_FALSE(ParseAuthorization("AWS4-HMAC-SHA256 Credential=A/2015/r/s/aws4_request, "
                                  "SignedHeaders=host, Signature=ab")
                   .ok());
}

TEST(SigV4Test, MissingSignedHeaderIsAnError) {
  std::vector<http::Header> headers = {{"host", "h"}};
  CanonicalRequestParts parts;
  parts.method = "POST";
  parts.target = "/";
  parts.headers = &headers;
  parts.signed_headers = "host;x-amz-date";
  EXPECT_TRUE(BuildCanonicalRequest(parts).status().IsInvalidArgument());
}

TEST(SigV4Test, HeaderValuesAreTrimmedCollapsedAndJoined) {
  EXPECT_EQ(CanonicalHeaderValue("  a   b  c "), "a b c");
  std::vector<http::Header> headers = {{"host", "h"}, {"My-Header", " v1 "}, {"my-header", "v2"}};
  CanonicalRequestParts parts;
  parts.method = "GET";
  parts.target = "/";
  parts.headers = &headers;
  parts.signed_headers = "host;my-header";
  auto canonical = BuildCanonicalRequest(parts);
  ASSERT_TRUE(canonical.ok());
  EXPECT_NE(canonical->find("my-header:v1,v2\n"), std::string::npos);
}

TEST(SigV4Test, QueryAndPathEncoding) {
  EXPECT_EQ(CanonicalQueryString("b=2&a=1&a=0"), "a=0&a=1&b=2");
  EXPECT_EQ(CanonicalQueryString("k=a b&x=%7e"), "k=a%20b&x=~");
  EXPECT_EQ(CanonicalQueryString(""), "");
  EXPECT_EQ(UriEncode("a/b c*", true), "a/b%20c%2A");
  EXPECT_EQ(UriEncode("a/b", false), "a%2Fb");
  EXPECT_EQ(CanonicalUri("/my%20doc"), "/my%2520doc");
  EXPECT_EQ(CanonicalUri("/my%20doc", false), "/my%20doc");
  EXPECT_EQ(CanonicalUri(""), "/");
}

TEST(SigV4Test, SignedHeadersSortedLowerUnique) {
  EXPECT_EQ(SignedHeadersString({"X-Amz-Date", "Host", "content-type", "host"}),
            "content-type;host;x-amz-date");
  EXPECT_EQ(SplitSignedHeaders("a;b;;c"), (std::vector<std::string>{"a", "b", "c"}));
}

TEST(SigV4Test, ConstantTimeEquals) {
  EXPECT_TRUE(ConstantTimeEquals("abc", "abc"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abd"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "ab"));
}

TEST(SigV4Test, AmzDateFormat) { EXPECT_EQ(FormatAmzDate(kVectorTime), kDate); }

}  // namespace
}  // namespace fluxgate::sigv4
