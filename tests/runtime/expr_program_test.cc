// ExprProgram: expressions bound by the real binder (CREATE TABLE + SELECT), compiled and
// evaluated over a small batch; exact outputs including NULL propagation.
#include "runtime/expr_program.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "runtime/decimal.h"
#include "runtime/timestamp_text.h"
#include "sql/binder.h"

namespace fluxgate::runtime {
namespace {

using sql::DataType;

constexpr const char* kTable = R"(
CREATE TABLE t (
  i INT, b BIGINT, d DOUBLE, m DECIMAL(10, 2), s STRING, ts TIMESTAMP(3), f BOOLEAN, g BOOLEAN
) WITH ('connector' = 'kinesis', 'stream' = 'x', 'format' = 'json');
)";

int64_t Millis(const char* text) {
  ParsedTimestamp p;
  EXPECT_EQ(ParseTimestamp(text, &p), nullptr) << text;
  return p.epoch_micros / 1000;
}

class ExprTest : public ::testing::Test {
 protected:
  void SetUp() override {
    schema_ = std::make_shared<Schema>(std::vector<Field>{
        {"i", DataType::Int()},
        {"b", DataType::BigInt()},
        {"d", DataType::Double()},
        {"m", DataType::Decimal(10, 2)},
        {"s", DataType::String()},
        {"ts", DataType::Timestamp(3)},
        {"f", DataType::Boolean()},
        {"g", DataType::Boolean()},
    });
    RecordBatchBuilder bb(schema_);
    auto row = [&](int64_t i, int64_t b, double d, const char* m, const char* s, const char* ts,
                   int f, int g) {
      bb.column(0).AppendInt64(i);
      bb.column(1).AppendInt64(b);
      bb.column(2).AppendDouble(d);
      int128 dec = 0;
      EXPECT_EQ(ParseDecimal(m, 10, 2, &dec), DecimalParse::kOk);
      bb.column(3).AppendDecimal(dec);
      bb.column(4).AppendString(s);
      bb.column(5).AppendInt64(Millis(ts));
      // f, g: 0 FALSE, 1 TRUE, 2 NULL.
      if (f == 2) {
        bb.column(6).AppendNull();
      } else {
        bb.column(6).AppendBool(f == 1);
      }
      if (g == 2) {
        bb.column(7).AppendNull();
      } else {
        bb.column(7).AppendBool(g == 1);
      }
      bb.CommitRow();
    };
    row(7, 2, 1.5, "12.34", "Hello", "2026-11-25 19:05:00.123", 1, 1);
    row(-7, 0, -2.0, "-0.05", "wOrld", "2026-01-01 00:00:00", 0, 2);
    for (size_t c = 0; c < schema_->size(); ++c) bb.column(c).AppendNull();  // all NULL
    bb.CommitRow();
    row(0, -3, 0.0, "100.00", "  a_b%c  ", "1970-01-01 00:00:00", 2, 0);
    batch_ = bb.Finish();
  }

  // Binds `SELECT <expr> FROM t` and returns the bound expression.
  sql::BoundExprPtr Bind(const std::string& expr) {
    sql::Catalog catalog;
    auto bound = sql::BindSql(std::string(kTable) + "SELECT " + expr + " FROM t;", &catalog);
    EXPECT_TRUE(bound.ok()) << bound.status().message();
    if (!bound.ok()) return nullptr;
    const sql::PlanNode* n = bound->queries.at(0).plan.get();
    while (n->kind != sql::PlanKind::kProject) n = n->inputs.at(0).get();
    return n->As<sql::ProjectNode>().exprs.at(0);
  }

  Result<std::unique_ptr<ExprProgram>> CompileExpr(const std::string& expr) {
    sql::BoundExprPtr e = Bind(expr);
    if (!e) return Status::InvalidArgument("bind failed");
    return ExprProgram::Compile(*e, *schema_);
  }

  // The values of `expr` over the batch as SQL text, "NULL" for NULL.
  std::vector<std::string> Eval(const std::string& expr) {
    auto p = CompileExpr(expr);
    EXPECT_TRUE(p.ok()) << expr << ": " << p.status().message();
    if (!p.ok()) return {};
    auto col = (*p)->Evaluate(batch_);
    EXPECT_TRUE(col.ok()) << expr << ": " << col.status().message();
    if (!col.ok()) return {};
    EXPECT_EQ((*col)->size(), batch_.num_rows());
    auto out_schema = std::make_shared<Schema>(std::vector<Field>{{"x", (*col)->type()}});
    RecordBatchBuilder bb(out_schema);
    for (size_t i = 0; i < (*col)->size(); ++i) {
      AppendValueFrom(**col, i, bb.column(0));
      bb.CommitRow();
    }
    RecordBatch rb = bb.Finish();
    std::vector<std::string> out;
    for (size_t i = 0; i < rb.num_rows(); ++i) out.push_back(rb.ValueToString(0, i));
    return out;
  }

  Status EvalError(const std::string& expr) {
    auto p = CompileExpr(expr);
    if (!p.ok()) return p.status();
    return (*p)->Evaluate(batch_).status();
  }

  using V = std::vector<std::string>;
  std::shared_ptr<Schema> schema_;
  RecordBatch batch_;
};

TEST_F(ExprTest, ColumnsAndLiterals) {
  EXPECT_EQ(Eval("i"), (V{"7", "-7", "NULL", "0"}));
  EXPECT_EQ(Eval("s"), (V{"Hello", "wOrld", "NULL", "  a_b%c  "}));
  EXPECT_EQ(Eval("42"), (V{"42", "42", "42", "42"}));
  EXPECT_EQ(Eval("'x'"), (V{"x", "x", "x", "x"}));
  EXPECT_EQ(Eval("1.50"), (V{"1.50", "1.50", "1.50", "1.50"}));
  EXPECT_EQ(Eval("CAST(NULL AS INT)"), (V{"NULL", "NULL", "NULL", "NULL"}));
  EXPECT_EQ(Eval("NULL IS NULL"), (V{"TRUE", "TRUE", "TRUE", "TRUE"}));
  EXPECT_EQ(Eval("TIMESTAMP '2026-11-25 19:05:00.123'")[0], "2026-11-25 19:05:00.123");
}

// One compiled program over batches of changing sizes, with and without NULLs: the
// constant registers kept from the batch before, the NULL-free comparison and AND/OR
// loops (validity set a word at a time, across word edges) and the general ones must all
// give what each row says.
TEST_F(ExprTest, ProgramReusedOverBatchesOfChangingSizes) {
  auto p = CompileExpr("(s = 'temperature' AND d > 80) OR (i >= 100 AND f) OR s LIKE 'x%'");
  ASSERT_TRUE(p.ok()) << p.status().message();
  std::mt19937 rng(5);
  const char* kNames[] = {"temperature", "pressure", "xylophone", "temp"};
  for (size_t n : {130, 1, 64, 200, 63, 0, 129, 7}) {
    const bool with_nulls = n % 2 == 1;
    RecordBatchBuilder bb(schema_);
    std::vector<std::string> expected;
    for (size_t r = 0; r < n; ++r) {
      const int64_t i = static_cast<int64_t>(rng() % 200);
      const double d = static_cast<double>(rng() % 160);
      const std::string name = kNames[rng() % 4];
      const bool f = rng() % 2 == 0;
      const bool f_null = with_nulls && rng() % 5 == 0;
      bb.column(0).AppendInt64(i);
      bb.column(1).AppendInt64(0);
      bb.column(2).AppendDouble(d);
      bb.column(3).AppendDecimal(0);
      bb.column(4).AppendString(name);
      bb.column(5).AppendInt64(0);
      if (f_null) {
        bb.column(6).AppendNull();
      } else {
        bb.column(6).AppendBool(f);
      }
      bb.column(7).AppendBool(false);
      bb.CommitRow();
      const bool a = name == "temperature" && d > 80;
      const bool c = name[0] == 'x';
      // (i >= 100 AND f): NULL when f is NULL and i >= 100, FALSE when i < 100.
      if (a || c || (i >= 100 && !f_null && f)) {
        expected.push_back("TRUE");
      } else if (i >= 100 && f_null) {
        expected.push_back("NULL");
      } else {
        expected.push_back("FALSE");
      }
    }
    RecordBatch batch = bb.Finish();
    auto col = (*p)->Evaluate(batch);
    ASSERT_TRUE(col.ok()) << col.status().message();
    ASSERT_EQ((*col)->size(), n);
    for (size_t r = 0; r < n; ++r) {
      const std::string got = (*col)->IsNull(r) ? "NULL" : ((*col)->Bool(r) ? "TRUE" : "FALSE");
      ASSERT_EQ(got, expected[r]) << "batch of " << n << ", row " << r;
    }
  }
}

TEST_F(ExprTest, IntegerArithmetic) {
  EXPECT_EQ(Eval("i + 1"), (V{"8", "-6", "NULL", "1"}));
  EXPECT_EQ(Eval("i - b"), (V{"5", "-7", "NULL", "3"}));
  EXPECT_EQ(Eval("i * b"), (V{"14", "0", "NULL", "0"}));
  EXPECT_EQ(Eval("i / 2"), (V{"3", "-3", "NULL", "0"}));  // truncates toward zero
  EXPECT_EQ(Eval("i % 4"), (V{"3", "-3", "NULL", "0"}));  // sign of the dividend
  EXPECT_EQ(Eval("-i"), (V{"-7", "7", "NULL", "0"}));
  // INT + INT is INT in Flink and wraps like Java int.
  EXPECT_EQ(Eval("i + 2147483647")[0], "-2147483642");
}

TEST_F(ExprTest, DivisionByZeroIsAnErrorNamingTheRow) {
  Status st = EvalError("i / b");
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("division by zero"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("row 1"), std::string::npos) << st.message();
  EXPECT_FALSE(EvalError("i % b").ok());
  EXPECT_FALSE(EvalError("m / CAST(b AS DECIMAL(5, 0))").ok());
  // DOUBLE follows IEEE 754.
  {
    auto q = CompileExpr("d / 0.0e0");
    ASSERT_TRUE(q.ok());
    auto c = (*q)->Evaluate(batch_);
    ASSERT_TRUE(c.ok());
    EXPECT_EQ((*c)->Double(0), std::numeric_limits<double>::infinity());
    EXPECT_EQ((*c)->Double(1), -std::numeric_limits<double>::infinity());
    EXPECT_TRUE((*c)->IsNull(2));
    EXPECT_TRUE(std::isnan((*c)->Double(3)));
  }
  // Branches that don't decide a row are not evaluated for it (Flink is lazy there).
  EXPECT_EQ(Eval("CASE WHEN b <> 0 THEN i / b ELSE -1 END"), (V{"3", "-1", "-1", "0"}));
  EXPECT_EQ(Eval("b <> 0 AND i / b > 1"), (V{"TRUE", "FALSE", "NULL", "FALSE"}));
  EXPECT_EQ(Eval("b = 0 OR i / b > 1"), (V{"TRUE", "TRUE", "NULL", "FALSE"}));
  EXPECT_EQ(Eval("COALESCE(CAST(NULL AS INT), 5, i / b)"), (V{"5", "5", "5", "5"}));
}

TEST_F(ExprTest, DoubleAndDecimalArithmetic) {
  EXPECT_EQ(Eval("d * 2"), (V{"3.0", "-4.0", "NULL", "0.0"}));
  EXPECT_EQ(Eval("d + i"), (V{"8.5", "-9.0", "NULL", "0.0"}));
  // DECIMAL(10,2) + DECIMAL(3,2) -> DECIMAL(11,2)
  EXPECT_EQ(Eval("m + 1.05"), (V{"13.39", "1.00", "NULL", "101.05"}));
  // DECIMAL(10,2) * DECIMAL(2,1) -> scale 3
  EXPECT_EQ(Eval("m * 1.5"), (V{"18.510", "-0.075", "NULL", "150.000"}));
  // DECIMAL(10,2) * INT (DECIMAL(10,0)) -> scale 2
  EXPECT_EQ(Eval("m * i"), (V{"86.38", "0.35", "NULL", "0.00"}));
  // DECIMAL(10,2) / INT (as DECIMAL(10,0)): scale max(6, 2 + 10 + 1) = 13, HALF_UP.
  EXPECT_EQ(Eval("m / 3"), (V{"4.1133333333333", "-0.0166666666667", "NULL", "33.3333333333333"}));
  // DECIMAL(10,2) / DECIMAL(2,1): scale max(6, 2 + 2 + 1) = 6.
  EXPECT_EQ(Eval("m / 1.5"), (V{"8.226667", "-0.033333", "NULL", "66.666667"}));
  EXPECT_EQ(Eval("m % 5"), (V{"2.34", "-0.05", "NULL", "0.00"}));
  EXPECT_EQ(Eval("m - d"), (V{"10.84", "1.95", "NULL", "100.0"}));
}

TEST_F(ExprTest, Comparisons) {
  EXPECT_EQ(Eval("i > 0"), (V{"TRUE", "FALSE", "NULL", "FALSE"}));
  EXPECT_EQ(Eval("i = b + 5"), (V{"TRUE", "FALSE", "NULL", "FALSE"}));
  EXPECT_EQ(Eval("d <= m"), (V{"TRUE", "TRUE", "NULL", "TRUE"}));
  EXPECT_EQ(Eval("s < 'a'"), (V{"TRUE", "FALSE", "NULL", "TRUE"}));
  EXPECT_EQ(Eval("s <> 'Hello'"), (V{"FALSE", "TRUE", "NULL", "TRUE"}));
  EXPECT_EQ(Eval("f = g"), (V{"TRUE", "NULL", "NULL", "NULL"}));
  EXPECT_EQ(Eval("ts >= TIMESTAMP '2026-01-01 00:00:00'"), (V{"TRUE", "TRUE", "NULL", "FALSE"}));
  EXPECT_EQ(Eval("ts < '2026-06-01 00:00:00'"), (V{"FALSE", "TRUE", "NULL", "TRUE"}));
  EXPECT_EQ(Eval("i IS DISTINCT FROM 7"), (V{"FALSE", "TRUE", "TRUE", "TRUE"}));
  EXPECT_EQ(Eval("f IS NOT DISTINCT FROM g"), (V{"TRUE", "FALSE", "TRUE", "FALSE"}));
}

TEST_F(ExprTest, ThreeValuedLogic) {
  // f/g per row: (T,T) (F,NULL) (NULL,NULL) (NULL,F)
  EXPECT_EQ(Eval("f AND g"), (V{"TRUE", "FALSE", "NULL", "FALSE"}));
  EXPECT_EQ(Eval("f OR g"), (V{"TRUE", "NULL", "NULL", "NULL"}));
  EXPECT_EQ(Eval("NOT f"), (V{"FALSE", "TRUE", "NULL", "NULL"}));
  EXPECT_EQ(Eval("f OR NOT g"), (V{"TRUE", "NULL", "NULL", "TRUE"}));
  EXPECT_EQ(Eval("g AND f"), (V{"TRUE", "FALSE", "NULL", "FALSE"}));
  EXPECT_EQ(Eval("f IS NULL"), (V{"FALSE", "FALSE", "TRUE", "TRUE"}));
  EXPECT_EQ(Eval("s IS NOT NULL"), (V{"TRUE", "TRUE", "FALSE", "TRUE"}));
  EXPECT_EQ(Eval("g IS TRUE"), (V{"TRUE", "FALSE", "FALSE", "FALSE"}));
  EXPECT_EQ(Eval("g IS NOT FALSE"), (V{"TRUE", "TRUE", "TRUE", "FALSE"}));
}

TEST_F(ExprTest, CaseAndCoalesce) {
  EXPECT_EQ(Eval("CASE WHEN i > 0 THEN 'pos' WHEN i < 0 THEN 'neg' END"),
            (V{"pos", "neg", "NULL", "NULL"}));
  EXPECT_EQ(Eval("CASE WHEN i > 0 THEN 'pos' WHEN i < 0 THEN 'neg' ELSE 'zero' END"),
            (V{"pos", "neg", "zero", "zero"}));
  // Simple CASE: NULL never matches a WHEN.
  EXPECT_EQ(Eval("CASE i WHEN 7 THEN 1 WHEN 0 THEN 2 ELSE 3 END"), (V{"1", "3", "3", "2"}));
  // Mixed branch types take the common type.
  EXPECT_EQ(Eval("CASE WHEN f THEN d ELSE i END"), (V{"1.5", "-7.0", "NULL", "0.0"}));
  EXPECT_EQ(Eval("COALESCE(f, g, FALSE)"), (V{"TRUE", "FALSE", "FALSE", "FALSE"}));
  EXPECT_EQ(Eval("COALESCE(i, b)"), (V{"7", "-7", "NULL", "0"}));
  EXPECT_EQ(Eval("CASE WHEN f THEN ts END"),
            (V{"2026-11-25 19:05:00.123", "NULL", "NULL", "NULL"}));
  EXPECT_EQ(Eval("CASE WHEN f THEN NULL ELSE m END"), (V{"NULL", "-0.05", "NULL", "100.00"}));
  EXPECT_EQ(Eval("COALESCE(NULL, s)"), (V{"Hello", "wOrld", "NULL", "  a_b%c  "}));
  EXPECT_EQ(Eval("IFNULL(s, '?')"), (V{"Hello", "wOrld", "?", "  a_b%c  "}));
}

TEST_F(ExprTest, Casts) {
  EXPECT_EQ(Eval("CAST(d AS INT)"), (V{"1", "-2", "NULL", "0"}));
  EXPECT_EQ(Eval("CAST(m AS BIGINT)"), (V{"12", "0", "NULL", "100"}));                // truncates
  EXPECT_EQ(Eval("CAST(m AS DECIMAL(5, 1))"), (V{"12.3", "-0.1", "NULL", "100.0"}));  // HALF_UP
  EXPECT_EQ(Eval("CAST(m AS DECIMAL(3, 1))"), (V{"12.3", "-0.1", "NULL", "NULL"}));   // overflow
  EXPECT_EQ(Eval("CAST(m AS DECIMAL(4, 2))"), (V{"12.34", "-0.05", "NULL", "NULL"}));
  EXPECT_EQ(Eval("CAST(m AS DOUBLE)"), (V{"12.34", "-0.05", "NULL", "100.0"}));
  EXPECT_EQ(Eval("CAST(d AS DECIMAL(4, 2))"), (V{"1.50", "-2.00", "NULL", "0.00"}));
  EXPECT_EQ(Eval("CAST(i AS STRING)"), (V{"7", "-7", "NULL", "0"}));
  EXPECT_EQ(Eval("CAST(d AS STRING)"), (V{"1.5", "-2.0", "NULL", "0.0"}));
  EXPECT_EQ(Eval("CAST(1.0E10 AS STRING)")[0], "1.0E10");
  EXPECT_EQ(Eval("CAST(m AS STRING)"), (V{"12.34", "-0.05", "NULL", "100.00"}));
  EXPECT_EQ(Eval("CAST(f AS STRING)"), (V{"TRUE", "FALSE", "NULL", "NULL"}));
  EXPECT_EQ(Eval("CAST(ts AS STRING)"), (V{"2026-11-25 19:05:00.123", "2026-01-01 00:00:00.000",
                                           "NULL", "1970-01-01 00:00:00.000"}));
  EXPECT_EQ(Eval("CAST(' 42 ' AS INT)")[0], "42");
  EXPECT_EQ(Eval("CAST('-1.25' AS DECIMAL(4, 1))")[0], "-1.3");
  EXPECT_EQ(Eval("CAST('2.5e1' AS DOUBLE)")[0], "25.0");
  EXPECT_EQ(Eval("CAST('TrUe' AS BOOLEAN)")[0], "TRUE");
  EXPECT_EQ(Eval("CAST('2026-11-25T19:05:00.123456Z' AS TIMESTAMP(3))")[0],
            "2026-11-25 19:05:00.123");
  EXPECT_EQ(Eval("CAST('2026-11-25 19:05' AS TIMESTAMP(6))")[0], "2026-11-25 19:05:00.000000");
  EXPECT_EQ(Eval("CAST(CAST(ts AS TIMESTAMP(0)) AS STRING)")[0], "2026-11-25 19:05:00");
  // Malformed text: CAST fails the batch, TRY_CAST gives NULL.
  Status st = EvalError("CAST(s AS INT)");
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find("CAST"), std::string::npos) << st.message();
  EXPECT_EQ(Eval("TRY_CAST(s AS INT)"), (V{"NULL", "NULL", "NULL", "NULL"}));
  EXPECT_EQ(Eval("TRY_CAST('99999999999' AS INT)")[0], "NULL");
  EXPECT_EQ(Eval("TRY_CAST('x' AS TIMESTAMP(3))")[0], "NULL");
}

TEST_F(ExprTest, InAndBetween) {
  EXPECT_EQ(Eval("i IN (7, 0)"), (V{"TRUE", "FALSE", "NULL", "TRUE"}));
  EXPECT_EQ(Eval("i NOT IN (7, 0)"), (V{"FALSE", "TRUE", "NULL", "FALSE"}));
  // No match and a NULL in the list: NULL.
  EXPECT_EQ(Eval("i IN (7, CAST(NULL AS INT))"), (V{"TRUE", "NULL", "NULL", "NULL"}));
  EXPECT_EQ(Eval("s IN ('Hello', 'x')"), (V{"TRUE", "FALSE", "NULL", "FALSE"}));
  EXPECT_EQ(Eval("i BETWEEN -7 AND 0"), (V{"FALSE", "TRUE", "NULL", "TRUE"}));
  EXPECT_EQ(Eval("d NOT BETWEEN 0 AND 2"), (V{"FALSE", "TRUE", "NULL", "FALSE"}));
}

TEST_F(ExprTest, Like) {
  EXPECT_EQ(Eval("s LIKE 'H%'"), (V{"TRUE", "FALSE", "NULL", "FALSE"}));
  EXPECT_EQ(Eval("s LIKE '%o%'"), (V{"TRUE", "FALSE", "NULL", "FALSE"}));  // case-sensitive
  EXPECT_EQ(Eval("s LIKE '%O%'"), (V{"FALSE", "TRUE", "NULL", "FALSE"}));
  EXPECT_EQ(Eval("s LIKE '_O___'"), (V{"FALSE", "TRUE", "NULL", "FALSE"}));
  EXPECT_EQ(Eval("s LIKE 'Hell'"), (V{"FALSE", "FALSE", "NULL", "FALSE"}));
  EXPECT_EQ(Eval("s LIKE '%a!_b!%c%' ESCAPE '!'"), (V{"FALSE", "FALSE", "NULL", "TRUE"}));
  EXPECT_EQ(Eval("s LIKE '%a_b%'"), (V{"FALSE", "FALSE", "NULL", "TRUE"}));
  EXPECT_EQ(Eval("s NOT LIKE '%l%'"), (V{"FALSE", "FALSE", "NULL", "TRUE"}));
  EXPECT_EQ(Eval("'' LIKE '%'")[0], "TRUE");
  EXPECT_EQ(Eval("'abc' LIKE 'a%%c'")[0], "TRUE");
  EXPECT_EQ(Eval("'abc' LIKE '%b'")[0], "FALSE");
  EXPECT_EQ(Eval("'é!' LIKE '_!'")[0], "TRUE");  // '_' is one character, not one byte
  EXPECT_FALSE(EvalError("s LIKE 'a!x' ESCAPE '!'").ok());
  EXPECT_FALSE(EvalError("s LIKE 'a' ESCAPE '!!'").ok());
}

TEST_F(ExprTest, StringFunctions) {
  EXPECT_EQ(Eval("UPPER(s)"), (V{"HELLO", "WORLD", "NULL", "  A_B%C  "}));
  EXPECT_EQ(Eval("LOWER(s)"), (V{"hello", "world", "NULL", "  a_b%c  "}));
  EXPECT_EQ(Eval("TRIM(s)"), (V{"Hello", "wOrld", "NULL", "a_b%c"}));
  EXPECT_EQ(Eval("CHAR_LENGTH(s)"), (V{"5", "5", "NULL", "9"}));
  EXPECT_EQ(Eval("CHAR_LENGTH('héllo')")[0], "5");
  EXPECT_EQ(Eval("s || '!'"), (V{"Hello!", "wOrld!", "NULL", "  a_b%c  !"}));
  EXPECT_EQ(Eval("CONCAT(s, '-', s)"),
            (V{"Hello-Hello", "wOrld-wOrld", "NULL", "  a_b%c  -  a_b%c  "}));
  EXPECT_EQ(Eval("SUBSTRING(s, 2, 3)"), (V{"ell", "Orl", "NULL", " a_"}));
  EXPECT_EQ(Eval("SUBSTRING(s, 2)"), (V{"ello", "Orld", "NULL", " a_b%c  "}));
  EXPECT_EQ(Eval("SUBSTRING(s, -3)"), (V{"llo", "rld", "NULL", "c  "}));
  EXPECT_EQ(Eval("SUBSTRING(s, 0, 2)"), (V{"He", "wO", "NULL", "  "}));
  EXPECT_EQ(Eval("SUBSTRING(s, 9, 2)")[0], "");
  EXPECT_EQ(Eval("SUBSTRING('héllo', 2, 2)")[0], "él");
  // pos 7 is past the end; pos -7 counts back beyond the start and clamps to it.
  EXPECT_EQ(Eval("SUBSTRING(s, i)"), (V{"", "wOrld", "NULL", "  a_b%c  "}));
}

TEST_F(ExprTest, MathFunctions) {
  EXPECT_EQ(Eval("ABS(i)"), (V{"7", "7", "NULL", "0"}));
  EXPECT_EQ(Eval("ABS(m)"), (V{"12.34", "0.05", "NULL", "100.00"}));
  EXPECT_EQ(Eval("ABS(d)"), (V{"1.5", "2.0", "NULL", "0.0"}));
  EXPECT_EQ(Eval("FLOOR(d)"), (V{"1.0", "-2.0", "NULL", "0.0"}));
  EXPECT_EQ(Eval("CEIL(d)"), (V{"2.0", "-2.0", "NULL", "0.0"}));
  EXPECT_EQ(Eval("FLOOR(m)"), (V{"12", "-1", "NULL", "100"}));
  EXPECT_EQ(Eval("CEIL(m)"), (V{"13", "0", "NULL", "100"}));
  EXPECT_EQ(Eval("ROUND(m, 1)"), (V{"12.30", "-0.10", "NULL", "100.00"}));
  EXPECT_EQ(Eval("ROUND(m)"), (V{"12.00", "0.00", "NULL", "100.00"}));
  EXPECT_EQ(Eval("ROUND(2.675e0, 2)")[0], "2.68");
  EXPECT_EQ(Eval("ROUND(d)"), (V{"2.0", "-2.0", "NULL", "0.0"}));
  EXPECT_EQ(Eval("ROUND(1250, -2)")[0], "1300");
  EXPECT_EQ(Eval("ROUND(-1250, -2)")[0], "-1300");
  EXPECT_EQ(Eval("SQRT(b)")[0], "1.4142135623730951");
  EXPECT_EQ(Eval("POWER(i, 2)"), (V{"49.0", "49.0", "NULL", "0.0"}));
  EXPECT_EQ(Eval("MOD(i, 4)"), (V{"3", "-3", "NULL", "0"}));
}

TEST_F(ExprTest, TimestampInterval) {
  EXPECT_EQ(Eval("ts + INTERVAL '1' HOUR")[0], "2026-11-25 20:05:00.123");
  EXPECT_EQ(Eval("ts - INTERVAL '0.123' SECOND")[0], "2026-11-25 19:05:00.000");
  EXPECT_EQ(Eval("ts - INTERVAL '1' DAY")[1], "2025-12-31 00:00:00.000");
  EXPECT_EQ(Eval("ts + INTERVAL '1' MINUTE")[2], "NULL");
  EXPECT_EQ(Eval("CAST(ts AS TIMESTAMP(6)) + INTERVAL '1' SECOND")[0],
            "2026-11-25 19:05:01.123000");
}

TEST_F(ExprTest, UnsupportedFunctionIsACompileError) {
  // Every registry function has a kernel now (expr_functions_test.cc); what remains
  // unsupported are argument shapes the kernels need constant.
  auto p = CompileExpr("JSON_VALUE(s, s)");
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.status().message().find("JSON_VALUE"), std::string::npos) << p.status().message();
  auto q = CompileExpr("ROUND(d, i)");
  ASSERT_FALSE(q.ok());
  EXPECT_NE(q.status().message().find("ROUND"), std::string::npos);
}

TEST_F(ExprTest, DirectlyBuiltExpressions) {
  // The planner may build expressions itself; unknown names and bad columns fail Compile().
  auto col = sql::MakeColumn(0, "i", DataType::Int());
  auto bad = sql::MakeCall("NO_SUCH_FN", {col}, DataType::Int());
  auto p = ExprProgram::Compile(*bad, *schema_);
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.status().message().find("NO_SUCH_FN"), std::string::npos);
  auto out_of_range = sql::MakeColumn(99, "x", DataType::Int());
  EXPECT_FALSE(ExprProgram::Compile(*out_of_range, *schema_).ok());
  auto plus = sql::MakeCall("+", {col, col}, DataType::Int());
  auto q = ExprProgram::Compile(*plus, *schema_);
  ASSERT_TRUE(q.ok()) << q.status().message();
  auto c = (*q)->Evaluate(batch_);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ((*c)->Int64(0), 14);
  EXPECT_TRUE((*c)->IsNull(2));
}

TEST_F(ExprTest, FilterAndCompact) {
  auto p = CompileExpr("i >= 0 OR f");
  ASSERT_TRUE(p.ok()) << p.status().message();
  std::vector<uint32_t> sel;
  ASSERT_TRUE((*p)->Filter(batch_, &sel).ok());
  EXPECT_EQ(sel, (std::vector<uint32_t>{0, 3}));  // row 1 FALSE, row 2 NULL: dropped
  RecordBatchBuilder builder(schema_);
  RecordBatch out = CompactBatch(batch_, sel, &builder);
  ASSERT_EQ(out.num_rows(), 2u);
  EXPECT_EQ(out.RowToString(0), batch_.RowToString(0));
  EXPECT_EQ(out.RowToString(1), batch_.RowToString(3));
  // A non-boolean filter is rejected.
  auto q = CompileExpr("i + 1");
  ASSERT_TRUE(q.ok());
  EXPECT_FALSE((*q)->Filter(batch_, &sel).ok());
}

TEST_F(ExprTest, ReusedAcrossBatchesWithoutGrowing) {
  auto p = CompileExpr("CASE WHEN s LIKE '%o%' THEN UPPER(s) || '!' ELSE TRIM(s) END");
  ASSERT_TRUE(p.ok()) << p.status().message();
  for (int k = 0; k < 3; ++k) {
    auto col = (*p)->Evaluate(batch_);
    ASSERT_TRUE(col.ok());
    EXPECT_EQ((*col)->String(0), "HELLO!");
    EXPECT_EQ((*col)->String(1), "wOrld");
    EXPECT_TRUE((*col)->IsNull(2));
    EXPECT_EQ((*col)->String(3), "a_b%c");
  }
}

}  // namespace
}  // namespace fluxgate::runtime
