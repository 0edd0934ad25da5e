#include "auth/verifier.h"

#include <gtest/gtest.h>

#include "auth/sigv4.h"

namespace fluxgate::auth {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;

constexpr char kSecret[] = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
constexpr char kDate[] = "20150830T123600Z";
// 2015-08-30T12:36:00Z, the instant every vector of AWS's SigV4 test suite is signed at.
const auto kVectorTime = std::chrono::system_clock::from_time_t(1440938160);

SigV4Verifier MakeVerifier(std::string region = "us-east-1") {
  std::vector<Principal> principals;
  principals.push_back(Principal{"AKIDEXAMPLE", kSecret, Permissions({"*"}, {}), "arn:user"});
  principals.push_back(Principal{"AKIDOTHER", "other-secret", Permissions({"*"}, {}), "arn:o"});
  VerifierOptions o;
  o.region = std::move(region);
  return SigV4Verifier(std::move(principals), o);
}

http::Request Request(std::string method, std::string target, std::vector<http::Header> headers,
                      std::string body = "") {
  http::Request r;
  r.method = std::move(method);
  r.target = std::move(target);
  r.headers = std::move(headers);
  r.body = std::move(body);
  return r;
}

// A Kinesis request as our client (and botocore) signs it.
http::Request Signed(const std::string& access_key, const std::string& secret,
                     const std::string& region, const std::string& service,
                     std::chrono::system_clock::time_point at,
                     const std::string& body = R"({"StreamName":"s","Data":"eA==",)"
                                               R"("PartitionKey":"k"})") {
  std::vector<http::Header> headers = {{"content-type", "application/x-amz-json-1.1"},
                                       {"host", "localhost:4567"},
                                       {"x-amz-target", "Kinesis_20131202.PutRecord"}};
  EXPECT_TRUE(
      sigv4::SignRequest({access_key, secret, ""}, region, service, at, "POST", "/", &headers, body)
          .ok());
  return Request("POST", "/", std::move(headers), body);
}

void ExpectRefused(const Verdict& v, const std::string& type, const std::string& message) {
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.refusal.type, type);
  EXPECT_EQ(v.refusal.message, message);
  EXPECT_EQ(v.refusal.http_status, 400);
}

constexpr char kMismatch[] =
    "The request signature we calculated does not match the signature you provided. Check "
    "your AWS Secret Access Key and signing method. Consult the service documentation for "
    "details.";

// --- AWS SigV4 test-suite vectors, verified rather than produced -------------------------

TEST(VerifierVectorTest, GetVanilla) {
  auto r =
      Request("GET", "/",
              {{"host", "example.amazonaws.com"},
               {"x-amz-date", kDate},
               {"authorization",
                "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/"
                "aws4_request, SignedHeaders=host;x-amz-date, "
                "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"}});
  SigV4Verifier verifier = MakeVerifier();
  Verdict v = verifier.Verify(r, "service", kVectorTime);
  ASSERT_TRUE(v.ok()) << v.refusal.message;
  EXPECT_EQ(v.principal->access_key_id, "AKIDEXAMPLE");
}

TEST(VerifierVectorTest, PostVanilla) {
  auto r =
      Request("POST", "/",
              {{"host", "example.amazonaws.com"},
               {"x-amz-date", kDate},
               {"authorization",
                "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/"
                "aws4_request, SignedHeaders=host;x-amz-date, "
                "Signature=5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"}});
  EXPECT_TRUE(MakeVerifier().Verify(r, "service", kVectorTime).ok());
}

TEST(VerifierVectorTest, GetVanillaQueryOrderKeyCase) {
  auto r =
      Request("GET", "/?Param2=value2&Param1=value1",
              {{"host", "example.amazonaws.com"},
               {"x-amz-date", kDate},
               {"authorization",
                "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/"
                "aws4_request, SignedHeaders=host;x-amz-date, "
                "Signature=b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"}});
  EXPECT_TRUE(MakeVerifier().Verify(r, "service", kVectorTime).ok());
}

TEST(VerifierVectorTest, PostXWwwFormUrlencoded) {
  auto r = Request("POST", "/",
                   {{"content-type", "application/x-www-form-urlencoded"},
                    {"host", "example.amazonaws.com"},
                    {"x-amz-date", kDate},
                    {"authorization",
                     "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/"
                     "aws4_request, SignedHeaders=content-type;host;x-amz-date, "
                     "Signature=ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a"}},
                   "Param1=value1");
  EXPECT_TRUE(MakeVerifier().Verify(r, "service", kVectorTime).ok());
}

// botocore's signature of a Kinesis CreateStream (the vector of tests/auth/sigv4_test.cc).
TEST(VerifierVectorTest, BotocoreKinesisCreateStream) {
  auto r =
      Request("POST", "/",
              {{"content-type", "application/x-amz-json-1.1"},
               {"x-amz-target", "Kinesis_20131202.CreateStream"},
               {"x-amz-date", kDate},
               {"host", "localhost:4567"},
               {"authorization",
                "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/kinesis/aws4_request, "
                "SignedHeaders=content-type;host;x-amz-date;x-amz-target, "
                "Signature=b8505d88eb97749bc5d164735e5de6dff4417635c1c276db5d01d1f78235437d"}},
              R"({"StreamName": "test", "ShardCount": 1})");
  EXPECT_TRUE(MakeVerifier().Verify(r, "kinesis", kVectorTime).ok());
  // The same request with one byte of the body changed.
  r.body = R"({"StreamName": "tesT", "ShardCount": 1})";
  ExpectRefused(MakeVerifier().Verify(r, "kinesis", kVectorTime), "InvalidSignatureException",
                kMismatch);
}

// --- Every refusal ---------------------------------------------------------------------------

TEST(VerifierTest, RightKeysPass) {
  SigV4Verifier verifier = MakeVerifier();
  auto v = verifier.Verify(Signed("AKIDOTHER", "other-secret", "us-east-1", "kinesis", kVectorTime),
                           "kinesis", kVectorTime);
  ASSERT_TRUE(v.ok()) << v.refusal.message;
  EXPECT_EQ(v.principal->access_key_id, "AKIDOTHER");
}

TEST(VerifierTest, WrongSecret) {
  ExpectRefused(MakeVerifier().Verify(
                    Signed("AKIDEXAMPLE", "not-the-secret", "us-east-1", "kinesis", kVectorTime),
                    "kinesis", kVectorTime),
                "InvalidSignatureException", kMismatch);
}

TEST(VerifierTest, OtherPrincipalsSecret) {
  ExpectRefused(MakeVerifier().Verify(
                    Signed("AKIDEXAMPLE", "other-secret", "us-east-1", "kinesis", kVectorTime),
                    "kinesis", kVectorTime),
                "InvalidSignatureException", kMismatch);
}

TEST(VerifierTest, WrongRegion) {
  ExpectRefused(
      MakeVerifier().Verify(Signed("AKIDEXAMPLE", kSecret, "eu-west-1", "kinesis", kVectorTime),
                            "kinesis", kVectorTime),
      "InvalidSignatureException",
      "Credential should be scoped to a valid region, not 'eu-west-1'.");
}

TEST(VerifierTest, ConfiguredRegionIsTheOneAccepted) {
  auto signed_eu = Signed("AKIDEXAMPLE", kSecret, "eu-west-1", "kinesis", kVectorTime);
  EXPECT_TRUE(MakeVerifier("eu-west-1").Verify(signed_eu, "kinesis", kVectorTime).ok());
}

TEST(VerifierTest, WrongService) {
  ExpectRefused(
      MakeVerifier().Verify(Signed("AKIDEXAMPLE", kSecret, "us-east-1", "dynamodb", kVectorTime),
                            "kinesis", kVectorTime),
      "InvalidSignatureException", "Credential should be scoped to correct service: 'kinesis'.");
  // The HTTP API's service does not open the Kinesis API, nor the reverse.
  auto for_http = Signed("AKIDEXAMPLE", kSecret, "us-east-1", "fluxgate", kVectorTime);
  EXPECT_FALSE(MakeVerifier().Verify(for_http, "kinesis", kVectorTime).ok());
  EXPECT_TRUE(MakeVerifier().Verify(for_http, "fluxgate", kVectorTime).ok());
}

TEST(VerifierTest, StaleTimestamp) {
  auto r = Signed("AKIDEXAMPLE", kSecret, "us-east-1", "kinesis", kVectorTime);
  ExpectRefused(MakeVerifier().Verify(r, "kinesis", kVectorTime + minutes(6)),
                "InvalidSignatureException",
                "Signature expired: 20150830T123600Z is now earlier than 20150830T123700Z "
                "(20150830T124200Z - 5 min.)");
  // Within AWS's five minutes either way it is fine.
  EXPECT_TRUE(MakeVerifier().Verify(r, "kinesis", kVectorTime + minutes(5)).ok());
  EXPECT_TRUE(MakeVerifier().Verify(r, "kinesis", kVectorTime - minutes(5)).ok());
}

TEST(VerifierTest, TimestampFromTheFuture) {
  auto r = Signed("AKIDEXAMPLE", kSecret, "us-east-1", "kinesis", kVectorTime);
  ExpectRefused(MakeVerifier().Verify(r, "kinesis", kVectorTime - minutes(5) - seconds(1)),
                "InvalidSignatureException",
                "Signature not yet current: 20150830T123600Z is still later than "
                "20150830T123559Z (20150830T123059Z + 5 min.)");
}

TEST(VerifierTest, TamperedBody) {
  auto r = Signed("AKIDEXAMPLE", kSecret, "us-east-1", "kinesis", kVectorTime);
  r.body[r.body.size() - 3] = 'X';
  ExpectRefused(MakeVerifier().Verify(r, "kinesis", kVectorTime), "InvalidSignatureException",
                kMismatch);
}

TEST(VerifierTest, TamperedSignedHeader) {
  auto r = Signed("AKIDEXAMPLE", kSecret, "us-east-1", "kinesis", kVectorTime);
  for (auto& h : r.headers)
    if (h.name == "x-amz-target") h.value = "Kinesis_20131202.DeleteStream";
  ExpectRefused(MakeVerifier().Verify(r, "kinesis", kVectorTime), "InvalidSignatureException",
                kMismatch);
}

TEST(VerifierTest, DeclaredPayloadHashMustMatchTheBody) {
  auto r = Signed("AKIDEXAMPLE", kSecret, "us-east-1", "kinesis", kVectorTime);
  r.headers.push_back({"x-amz-content-sha256", sigv4::Sha256Hex("something else")});
  ExpectRefused(MakeVerifier().Verify(r, "kinesis", kVectorTime), "InvalidSignatureException",
                "The provided 'x-amz-content-sha256' header does not match what was computed.");
}

TEST(VerifierTest, UnknownAccessKey) {
  ExpectRefused(
      MakeVerifier().Verify(Signed("AKIDNOBODY", kSecret, "us-east-1", "kinesis", kVectorTime),
                            "kinesis", kVectorTime),
      "UnrecognizedClientException", "The security token included in the request is invalid.");
}

TEST(VerifierTest, SessionTokenIsNotAccepted) {
  std::vector<http::Header> headers = {{"host", "localhost:4567"}};
  ASSERT_TRUE(sigv4::SignRequest({"AKIDEXAMPLE", kSecret, "token"}, "us-east-1", "kinesis",
                                 kVectorTime, "POST", "/", &headers, "{}")
                  .ok());
  ExpectRefused(MakeVerifier().Verify(Request("POST", "/", headers, "{}"), "kinesis", kVectorTime),
                "UnrecognizedClientException",
                "The security token included in the request is invalid.");
}

TEST(VerifierTest, MissingAuthorization) {
  auto r = Request("POST", "/", {{"host", "h"}, {"x-amz-date", kDate}}, "{}");
  Verdict v = MakeVerifier().Verify(r, "kinesis", kVectorTime);
  ExpectRefused(v, "MissingAuthenticationTokenException", "Missing Authentication Token");
}

TEST(VerifierTest, IncompleteAuthorization) {
  auto r = Signed("AKIDEXAMPLE", kSecret, "us-east-1", "kinesis", kVectorTime);
  for (auto& h : r.headers)
    if (h.name == "authorization") h.value = h.value.substr(0, h.value.find(", Signature="));
  Verdict v = MakeVerifier().Verify(r, "kinesis", kVectorTime);
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.refusal.type, "IncompleteSignatureException");
  EXPECT_NE(v.refusal.message.find("Signature"), std::string::npos);

  r.headers = {{"host", "h"}, {"authorization", "Basic dXNlcjpwYXNz"}};
  EXPECT_EQ(MakeVerifier().Verify(r, "kinesis", kVectorTime).refusal.type,
            "IncompleteSignatureException");
}

TEST(VerifierTest, MissingOrMalformedAmzDate) {
  auto r = Signed("AKIDEXAMPLE", kSecret, "us-east-1", "kinesis", kVectorTime);
  std::erase_if(r.headers, [](const http::Header& h) { return h.name == "x-amz-date"; });
  EXPECT_EQ(MakeVerifier().Verify(r, "kinesis", kVectorTime).refusal.type,
            "IncompleteSignatureException");
  r.headers.push_back({"x-amz-date", "2015-08-30T12:36:00Z"});
  EXPECT_EQ(MakeVerifier().Verify(r, "kinesis", kVectorTime).refusal.type,
            "IncompleteSignatureException");
}

TEST(VerifierTest, ScopeDateMustMatchAmzDate) {
  auto r = Signed("AKIDEXAMPLE", kSecret, "us-east-1", "kinesis", kVectorTime);
  for (auto& h : r.headers)
    if (h.name == "x-amz-date") h.value = "20150831T000100Z";
  ExpectRefused(MakeVerifier().Verify(r, "kinesis", kVectorTime + minutes(685)),
                "InvalidSignatureException",
                "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date "
                "from HTTP: '20150830' != '20150831', from '20150831T000100Z'.");
}

TEST(VerifierTest, HostMustBeSigned) {
  std::vector<http::Header> headers = {{"x-amz-target", "Kinesis_20131202.ListStreams"}};
  // Sign with a host, then drop it from the signed list by signing a request without it.
  std::string date = sigv4::FormatAmzDate(kVectorTime);
  headers.push_back({"x-amz-date", date});
  sigv4::Scope scope{date.substr(0, 8), "us-east-1", "kinesis"};
  sigv4::CanonicalRequestParts parts;
  parts.method = "POST";
  parts.target = "/";
  parts.headers = &headers;
  parts.signed_headers = "x-amz-date;x-amz-target";
  std::string hash = sigv4::Sha256Hex("{}");
  parts.payload_hash = hash;
  auto canonical = sigv4::BuildCanonicalRequest(parts);
  ASSERT_TRUE(canonical.ok());
  std::string sig = sigv4::ComputeSignature(sigv4::DeriveSigningKey(kSecret, scope),
                                            sigv4::BuildStringToSign(date, scope, *canonical));
  headers.push_back({"host", "h"});
  headers.push_back({"authorization", sigv4::FormatAuthorization(
                                          {"AKIDEXAMPLE", scope, "x-amz-date;x-amz-target", sig})});
  ExpectRefused(MakeVerifier().Verify(Request("POST", "/", headers, "{}"), "kinesis", kVectorTime),
                "IncompleteSignatureException",
                "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
}

TEST(VerifierTest, SigningKeysAreCachedPerKeyAndDate) {
  SigV4Verifier verifier = MakeVerifier();
  EXPECT_EQ(verifier.cached_keys(), 0u);
  for (int i = 0; i < 3; ++i) {
    auto at = kVectorTime + seconds(i);
    ASSERT_TRUE(
        verifier.Verify(Signed("AKIDEXAMPLE", kSecret, "us-east-1", "kinesis", at), "kinesis", at)
            .ok());
  }
  EXPECT_EQ(verifier.cached_keys(), 1u);
  // A cached key still refuses a wrong signature.
  EXPECT_FALSE(verifier
                   .Verify(Signed("AKIDEXAMPLE", "x", "us-east-1", "kinesis", kVectorTime),
                           "kinesis", kVectorTime)
                   .ok());
  auto next_day = kVectorTime + std::chrono::hours(24);
  ASSERT_TRUE(verifier
                  .Verify(Signed("AKIDEXAMPLE", kSecret, "us-east-1", "kinesis", next_day),
                          "kinesis", next_day)
                  .ok());
  ASSERT_TRUE(verifier
                  .Verify(Signed("AKIDEXAMPLE", kSecret, "us-east-1", "fluxgate", next_day),
                          "fluxgate", next_day)
                  .ok());
  ASSERT_TRUE(verifier
                  .Verify(Signed("AKIDOTHER", "other-secret", "us-east-1", "kinesis", next_day),
                          "kinesis", next_day)
                  .ok());
  EXPECT_EQ(verifier.cached_keys(), 4u);
}

TEST(VerifierTest, ParseAmzDate) {
  std::chrono::system_clock::time_point t;
  ASSERT_TRUE(ParseAmzDate(kDate, &t));
  EXPECT_EQ(t, kVectorTime);
  EXPECT_FALSE(ParseAmzDate("20150830T123600", &t));
  EXPECT_FALSE(ParseAmzDate("20151330T123600Z", &t));
  EXPECT_FALSE(ParseAmzDate("2015083xT123600Z", &t));
  EXPECT_FALSE(ParseAmzDate("", &t));
}

}  // namespace
}  // namespace fluxgate::auth
