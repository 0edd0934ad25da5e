// The CBOR codec (RFC 8949: Appendix A examples both ways, malformed input from Appendix F)
// and the Kinesis CBOR protocol mapping, down to KinesisApi::Handle with CBOR bodies.
#include "kinesis/cbor.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "api_test_util.h"
#include "kinesis/cbor_json.h"

namespace fluxgate::kinesis::testing {
namespace {

std::string Hex(std::string_view hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2)
    out.push_back(static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  return out;
}

std::string ToHex(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 0xf]);
  }
  return out;
}

std::string Diag(std::string_view hex) {
  auto r = cbor::ToDiagnostic(Hex(hex));
  if (!r.ok()) return "ERROR: " + r.status().message();
  return r.value();
}

// RFC 8949 Appendix A, every example except floats (checked numerically below) and the
// bignums (tags 2/3 are shown as the tagged byte string).
TEST(CborDecodeTest, AppendixANonFloatExamples) {
  const std::vector<std::pair<const char*, const char*>> cases = {
      {"00", "0"},
      {"01", "1"},
      {"0a", "10"},
      {"17", "23"},
      {"1818", "24"},
      {"1819", "25"},
      {"1864", "100"},
      {"1903e8", "1000"},
      {"1a000f4240", "1000000"},
      {"1b000000e8d4a51000", "1000000000000"},
      {"1bffffffffffffffff", "18446744073709551615"},
      {"c249010000000000000000", "2(h'010000000000000000')"},
      {"3bffffffffffffffff", "-18446744073709551616"},
      {"c349010000000000000000", "3(h'010000000000000000')"},
      {"20", "-1"},
      {"29", "-10"},
      {"3863", "-100"},
      {"3903e7", "-1000"},
      {"f4", "false"},
      {"f5", "true"},
      {"f6", "null"},
      {"f7", "undefined"},
      {"f0", "simple(16)"},
      {"f8ff", "simple(255)"},
      {"c074323031332d30332d32315432303a30343a30305a", "0(\"2013-03-21T20:04:00Z\")"},
      {"c11a514b67b0", "1(1363896240)"},
      {"d74401020304", "23(h'01020304')"},
      {"d818456449455446", "24(h'6449455446')"},
      {"d82076687474703a2f2f7777772e6578616d706c652e636f6d", "32(\"http://www.example.com\")"},
      {"40", "h''"},
      {"4401020304", "h'01020304'"},
      {"60", "\"\""},
      {"6161", "\"a\""},
      {"6449455446", "\"IETF\""},
      {"62225c", "\"\\\"\\\\\""},
      {"62c3bc", "\"\xc3\xbc\""},
      {"63e6b0b4", "\"\xe6\xb0\xb4\""},
      {"64f0908591", "\"\xf0\x90\x85\x91\""},
      {"80", "[]"},
      {"83010203", "[1, 2, 3]"},
      {"8301820203820405", "[1, [2, 3], [4, 5]]"},
      {"98190102030405060708090a0b0c0d0e0f101112131415161718181819",
       "[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, "
       "25]"},
      {"a0", "{}"},
      {"a201020304", "{1: 2, 3: 4}"},
      {"a26161016162820203", "{\"a\": 1, \"b\": [2, 3]}"},
      {"826161a161626163", "[\"a\", {\"b\": \"c\"}]"},
      {"a56161614161626142616361436164614461656145",
       "{\"a\": \"A\", \"b\": \"B\", \"c\": \"C\", \"d\": \"D\", \"e\": \"E\"}"},
      // Indefinite-length strings show their joined value.
      {"5f42010243030405ff", "h'0102030405'"},
      {"7f657374726561646d696e67ff", "\"streaming\""},
      {"9fff", "[_ ]"},
      {"9f018202039f0405ffff", "[_ 1, [2, 3], [_ 4, 5]]"},
      {"9f01820203820405ff", "[_ 1, [2, 3], [4, 5]]"},
      {"83018202039f0405ff", "[1, [2, 3], [_ 4, 5]]"},
      {"83019f0203ff820405", "[1, [_ 2, 3], [4, 5]]"},
      {"9f0102030405060708090a0b0c0d0e0f101112131415161718181819ff",
       "[_ 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, "
       "24, 25]"},
      {"bf61610161629f0203ffff", "{_ \"a\": 1, \"b\": [_ 2, 3]}"},
      {"826161bf61626163ff", "[\"a\", {_ \"b\": \"c\"}]"},
      {"bf6346756ef563416d7421ff", "{_ \"Fun\": true, \"Amt\": -2}"},
  };
  for (const auto& [hex, diag] : cases) EXPECT_EQ(Diag(hex), diag) << hex;
}

// Captures the one float of an item.
class FloatCapture : public cbor::Visitor {
 public:
  double value = 0;
  int floats = 0;
  Status Uint(uint64_t) override { return Other(); }
  Status NegativeMinusOne(uint64_t) override { return Other(); }
  Status Bytes(std::string_view) override { return Other(); }
  Status Text(std::string_view) override { return Other(); }
  Status BeginArray(std::optional<uint64_t>) override { return Other(); }
  Status EndArray() override { return Other(); }
  Status BeginMap(std::optional<uint64_t>) override { return Other(); }
  Status EndMap() override { return Other(); }
  Status Tag(uint64_t) override { return Status::Ok(); }
  Status Bool(bool) override { return Other(); }
  Status Null() override { return Other(); }
  Status Undefined() override { return Other(); }
  Status Simple(uint8_t) override { return Other(); }
  Status Float(double v) override {
    value = v;
    ++floats;
    return Status::Ok();
  }

 private:
  static Status Other() { return Status::InvalidArgument("not a float"); }
};

struct FloatCase {
  const char* hex;
  double value;
  bool preferred;  // Writer::Double produces exactly these bytes
};

TEST(CborFloatTest, AppendixAFloatsDecodeAndPreferredOnesEncode) {
  const double inf = INFINITY;
  const std::vector<FloatCase> cases = {
      {"f90000", 0.0, true},
      {"f98000", -0.0, true},
      {"f93c00", 1.0, true},
      {"fb3ff199999999999a", 1.1, true},
      {"f93e00", 1.5, true},
      {"f97bff", 65504.0, true},
      {"fa47c35000", 100000.0, true},
      {"fa7f7fffff", 3.4028234663852886e+38, true},
      {"fb7e37e43c8800759c", 1.0e+300, true},
      {"f90001", 5.960464477539063e-8, true},
      {"f90400", 0.00006103515625, true},
      {"f9c400", -4.0, true},
      {"fbc010666666666666", -4.1, true},
      {"f97c00", inf, true},
      {"f9fc00", -inf, true},
      {"fa7f800000", inf, false},
      {"faff800000", -inf, false},
      {"fb7ff0000000000000", inf, false},
      {"fbfff0000000000000", -inf, false},
  };
  for (const auto& c : cases) {
    FloatCapture cap;
    ASSERT_TRUE(cbor::Decode(Hex(c.hex), cap).ok()) << c.hex;
    EXPECT_EQ(cap.floats, 1) << c.hex;
    EXPECT_EQ(cap.value, c.value) << c.hex;
    EXPECT_EQ(std::signbit(cap.value), std::signbit(c.value)) << c.hex;
    if (c.preferred) {
      std::string out;
      cbor::Writer(out).Double(c.value);
      EXPECT_EQ(ToHex(out), c.hex) << c.value;
    }
  }
  for (const char* nan : {"f97e00", "fa7fc00000", "fb7ff8000000000000"}) {
    FloatCapture cap;
    ASSERT_TRUE(cbor::Decode(Hex(nan), cap).ok()) << nan;
    EXPECT_TRUE(std::isnan(cap.value)) << nan;
  }
  std::string out;
  cbor::Writer(out).Double(NAN);
  EXPECT_EQ(ToHex(out), "f97e00");
  out.clear();
  cbor::Writer(out).Float64(1.5);
  EXPECT_EQ(ToHex(out), "fb3ff8000000000000");
  EXPECT_EQ(Diag("f93e00"), "1.5");
  EXPECT_EQ(Diag("fb7e37e43c8800759c"), "1.0e+300");
  EXPECT_EQ(Diag("f9fc00"), "-Infinity");
  EXPECT_EQ(Diag("c1fb41d452d9ec200000"), "1(1363896240.5)");
}

TEST(CborFloatTest, HalfPrecisionEdges) {
  EXPECT_EQ(cbor::HalfToDouble(0x0001), std::ldexp(1.0, -24));     // smallest subnormal
  EXPECT_EQ(cbor::HalfToDouble(0x03ff), std::ldexp(1023.0, -24));  // largest subnormal
  EXPECT_EQ(cbor::HalfToDouble(0x0400), std::ldexp(1.0, -14));     // smallest normal
  EXPECT_EQ(cbor::HalfToDouble(0xc000), -2.0);
  // Values between half's and single's precision go to single; 2^-25 is below half's
  // subnormals.
  std::string out;
  cbor::Writer(out).Double(std::ldexp(1.0, -25));
  EXPECT_EQ(ToHex(out), "fa33000000");
  out.clear();
  cbor::Writer(out).Double(std::ldexp(3.0, -24));  // a half subnormal with two bits
  EXPECT_EQ(ToHex(out), "f90003");
  out.clear();
  cbor::Writer(out).Double(65520.0);  // rounds to infinity in half: must not use half
  EXPECT_EQ(ToHex(out), "fa477ff000");
}

TEST(CborWriterTest, AppendixAIntegersStringsAndContainers) {
  auto enc = [](auto&& f) {
    std::string out;
    cbor::Writer w(out);
    f(w);
    return ToHex(out);
  };
  EXPECT_EQ(enc([](cbor::Writer& w) { w.Uint(0); }), "00");
  EXPECT_EQ(enc([](cbor::Writer& w) { w.Uint(23); }), "17");
  EXPECT_EQ(enc([](cbor::Writer& w) { w.Uint(24); }), "1818");
  EXPECT_EQ(enc([](cbor::Writer& w) { w.Uint(1000); }), "1903e8");
  EXPECT_EQ(enc([](cbor::Writer& w) { w.Uint(1000000); }), "1a000f4240");
  EXPECT_EQ(enc([](cbor::Writer& w) { w.Uint(1000000000000); }), "1b000000e8d4a51000");
  EXPECT_EQ(enc([](cbor::Writer& w) { w.Uint(UINT64_MAX); }), "1bffffffffffffffff");
  EXPECT_EQ(enc([](cbor::Writer& w) { w.NegativeMinusOne(UINT64_MAX); }), "3bffffffffffffffff");
  EXPECT_EQ(enc([](cbor::Writer& w) { w.Int(-1); }), "20");
  EXPECT_EQ(enc([](cbor::Writer& w) { w.Int(-100); }), "3863");
  EXPECT_EQ(enc([](cbor::Writer& w) { w.Int(-1000); }), "3903e7");
  EXPECT_EQ(enc([](cbor::Writer& w) { w.Int(INT64_MIN); }), "3b7fffffffffffffff");
  EXPECT_EQ(enc([](cbor::Writer& w) { w.Bool(false).Bool(true).Null().Undefined(); }), "f4f5f6f7");
  EXPECT_EQ(enc([](cbor::Writer& w) { w.Simple(16).Simple(255); }), "f0f8ff");
  EXPECT_EQ(enc([](cbor::Writer& w) { w.Tag(1).Uint(1363896240); }), "c11a514b67b0");
  EXPECT_EQ(enc([](cbor::Writer& w) { w.Bytes(Hex("01020304")); }), "4401020304");
  EXPECT_EQ(enc([](cbor::Writer& w) { w.Text("IETF"); }), "6449455446");
  EXPECT_EQ(enc([](cbor::Writer& w) { w.Text("\xe6\xb0\xb4"); }), "63e6b0b4");
  EXPECT_EQ(enc([](cbor::Writer& w) {
              w.BeginArray(3).Uint(1).BeginArray(2).Uint(2).Uint(3).BeginArray(2).Uint(4).Uint(5);
            }),
            "8301820203820405");
  EXPECT_EQ(enc([](cbor::Writer& w) {
              w.BeginMap(2).Text("a").Uint(1).Text("b").BeginArray(2).Uint(2).Uint(3);
            }),
            "a26161016162820203");
  EXPECT_EQ(enc([](cbor::Writer& w) {
              w.BeginIndefinite(cbor::Major::kMap).Text("Fun").Bool(true).Text("Amt").Int(-2);
              w.Break();
            }),
            "bf6346756ef563416d7421ff");
  EXPECT_EQ(enc([](cbor::Writer& w) {
              w.BeginIndefinite(cbor::Major::kText).Text("strea").Text("ming").Break();
            }),
            "7f657374726561646d696e67ff");
}

TEST(CborRoundTripTest, WriterOutputDecodesToTheSameItems) {
  std::string big(70000, 'x');
  std::string out;
  cbor::Writer w(out);
  w.BeginMap(4);
  w.Text("n").BeginArray(6).Uint(0).Uint(255).Uint(65536).Int(-65537).Int(INT64_MIN).Uint(
      UINT64_MAX);
  w.Text("blob").Bytes(std::string("\x00\xff\x10", 3));
  w.Text("big").Text(big);
  w.Text("t").Tag(1).Int(1441215410867);
  auto diag = cbor::ToDiagnostic(out);
  ASSERT_TRUE(diag.ok()) << diag.status().ToString();
  EXPECT_EQ(diag.value(),
            "{\"n\": [0, 255, 65536, -65537, -9223372036854775808, "
            "18446744073709551615], \"blob\": h'00ff10', \"big\": \"" +
                big + "\", \"t\": 1(1441215410867)}");
}

TEST(CborMalformedTest, RejectsEveryKindWithAnOffset) {
  const std::vector<std::pair<const char*, const char*>> cases = {
      {"", "empty input"},
      {"18", "truncated argument"},
      {"1900", "truncated argument"},
      {"1b00000000000000", "truncated argument"},
      {"62c3", "exceeds the input"},
      {"5affffffff00", "exceeds the input"},
      {"83 01 02", "exceeds the input"},
      {"9b ffffffffffffffff 00", "exceeds the input"},
      {"a1 01", "exceeds the input"},
      {"81 c1", "truncated input"},
      {"1c", "reserved additional information"},
      {"1d", "reserved additional information"},
      {"3e", "reserved additional information"},
      {"fc", "reserved additional information"},
      {"1f", "indefinite length is not allowed"},
      {"3f", "indefinite length is not allowed"},
      {"df00", "indefinite length is not allowed"},
      {"ff", "break outside"},
      {"81ff", "break outside"},
      {"a1ff00", "break outside"},
      {"5f6161ff", "another major type"},
      {"7f4161ff", "another major type"},
      {"5f5f4100ffff", "nested indefinite-length"},
      {"5f41", "exceeds the input"},
      {"5f4100", "no break"},
      {"9f01", "no break"},
      {"bf6161ff", "key without a value"},
      {"f800", "two-byte simple value below 32"},
      {"f81f", "two-byte simple value below 32"},
      {"f8", "truncated simple value"},
      {"f97c", "truncated argument"},
      {"61ff", "not valid UTF-8"},
      {"62c328", "not valid UTF-8"},
      {"7f61ff ff", "not valid UTF-8"},
      {"0000", "trailing byte"},
      {"c1", "truncated input"},
      {"9fc1ff", "tag without a tagged item"},
  };
  for (const auto& [hex, want] : cases) {
    std::string compact;
    for (const char* p = hex; *p; ++p)
      if (*p != ' ') compact.push_back(*p);
    auto r = cbor::ToDiagnostic(Hex(compact));
    ASSERT_FALSE(r.ok()) << hex << " decoded as " << r.value();
    EXPECT_TRUE(r.status().IsInvalidArgument()) << hex;
    EXPECT_NE(r.status().message().find(want), std::string::npos)
        << hex << ": " << r.status().message();
    EXPECT_NE(r.status().message().find("at byte"), std::string::npos) << hex;
  }
}

TEST(CborMalformedTest, DepthIsLimited) {
  std::string deep(100, static_cast<char>(0x81));  // [[[[...
  deep.push_back(0x00);
  auto r = cbor::ToDiagnostic(deep);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("nesting deeper"), std::string::npos);
  // Tags count too.
  std::string tags(100, static_cast<char>(0xc1));
  tags.push_back(0x00);
  EXPECT_FALSE(cbor::ToDiagnostic(tags).ok());
  // Within the limit it decodes.
  cbor::DecodeLimits limits;
  limits.max_depth = 200;
  EXPECT_TRUE(cbor::ToDiagnostic(deep, limits).ok());
}

// --- the Kinesis mapping ----------------------------------------------------------------

std::string ToJsonText(const std::string& cbor_body) {
  std::string json;
  Status st = CborRequestToJson(cbor_body, json);
  return st.ok() ? json : "ERROR: " + st.message();
}

TEST(CborJsonTest, RequestBlobsBecomeBase64AndTag1MillisBecomeSeconds) {
  std::string body;
  cbor::Writer w(body);
  w.BeginMap(6);
  w.Text("StreamName").Text("s");
  w.Text("Data").Bytes(std::string("\x00\x01\xfe\xff", 4));
  w.Text("Timestamp").Tag(cbor::kTagEpochTime).Uint(1441215410867);
  w.Text("Limit").Uint(25);
  w.Text("Neg").Int(-7);
  w.Text("Records").BeginIndefinite(cbor::Major::kArray);
  w.BeginMap(2).Text("Data").Bytes("hi").Text("PartitionKey").Text("k\"1");
  w.Break();
  EXPECT_EQ(ToJsonText(body),
            R"({"StreamName":"s","Data":"AAH+/w==","Timestamp":1441215410.867,"Limit":25,)"
            R"("Neg":-7,"Records":[{"Data":"aGk=","PartitionKey":"k\"1"}]})");
}

TEST(CborJsonTest, RequestFloatsUndefinedAndFloatTimestamps) {
  std::string body;
  cbor::Writer w(body);
  w.BeginMap(3);
  w.Text("F").Double(1.5);
  w.Text("U").Undefined();
  w.Text("T").Tag(1).Double(1441215410867.0);
  EXPECT_EQ(ToJsonText(body), R"({"F":1.5,"U":null,"T":1441215410.867})");
}

TEST(CborJsonTest, RequestShapesWithoutAJsonFormAreRejected) {
  auto one = [](auto&& f) {
    std::string body;
    cbor::Writer w(body);
    f(w);
    return ToJsonText(body);
  };
  EXPECT_NE(one([](cbor::Writer& w) { w.BeginArray(0); }).find("must be a CBOR map"),
            std::string::npos);
  EXPECT_NE(one([](cbor::Writer& w) { w.Uint(1); }).find("must be a CBOR map"), std::string::npos);
  EXPECT_NE(one([](cbor::Writer& w) { w.BeginMap(1).Uint(1).Uint(2); }).find("text strings"),
            std::string::npos);
  EXPECT_NE(one([](cbor::Writer& w) { w.BeginMap(1).Bytes("k").Uint(2); }).find("text strings"),
            std::string::npos);
  EXPECT_NE(one([](cbor::Writer& w) { w.BeginMap(1).Text("k").Double(NAN); }).find("NaN"),
            std::string::npos);
  EXPECT_NE(one([](cbor::Writer& w) { w.BeginMap(1).Text("k").Simple(16); }).find("simple"),
            std::string::npos);
  EXPECT_NE(one([](cbor::Writer& w) { w.BeginMap(1).Text("k").Tag(1).Text("x"); }).find("tag 1"),
            std::string::npos);
  EXPECT_NE(one([](cbor::Writer& w) {
              w.BeginMap(1).Text("k").Tag(1).Uint(UINT64_MAX);
            }).find("out of range"),
            std::string::npos);
  // Other tags are dropped, their item kept.
  EXPECT_EQ(one([](cbor::Writer& w) { w.BeginMap(1).Text("k").Tag(32).Text("http://x"); }),
            R"({"k":"http://x"})");
}

TEST(CborJsonTest, ReplyBlobsAndTimestampsFollowTheSdkUnmarshallers) {
  const std::string json =
      R"({"Records":[{"SequenceNumber":"495","ApproximateArrivalTimestamp":1441215410.867,)"
      R"("Data":"AAH+/w==","PartitionKey":"pk"}],"MillisBehindLatest":0,)"
      R"("StreamDescriptionSummary":{"StreamCreationTimestamp":1441215410,"OpenShardCount":2,)"
      R"("HasMore":false,"Ratio":0.5,"Nothing":null}})";
  std::string out;
  ASSERT_TRUE(JsonResponseToCbor(json, out).ok());
  auto diag = cbor::ToDiagnostic(out);
  ASSERT_TRUE(diag.ok()) << diag.status().ToString();
  EXPECT_EQ(diag.value(),
            R"({"Records": [{"SequenceNumber": "495", "ApproximateArrivalTimestamp": )"
            R"(1(1441215410867), "Data": h'0001feff', "PartitionKey": "pk"}], )"
            R"("MillisBehindLatest": 0, "StreamDescriptionSummary": {"StreamCreationTimestamp": )"
            R"(1(1441215410000), "OpenShardCount": 2, "HasMore": false, "Ratio": 0.5, )"
            R"("Nothing": null}})");
  out.clear();
  EXPECT_FALSE(JsonResponseToCbor("{not json", out).ok());
}

TEST(CborJsonTest, ErrorsAreACborMap) {
  std::string out;
  WriteCborError(ApiError::ResourceNotFound("Stream x not found."), out);
  EXPECT_EQ(cbor::ToDiagnostic(out).value(),
            R"({"__type": "ResourceNotFoundException", "message": "Stream x not found."})");
}

// --- through KinesisApi::Handle -------------------------------------------------------------

struct CborReply {
  int status = 0;
  std::string content_type;
  std::string body;
  std::string json;  // the body transcoded back (blobs base64, tag 1 as seconds)
  std::string diag;
  simdjson::dom::element doc;
  std::shared_ptr<simdjson::dom::parser> parser = std::make_shared<simdjson::dom::parser>();

  std::string Str(const char* pointer) const {
    std::string_view s;
    if (doc.at_pointer(pointer).get(s) != simdjson::SUCCESS) return "<missing>";
    return std::string(s);
  }
};

class CborApiTest : public ApiTest {
 protected:
  CborReply CallCbor(const std::string& op, const std::string& body,
                     const char* content_type = "application/x-amz-cbor-1.1") {
    http::Request req;
    req.method = "POST";
    req.target = "/";
    req.headers = {{"content-type", content_type}, {"x-amz-target", "Kinesis_20131202." + op}};
    req.body = body;
    std::promise<http::Response> done;
    auto fut = done.get_future();
    api_->Handle(std::move(req), [&done](http::Response r) { done.set_value(std::move(r)); });
    EXPECT_EQ(fut.wait_for(std::chrono::seconds(10)), std::future_status::ready);
    http::Response resp = fut.get();
    CborReply out;
    out.status = resp.status;
    out.content_type = resp.content_type;
    out.body = resp.body;
    if (!out.body.empty()) {
      auto d = cbor::ToDiagnostic(out.body);
      EXPECT_TRUE(d.ok()) << d.status().ToString();
      if (d.ok()) out.diag = d.value();
      EXPECT_TRUE(CborRequestToJson(out.body, out.json).ok());
    } else {
      out.json = "{}";
    }
    EXPECT_EQ(out.parser->parse(out.json).get(out.doc), simdjson::SUCCESS) << out.json;
    return out;
  }
};

TEST_F(CborApiTest, DataPlaneRoundTripWithBinaryData) {
  std::string body;
  cbor::Writer(body).BeginMap(2).Text("StreamName").Text("c").Text("ShardCount").Uint(1);
  auto created = CallCbor("CreateStream", body);
  EXPECT_EQ(created.status, 200) << created.diag;
  EXPECT_EQ(created.content_type, "application/x-amz-cbor-1.1");
  EXPECT_TRUE(created.body.empty());

  const std::string payload("\x00\x01\x02\xff{json}", 10);
  body.clear();
  cbor::Writer w(body);
  w.BeginMap(2).Text("StreamName").Text("c").Text("Records").BeginArray(2);
  w.BeginMap(2).Text("Data").Bytes(payload).Text("PartitionKey").Text("a");
  w.BeginMap(2).Text("Data").Bytes("second").Text("PartitionKey").Text("b");
  auto put = CallCbor("PutRecords", body);
  ASSERT_EQ(put.status, 200) << put.diag;
  EXPECT_NE(put.diag.find("\"FailedRecordCount\": 0"), std::string::npos) << put.diag;
  EXPECT_EQ(put.Str("/Records/0/ShardId"), "shardId-000000000000");

  body.clear();
  cbor::Writer(body)
      .BeginMap(3)
      .Text("StreamName")
      .Text("c")
      .Text("ShardId")
      .Text("shardId-000000000000")
      .Text("ShardIteratorType")
      .Text("TRIM_HORIZON");
  auto it = CallCbor("GetShardIterator", body);
  ASSERT_EQ(it.status, 200) << it.diag;
  const std::string iterator = it.Str("/ShardIterator");

  body.clear();
  cbor::Writer(body).BeginMap(1).Text("ShardIterator").Text(iterator);
  auto got = CallCbor("GetRecords", body);
  ASSERT_EQ(got.status, 200) << got.diag;
  // Data is a byte string on the wire, the arrival time tag 1 + integer milliseconds.
  EXPECT_NE(got.diag.find("\"Data\": h'000102ff7b6a736f6e7d'"), std::string::npos) << got.diag;
  EXPECT_NE(got.diag.find("\"ApproximateArrivalTimestamp\": 1("), std::string::npos) << got.diag;
  EXPECT_EQ(got.diag.find("\"ApproximateArrivalTimestamp\": 1(1."), std::string::npos)
      << "milliseconds must be an integer: " << got.diag;
  EXPECT_EQ(got.Str("/Records/1/Data"), "c2Vjb25k");  // "second"

  // AT_TIMESTAMP with a tag 1 epoch-millisecond Timestamp, as the Java SDK sends it.
  body.clear();
  cbor::Writer(body)
      .BeginMap(4)
      .Text("StreamName")
      .Text("c")
      .Text("ShardId")
      .Text("shardId-000000000000")
      .Text("ShardIteratorType")
      .Text("AT_TIMESTAMP")
      .Text("Timestamp")
      .Tag(1)
      .Uint(1000);  // 1970: before every record
  auto at = CallCbor("GetShardIterator", body);
  ASSERT_EQ(at.status, 200) << at.diag;
  body.clear();
  cbor::Writer(body).BeginMap(1).Text("ShardIterator").Text(at.Str("/ShardIterator"));
  auto again = CallCbor("GetRecords", body);
  EXPECT_EQ(again.Str("/Records/0/Data"), "AAEC/3tqc29ufQ==");
}

TEST_F(CborApiTest, ErrorsAreCborWithTheirStatus) {
  std::string body;
  cbor::Writer(body).BeginMap(1).Text("StreamName").Text("missing");
  auto r = CallCbor("DescribeStream", body);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.content_type, "application/x-amz-cbor-1.1");
  EXPECT_EQ(r.Str("/__type"), "ResourceNotFoundException");
  EXPECT_NE(r.Str("/message").find("missing"), std::string::npos);

  auto bad = CallCbor("ListStreams", std::string("\xa1\x61", 2));
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(bad.Str("/__type"), "SerializationException");
  EXPECT_NE(bad.Str("/message").find("CBOR"), std::string::npos) << bad.Str("/message");

  auto unknown = CallCbor("FlyToTheMoon", body);
  EXPECT_EQ(unknown.Str("/__type"), "UnknownOperationException");

  // A content-type parameter does not change the protocol.
  auto listed = CallCbor("ListStreams", "", "application/x-amz-cbor-1.1; charset=utf-8");
  EXPECT_EQ(listed.status, 200);
  EXPECT_EQ(listed.content_type, "application/x-amz-cbor-1.1");
  EXPECT_NE(listed.diag.find("\"StreamNames\": []"), std::string::npos) << listed.diag;
}

TEST_F(CborApiTest, WrongCborTypesGetTheJsonProtocolsSerializationErrors) {
  std::string body;
  cbor::Writer(body).BeginMap(2).Text("StreamName").Uint(5).Text("ShardCount").Uint(1);
  auto r = CallCbor("CreateStream", body);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.Str("/__type"), "SerializationException");
}

}  // namespace
}  // namespace fluxgate::kinesis::testing
