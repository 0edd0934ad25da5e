// Our SigV4 signing (auth/sigv4) against published vectors, typed in as facts:
//  - the AWS Signature Version 4 test suite (aws-sig-v4-test-suite: service "service",
//    region us-east-1, 2015-08-30T12:36:00Z, key AKIDEXAMPLE), checking the canonical
//    request, the string to sign and the signature separately where the suite gives them;
//  - the S3 examples of the S3 API reference ("Signature Calculations for the
//    Authorization Header": examplebucket, 2013-05-24, key AKIAIOSFODNN7EXAMPLE), which
//    cover what S3 signs differently: x-amz-content-sha256 and a path encoded only once.
#include <gtest/gtest.h>

#include <chrono>

#include "auth/sigv4.h"

namespace fluxgate::sigv4 {
namespace {

const Credentials kSuite{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", ""};
const auto kSuiteTime = std::chrono::system_clock::from_time_t(1440938160);  // 20150830T123600Z
constexpr char kEmptyHash[] = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
constexpr char kSuiteCredential[] =
    "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, ";

const Credentials kS3Doc{"AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", ""};
const auto kS3DocTime = std::chrono::system_clock::from_time_t(1369353600);  // 20130524T000000Z

std::string HeaderOf(const std::vector<http::Header>& headers, std::string_view name) {
  for (const auto& h : headers)
    if (h.name == name) return h.value;
  return {};
}

// Signs a suite request (host example.amazonaws.com plus `extra`) and returns the headers.
std::vector<http::Header> SignSuite(std::string_view method, std::string_view target,
                                    std::vector<http::Header> extra, std::string_view body,
                                    const Credentials& creds = kSuite) {
  std::vector<http::Header> headers{{"host", "example.amazonaws.com"}};
  for (auto& h : extra) headers.push_back(std::move(h));
  Status st =
      SignRequest(creds, "us-east-1", "service", kSuiteTime, method, target, &headers, body);
  EXPECT_TRUE(st.ok()) << st.ToString();
  return headers;
}

// The canonical request and string to sign of already-signed suite headers.
std::pair<std::string, std::string> CreqAndSts(std::string_view method, std::string_view target,
                                               const std::vector<http::Header>& headers,
                                               std::string_view signed_headers,
                                               std::string_view payload_hash) {
  CanonicalRequestParts parts;
  parts.method = method;
  parts.target = target;
  parts.headers = &headers;
  parts.signed_headers = signed_headers;
  parts.payload_hash = payload_hash;
  auto creq = BuildCanonicalRequest(parts);
  EXPECT_TRUE(creq.ok());
  Scope scope{"20150830", "us-east-1", "service"};
  return {*creq, BuildStringToSign("20150830T123600Z", scope, *creq)};
}

TEST(SigV4Vectors, GetVanilla) {
  auto h = SignSuite("GET", "/", {}, "");
  auto [creq, sts] = CreqAndSts("GET", "/", h, "host;x-amz-date", kEmptyHash);
  EXPECT_EQ(creq,
            "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\n"
            "host;x-amz-date\n" +
                std::string(kEmptyHash));
  EXPECT_EQ(sts,
            "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n"
            "bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63");
  EXPECT_EQ(HeaderOf(h, "authorization"),
            std::string(kSuiteCredential) +
                "SignedHeaders=host;x-amz-date, "
                "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
}

TEST(SigV4Vectors, GetVanillaQueryOrderKeyCase) {
  const std::string target = "/?Param2=value2&Param1=value1";
  auto h = SignSuite("GET", target, {}, "");
  auto [creq, sts] = CreqAndSts("GET", target, h, "host;x-amz-date", kEmptyHash);
  EXPECT_EQ(creq,
            "GET\n/\nParam1=value1&Param2=value2\nhost:example.amazonaws.com\n"
            "x-amz-date:20150830T123600Z\n\nhost;x-amz-date\n" +
                std::string(kEmptyHash));
  EXPECT_TRUE(sts.ends_with("\n816cd5b414d056048ba4f7c5386d6e0533120fb1fcfa93762cf0fc39e2cf19e0"));
  EXPECT_EQ(HeaderOf(h, "authorization"),
            std::string(kSuiteCredential) +
                "SignedHeaders=host;x-amz-date, "
                "Signature=b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500");
}

TEST(SigV4Vectors, PostXWwwFormUrlencoded) {
  auto h = SignSuite("POST", "/", {{"content-type", "application/x-www-form-urlencoded"}},
                     "Param1=value1");
  const std::string body_hash = "9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e";
  EXPECT_EQ(Sha256Hex("Param1=value1"), body_hash);
  auto [creq, sts] = CreqAndSts("POST", "/", h, "content-type;host;x-amz-date", body_hash);
  EXPECT_EQ(creq,
            "POST\n/\n\ncontent-type:application/x-www-form-urlencoded\n"
            "host:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\n"
            "content-type;host;x-amz-date\n" +
                body_hash);
  EXPECT_TRUE(sts.ends_with("\n42a5e5bb34198acb3e84da4f085bb7927f2bc277ca766e6d19c73c2154021281"));
  EXPECT_EQ(HeaderOf(h, "authorization"),
            std::string(kSuiteCredential) +
                "SignedHeaders=content-type;host;x-amz-date, "
                "Signature=ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a");
}

TEST(SigV4Vectors, GetHeaderValueTrim) {
  auto h = SignSuite("GET", "/", {{"my-header1", " value1"}, {"my-header2", "\"a   b   c\""}}, "");
  auto [creq, sts] = CreqAndSts("GET", "/", h, "host;my-header1;my-header2;x-amz-date", kEmptyHash);
  EXPECT_EQ(creq,
            "GET\n/\n\nhost:example.amazonaws.com\nmy-header1:value1\nmy-header2:\"a b c\"\n"
            "x-amz-date:20150830T123600Z\n\nhost;my-header1;my-header2;x-amz-date\n" +
                std::string(kEmptyHash));
  EXPECT_EQ(HeaderOf(h, "authorization"),
            std::string(kSuiteCredential) +
                "SignedHeaders=host;my-header1;my-header2;x-amz-date, "
                "Signature=acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736");
}

TEST(SigV4Vectors, RepeatedHeadersAndQueryValues) {
  // get-header-key-duplicate: three My-Header1 lines, joined in order with ','.
  auto dup =
      SignSuite("GET", "/",
                {{"my-header1", "value2"}, {"my-header1", "value2"}, {"my-header1", "value1"}}, "");
  EXPECT_TRUE(
      HeaderOf(dup, "authorization")
          .ends_with("SignedHeaders=host;my-header1;x-amz-date, "
                     "Signature=c9d5ea9f3f72853aea855b47ea873832890dbdd183b4468f858259531a5138ea"));
  // get-header-value-order: values keep their order.
  auto order = SignSuite("GET", "/",
                         {{"my-header1", "value4"},
                          {"my-header1", "value1"},
                          {"my-header1", "value3"},
                          {"my-header1", "value2"}},
                         "");
  EXPECT_TRUE(
      HeaderOf(order, "authorization")
          .ends_with("Signature=08c7e5a9acfcfeb3ab6b2185e75ce8b1deb5e634ec47601a50643f830c755c01"));
  // get-vanilla-query-order-value: same name, sorted by value.
  auto qv = SignSuite("GET", "/?Param1=value2&Param1=value1", {}, "");
  EXPECT_TRUE(
      HeaderOf(qv, "authorization")
          .ends_with("Signature=5772eed61e12b33fae39ee5e7012498b51d56abc0abb7c60486157bd471c4694"));
}

TEST(SigV4Vectors, GetUnreserved) {
  auto h = SignSuite("GET", "/-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
                     {}, "");
  EXPECT_TRUE(
      HeaderOf(h, "authorization")
          .ends_with("Signature=07ef7494c76fa4850883e2b006601f940f8a34d404d0cfa977f52a65bbf5f24f"));
}

TEST(SigV4Vectors, PostStsHeaderAfter) {
  Credentials creds = kSuite;
  creds.session_token =
      "AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmx"
      "fpSPfIeoIYRqTflfKD8YUuwthAx7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KP"
      "kyQDYwT7WZ0wq5VSXDvp75YU9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBA"
      "z+scqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/oLxBA==";
  auto h = SignSuite("POST", "/", {}, "", creds);
  EXPECT_EQ(HeaderOf(h, "x-amz-security-token"), creds.session_token);
  auto [creq, sts] = CreqAndSts("POST", "/", h, "host;x-amz-date;x-amz-security-token", kEmptyHash);
  EXPECT_TRUE(sts.ends_with("\nc237e1b440d4c63c32ca95b5b99481081cb7b13c7e40434868e71567c1a882f6"));
  EXPECT_EQ(HeaderOf(h, "authorization"),
            std::string(kSuiteCredential) +
                "SignedHeaders=host;x-amz-date;x-amz-security-token, "
                "Signature=85d96828115b5dc0cfc3bd16ad9e210dd772bbebba041836c64533a82be05ead");
}

// --- S3 (service "s3": x-amz-content-sha256 signed, the path encoded once) ------------

std::vector<http::Header> SignS3Doc(std::string_view method, std::string_view target,
                                    std::vector<http::Header> extra,
                                    std::string_view payload_hash) {
  std::vector<http::Header> headers{{"host", "examplebucket.s3.amazonaws.com"},
                                    {"x-amz-content-sha256", std::string(payload_hash)}};
  for (auto& h : extra) headers.push_back(std::move(h));
  Status st = SignRequestWithPayloadHash(kS3Doc, "us-east-1", "s3", kS3DocTime, method, target,
                                         &headers, payload_hash);
  EXPECT_TRUE(st.ok()) << st.ToString();
  return headers;
}

TEST(SigV4Vectors, S3GetObject) {
  auto h = SignS3Doc("GET", "/test.txt", {{"range", "bytes=0-9"}}, kEmptyHash);
  CanonicalRequestParts parts;
  parts.method = "GET";
  parts.target = "/test.txt";
  parts.headers = &h;
  parts.signed_headers = "host;range;x-amz-content-sha256;x-amz-date";
  parts.payload_hash = kEmptyHash;
  parts.double_encode_path = false;
  auto creq = BuildCanonicalRequest(parts);
  ASSERT_TRUE(creq.ok());
  EXPECT_EQ(Sha256Hex(*creq), "7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972");
  EXPECT_EQ(HeaderOf(h, "authorization"),
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
            "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
            "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
}

TEST(SigV4Vectors, S3PutObjectPathEncodedOnce) {
  const std::string body = "Welcome to Amazon S3.";
  const std::string hash = Sha256Hex(body);
  EXPECT_EQ(hash, "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072");
  // The key "test$file.text" goes on the wire as /test%24file.text and is signed so.
  auto h = SignS3Doc(
      "PUT", "/test%24file.text",
      {{"date", "Fri, 24 May 2013 00:00:00 GMT"}, {"x-amz-storage-class", "REDUCED_REDUNDANCY"}},
      hash);
  EXPECT_TRUE(
      HeaderOf(h, "authorization")
          .ends_with("SignedHeaders=date;host;x-amz-content-sha256;x-amz-date;"
                     "x-amz-storage-class, "
                     "Signature=98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd"));
  EXPECT_EQ(UriEncode("test$file.text", true), "test%24file.text");
}

TEST(SigV4Vectors, S3BucketQueries) {
  // GET Bucket lifecycle: a bare sub-resource name signs as "lifecycle=".
  auto lifecycle = SignS3Doc("GET", "/?lifecycle", {}, kEmptyHash);
  EXPECT_TRUE(
      HeaderOf(lifecycle, "authorization")
          .ends_with("Signature=fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543"));
  // GET Bucket (list objects), parameters given out of order.
  auto list = SignS3Doc("GET", "/?prefix=J&max-keys=2", {}, kEmptyHash);
  EXPECT_TRUE(
      HeaderOf(list, "authorization")
          .ends_with("Signature=34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7"));
}

TEST(SigV4Vectors, SignRequestStillHashesTheBody) {
  // SignRequest is SignRequestWithPayloadHash over the body's hash.
  std::vector<http::Header> a{{"host", "h"}}, b{{"host", "h"}};
  ASSERT_TRUE(
      SignRequest(kSuite, "us-east-1", "kinesis", kSuiteTime, "POST", "/", &a, "body").ok());
  ASSERT_TRUE(SignRequestWithPayloadHash(kSuite, "us-east-1", "kinesis", kSuiteTime, "POST", "/",
                                         &b, Sha256Hex("body"))
                  .ok());
  EXPECT_EQ(HeaderOf(a, "authorization"), HeaderOf(b, "authorization"));
  std::vector<http::Header> c{{"host", "h"}};
  ASSERT_TRUE(SignRequestWithPayloadHash(kSuite, "us-east-1", "s3", kSuiteTime, "PUT", "/k", &c,
                                         "UNSIGNED-PAYLOAD")
                  .ok());
  EXPECT_NE(HeaderOf(a, "authorization"), HeaderOf(c, "authorization"));
}

}  // namespace
}  // namespace fluxgate::sigv4
