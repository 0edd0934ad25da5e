#include "common/json_writer.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <cstdio>

namespace fluxgate {
namespace {

TEST(JsonWriterTest, EscapesQuotesBackslashAndControlCharacters) {
  std::string out;
  JsonWriter w(out);
  w.String(std::string_view("a\"b\\c\n\r\t\b\f\x01\x1f", 12));
  EXPECT_EQ(out, R"("a\"b\\c\n\r\t\b\f\u0001\u001f")");
}

// Clean text is skipped eight bytes at a time: an escape at every offset of a long string,
// and bytes that only look special to the word test (0x80+, 0x20, '!' and '#' next to '"'),
// must come out exactly as a byte-by-byte escaper writes them.
TEST(JsonWriterTest, EscapesAtEveryOffsetOfLongStrings) {
  auto reference = [](std::string_view s) {
    std::string out;
    for (unsigned char c : s) {
      if (c == '"') {
        out += "\\\"";
      } else if (c == '\\') {
        out += "\\\\";
      } else if (c == '\n') {
        out += "\\n";
      } else if (c < 0x20) {
        char buf[8];
        std::snprintf(buf, sizeof buf, "\\u%04x", c);
        if (c == '\r') std::snprintf(buf, sizeof buf, "\\r");
        if (c == '\t') std::snprintf(buf, sizeof buf, "\\t");
        if (c == '\b') std::snprintf(buf, sizeof buf, "\\b");
        if (c == '\f') std::snprintf(buf, sizeof buf, "\\f");
        out += buf;
      } else {
        out += static_cast<char>(c);
      }
    }
    return out;
  };
  const std::string specials = std::string("\"\\\n\x01\x1f\t", 6) + std::string(1, '\0');
  for (char special : specials) {
    for (size_t len = 1; len <= 40; ++len) {
      for (size_t at = 0; at < len; ++at) {
        std::string s(len, 'a');
        for (size_t k = 0; k < len; ++k) s[k] = "ab !#\x7f\xc3\xa9 ~"[k % 10];
        s[at] = special;
        std::string out;
        AppendJsonEscaped(s, out);
        ASSERT_EQ(out, reference(s)) << "len " << len << " at " << at;
        std::string direct(6 * s.size(), '?');
        direct.resize(WriteJsonEscaped(s, direct.data()));
        ASSERT_EQ(direct, out) << "len " << len << " at " << at;
      }
    }
  }
}

TEST(JsonWriterTest, PassesNonAsciiThroughAsUtf8) {
  std::string out;
  JsonWriter w(out);
  w.String("héllo ✓ \xF0\x9F\x98\x80");
  EXPECT_EQ(out, "\"héllo ✓ \xF0\x9F\x98\x80\"");
}

TEST(JsonWriterTest, EmbeddedNulIsEscaped) {
  std::string out;
  JsonWriter w(out);
  w.String(std::string_view("a\0b", 3));
  EXPECT_EQ(out, R"("a\u0000b")");
}

TEST(JsonWriterTest, PlacesCommasInNestedStructures) {
  std::string out;
  JsonWriter w(out);
  w.BeginObject();
  w.Key("a").Int(-1);
  w.Key("b").BeginArray().Uint(1).Bool(true).Null().BeginObject().EndObject().EndArray();
  w.Key("c").BeginObject().Key("d").String("x").EndObject();
  w.Key("e").BeginArray().EndArray();
  w.EndObject();
  EXPECT_EQ(out, R"({"a":-1,"b":[1,true,null,{}],"c":{"d":"x"},"e":[]})");
  simdjson::dom::parser parser;
  EXPECT_EQ(parser.parse(out).error(), simdjson::SUCCESS);
}

TEST(JsonWriterTest, TimestampKeepsMilliseconds) {
  std::string out;
  JsonWriter w(out);
  w.BeginArray().TimestampMs(1441215410867).TimestampMs(1000).TimestampMs(5).EndArray();
  EXPECT_EQ(out, "[1441215410.867,1.000,0.005]");
}

TEST(JsonWriterTest, Base64Value) {
  std::string out;
  JsonWriter w(out);
  w.BeginObject().Key("Data").Base64(std::string_view("hello\0\xff", 7)).EndObject();
  EXPECT_EQ(out, R"({"Data":"aGVsbG8A/w=="})");
}

TEST(JsonWriterTest, EscapedKeys) {
  std::string out;
  JsonWriter w(out);
  w.BeginObject().Key("k\"").String("v").EndObject();
  EXPECT_EQ(out, R"({"k\"":"v"})");
}

}  // namespace
}  // namespace fluxgate
