// Inputs found by fuzz/sql_fuzzer.cc (docs/design/fuzzing.md), each kept as the test that
// would have caught it.
#include <gtest/gtest.h>

#include <string>

#include "sql/parser.h"

namespace fluxgate::sql {
namespace {

// A table-function argument named with a back-quoted identifier that is not a plain word
// was printed bare by ToSql (`OFFS%ET => ...` became OFFS%ET => ...), so the canonical SQL,
// which views are stored as and re-parsed from, did not parse back.
TEST(ParserRegression, QuotedTableFunctionParameterNamesRoundTrip) {
  for (const char* name : {"`my offset`", "`x;`", "`OFFS%ET`", "`a``b`", "`\xc3\xa9`"}) {
    const std::string sql = std::string(
                                "SELECT * FROM TABLE(TUMBLE(DATA => TABLE clicks, TIMECOL => "
                                "DESCRIPTOR(ts), SIZE => INTERVAL '10' MINUTE, ") +
                            name + " => INTERVAL '1' MINUTE))";
    auto parsed = ParseStatement(sql);
    ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
    const std::string canonical = ToSql(**parsed);
    EXPECT_NE(canonical.find(name), std::string::npos) << canonical;
    auto again = ParseStatement(canonical);
    ASSERT_TRUE(again.ok()) << canonical << "\n" << again.status().ToString();
    EXPECT_EQ(ToSql(**again), canonical);
  }
}

// Plain names keep the Flink-docs spelling: upper case, bare unless reserved.
TEST(ParserRegression, PlainTableFunctionParameterNamesStayBare) {
  auto parsed = ParseStatement(
      "SELECT * FROM TABLE(TUMBLE(data => TABLE clicks, timecol => DESCRIPTOR(ts), size => "
      "INTERVAL '10' MINUTE, `offset` => INTERVAL '1' MINUTE))");
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  const std::string canonical = ToSql(**parsed);
  EXPECT_NE(canonical.find("DATA => TABLE clicks"), std::string::npos) << canonical;
  EXPECT_NE(canonical.find("SIZE => INTERVAL"), std::string::npos) << canonical;
  EXPECT_NE(canonical.find("`OFFSET` => INTERVAL"), std::string::npos) << canonical;
}

// Found by fuzz/sql_fuzzer: a statement set indented the lines of its INSERTs, including
// newlines inside string literals and quoted identifiers, so the printed SQL held another
// literal than the parsed one and printing it again indented it once more.
TEST(ParserRegression, StatementSetKeepsNewlinesInsideLiteralsAndQuotedNames) {
  const std::string sql =
      "EXECUTE STATEMENT SET BEGIN INSERT INTO t SELECT 'a\nb' || 'it''s\nc' AS `x\ny` "
      "FROM s; END";
  auto parsed = ParseStatement(sql);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  const std::string canonical = ToSql(**parsed);
  EXPECT_NE(canonical.find("'a\nb'"), std::string::npos) << canonical;
  EXPECT_NE(canonical.find("'it''s\nc'"), std::string::npos) << canonical;
  EXPECT_NE(canonical.find("`x\ny`"), std::string::npos) << canonical;
  auto again = ParseStatement(canonical);
  ASSERT_TRUE(again.ok()) << canonical << "\n" << again.status().ToString();
  EXPECT_EQ(ToSql(**again), canonical);
}

}  // namespace
}  // namespace fluxgate::sql
