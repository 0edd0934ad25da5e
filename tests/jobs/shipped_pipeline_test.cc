// The shipped pipeline (pipelines/iot-analytics.sql) binds into one job with the four
// outputs the recipe has, reading one stream through two tables (JSON and raw).
#include <filesystem>
#include <fstream>
#include <sstream>

#include "job_test_util.h"
#include "jobs/physical_plan.h"

namespace fluxgate::jobs {
namespace {

std::string ShippedSql() {
  std::filesystem::path here(__FILE__);
  std::ifstream f(here.parent_path().parent_path().parent_path() / "pipelines" /
                  "iot-analytics.sql");
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

TEST(ShippedPipeline, BindsToOneJobWithFourSinks) {
  const std::string sql = ShippedSql();
  ASSERT_FALSE(sql.empty());
  sql::Catalog catalog;
  auto bound = sql::BindSql(sql, &catalog);
  ASSERT_TRUE(bound.ok()) << bound.status().ToString();
  ASSERT_EQ(bound->pipelines.size(), 1u);
  const sql::Pipeline& p = bound->pipelines[0];
  EXPECT_EQ(p.name, "iot-analytics");
  EXPECT_EQ(p.settings.checkpoint_interval_ms, 10000);
  ASSERT_EQ(p.sinks.size(), 4u);
  std::vector<sql::PlanPtr> roots(p.sinks.begin(), p.sinks.end());
  auto plan = PhysicalPlan::Build(roots);
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  EXPECT_EQ(plan->scans.size(), 2u);  // iot_source (json) and iot_raw (raw), one stream
  EXPECT_EQ(plan->num_stages, 2);     // the window aggregation is keyed
  for (const auto& scan : plan->scans) EXPECT_EQ(scan->stream, "iot-telemetry");
}

}  // namespace
}  // namespace fluxgate::jobs
