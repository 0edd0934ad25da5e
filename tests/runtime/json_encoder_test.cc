#include "runtime/json_encoder.h"

#include <gtest/gtest.h>

#include <charconv>
#include <cmath>
#include <random>

#include "common/json_writer.h"
#include "runtime/json_decoder.h"

namespace fluxgate::runtime {
namespace {

using sql::DataType;

TEST(JsonRowEncoder, WritesFlinkForms) {
  auto s = std::make_shared<Schema>(std::vector<Field>{{"id", DataType::String()},
                                                       {"ts", DataType::Timestamp(3)},
                                                       {"v", DataType::Double()},
                                                       {"m", DataType::Decimal(10, 3)},
                                                       {"n", DataType::BigInt()},
                                                       {"ok", DataType::Boolean()},
                                                       {"l", DataType::TimestampLtz(3)}});
  RecordBatchBuilder b(s);
  b.column(0).AppendString("a\"b\n");
  b.column(1).AppendInt64(1609330394120);  // 2020-12-30 12:13:14.120
  b.column(2).AppendDouble(0.1);
  b.column(3).AppendDecimal(-12300);
  b.column(4).AppendNull();
  b.column(5).AppendBool(true);
  b.column(6).AppendInt64(1609330394123);
  b.CommitRow();
  b.column(0).AppendString("x");
  b.column(1).AppendInt64(1609330394000);
  b.column(2).AppendDouble(22.0);
  b.column(3).AppendDecimal(5);
  b.column(4).AppendInt64(-7);
  b.column(5).AppendNull();
  b.column(6).AppendNull();
  b.CommitRow();
  JsonRowEncoder enc(s, {});
  std::string out;
  enc.AppendJsonLines(b.batch(), out);
  EXPECT_EQ(out,
            R"({"id":"a\"b\n","ts":"2020-12-30 12:13:14.12","v":0.1,"m":-12.300,"n":null,)"
            R"("ok":true,"l":"2020-12-30 12:13:14.123Z"})"
            "\n"
            R"({"id":"x","ts":"2020-12-30 12:13:14","v":22.0,"m":0.005,"n":-7,"ok":null,"l":null})"
            "\n");
  JsonFormatOptions iso;
  iso.timestamp_style = TimestampStyle::kIso;
  out.clear();
  JsonRowEncoder(s, iso).AppendRow(b.batch(), 1, out);
  EXPECT_NE(out.find(R"("ts":"2020-12-30T12:13:14")"), std::string::npos);
}

// Rows are assembled in a fixed buffer: strings near and beyond its size, many members
// and escapes that grow the text six-fold must come out whole and in order; a column map
// picks the batch columns without copying them.
TEST(JsonRowEncoder, LongRowsAndColumnMaps) {
  std::vector<Field> fields;
  for (int i = 0; i < 40; ++i) fields.push_back({"c" + std::to_string(i), DataType::String()});
  fields.push_back({"v", DataType::Double()});
  auto s = std::make_shared<Schema>(fields);
  RecordBatchBuilder b(s);
  std::vector<std::string> values;
  for (int i = 0; i < 40; ++i) {
    std::string v(static_cast<size_t>(i * 97 % 700), 'a' + i % 26);
    if (i % 3 == 0) v += std::string(static_cast<size_t>(i * 13), '\x01');  // \u0001 each
    if (i == 7) v = std::string(5000, '"');
    values.push_back(v);
    b.column(i).AppendString(v);
  }
  b.column(40).AppendDouble(-0.5);
  b.CommitRow();
  std::string out = "prefix|";
  JsonRowEncoder(s, {}).AppendRow(b.batch(), 0, out);
  std::string expected = "prefix|";
  for (int i = 0; i < 40; ++i) {
    expected += i == 0 ? "{\"" : ",\"";
    expected += "c" + std::to_string(i) + "\":\"";
    AppendJsonEscaped(values[i], expected);
    expected += '"';
  }
  expected += ",\"v\":-0.5}";
  EXPECT_EQ(out, expected);

  // Fields 0 and 1 of a two-column schema read from batch columns 40 and 7.
  auto pair = std::make_shared<Schema>(
      std::vector<Field>{{"v", DataType::Double()}, {"q", DataType::String()}});
  out.clear();
  JsonRowEncoder(pair, {}).AppendRow(b.batch(), std::vector<int>{40, 7}, 0, out);
  std::string quotes;
  AppendJsonEscaped(values[7], quotes);
  EXPECT_EQ(out, "{\"v\":-0.5,\"q\":\"" + quotes + "\"}");
}

TEST(JsonRowEncoder, NonFiniteDoublesInRowsAreStrings) {
  auto s = std::make_shared<Schema>(std::vector<Field>{
      {"a", DataType::Double()}, {"b", DataType::Double()}, {"c", DataType::Double()}});
  RecordBatchBuilder b(s);
  b.column(0).AppendDouble(std::nan(""));
  b.column(1).AppendDouble(-INFINITY);
  b.column(2).AppendDouble(INFINITY);
  b.CommitRow();
  std::string out;
  JsonRowEncoder(s, {}).AppendRow(b.batch(), 0, out);
  EXPECT_EQ(out, R"({"a":"NaN","b":"-Infinity","c":"Infinity"})");
}

TEST(JsonRowEncoder, RoundTripsThroughDecoder) {
  auto s = std::make_shared<Schema>(std::vector<Field>{
      {"ts", DataType::Timestamp(3)}, {"v", DataType::Double()}, {"m", DataType::Decimal(38, 10)}});
  RecordBatchBuilder b(s);
  b.column(0).AppendInt64(1795633500123);
  b.column(1).AppendDouble(1.0 / 3.0);
  b.column(2).AppendDecimal(static_cast<int128>(123456789012345678) * 1000000000 + 7);
  b.CommitRow();
  std::string line;
  JsonRowEncoder(s, {}).AppendRow(b.batch(), 0, line);
  JsonDecoder dec(s, {});
  RecordBatchBuilder back(s);
  DeadLetter dl;
  ASSERT_EQ(dec.Decode(line, back, &dl), DecodeOutcome::kRows) << dl.reason;
  EXPECT_EQ(back.batch().RowToString(0), b.batch().RowToString(0));
  EXPECT_EQ(back.batch().column(1).Double(0), 1.0 / 3.0);
}

}  // namespace
}  // namespace fluxgate::runtime

namespace fluxgate::runtime {
namespace {

// Jackson writes a double with Double.toString; so do we (and the print sink's text).
TEST(JsonRowEncoder, DoublesAsJavaWritesThem) {
  auto text = [](double v) {
    std::string s;
    AppendJsonDouble(v, s);
    return s;
  };
  EXPECT_EQ(text(95.0), "95.0");
  EXPECT_EQ(text(22.5), "22.5");
  EXPECT_EQ(text(0.1 + 0.2), "0.30000000000000004");
  EXPECT_EQ(text(1e7), "1.0E7");
  EXPECT_EQ(text(1.5e20), "1.5E20");
  EXPECT_EQ(text(1e-4), "1.0E-4");
  EXPECT_EQ(text(0.001), "0.001");
  EXPECT_EQ(text(-0.0), "-0.0");
  EXPECT_EQ(text(std::nan("")), "\"NaN\"");
  EXPECT_EQ(text(-12.25), "-12.25");
  EXPECT_EQ(text(1000000.0), "1000000.0");
  EXPECT_EQ(text(9999999.9999), "9999999.9999");
  EXPECT_EQ(text(0.0015), "0.0015");
}

// Values with up to four decimals take a shortcut; every value must still print as the
// shortest text that reads back as it (what to_chars finds), decimals or not.
TEST(JsonRowEncoder, DoubleShortcutMatchesShortestText) {
  std::mt19937_64 rng(11);
  for (int k = 0; k < 300000; ++k) {
    const int decimals = static_cast<int>(rng() % 8);
    const double scale = std::pow(10.0, decimals);
    double v =
        static_cast<double>(static_cast<int64_t>(rng() % 20'000'000'000ull) - 10'000'000'000ll) /
        scale;
    if (k % 5 == 0) v = std::ldexp(static_cast<double>(rng() % (1ull << 53)), -30);
    if (k % 7 == 0) v = std::nextafter(v, 1e300);
    const double a = std::fabs(v);
    if (!(a == 0 || (a >= 1e-3 && a < 1e7))) continue;
    char buf[64];
    auto r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed);
    std::string expected(buf, r.ptr);
    if (expected.find('.') == std::string::npos) expected += ".0";
    std::string got;
    AppendJsonDouble(v, got);
    ASSERT_EQ(got, expected) << std::hexfloat << v;
  }
}

}  // namespace
}  // namespace fluxgate::runtime
