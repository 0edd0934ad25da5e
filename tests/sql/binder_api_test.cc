// The binder's public API and the plan fields the runtime reads; the data files in
// binder/ cover binding rules and errors.
#include <gtest/gtest.h>

#include "sql/binder.h"
#include "sql/connector_options.h"

namespace fluxgate::sql {
namespace {

constexpr const char* kRecipe = R"(
SET 'execution.checkpointing.interval' = '1 min';
CREATE TABLE iot_source (
    device_id STRING, timestamp TIMESTAMP(3), sensor_type STRING, value DOUBLE,
    WATERMARK FOR timestamp AS timestamp - INTERVAL '5' SECOND
) WITH ('connector' = 'kinesis', 'stream' = 'iot-telemetry', 'format' = 'json');
CREATE TABLE out1 (device_id STRING, avg_value DOUBLE, window_start TIMESTAMP(3))
WITH ('connector' = 's3', 'path' = 's3://bucket/analytics/', 'format' = 'json');
CREATE TABLE out2 (device_id STRING, value DOUBLE) WITH ('connector' = 'print');
EXECUTE STATEMENT SET BEGIN
INSERT INTO out1 SELECT device_id, AVG(value) AS avg_value, TUMBLE_START(timestamp, INTERVAL '5' MINUTE)
  FROM iot_source GROUP BY device_id, TUMBLE(timestamp, INTERVAL '5' MINUTE);
INSERT INTO out2 SELECT device_id, value FROM iot_source WHERE value > 80;
END;
)";

TEST(BinderApiTest, RecipePlanFields) {
  Catalog catalog;
  auto bound = BindSql(kRecipe, &catalog);
  ASSERT_TRUE(bound.ok()) << bound.status().message();
  ASSERT_EQ(bound->pipelines.size(), 1u);
  const Pipeline& p = bound->pipelines[0];
  EXPECT_EQ(p.settings.checkpoint_interval_ms, 60000);
  ASSERT_EQ(p.sinks.size(), 2u);

  const TableDef* src = catalog.FindTable("iot_source");
  ASSERT_NE(src, nullptr);
  ASSERT_TRUE(src->watermark.has_value());
  EXPECT_EQ(src->watermark->column, 1);
  EXPECT_EQ(src->watermark->delay_ms, 5000);
  EXPECT_EQ(src->columns[1].time_attr, TimeAttr::kRowtime);
  EXPECT_EQ(src->connector.stream, "iot-telemetry");
  EXPECT_EQ(src->connector.shards, 2);

  const SinkNode& s1 = *p.sinks[0];
  EXPECT_EQ(s1.table->connector.kind, ConnectorKind::kFilesystem);
  EXPECT_EQ(s1.table->connector.path.kind, SinkPath::Kind::kObjectStore);
  EXPECT_EQ(s1.table->connector.path.bucket, "bucket");
  EXPECT_EQ(s1.table->connector.path.prefix, "analytics/");
  // Sink <- Project <- WindowAggregate <- Source.
  const PlanNode* n = s1.inputs[0].get();
  ASSERT_EQ(n->kind, PlanKind::kProject);
  n = n->inputs[0].get();
  ASSERT_EQ(n->kind, PlanKind::kWindowAggregate);
  const auto& wa = n->As<WindowAggregateNode>();
  EXPECT_EQ(wa.window.kind, WindowKind::kTumble);
  EXPECT_EQ(wa.window.size_ms, 300000);
  EXPECT_EQ(wa.window.time_column, 1);
  EXPECT_TRUE(wa.window.legacy);
  ASSERT_EQ(wa.aggregates.size(), 1u);
  EXPECT_EQ(wa.aggregates[0].function, "AVG");
  EXPECT_EQ(wa.schema[wa.window_time_column()].time_attr, TimeAttr::kRowtime);
  EXPECT_EQ(wa.schema[wa.window_start_column()].time_attr, TimeAttr::kNone);

  // Both sinks read the same Source node: the stream is scanned once.
  const PlanNode* source1 = wa.inputs[0].get();
  const PlanNode* source2 = p.sinks[1]->inputs[0]->inputs[0]->inputs[0].get();
  ASSERT_EQ(source1->kind, PlanKind::kSource);
  EXPECT_EQ(source1, source2);
}

TEST(BinderApiTest, AvgOfIntIsInt) {
  Catalog catalog;
  auto bound = BindSql(R"(
    CREATE TABLE t (a INT, d DECIMAL(10, 2), ts TIMESTAMP(3), WATERMARK FOR ts AS ts)
      WITH ('connector' = 'stream', 'stream' = 's');
    SELECT AVG(a) AS x, SUM(d) AS y, COUNT(*) AS z, AVG(d) AS w, 7 / 2 AS q
      FROM t GROUP BY TUMBLE(ts, INTERVAL '1' MINUTE))",
                       &catalog);
  ASSERT_TRUE(bound.ok()) << bound.status().message();
  const Schema& out = bound->queries[0].plan->schema;
  EXPECT_EQ(out[0].type.ToString(), "INT");
  EXPECT_EQ(out[1].type.ToString(), "DECIMAL(38, 2)");
  EXPECT_EQ(out[2].type.ToString(), "BIGINT NOT NULL");
  EXPECT_EQ(out[3].type.ToString(), "DECIMAL(38, 6)");
  EXPECT_EQ(out[4].type.ToString(), "INT NOT NULL");
}

TEST(BinderApiTest, ErrorsUseTheParserLayout) {
  Catalog catalog;
  auto bound = BindSql("SELECT a\nFROM nowhere", &catalog);
  ASSERT_FALSE(bound.ok());
  EXPECT_TRUE(bound.status().IsInvalidArgument());
  EXPECT_EQ(bound.status().message(),
            "SQL error at line 2, column 6: unknown table 'nowhere'\n  FROM nowhere\n       ^");
}

TEST(BinderApiTest, PipelineNamesAreUnique) {
  Catalog catalog;
  auto bound = BindSql(R"(
    CREATE TABLE s (a INT) WITH ('connector' = 'stream', 'stream' = 'in');
    CREATE TABLE p (a INT) WITH ('connector' = 'print');
    SET 'pipeline.name' = 'job';
    INSERT INTO p SELECT a FROM s;
    INSERT INTO p SELECT a + 1 FROM s;)",
                       &catalog);
  ASSERT_TRUE(bound.ok()) << bound.status().message();
  ASSERT_EQ(bound->pipelines.size(), 2u);
  EXPECT_EQ(bound->pipelines[0].name, "job");
  EXPECT_EQ(bound->pipelines[1].name, "job-2");
}

TEST(BinderApiTest, Durations) {
  EXPECT_EQ(ParseDuration("2s"), 2000);
  EXPECT_EQ(ParseDuration("10 s"), 10000);
  EXPECT_EQ(ParseDuration("1 min"), 60000);
  EXPECT_EQ(ParseDuration("500ms"), 500);
  EXPECT_EQ(ParseDuration("250"), 250);
  EXPECT_EQ(ParseDuration("2 minutes"), 120000);
  EXPECT_EQ(ParseDuration("1h"), 3600000);
  EXPECT_FALSE(ParseDuration("soon").has_value());
  EXPECT_FALSE(ParseDuration("5 fortnights").has_value());
  EXPECT_EQ(ParseMemorySize("128MB"), 128ll << 20);
  EXPECT_EQ(ParseMemorySize("1 gb"), 1ll << 30);
  EXPECT_FALSE(ParseMemorySize("big").has_value());
}

}  // namespace
}  // namespace fluxgate::sql
