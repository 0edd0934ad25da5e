#include "sql/lexer.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace fluxgate::sql {
namespace {

std::vector<Token> MustLex(std::string_view sql) {
  auto tokens = Lex(sql);
  EXPECT_TRUE(tokens.ok()) << tokens.status().message();
  return tokens.ok() ? std::move(tokens).value() : std::vector<Token>{};
}

// kind:text pairs, for compact expectations.
std::vector<std::string> Describe(const std::vector<Token>& tokens) {
  static constexpr const char* kKinds[] = {"end", "word", "qident", "str",
                                           "int", "dec",  "float",  "sym"};
  std::vector<std::string> out;
  for (const Token& t : tokens)
    out.push_back(std::string(kKinds[static_cast<int>(t.kind)]) + ":" + t.text);
  return out;
}

TEST(LexerTest, WordsKeepTheirCaseAndMatchKeywordsInAnyCase) {
  auto tokens = MustLex("select Device_ID from T");
  EXPECT_EQ(Describe(tokens), (std::vector<std::string>{"word:select", "word:Device_ID",
                                                        "word:from", "word:T", "end:"}));
  EXPECT_TRUE(tokens[0].Is("SELECT"));
  EXPECT_FALSE(tokens[1].Is("DEVICE"));
  EXPECT_TRUE(tokens[2].Is("FROM"));
}

TEST(LexerTest, QuotedIdentifiersAndStringsUnescape) {
  auto tokens = MustLex("`a``b` 'it''s' '' `Timestamp`");
  EXPECT_EQ(Describe(tokens), (std::vector<std::string>{"qident:a`b", "str:it's",
                                                        "str:", "qident:Timestamp", "end:"}));
  EXPECT_EQ(tokens[0].length, 6u);  // quotes included
  EXPECT_EQ(tokens[1].length, 7u);
}

TEST(LexerTest, Numbers) {
  EXPECT_EQ(Describe(MustLex("42 4.2 .5 42. 1e3 1.5E-3 2e+2")),
            (std::vector<std::string>{"int:42", "dec:4.2", "dec:.5", "dec:42.", "float:1e3",
                                      "float:1.5E-3", "float:2e+2", "end:"}));
  // "1e" is not an exponent: it is an error (a number running into a word).
  EXPECT_FALSE(Lex("1e").ok());
  // A qualified name is not a number.
  EXPECT_EQ(Describe(MustLex("t.a1")),
            (std::vector<std::string>{"word:t", "sym:.", "word:a1", "end:"}));
}

TEST(LexerTest, Operators) {
  EXPECT_EQ(Describe(MustLex("a||b<>c!=d<=e>=f=>g<h>i=j+k-l*m/n%o;(,)")),
            (std::vector<std::string>{
                "word:a", "sym:||", "word:b", "sym:<>", "word:c", "sym:!=", "word:d",
                "sym:<=", "word:e", "sym:>=", "word:f", "sym:=>", "word:g", "sym:<",
                "word:h", "sym:>",  "word:i", "sym:=",  "word:j", "sym:+",  "word:k",
                "sym:-",  "word:l", "sym:*",  "word:m", "sym:/",  "word:n", "sym:%",
                "word:o", "sym:;",  "sym:(",  "sym:,",  "sym:)",  "end:"}));
}

TEST(LexerTest, CommentsAreSkipped) {
  EXPECT_EQ(Describe(MustLex("a -- line comment\n/* block\ncomment */ b /*+ hint */ c--end")),
            (std::vector<std::string>{"word:a", "word:b", "word:c", "end:"}));
  // A single '-' or '/' is an operator.
  EXPECT_EQ(Describe(MustLex("a-b/c")),
            (std::vector<std::string>{"word:a", "sym:-", "word:b", "sym:/", "word:c", "end:"}));
}

TEST(LexerTest, PositionsAreLineAndCharacterColumn) {
  auto tokens = MustLex("SELECT a,\n  'é' AS x\n\tFROM t");
  ASSERT_EQ(tokens.size(), 9u);
  EXPECT_EQ(tokens[0].pos.line, 1);
  EXPECT_EQ(tokens[0].pos.column, 1);
  EXPECT_EQ(tokens[1].pos.column, 8);  // a
  EXPECT_EQ(tokens[3].pos.line, 2);    // 'é'
  EXPECT_EQ(tokens[3].pos.column, 3);
  EXPECT_EQ(tokens[4].pos.column, 7);  // AS: 'é' is three characters, four bytes
  EXPECT_EQ(tokens[6].pos.line, 3);    // FROM after a tab: a tab is one column
  EXPECT_EQ(tokens[6].pos.column, 2);
  EXPECT_EQ(tokens[8].kind, TokenKind::kEnd);
  EXPECT_EQ(tokens[8].pos.line, 3);
  EXPECT_EQ(tokens[8].pos.column, 8);
  EXPECT_EQ(tokens[8].offset, 29u);  // bytes
}

TEST(LexerTest, ErrorsQuoteLineAndColumn) {
  auto r = Lex("SELECT\n  'abc");
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.status().IsInvalidArgument());
  EXPECT_EQ(r.status().message(),
            "SQL parse error at line 2, column 3: unclosed string literal: missing closing "
            "quote (')\n    'abc\n    ^");
  EXPECT_NE(Lex("\"x\"").status().message().find("single quotes"), std::string::npos);
  EXPECT_NE(Lex("`x").status().message().find("back-quote"), std::string::npos);
  EXPECT_NE(Lex("``").status().message().find("empty quoted identifier"), std::string::npos);
  EXPECT_NE(Lex("/* x").status().message().find("unclosed comment"), std::string::npos);
  EXPECT_NE(Lex("a @ b").status().message().find("unexpected character '@'"), std::string::npos);
}

TEST(LexerTest, EmptyInputIsJustTheEnd) {
  EXPECT_EQ(Describe(MustLex("")), (std::vector<std::string>{"end:"}));
  EXPECT_EQ(Describe(MustLex("  -- only a comment")), (std::vector<std::string>{"end:"}));
}

}  // namespace
}  // namespace fluxgate::sql
