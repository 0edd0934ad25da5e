// Inputs found by fuzz/cbor_fuzzer.cc (docs/design/fuzzing.md), each kept as the test that
// would have caught it.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <string>

#include "kinesis/cbor.h"
#include "kinesis/cbor_json.h"

namespace fluxgate::kinesis {
namespace {

std::string Bytes(std::initializer_list<int> b) {
  std::string s;
  for (int c : b) s.push_back(static_cast<char>(c));
  return s;
}

// {"z": -18446744073709551616}: a negative integer below INT64_MIN (major 1, 8-byte
// argument 0xffffffffffffffff) ...
const std::string kHugeNegative =
    Bytes({0xa1, 0x61, 0x7a, 0x3b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff});
// ... and {"z": 18446744073709551616.0}, the double 2^64.
const std::string kHugeDouble =
    Bytes({0xa1, 0x61, 0x7a, 0xfb, 0x43, 0xf0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00});

TEST(CborRegression, NumbersOutsideInt64AreACleanError) {
  for (const std::string& in : {kHugeNegative, kHugeDouble}) {
    // Well-formed CBOR ...
    auto diagnostic = cbor::ToDiagnostic(in);
    ASSERT_TRUE(diagnostic.ok()) << diagnostic.status().ToString();
    // ... so the request either parses or is refused as the protocol says, never more.
    auto parsed = ParseCborRequestBody(in);
    if (!parsed.ok()) EXPECT_EQ(parsed.error().type, "SerializationException");
  }
}

// The transcoder wrote these as integer text ("-18446744073709551616") that simdjson
// refuses as out of range, so a well-formed request failed with "Unable to parse the
// request body as JSON." Enable once cbor_json.cc writes such numbers in a form
// simdjson reads (e.g. with an exponent).
TEST(CborRegression, TranscodedNumbersOutsideInt64Parse) {
  for (const std::string& in : {kHugeNegative, kHugeDouble}) {
    std::string json;
    ASSERT_TRUE(CborRequestToJson(in, json).ok());
    simdjson::dom::parser parser;
    simdjson::dom::element root;
    EXPECT_EQ(parser.parse(json).get(root), simdjson::SUCCESS) << json;
    auto parsed = ParseCborRequestBody(in);
    EXPECT_TRUE(parsed.ok()) << json;
  }
}

}  // namespace
}  // namespace fluxgate::kinesis
