// ExprProgram: every scalar function of the SQL registry compiles; the string, math and
// conditional functions beyond the core set give Flink's values, including for NULL and
// bad input; CAST to STRING renders as Flink does.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <map>
#include <regex>
#include <set>

#include "runtime/expr_program.h"
#include "runtime/expr_test_util.h"
#include "sql/function_registry.h"

namespace fluxgate::runtime::testing {
namespace {

class ExprFunctions : public ExprFunctionTest {};

// One sample call per registry scalar function (plus the binder's own EXTRACT,
// TIMESTAMPDIFF / TIMESTAMPADD and JSON_VALUE). A function added to the registry without a
// sample here fails the test, so it cannot ship without a kernel.
const std::map<std::string, std::string>& Samples() {
  static const std::map<std::string, std::string> kSamples = {
      {"UPPER", "UPPER(s)"},
      {"LOWER", "LOWER(s)"},
      {"INITCAP", "INITCAP(s)"},
      {"TRIM", "TRIM(s)"},
      {"LTRIM", "LTRIM(s)"},
      {"RTRIM", "RTRIM(s)"},
      {"REVERSE", "REVERSE(s)"},
      {"CHAR_LENGTH", "CHAR_LENGTH(s)"},
      {"CHARACTER_LENGTH", "CHARACTER_LENGTH(s)"},
      {"SUBSTRING", "SUBSTRING(s, 2)"},
      {"SUBSTR", "SUBSTR(s, 1, 2)"},
      {"LEFT", "LEFT(s, 2)"},
      {"RIGHT", "RIGHT(s, 2)"},
      {"REPEAT", "REPEAT(s, 2)"},
      {"LPAD", "LPAD(s, 5, '*')"},
      {"RPAD", "RPAD(s, 5, '*')"},
      {"REPLACE", "REPLACE(s, 'a', 'b')"},
      {"CONCAT", "CONCAT(s, t)"},
      {"CONCAT_WS", "CONCAT_WS('-', s, t)"},
      {"LOCATE", "LOCATE('a', s)"},
      {"INSTR", "INSTR(s, 'a')"},
      {"SPLIT_INDEX", "SPLIT_INDEX(s, ',', 1)"},
      {"REGEXP", "REGEXP(s, 'a+')"},
      {"REGEXP_REPLACE", "REGEXP_REPLACE(s, 'a', 'b')"},
      {"REGEXP_EXTRACT", "REGEXP_EXTRACT(s, '(a)', 1)"},
      {"MD5", "MD5(s)"},
      {"TO_BASE64", "TO_BASE64(s)"},
      {"UUID", "UUID()"},
      {"JSON_QUOTE", "JSON_QUOTE(s)"},
      {"TYPEOF", "TYPEOF(i)"},
      {"ABS", "ABS(i)"},
      {"SIGN", "SIGN(d)"},
      {"CEIL", "CEIL(d)"},
      {"CEILING", "CEILING(m)"},
      {"FLOOR", "FLOOR(d)"},
      {"ROUND", "ROUND(d, 1)"},
      {"TRUNCATE", "TRUNCATE(d, 1)"},
      {"MOD", "MOD(i, 3)"},
      {"SQRT", "SQRT(d)"},
      {"EXP", "EXP(d)"},
      {"LN", "LN(d)"},
      {"LOG10", "LOG10(d)"},
      {"LOG2", "LOG2(d)"},
      {"LOG", "LOG(d)"},
      {"POWER", "POWER(d, 2)"},
      {"POW", "POW(d, 2)"},
      {"SIN", "SIN(d)"},
      {"COS", "COS(d)"},
      {"TAN", "TAN(d)"},
      {"PI", "PI()"},
      {"RAND", "RAND()"},
      {"GREATEST", "GREATEST(i, b)"},
      {"LEAST", "LEAST(i, 2)"},
      {"COALESCE", "COALESCE(s, t)"},
      {"IFNULL", "IFNULL(s, t)"},
      {"NULLIF", "NULLIF(i, 0)"},
      {"IF", "IF(i > 0, s, t)"},
      {"CURRENT_TIMESTAMP", "CURRENT_TIMESTAMP"},
      {"NOW", "NOW()"},
      {"CURRENT_ROW_TIMESTAMP", "CURRENT_ROW_TIMESTAMP()"},
      {"LOCALTIMESTAMP", "LOCALTIMESTAMP"},
      {"CURRENT_DATE", "CURRENT_DATE"},
      {"PROCTIME", "PROCTIME()"},
      {"TO_TIMESTAMP", "TO_TIMESTAMP(s)"},
      {"TO_TIMESTAMP_LTZ", "TO_TIMESTAMP_LTZ(b, 3)"},
      {"DATE_FORMAT", "DATE_FORMAT(ts, 'yyyy')"},
      {"UNIX_TIMESTAMP", "UNIX_TIMESTAMP()"},
      {"FROM_UNIXTIME", "FROM_UNIXTIME(b)"},
      {"CURRENT_WATERMARK", "CURRENT_WATERMARK(ts)"},
      {"EXTRACT", "EXTRACT(DOY FROM ts)"},
      {"TIMESTAMPDIFF", "TIMESTAMPDIFF(MONTH, ts, us)"},
      {"TIMESTAMPADD", "TIMESTAMPADD(QUARTER, i, lz)"},
      {"JSON_VALUE", "JSON_VALUE(s, '$.a')"},
  };
  return kSamples;
}

TEST_F(ExprFunctions, EveryRegistryScalarFunctionCompilesAndRuns) {
  std::set<std::string> missing;
  for (const std::string& name : sql::FunctionNames()) {
    const sql::FunctionInfo* info = sql::LookupFunction(name);
    ASSERT_NE(info, nullptr);
    if (info->kind != sql::FunctionKind::kScalar) continue;
    if (Samples().count(name) == 0) missing.insert(name);
  }
  EXPECT_TRUE(missing.empty()) << "registry functions without a sample: " << [&] {
    std::string s;
    for (const auto& m : missing) s += m + " ";
    return s;
  }();
  for (const auto& [name, sql] : Samples()) {
    auto p = CompileExpr(sql);
    ASSERT_TRUE(p.ok()) << sql << ": " << p.status().message();
    auto col = (*p)->Evaluate(batch_);
    ASSERT_TRUE(col.ok()) << sql << ": " << col.status().message();
    EXPECT_EQ((*col)->size(), batch_.num_rows()) << sql;
  }
}

// Rows for the string tests: column s (index 4) and t (5).
std::vector<ExprFunctionTest::Row> StringRows() {
  auto row = [](const char* s, const char* t) {
    ExprFunctionTest::Row r(9, nullptr);
    r[4] = s;
    r[5] = t;
    return r;
  };
  return {row("hello wORLD", "x"), row("a,b,,c", nullptr), row("", ""), row(nullptr, "y"),
          row("h\xC3\xA9llo", "z")};  // "héllo"
}

TEST_F(ExprFunctions, CaseAndReverse) {
  SetRows(StringRows());
  EXPECT_EQ(Eval("INITCAP(s)"), (V{"Hello World", "A,B,,C", "", "NULL", "H\xC3\xA9Llo"}));
  EXPECT_EQ(One("INITCAP('4th of JULY, o''neil')"), "4th Of July, O'Neil");
  EXPECT_EQ(Eval("REVERSE(s)"), (V{"DLROw olleh", "c,,b,a", "", "NULL", "oll\xC3\xA9h"}));
}

TEST_F(ExprFunctions, LeftRightRepeat) {
  SetRows(StringRows());
  EXPECT_EQ(Eval("LEFT(s, 3)"), (V{"hel", "a,b", "", "NULL", "h\xC3\xA9l"}));
  EXPECT_EQ(Eval("RIGHT(s, 2)"), (V{"LD", ",c", "", "NULL", "lo"}));
  EXPECT_EQ(One("LEFT('abc', -1)"), "");
  EXPECT_EQ(One("RIGHT('abc', 10)"), "abc");
  EXPECT_EQ(One("LEFT('abc', CAST(NULL AS INT))"), "NULL");
  EXPECT_EQ(One("REPEAT('ab', 3)"), "ababab");
  EXPECT_EQ(One("REPEAT('ab', 0)"), "");
  EXPECT_EQ(One("REPEAT('ab', -2)"), "");
}

TEST_F(ExprFunctions, Padding) {
  EXPECT_EQ(One("LPAD('hi', 5, 'xy')"), "xyxhi");
  EXPECT_EQ(One("RPAD('hi', 5, 'xy')"), "hixyx");
  EXPECT_EQ(One("LPAD('hello', 3, 'x')"), "hel");  // cut to the length
  EXPECT_EQ(One("RPAD('hello', 3, 'x')"), "hel");
  EXPECT_EQ(One("LPAD('hi', 0, 'x')"), "");
  EXPECT_EQ(One("LPAD('hi', -1, 'x')"), "NULL");  // Flink: negative length
  EXPECT_EQ(One("RPAD('hi', 4, '')"), "NULL");    // Flink: empty pad
  EXPECT_EQ(One("LPAD('\xC3\xA9', 3, '\xC3\xBC')"), "\xC3\xBC\xC3\xBC\xC3\xA9");  // code points
}

TEST_F(ExprFunctions, ReplaceAndConcatWs) {
  SetRows(StringRows());
  EXPECT_EQ(Eval("REPLACE(s, 'l', 'L')"), (V{"heLLo wORLD", "a,b,,c", "", "NULL", "h\xC3\xA9LLo"}));
  EXPECT_EQ(One("REPLACE('abc', '', '-')"), "-a-b-c-");  // Java String.replace
  EXPECT_EQ(One("REPLACE('aaa', 'aa', 'b')"), "ba");
  EXPECT_EQ(Eval("CONCAT_WS('-', s, t)"),
            (V{"hello wORLD-x", "a,b,,c", "-", "y", "h\xC3\xA9llo-z"}));
  EXPECT_EQ(One("CONCAT_WS(CAST(NULL AS STRING), 'a', 'b')"), "NULL");
}

TEST_F(ExprFunctions, Positions) {
  SetRows(StringRows());
  EXPECT_EQ(Eval("LOCATE('l', s)"), (V{"3", "0", "0", "NULL", "3"}));
  EXPECT_EQ(Eval("INSTR(s, 'o')"), (V{"5", "0", "0", "NULL", "5"}));
  EXPECT_EQ(One("LOCATE('', 'abc')"), "1");
  EXPECT_EQ(Eval("SPLIT_INDEX(s, ',', 2)"), (V{"NULL", "", "NULL", "NULL", "NULL"}));
  EXPECT_EQ(Eval("SPLIT_INDEX(s, ',', 0)"),
            (V{"hello wORLD", "a", "NULL", "NULL", "h\xC3\xA9llo"}));
  EXPECT_EQ(One("SPLIT_INDEX('a,b,,c', ',', 3)"), "c");
  EXPECT_EQ(One("SPLIT_INDEX('a,b,', ',', 2)"), "");  // trailing empty token kept
  EXPECT_EQ(One("SPLIT_INDEX('a::b', '::', 1)"), "b");
  EXPECT_EQ(One("SPLIT_INDEX('a,b', ',', -1)"), "NULL");
  EXPECT_EQ(One("SPLIT_INDEX('a b', '', 1)"), "b");  // empty separator: whitespace
}

TEST_F(ExprFunctions, HashesAndEncodings) {
  EXPECT_EQ(One("MD5('')"), "d41d8cd98f00b204e9800998ecf8427e");
  EXPECT_EQ(One("MD5('abc')"), "900150983cd24fb0d6963f7d28e17f72");
  EXPECT_EQ(One("MD5('The quick brown fox jumps over the lazy dog')"),
            "9e107d9d372bb6826bd81d3542a419d6");
  EXPECT_EQ(One("MD5('12345678901234567890123456789012345678901234567890123456789012345678901234"
                "567890')"),
            "57edf4a22be3c955ac49da2e2107b67a");
  // 56 and 64 bytes: the length no longer fits the first padding block.
  EXPECT_EQ(One("MD5(REPEAT('a', 56))"), "3b0c8ac703f828b04c6c197006d17218");
  EXPECT_EQ(One("MD5(REPEAT('a', 64))"), "014842d480b571495a4a0363793f7367");
  EXPECT_EQ(One("MD5('h\xC3\xA9llo')"), "be50e8478cf24ff3595bc7307fb91b50");  // UTF-8 bytes
  EXPECT_EQ(One("MD5(CAST(NULL AS STRING))"), "NULL");
  EXPECT_EQ(One("TO_BASE64('hello')"), "aGVsbG8=");
  EXPECT_EQ(One("TO_BASE64('ab')"), "YWI=");
  EXPECT_EQ(One("TO_BASE64('abc')"), "YWJj");
  EXPECT_EQ(One("TO_BASE64('')"), "");
  EXPECT_EQ(One("JSON_QUOTE('a\"b/c\\d')"), "\"a\\\"b\\/c\\\\d\"");
  EXPECT_EQ(One("JSON_QUOTE(CAST(NULL AS STRING))"), "NULL");
}

TEST_F(ExprFunctions, UuidIsVersion4AndDiffersPerRow) {
  SetRows({Row(9, nullptr), Row(9, nullptr), Row(9, nullptr)});
  V v = Eval("UUID()");
  ASSERT_EQ(v.size(), 3u);
  const std::regex re("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
  for (const std::string& u : v) EXPECT_TRUE(std::regex_match(u, re)) << u;
  EXPECT_NE(v[0], v[1]);
  EXPECT_NE(v[1], v[2]);
}

TEST_F(ExprFunctions, TypeOf) {
  EXPECT_EQ(One("TYPEOF(i)"), "INT");
  EXPECT_EQ(One("TYPEOF(s)"), "STRING");
  EXPECT_EQ(One("TYPEOF(m)"), "DECIMAL(10, 2)");
  EXPECT_EQ(One("TYPEOF(ts)"), "TIMESTAMP(3)");
  EXPECT_EQ(One("TYPEOF(1)"), "INT NOT NULL");
}

TEST_F(ExprFunctions, SignAndTruncate) {
  auto row = [](const char* i, const char* d, const char* m) {
    Row r(9, nullptr);
    r[0] = i;
    r[2] = d;
    r[3] = m;
    return r;
  };
  SetRows({row("17", "1.27", "12.34"), row("-17", "-1.27", "-12.36"), row("0", "0", "0"),
           row(nullptr, nullptr, nullptr)});
  EXPECT_EQ(Eval("SIGN(i)"), (V{"1", "-1", "0", "NULL"}));
  EXPECT_EQ(Eval("SIGN(d)"), (V{"1.0", "-1.0", "0.0", "NULL"}));
  EXPECT_EQ(Eval("SIGN(m)"), (V{"1.00", "-1.00", "0.00", "NULL"}));
  EXPECT_EQ(Eval("TRUNCATE(d, 1)"), (V{"1.2", "-1.2", "0.0", "NULL"}));
  EXPECT_EQ(Eval("TRUNCATE(d)"), (V{"1.0", "-1.0", "0.0", "NULL"}));
  EXPECT_EQ(Eval("TRUNCATE(m, 1)"), (V{"12.30", "-12.30", "0.00", "NULL"}));
  EXPECT_EQ(Eval("TRUNCATE(i, -1)"), (V{"10", "-10", "0", "NULL"}));
  EXPECT_EQ(One("TRUNCATE(123.456e0, -2)"), "100.0");
  EXPECT_EQ(One("TRUNCATE(0.29e0, 1)"), "0.2");  // on the shortest decimal text, not binary
}

TEST_F(ExprFunctions, DoubleMath) {
  EXPECT_EQ(One("EXP(0)"), "1.0");
  EXPECT_EQ(One("LN(1)"), "0.0");
  EXPECT_EQ(One("LOG(1)"), "0.0");  // one argument: natural logarithm
  EXPECT_EQ(One("LOG10(1000)"), "3.0");
  EXPECT_EQ(One("LOG2(8)"), "3.0");
  EXPECT_EQ(One("LOG(10, 100)"), "2.0");
  EXPECT_EQ(One("SIN(0)"), "0.0");
  EXPECT_EQ(One("COS(0)"), "1.0");
  EXPECT_EQ(One("TAN(0)"), "0.0");
  EXPECT_EQ(One("PI()"), "3.141592653589793");
  EXPECT_EQ(One("LN(CAST(NULL AS DOUBLE))"), "NULL");
  // java.lang.Math: no error outside the domain.
  auto p = CompileExpr("LN(i - 1)");
  ASSERT_TRUE(p.ok());
  SetRows({Row{"0"}, Row{"1"}});
  auto c = (*p)->Evaluate(batch_);
  ASSERT_TRUE(c.ok());
  EXPECT_TRUE(std::isnan((*c)->Double(0)));
  EXPECT_EQ((*c)->Double(1), -std::numeric_limits<double>::infinity());
}

TEST_F(ExprFunctions, RandFollowsJavaUtilRandom) {
  SetRows({Row(9, nullptr), Row(9, nullptr)});
  // new java.util.Random(42).nextDouble(), twice.
  EXPECT_EQ(Eval("RAND(42)"), (V{"0.7275636800328681", "0.6832234717598454"}));
  // A per-row seed makes a new generator per row.
  SetRows({Row{"42"}, Row{"42"}, Row{}});
  EXPECT_EQ(Eval("RAND(i)"), (V{"0.7275636800328681", "0.7275636800328681", "NULL"}));
  auto p = CompileExpr("RAND()");
  ASSERT_TRUE(p.ok());
  auto c = (*p)->Evaluate(batch_);
  ASSERT_TRUE(c.ok());
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_GE((*c)->Double(i), 0.0);
    EXPECT_LT((*c)->Double(i), 1.0);
  }
}

TEST_F(ExprFunctions, GreatestLeastNullIf) {
  auto row = [](const char* i, const char* b, const char* s) {
    Row r(9, nullptr);
    r[0] = i;
    r[1] = b;
    r[4] = s;
    return r;
  };
  SetRows({row("3", "10", "b"), row("7", "-1", "a"), row(nullptr, "1", nullptr)});
  EXPECT_EQ(Eval("GREATEST(i, 5, b)"), (V{"10", "7", "NULL"}));  // NULL if any is NULL
  EXPECT_EQ(Eval("LEAST(i, 5, b)"), (V{"3", "-1", "NULL"}));
  EXPECT_EQ(Eval("GREATEST(s, 'a')"), (V{"b", "a", "NULL"}));
  EXPECT_EQ(Eval("LEAST(i, 2.5e0)"), (V{"2.5", "2.5", "NULL"}));
  EXPECT_EQ(Eval("NULLIF(i, 7)"), (V{"3", "NULL", "NULL"}));
  EXPECT_EQ(Eval("NULLIF(s, 'a')"), (V{"b", "NULL", "NULL"}));
}

TEST_F(ExprFunctions, CastDoubleToStringIsJavaText) {
  auto row = [](const char* d) {
    Row r(9, nullptr);
    r[2] = d;
    r[4] = "sensor-1234";
    return r;
  };
  SetRows({row("95.0"), row("0.1"), row("10000000"), row("0.0001"), row("22.55"), row(nullptr)});
  EXPECT_EQ(Eval("CAST(d AS STRING)"), (V{"95.0", "0.1", "1.0E7", "1.0E-4", "22.55", "NULL"}));
  EXPECT_EQ(One("CAST(0.1e0 + 0.2e0 AS STRING)"), "0.30000000000000004");
  EXPECT_EQ(One("'ALERT: Anomaly detected in temperature sensor ' || s || '. Value: ' || "
                "CAST(d AS STRING) || ' \xC2\xB0"
                "C'"),
            "ALERT: Anomaly detected in temperature sensor sensor-1234. Value: 95.0 \xC2\xB0"
            "C");
  EXPECT_EQ(One("CONCAT('Value: ', CAST(d AS STRING))"), "Value: 95.0");
  // CONCAT over an implicitly cast DOUBLE (the binder rejects CONCAT(STRING, DOUBLE) as
  // Flink does, so the call is built by hand): the same text.
  auto d = sql::MakeColumn(2, "d", sql::DataType::Double());
  auto call = sql::MakeCall(
      "CONCAT", {Bind("'Value: '"), sql::MakeCast(d, sql::DataType::String(), /*implicit=*/true)},
      sql::DataType::String());
  auto p = ExprProgram::Compile(*call, *schema_);
  ASSERT_TRUE(p.ok()) << p.status().message();
  auto c = (*p)->Evaluate(batch_);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(Texts(**c)[0], "Value: 95.0");
  EXPECT_EQ(Texts(**c)[5], "NULL");
}

TEST_F(ExprFunctions, CastTimestampToStringPadsToPrecision) {
  Row r(9, nullptr);
  r[6] = "2020-12-30 12:13:14";
  r[7] = "2020-12-30 12:13:14.5";
  SetRows({r});
  EXPECT_EQ(One("CAST(ts AS STRING)"), "2020-12-30 12:13:14.000");
  EXPECT_EQ(One("CAST(us AS STRING)"), "2020-12-30 12:13:14.500000");
}

}  // namespace
}  // namespace fluxgate::runtime::testing
