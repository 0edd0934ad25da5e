// The parser's public API and the AST fields the binder will read; the data files in
// parser/ cover the syntax itself.
#include <gtest/gtest.h>

#include "sql/parser.h"

namespace fluxgate::sql {
namespace {

TEST(ParserApiTest, RecipeSourceTableFields) {
  auto s = ParseStatement(R"(
    CREATE TABLE iot_source (
        device_id STRING,
        timestamp TIMESTAMP(3),
        value DOUBLE,
        WATERMARK FOR timestamp AS timestamp - INTERVAL '5' SECOND
    ) WITH (
        'connector' = 'kinesis',
        'format' = 'json'
    );)");
  ASSERT_TRUE(s.ok()) << s.status().message();
  ASSERT_EQ((*s)->kind, StatementKind::kCreateTable);
  const auto& t = (*s)->As<CreateTableStatement>();
  EXPECT_EQ(t.name, std::vector<std::string>{"iot_source"});
  ASSERT_EQ(t.columns.size(), 3u);
  EXPECT_EQ(t.columns[1].name, "timestamp");
  EXPECT_EQ(t.columns[1].type, DataType::Timestamp(3));
  EXPECT_EQ(t.columns[2].type, DataType::Double());
  EXPECT_EQ(t.columns[1].pos.line, 4);
  EXPECT_EQ(t.columns[1].pos.column, 9);
  ASSERT_TRUE(t.watermark.has_value());
  EXPECT_EQ(t.watermark->column, "timestamp");
  EXPECT_EQ(ToSql(*t.watermark->expr), "`timestamp` - INTERVAL '5' SECOND");
  const auto& minus = t.watermark->expr->As<BinaryExpr>();
  EXPECT_EQ(minus.op, BinaryOp::kSub);
  const auto& interval = minus.right->As<LiteralExpr>();
  EXPECT_EQ(interval.literal_kind, LiteralKind::kInterval);
  EXPECT_EQ(interval.text, "5");
  EXPECT_EQ(interval.unit, TimeUnit::kSecond);
  ASSERT_EQ(t.options.size(), 2u);
  EXPECT_EQ(t.options[0].key, "connector");
  EXPECT_EQ(t.options[0].value, "kinesis");
  EXPECT_EQ(t.options[1].pos.line, 9);
  EXPECT_EQ(t.options[1].value_pos.column, 20);
  // The statement text excludes the ';' and surrounding blanks.
  EXPECT_EQ(t.text.substr(0, 24), "CREATE TABLE iot_source ");
  EXPECT_EQ(t.text.back(), ')');
}

TEST(ParserApiTest, GroupWindowQueryShape) {
  auto s = ParseStatement(
      "INSERT INTO sink SELECT device_id, AVG(value) AS avg_value, "
      "TUMBLE_START(timestamp, INTERVAL '5' MINUTE) AS window_start FROM iot_source "
      "GROUP BY device_id, TUMBLE(timestamp, INTERVAL '5' MINUTE)");
  ASSERT_TRUE(s.ok()) << s.status().message();
  const auto& insert = (*s)->As<InsertStatement>();
  EXPECT_EQ(insert.table, std::vector<std::string>{"sink"});
  const auto& select = insert.query->body->As<SelectBody>();
  ASSERT_EQ(select.items.size(), 3u);
  EXPECT_EQ(select.items[1].alias, "avg_value");
  const auto& avg = select.items[1].expr->As<FunctionExpr>();
  EXPECT_EQ(avg.name, "AVG");
  EXPECT_EQ(avg.args[0]->As<ColumnRefExpr>().parts, std::vector<std::string>{"value"});
  ASSERT_EQ(select.from->kind, TableRefKind::kTable);
  EXPECT_EQ(select.from->As<BaseTableRef>().name, std::vector<std::string>{"iot_source"});
  ASSERT_EQ(select.group_by.size(), 2u);
  const auto& tumble = select.group_by[1]->As<FunctionExpr>();
  EXPECT_EQ(tumble.name, "TUMBLE");
  EXPECT_EQ(tumble.args.size(), 2u);
}

TEST(ParserApiTest, WindowTableFunctionArguments) {
  auto s = ParseStatement(
      "SELECT * FROM TABLE(SESSION(DATA => TABLE t PARTITION BY k, "
      "TIMECOL => DESCRIPTOR(ts), GAP => INTERVAL '5' MINUTES))");
  ASSERT_TRUE(s.ok()) << s.status().message();
  const auto& select = (*s)->As<QueryStatement>().query->body->As<SelectBody>();
  const auto& fn = select.from->As<TableFunctionRef>();
  EXPECT_EQ(fn.name, "SESSION");
  ASSERT_EQ(fn.args.size(), 3u);
  EXPECT_EQ(fn.args[0].kind, TableFunctionArg::Kind::kTable);
  EXPECT_EQ(fn.args[0].param_name, "DATA");
  EXPECT_EQ(fn.args[0].table_name, std::vector<std::string>{"t"});
  EXPECT_EQ(fn.args[0].partition_by, std::vector<std::string>{"k"});
  EXPECT_EQ(fn.args[1].kind, TableFunctionArg::Kind::kDescriptor);
  EXPECT_EQ(fn.args[1].columns, std::vector<std::string>{"ts"});
  EXPECT_EQ(fn.args[2].kind, TableFunctionArg::Kind::kExpr);
  EXPECT_EQ(fn.args[2].expr->As<LiteralExpr>().unit, TimeUnit::kMinute);
}

TEST(ParserApiTest, OverWindowFrame) {
  auto e = ParseExpression(
      "SUM(x) OVER (PARTITION BY k ORDER BY ts RANGE BETWEEN INTERVAL '1' HOUR PRECEDING AND "
      "CURRENT ROW)");
  ASSERT_TRUE(e.ok()) << e.status().message();
  const auto& fn = (*e)->As<FunctionExpr>();
  ASSERT_NE(fn.over, nullptr);
  EXPECT_EQ(fn.over->partition_by.size(), 1u);
  ASSERT_EQ(fn.over->order_by.size(), 1u);
  ASSERT_TRUE(fn.over->frame.has_value());
  EXPECT_EQ(fn.over->frame->unit, WindowFrame::Unit::kRange);
  EXPECT_EQ(fn.over->frame->start.kind, FrameBound::Kind::kPreceding);
  ASSERT_TRUE(fn.over->frame->end.has_value());
  EXPECT_EQ(fn.over->frame->end->kind, FrameBound::Kind::kCurrentRow);
}

TEST(ParserApiTest, OperatorNodesCarryTheOperatorPosition) {
  auto e = ParseExpression("a +\n  b * c");
  ASSERT_TRUE(e.ok());
  const auto& plus = (*e)->As<BinaryExpr>();
  EXPECT_EQ(plus.pos.line, 1);
  EXPECT_EQ(plus.pos.column, 3);
  EXPECT_EQ(plus.left->pos.column, 1);
  EXPECT_EQ(plus.right->pos.line, 2);
  EXPECT_EQ(plus.right->pos.column, 5);  // the '*'
}

TEST(ParserApiTest, ScriptSplitsStatementsAndKeepsTheirText) {
  auto s = ParseScript(
      "SET 'a' = 'b';\n\nSELECT 1 ; ; BEGIN STATEMENT SET; INSERT INTO x "
      "SELECT 1; END;");
  ASSERT_TRUE(s.ok()) << s.status().message();
  ASSERT_EQ(s->size(), 3u);
  EXPECT_EQ((*s)[0]->kind, StatementKind::kSet);
  EXPECT_EQ((*s)[0]->As<SetStatement>().key, "a");
  EXPECT_EQ((*s)[1]->text, "SELECT 1");
  EXPECT_EQ((*s)[1]->pos.line, 3);
  const auto& set = (*s)[2]->As<StatementSetStatement>();
  EXPECT_TRUE(set.client_form);
  ASSERT_EQ(set.inserts.size(), 1u);
  EXPECT_EQ(set.inserts[0]->text, "INSERT INTO x SELECT 1");
  EXPECT_TRUE(ParseScript("").ok());
  EXPECT_TRUE(ParseScript(" -- nothing\n")->empty());
}

TEST(ParserApiTest, ParseStatementWantsExactlyOne) {
  EXPECT_TRUE(ParseStatement("SELECT 1;").ok());
  auto two = ParseStatement("SELECT 1; SELECT 2");
  ASSERT_FALSE(two.ok());
  EXPECT_NE(two.status().message().find("expected end of input after the statement"),
            std::string::npos);
  auto none = ParseStatement(" ; ");
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.status().message().find("expected a statement"), std::string::npos);
}

TEST(ParserApiTest, DataTypes) {
  EXPECT_EQ(*ParseDataType("DECIMAL(10, 2) NOT NULL"), ([] {
    DataType t = DataType::Decimal(10, 2);
    t.nullable = false;
    return t;
  }()));
  EXPECT_EQ(*ParseDataType("timestamp(3) with local time zone"), DataType::TimestampLtz(3));
  EXPECT_FALSE(ParseDataType("INT NOT").ok());
}

TEST(ParserApiTest, ErrorsAreInvalidArgument) {
  auto r = ParseScript("SELECT a, (b + FROM t");
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.status().IsInvalidArgument());
  EXPECT_EQ(r.status().message(),
            "SQL parse error at line 1, column 16: expected an expression but found 'FROM'\n"
            "  SELECT a, (b + FROM t\n"
            "                 ^");
}

// Deeply nested input must fail cleanly or parse, never crash. (Recursion depth is
// bounded by the input size; 500 levels is far beyond any real pipeline.)
TEST(ParserApiTest, DeepNesting) {
  std::string sql = std::string(500, '(') + "1" + std::string(500, ')');
  EXPECT_TRUE(ParseExpression(sql).ok());
  const std::string hostile = std::string(100000, '(') + "1";
  auto r = ParseExpression(hostile);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("nested too deeply"), std::string::npos);
  EXPECT_FALSE(ParseExpression(std::string(100000, '-') + "1").ok());
  EXPECT_FALSE(ParseScript("SELECT * FROM " + std::string(100000, '(') + "t").ok());
  EXPECT_FALSE(ParseScript(std::string(100000, '(') + "SELECT 1").ok());
}

}  // namespace
}  // namespace fluxgate::sql
