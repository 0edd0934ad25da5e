// ExprProgram time functions: EXTRACT, TIMESTAMPDIFF / TIMESTAMPADD, TO_TIMESTAMP[_LTZ],
// DATE_FORMAT, UNIX_TIMESTAMP, FROM_UNIXTIME, the clock functions (an injected clock, read
// once per batch) and CURRENT_WATERMARK. Expected values are computed by hand (UTC).
#include <gtest/gtest.h>

#include <cstdint>
#include <limits>

#include "runtime/clock.h"
#include "runtime/expr_program.h"
#include "runtime/expr_test_util.h"

namespace fluxgate::runtime::testing {
namespace {

class ExprTime : public ExprFunctionTest {
 protected:
  // ts (and us, lz) per row: a Wednesday, a Sunday in ISO week 53 of the previous year,
  // a negative epoch, NULL.
  void SetUp() override {
    ExprFunctionTest::SetUp();
    auto row = [](const char* ts, const char* us, const char* s, const char* t) {
      Row r(9, nullptr);
      r[1] = "1609330394";
      r[4] = s;
      r[5] = t;
      r[6] = ts;
      r[7] = us;
      r[8] = ts;
      return r;
    };
    SetRows({row("2020-12-30 12:13:14.123", "2020-12-30 12:13:14.123456", "2020-12-30 12:13:14",
                 "yyyy/MM/dd"),
             row("2021-01-03 00:00:00", "2021-01-03 00:00:00.000001", "2021-1-3", "HH:mm"),
             row("1969-12-31 23:59:59.999", "1969-12-31 23:59:59.999999", "not a date", "T"),
             row(nullptr, nullptr, nullptr, nullptr)});
  }
};

TEST_F(ExprTime, ExtractDateFields) {
  EXPECT_EQ(Eval("EXTRACT(YEAR FROM ts)"), (V{"2020", "2021", "1969", "NULL"}));
  EXPECT_EQ(Eval("EXTRACT(QUARTER FROM ts)"), (V{"4", "1", "4", "NULL"}));
  EXPECT_EQ(Eval("EXTRACT(MONTH FROM ts)"), (V{"12", "1", "12", "NULL"}));
  // ISO 8601 weeks: 2020 has 53; 2021-01-03 is in 2020-W53; 1969-12-31 in 1970-W01.
  EXPECT_EQ(Eval("EXTRACT(WEEK FROM ts)"), (V{"53", "53", "1", "NULL"}));
  EXPECT_EQ(Eval("EXTRACT(DAY FROM ts)"), (V{"30", "3", "31", "NULL"}));
  EXPECT_EQ(Eval("EXTRACT(DOY FROM ts)"), (V{"365", "3", "365", "NULL"}));
  EXPECT_EQ(Eval("EXTRACT(DOW FROM ts)"), (V{"4", "1", "4", "NULL"}));  // Sunday = 1
}

TEST_F(ExprTime, ExtractTimeFields) {
  EXPECT_EQ(Eval("EXTRACT(HOUR FROM ts)"), (V{"12", "0", "23", "NULL"}));
  EXPECT_EQ(Eval("EXTRACT(MINUTE FROM ts)"), (V{"13", "0", "59", "NULL"}));
  EXPECT_EQ(Eval("EXTRACT(SECOND FROM ts)"), (V{"14", "0", "59", "NULL"}));
  EXPECT_EQ(Eval("EXTRACT(MILLISECOND FROM ts)"), (V{"123", "0", "999", "NULL"}));
  EXPECT_EQ(Eval("EXTRACT(MICROSECOND FROM us)"), (V{"123456", "1", "999999", "NULL"}));
  EXPECT_EQ(Eval("EXTRACT(EPOCH FROM ts)"), (V{"1609330394", "1609632000", "-1", "NULL"}));
  EXPECT_EQ(Eval("EXTRACT(HOUR FROM lz)"), (V{"12", "0", "23", "NULL"}));  // UTC session
  EXPECT_EQ(Eval("EXTRACT(YEAR FROM us)"), (V{"2020", "2021", "1969", "NULL"}));
}

TEST_F(ExprTime, ExtractFromInterval) {
  EXPECT_EQ(One("EXTRACT(DAY FROM INTERVAL '3' DAY)"), "3");
  EXPECT_EQ(One("EXTRACT(HOUR FROM INTERVAL '1:30' HOUR TO MINUTE)"), "1");
  EXPECT_EQ(One("EXTRACT(MINUTE FROM INTERVAL '1:30' HOUR TO MINUTE)"), "30");
  EXPECT_FALSE(CompileError("EXTRACT(DOW FROM INTERVAL '1' DAY)").ok());
}

TEST_F(ExprTime, TimestampDiff) {
  const std::string a = "TIMESTAMP '2020-01-01 00:00:00'";
  EXPECT_EQ(One("TIMESTAMPDIFF(SECOND, " + a + ", TIMESTAMP '2020-01-01 00:01:30')"), "90");
  EXPECT_EQ(One("TIMESTAMPDIFF(MINUTE, " + a + ", TIMESTAMP '2020-01-01 00:01:30')"), "1");
  // Truncation toward zero, as Java's long division.
  EXPECT_EQ(One("TIMESTAMPDIFF(MINUTE, TIMESTAMP '2020-01-01 00:01:30', " + a + ")"), "-1");
  EXPECT_EQ(One("TIMESTAMPDIFF(HOUR, " + a + ", TIMESTAMP '2020-01-02 01:00:00')"), "25");
  EXPECT_EQ(One("TIMESTAMPDIFF(DAY, " + a + ", TIMESTAMP '2020-01-02 23:59:59')"), "1");
  EXPECT_EQ(One("TIMESTAMPDIFF(WEEK, " + a + ", TIMESTAMP '2020-01-15 00:00:00')"), "2");
  // Months as Calcite counts them: Jan 31 + 1 month = Feb 29, so that is one month.
  EXPECT_EQ(One("TIMESTAMPDIFF(MONTH, TIMESTAMP '2020-01-31 00:00:00', "
                "TIMESTAMP '2020-02-29 00:00:00')"),
            "1");
  EXPECT_EQ(One("TIMESTAMPDIFF(MONTH, TIMESTAMP '2020-01-15 12:00:00', "
                "TIMESTAMP '2020-02-15 11:00:00')"),
            "0");
  EXPECT_EQ(One("TIMESTAMPDIFF(MONTH, TIMESTAMP '2020-03-01 00:00:00', " + a + ")"), "-2");
  EXPECT_EQ(One("TIMESTAMPDIFF(QUARTER, " + a + ", TIMESTAMP '2020-07-01 00:00:00')"), "2");
  EXPECT_EQ(One("TIMESTAMPDIFF(YEAR, TIMESTAMP '2019-06-01 00:00:00', "
                "TIMESTAMP '2020-05-31 00:00:00')"),
            "0");
  EXPECT_EQ(Eval("TIMESTAMPDIFF(DAY, ts, TIMESTAMP '2021-01-01 00:00:00')"),
            (V{"1", "-2", "18628", "NULL"}));
  // Mixed precisions: both sides are read as instants.
  EXPECT_EQ(Eval("TIMESTAMPDIFF(MICROSECOND, ts, us)"), (V{"456", "1", "999", "NULL"}));
  EXPECT_EQ(Eval("TIMESTAMPDIFF(SECOND, lz, ts)"), (V{"0", "0", "0", "NULL"}));
}

TEST_F(ExprTime, TimestampAdd) {
  EXPECT_EQ(One("CAST(TIMESTAMPADD(MONTH, 1, TIMESTAMP '2020-01-31 10:00:00') AS STRING)"),
            "2020-02-29 10:00:00");
  EXPECT_EQ(One("CAST(TIMESTAMPADD(YEAR, 1, TIMESTAMP '2020-02-29 00:00:00') AS STRING)"),
            "2021-02-28 00:00:00");
  EXPECT_EQ(One("CAST(TIMESTAMPADD(QUARTER, -1, TIMESTAMP '2020-05-31 00:00:00') AS STRING)"),
            "2020-02-29 00:00:00");
  EXPECT_EQ(
      Eval("TIMESTAMPADD(DAY, -1, ts)"),
      (V{"2020-12-29 12:13:14.123", "2021-01-02 00:00:00.000", "1969-12-30 23:59:59.999", "NULL"}));
  EXPECT_EQ(
      Eval("TIMESTAMPADD(MILLISECOND, 1, ts)"),
      (V{"2020-12-30 12:13:14.124", "2021-01-03 00:00:00.001", "1970-01-01 00:00:00.000", "NULL"}));
  EXPECT_EQ(Eval("TIMESTAMPADD(WEEK, 1, us)")[0], "2021-01-06 12:13:14.123456");
  EXPECT_EQ(Eval("TIMESTAMPADD(HOUR, CAST(NULL AS INT), ts)")[0], "NULL");
}

TEST_F(ExprTime, ToTimestamp) {
  EXPECT_EQ(Eval("TO_TIMESTAMP(s)"),
            (V{"2020-12-30 12:13:14.000", "2021-01-03 00:00:00.000", "NULL", "NULL"}));
  EXPECT_EQ(One("TO_TIMESTAMP('2020-12-30T12:13:14.5Z')"), "2020-12-30 12:13:14.500");
  EXPECT_EQ(One("TO_TIMESTAMP('2020-12-30 12:13:14+02:00')"), "2020-12-30 10:13:14.000");
  EXPECT_EQ(One("TO_TIMESTAMP('2020-02-30 00:00:00')"), "NULL");
  EXPECT_EQ(One("TO_TIMESTAMP('')"), "NULL");
  EXPECT_EQ(One("TO_TIMESTAMP('30/12/2020 12:13', 'dd/MM/yyyy HH:mm')"), "2020-12-30 12:13:00.000");
  EXPECT_EQ(One("TO_TIMESTAMP('20201230121314123', 'yyyyMMddHHmmssSSS')"),
            "2020-12-30 12:13:14.123");
  EXPECT_EQ(One("TO_TIMESTAMP('Dec 30, 2020 01:02:03 PM', 'MMM dd, yyyy hh:mm:ss a')"),
            "2020-12-30 13:02:03.000");
  EXPECT_EQ(One("TO_TIMESTAMP('2020-365', 'yyyy-DDD')"), "2020-12-30 00:00:00.000");
  // Flink falls back to the SQL form when the pattern does not match.
  EXPECT_EQ(One("TO_TIMESTAMP('2020-12-30', 'yyyy/MM/dd')"), "2020-12-30 00:00:00.000");
  EXPECT_EQ(One("TO_TIMESTAMP('2020/13/01', 'yyyy/MM/dd')"), "NULL");
  EXPECT_EQ(One("TO_TIMESTAMP('2020/12/01 extra', 'yyyy/MM/dd')"), "NULL");
  // Optional sections.
  EXPECT_EQ(One("TO_TIMESTAMP('2020-12-30 12:13', 'yyyy-MM-dd HH:mm[:ss]')"),
            "2020-12-30 12:13:00.000");
  EXPECT_EQ(One("TO_TIMESTAMP('2020-12-30 12:13:14', 'yyyy-MM-dd HH:mm[:ss]')"),
            "2020-12-30 12:13:14.000");
  EXPECT_EQ(One("TO_TIMESTAMP(CAST(NULL AS STRING), 'yyyy')"), "NULL");
  EXPECT_EQ(One("TO_TIMESTAMP('2020', CAST(NULL AS STRING))"), "NULL");
}

TEST_F(ExprTime, ToTimestampWithRowPattern) {
  auto row = [](const char* s, const char* t) {
    Row r(9, nullptr);
    r[4] = s;
    r[5] = t;
    return r;
  };
  SetRows({row("2020/12/30", "yyyy/MM/dd"), row("12:13", "HH:mm"), row("2020", "'unclosed"),
           row("2020-01-02", nullptr)});
  EXPECT_EQ(Eval("TO_TIMESTAMP(s, t)"),
            (V{"2020-12-30 00:00:00.000", "1970-01-01 12:13:00.000", "NULL", "NULL"}));
}

TEST_F(ExprTime, ToTimestampLtz) {
  EXPECT_EQ(One("TO_TIMESTAMP_LTZ(1609330394, 0)"), "2020-12-30 12:13:14.000Z");
  EXPECT_EQ(One("TO_TIMESTAMP_LTZ(1609330394123, 3)"), "2020-12-30 12:13:14.123Z");
  EXPECT_EQ(One("TO_TIMESTAMP_LTZ(1609330394123)"), "2020-12-30 12:13:14.123Z");
  EXPECT_EQ(One("TO_TIMESTAMP_LTZ(1609330394.5e0, 0)"), "2020-12-30 12:13:14.500Z");
  EXPECT_EQ(One("TO_TIMESTAMP_LTZ(-1, 3)"), "1969-12-31 23:59:59.999Z");
  EXPECT_EQ(Eval("TO_TIMESTAMP_LTZ(b, 0)")[0], "2020-12-30 12:13:14.000Z");
  EXPECT_EQ(One("TO_TIMESTAMP_LTZ(253402300800000, 3)"), "NULL");  // past 9999-12-31
  EXPECT_EQ(One("TO_TIMESTAMP_LTZ(CAST(NULL AS BIGINT), 3)"), "NULL");
  EXPECT_EQ(One("TO_TIMESTAMP_LTZ('2020-12-30 12:13:14')"), "2020-12-30 12:13:14.000Z");
  EXPECT_FALSE(CompileError("TO_TIMESTAMP_LTZ(b, 6)").ok());
  EXPECT_FALSE(CompileError("TO_TIMESTAMP_LTZ(b, i)").ok());
}

TEST_F(ExprTime, DateFormatHivePartitions) {
  EXPECT_EQ(Eval("DATE_FORMAT(ts, 'yyyy')"), (V{"2020", "2021", "1969", "NULL"}));
  EXPECT_EQ(Eval("DATE_FORMAT(ts, 'MM')"), (V{"12", "01", "12", "NULL"}));
  EXPECT_EQ(Eval("DATE_FORMAT(ts, 'dd')"), (V{"30", "03", "31", "NULL"}));
  EXPECT_EQ(Eval("DATE_FORMAT(ts, 'HH')"), (V{"12", "00", "23", "NULL"}));
  EXPECT_EQ(
      Eval("DATE_FORMAT(ts, 'yyyy-MM-dd HH:mm:ss.SSS')"),
      (V{"2020-12-30 12:13:14.123", "2021-01-03 00:00:00.000", "1969-12-31 23:59:59.999", "NULL"}));
}

// DATE_FORMAT reuses the previous row's text while rows stay within the span its pattern
// cannot tell apart (an hour for 'HH'); the text must still change exactly at the span's
// edges, across batches of one compiled program too.
TEST_F(ExprTime, DateFormatReusesTextOnlyWithinTheSpan) {
  auto program = CompileExpr("DATE_FORMAT(ts, 'yyyy-MM-dd HH')");
  ASSERT_TRUE(program.ok()) << program.status().message();
  auto minutes = CompileExpr("DATE_FORMAT(ts, 'HH:mm')");
  ASSERT_TRUE(minutes.ok()) << minutes.status().message();
  auto millis = CompileExpr("DATE_FORMAT(ts, 'ss.SSS')");
  ASSERT_TRUE(millis.ok()) << millis.status().message();
  SetRows({{nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, "2020-12-31 23:59:59.999"},
           {nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, "2021-01-01 00:00:00.000"},
           {nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, "2021-01-01 00:59:59.999"},
           {nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, "2020-12-31 23:00:00.000"},
           {nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr},
           {nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, "1969-12-31 23:30:00.001"}});
  auto col = (*program)->Evaluate(batch_);
  ASSERT_TRUE(col.ok());
  EXPECT_EQ(Texts(**col), (V{"2020-12-31 23", "2021-01-01 00", "2021-01-01 00", "2020-12-31 23",
                             "NULL", "1969-12-31 23"}));
  auto m = (*minutes)->Evaluate(batch_);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(Texts(**m), (V{"23:59", "00:00", "00:59", "23:00", "NULL", "23:30"}));
  auto s = (*millis)->Evaluate(batch_);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(Texts(**s), (V{"59.999", "00.000", "59.999", "00.000", "NULL", "00.001"}));
  // The next batch starts in the hour the last one ended in, then leaves it.
  SetRows({{nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, "1969-12-31 23:59:59.999"},
           {nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, "1970-01-01 00:00:00.000"}});
  col = (*program)->Evaluate(batch_);
  ASSERT_TRUE(col.ok());
  EXPECT_EQ(Texts(**col), (V{"1969-12-31 23", "1970-01-01 00"}));
}

TEST_F(ExprTime, DateFormatLetters) {
  EXPECT_EQ(Eval("DATE_FORMAT(ts, 'yy/M/d h:mm a')"),
            (V{"20/12/30 12:13 PM", "21/1/3 12:00 AM", "69/12/31 11:59 PM", "NULL"}));
  EXPECT_EQ(Eval("DATE_FORMAT(ts, 'EEE, D')"), (V{"Wed, 365", "Sun, 3", "Wed, 365", "NULL"}));
  EXPECT_EQ(One("DATE_FORMAT(ts, 'EEEE MMMM MMM')"), "Wednesday December Dec");
  EXPECT_EQ(One("DATE_FORMAT(ts, 'yyyy-MM-dd''T''HH:mm:ssX')"), "2020-12-30T12:13:14Z");
  EXPECT_EQ(One("DATE_FORMAT(ts, '''Q''Q yyyy, ''''')"), "Q4 2020, '");
  EXPECT_EQ(One("DATE_FORMAT(ts, 'HH:mm:ss Z')"), "12:13:14 +0000");
  EXPECT_EQ(One("DATE_FORMAT(us, 'ss.SSSSSS')"), "14.123456");
  EXPECT_EQ(One("DATE_FORMAT(ts, 'ss.S')"), "14.1");  // java.time: a fraction
  EXPECT_EQ(One("DATE_FORMAT(lz, 'yyyy-MM-dd HH:mm')"), "2020-12-30 12:13");
  // Week-based fields follow en-US: 2021-01-03 (a Sunday) starts week 2 of 2021.
  EXPECT_EQ(Eval("DATE_FORMAT(ts, 'YYYY-ww')"), (V{"2021-01", "2021-02", "1970-01", "NULL"}));
  // An unknown letter or an unclosed quote is rejected at compile time.
  Status st = CompileError("DATE_FORMAT(ts, 'yyyy-MM-ddTHH')");
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find("unknown letter"), std::string::npos) << st.message();
  EXPECT_FALSE(CompileError("DATE_FORMAT(ts, 'yyyy''')").ok());
}

TEST_F(ExprTime, DateFormatOfStringsAndRowPatterns) {
  EXPECT_EQ(Eval("DATE_FORMAT(s, 'yyyy/MM/dd')"), (V{"2020/12/30", "2021/01/03", "NULL", "NULL"}));
  // A pattern per row: an invalid one ('T') gives NULL.
  EXPECT_EQ(Eval("DATE_FORMAT(ts, t)"), (V{"2020/12/30", "00:00", "NULL", "NULL"}));
  EXPECT_EQ(One("DATE_FORMAT(ts, CAST(NULL AS STRING))"), "NULL");
}

TEST_F(ExprTime, UnixTimestampAndFromUnixtime) {
  EXPECT_EQ(Eval("UNIX_TIMESTAMP(s)"),
            (V{"1609330394", "-9223372036854775808", "-9223372036854775808", "NULL"}));
  EXPECT_EQ(One("UNIX_TIMESTAMP('2020/12/30', 'yyyy/MM/dd')"), "1609286400");
  EXPECT_EQ(One("UNIX_TIMESTAMP('1969-12-31 23:59:59')"), "-1");
  // SimpleDateFormat reads a prefix and one-digit fields.
  EXPECT_EQ(One("UNIX_TIMESTAMP('2020-12-30 12:13:14.999')"), "1609330394");
  EXPECT_EQ(One("UNIX_TIMESTAMP('2020-1-2 3:04:05')"), "1577934245");
  EXPECT_EQ(One("UNIX_TIMESTAMP('2020-12-30 12:13:14 +0100', 'yyyy-MM-dd HH:mm:ss Z')"),
            "1609326794");
  EXPECT_EQ(One("FROM_UNIXTIME(1609330394)"), "2020-12-30 12:13:14");
  EXPECT_EQ(One("FROM_UNIXTIME(-1)"), "1969-12-31 23:59:59");
  EXPECT_EQ(One("FROM_UNIXTIME(0, 'yyyy-MM-dd HH:mm:ss.SSS')"), "1970-01-01 00:00:00.000");
  EXPECT_EQ(Eval("FROM_UNIXTIME(b, 'yyyyMMdd')")[0], "20201230");
  EXPECT_EQ(One("FROM_UNIXTIME(CAST(NULL AS BIGINT))"), "NULL");
}

TEST_F(ExprTime, ClockFunctionsReadTheInjectedClockOncePerBatch) {
  ManualClock clock(1609330394123);  // 2020-12-30 12:13:14.123
  CompileOptions options;
  options.clock = &clock;
  EXPECT_EQ(Eval("CURRENT_TIMESTAMP", options), (V(4, "2020-12-30 12:13:14.123Z")));
  EXPECT_EQ(One("NOW()", options), "2020-12-30 12:13:14.123Z");
  EXPECT_EQ(One("LOCALTIMESTAMP", options), "2020-12-30 12:13:14.123");
  EXPECT_EQ(One("PROCTIME()", options), "2020-12-30 12:13:14.123Z");
  EXPECT_EQ(One("CURRENT_ROW_TIMESTAMP()", options), "2020-12-30 12:13:14.123Z");
  EXPECT_EQ(One("CURRENT_DATE", options), "2020-12-30 00:00:00");
  EXPECT_EQ(One("UNIX_TIMESTAMP()", options), "1609330394");
  EXPECT_EQ(One("DATE_FORMAT(CURRENT_TIMESTAMP, 'yyyy-MM-dd')", options), "2020-12-30");
  // The shipped pipeline's processed_at column: TIMESTAMP_LTZ -> TIMESTAMP changes the type
  // (it printed with a 'Z' before), not the instant (UTC session).
  EXPECT_EQ(One("CAST(CURRENT_TIMESTAMP AS TIMESTAMP(3))", options), "2020-12-30 12:13:14.123");

  auto p = CompileExpr("TIMESTAMPDIFF(SECOND, ts, CURRENT_TIMESTAMP)", options);
  ASSERT_TRUE(p.ok()) << p.status().message();
  auto c = (*p)->Evaluate(batch_);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ((*c)->Int64(0), 0);
  clock.Advance(60'000);  // the next batch sees the new time
  c = (*p)->Evaluate(batch_);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ((*c)->Int64(0), 60);
}

TEST_F(ExprTime, SystemClockByDefault) {
  auto p = CompileExpr("UNIX_TIMESTAMP()");
  ASSERT_TRUE(p.ok());
  auto c = (*p)->Evaluate(batch_);
  ASSERT_TRUE(c.ok());
  EXPECT_GT((*c)->Int64(0), 1'700'000'000);  // after 2023-11
}

TEST_F(ExprTime, CurrentWatermark) {
  EXPECT_EQ(Eval("CURRENT_WATERMARK(ts)"), (V(4, "NULL")));  // no watermark pointer
  int64_t wm = std::numeric_limits<int64_t>::min();
  CompileOptions options;
  options.watermark = &wm;
  auto p = CompileExpr("CURRENT_WATERMARK(ts)", options);
  ASSERT_TRUE(p.ok()) << p.status().message();
  auto c = (*p)->Evaluate(batch_);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(Texts(**c), (V(4, "NULL")));  // none yet
  wm = 1609330394123;
  c = (*p)->Evaluate(batch_);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(Texts(**c), (V(4, "2020-12-30 12:13:14.123")));
  // The usual late-data filter.
  EXPECT_EQ(Eval("ts > CURRENT_WATERMARK(ts)", options), (V{"FALSE", "TRUE", "FALSE", "NULL"}));
}

}  // namespace
}  // namespace fluxgate::runtime::testing
