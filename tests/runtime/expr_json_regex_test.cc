// ExprProgram: JSON_VALUE (simdjson, compiled path) and REGEXP / REGEXP_REPLACE /
// REGEXP_EXTRACT (std::regex) with Flink's NULL rules.
#include <gtest/gtest.h>

#include "runtime/expr_program.h"
#include "runtime/expr_test_util.h"

namespace fluxgate::runtime::testing {
namespace {

class ExprJsonRegex : public ExprFunctionTest {
 protected:
  void SetUp() override {
    ExprFunctionTest::SetUp();
    auto row = [](const char* s, const char* t) {
      Row r(9, nullptr);
      r[4] = s;
      r[5] = t;
      return r;
    };
    SetRows({row(R"({"a":{"b":"x","n":1.50,"i":42,"t":true,"z":null,"arr":[10,{"k":"v"}],)"
                 R"("e":"caf\u00e9"},"key with space":7,"big":18446744073709551615})",
                 "foo=bar; x=1"),
             row("not json", "(unclosed"), row("[1,2]", "ac"), row(nullptr, nullptr)});
  }
};

TEST_F(ExprJsonRegex, JsonValueScalars) {
  EXPECT_EQ(Eval("JSON_VALUE(s, '$.a.b')"), (V{"x", "NULL", "NULL", "NULL"}));
  EXPECT_EQ(One("JSON_VALUE(s, '$.a.n')"), "1.5");  // a double, as Java prints it
  EXPECT_EQ(One("JSON_VALUE(s, '$.a.i')"), "42");
  EXPECT_EQ(One("JSON_VALUE(s, '$.a.t')"), "true");
  EXPECT_EQ(One("JSON_VALUE(s, '$.a.e')"), "caf\xC3\xA9");  // unescaped
  EXPECT_EQ(One("JSON_VALUE(s, '$.big')"), "18446744073709551615");
  EXPECT_EQ(One("JSON_VALUE(s, '$.a.z')"), "NULL");    // JSON null
  EXPECT_EQ(One("JSON_VALUE(s, '$.a')"), "NULL");      // an object is not a scalar
  EXPECT_EQ(One("JSON_VALUE(s, '$.a.arr')"), "NULL");  // nor an array
  EXPECT_EQ(One("JSON_VALUE(s, '$.missing')"), "NULL");
  EXPECT_EQ(One("JSON_VALUE(s, '$.a.b.c')"), "NULL");  // through a string
}

TEST_F(ExprJsonRegex, JsonValuePaths) {
  EXPECT_EQ(One("JSON_VALUE(s, '$.a.arr[0]')"), "10");
  EXPECT_EQ(One("JSON_VALUE(s, '$.a.arr[1].k')"), "v");
  EXPECT_EQ(One("JSON_VALUE(s, '$.a.arr[5]')"), "NULL");
  EXPECT_EQ(One("JSON_VALUE(s, '$[\"key with space\"]')"), "7");
  EXPECT_EQ(One("JSON_VALUE(s, '$[''a''][''b'']')"), "x");
  EXPECT_EQ(One("JSON_VALUE(s, 'lax $.a.b')"), "x");
  EXPECT_EQ(Eval("JSON_VALUE(s, '$[1]')"), (V{"NULL", "NULL", "2", "NULL"}));
  EXPECT_EQ(One("JSON_VALUE(s, '$')"), "NULL");  // the whole object
  for (const char* bad : {"'a.b'", "'$.'", "'$.*'", "'$[x]'", "'$[\"a'"}) {
    Status st = CompileError(std::string("JSON_VALUE(s, ") + bad + ")");
    EXPECT_FALSE(st.ok()) << bad;
  }
}

TEST_F(ExprJsonRegex, JsonValueReturning) {
  EXPECT_EQ(Eval("JSON_VALUE(s, '$.a.i' RETURNING INT) + 1"), (V{"43", "NULL", "NULL", "NULL"}));
  EXPECT_EQ(One("JSON_VALUE(s, '$.a.n' RETURNING DOUBLE)"), "1.5");
  EXPECT_EQ(One("JSON_VALUE(s, '$.a.n' RETURNING DECIMAL(5, 2))"), "1.50");
  EXPECT_EQ(One("JSON_VALUE(s, '$.a.t' RETURNING BOOLEAN)"), "TRUE");
  EXPECT_EQ(One("JSON_VALUE(s, '$.a.b' RETURNING INT)"), "NULL");  // NULL ON ERROR
}

TEST_F(ExprJsonRegex, RegexpMatch) {
  EXPECT_EQ(Eval("REGEXP(t, 'o+=b')"), (V{"TRUE", "FALSE", "FALSE", "NULL"}));  // partial
  EXPECT_EQ(Eval("REGEXP(t, '^ac$')"), (V{"FALSE", "FALSE", "TRUE", "NULL"}));
  EXPECT_EQ(One("REGEXP('abc', '')"), "FALSE");  // Flink: an empty pattern never matches
  EXPECT_EQ(One("REGEXP('ABC', '(?i)b')"), "TRUE");
  EXPECT_EQ(One("REGEXP('abc', CAST(NULL AS STRING))"), "NULL");
  // A pattern per row; an invalid one is FALSE.
  EXPECT_EQ(Eval("REGEXP('x(unclosed', t)"), (V{"FALSE", "FALSE", "FALSE", "NULL"}));
}

TEST_F(ExprJsonRegex, RegexpReplace) {
  EXPECT_EQ(One("REGEXP_REPLACE('a1b22c', '[0-9]+', '#')"), "a#b#c");
  EXPECT_EQ(One("REGEXP_REPLACE('ab', '(b)', '$1\\')"), "a$1\\");  // literal replacement
  EXPECT_EQ(One("REGEXP_REPLACE('abc', 'x*', '-')"), "-a-b-c-");
  EXPECT_EQ(Eval("REGEXP_REPLACE(t, '[a-z]', '')"), (V{"=; =1", "(", "", "NULL"}));
  EXPECT_EQ(One("REGEXP_REPLACE('abc', 'b', CAST(NULL AS STRING))"), "NULL");
  EXPECT_EQ(Eval("REGEXP_REPLACE('abc', t, 'x')"), (V{"abc", "NULL", "abc", "NULL"}));
  Status st = CompileError("REGEXP_REPLACE(s, '(', 'x')");
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find("invalid regular expression"), std::string::npos) << st.message();
}

TEST_F(ExprJsonRegex, RegexpExtract) {
  const std::string p = "'([a-z]+)=([a-z0-9]+)'";
  EXPECT_EQ(Eval("REGEXP_EXTRACT(t, " + p + ", 2)"), (V{"bar", "NULL", "NULL", "NULL"}));
  EXPECT_EQ(One("REGEXP_EXTRACT(t, " + p + ")"), "foo");  // group 1 by default
  EXPECT_EQ(One("REGEXP_EXTRACT(t, " + p + ", 0)"), "foo=bar");
  EXPECT_EQ(One("REGEXP_EXTRACT(t, " + p + ", 3)"), "NULL");  // no such group
  EXPECT_EQ(One("REGEXP_EXTRACT(t, " + p + ", -1)"), "NULL");
  EXPECT_EQ(One("REGEXP_EXTRACT('ac', 'a(b)?c', 1)"), "NULL");  // group did not take part
  EXPECT_EQ(One("REGEXP_EXTRACT('abc', t)"), "NULL");
  EXPECT_EQ(One("REGEXP_EXTRACT('x', 'y')"), "NULL");
}

}  // namespace
}  // namespace fluxgate::runtime::testing
