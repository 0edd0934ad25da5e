// Which pipeline files serve runs: the `pipelines` setting (flags or TOML) or the shipped one.
#include "server/pipeline_files.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace fluxgate::server {
namespace {

class PipelineFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/fg_pipeline_files_XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    std::filesystem::create_directories(dir_ + "/shipped");
    Write("shipped/iot-analytics.sql", "-- shipped\n");
    Write("a.sql", "-- a\n");
    Write("b.v2.sql", "-- b\n");
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  void Write(const std::string& rel, const std::string& text) {
    std::ofstream(dir_ + "/" + rel) << text;
  }
  std::string dir_;
};

TEST_F(PipelineFilesTest, UnsetRunsTheShippedPipelineKeepingAnOperatorsStop) {
  ServeConfig c;
  auto scripts = LoadStartupScripts(c, dir_ + "/shipped");
  ASSERT_TRUE(scripts.ok()) << scripts.status().ToString();
  ASSERT_EQ(scripts->size(), 1u);
  EXPECT_EQ((*scripts)[0].sql, "-- shipped\n");
  EXPECT_EQ((*scripts)[0].options.default_name, "iot-analytics");
  EXPECT_TRUE((*scripts)[0].options.keep_stopped);
  EXPECT_TRUE((*scripts)[0].options.replace);

  // No shipped directory found: nothing runs (a warning, not an error).
  scripts = LoadStartupScripts(c, "");
  ASSERT_TRUE(scripts.ok());
  EXPECT_TRUE(scripts->empty());
}

TEST_F(PipelineFilesTest, GivenFilesReplaceTheShippedOne) {
  ServeConfig c;
  c.pipelines = std::vector<std::string>{dir_ + "/a.sql", dir_ + "/b.v2.sql", dir_ + "/a.sql"};
  auto scripts = LoadStartupScripts(c, dir_ + "/shipped");
  ASSERT_TRUE(scripts.ok()) << scripts.status().ToString();
  ASSERT_EQ(scripts->size(), 2u);  // a.sql given twice runs once
  EXPECT_EQ((*scripts)[0].options.default_name, "a");
  EXPECT_EQ((*scripts)[1].options.default_name, "b.v2");
  EXPECT_EQ((*scripts)[1].origin, dir_ + "/b.v2.sql");
  EXPECT_FALSE((*scripts)[0].options.keep_stopped);

  c.pipelines = std::vector<std::string>{};  // pipelines = [] / --no-default-pipeline
  scripts = LoadStartupScripts(c, dir_ + "/shipped");
  ASSERT_TRUE(scripts.ok());
  EXPECT_TRUE(scripts->empty());

  c.pipelines = std::vector<std::string>{dir_ + "/missing.sql"};
  scripts = LoadStartupScripts(c, dir_ + "/shipped");
  ASSERT_FALSE(scripts.ok());
  EXPECT_NE(scripts.status().message().find("missing.sql"), std::string::npos);
}

TEST_F(PipelineFilesTest, TheTomlKeyIsAListOfFiles) {
  Write("serve.toml", "pipelines = [\"" + dir_ + "/a.sql\"]\n");
  ServeConfig c;
  ASSERT_TRUE(LoadConfigFile(dir_ + "/serve.toml", c).ok());
  ASSERT_TRUE(c.pipelines.has_value());
  EXPECT_EQ(*c.pipelines, std::vector<std::string>{dir_ + "/a.sql"});

  Write("none.toml", "pipelines = []\n");
  ServeConfig none;
  ASSERT_TRUE(LoadConfigFile(dir_ + "/none.toml", none).ok());
  ASSERT_TRUE(none.pipelines.has_value());
  EXPECT_TRUE(none.pipelines->empty());

  Write("bad.toml", "pipelines = \"a.sql\"\n");
  ServeConfig bad;
  Status st = LoadConfigFile(dir_ + "/bad.toml", bad);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("'pipelines': expected an array of strings"), std::string::npos)
      << st.message();
}

TEST_F(PipelineFilesTest, TheEnvironmentVariableNamesTheShippedDirectory) {
  ASSERT_EQ(setenv("FLUXGATE_PIPELINES_DIR", (dir_ + "/shipped").c_str(), 1), 0);
  EXPECT_EQ(FindShippedPipelinesDir(), dir_ + "/shipped");
  unsetenv("FLUXGATE_PIPELINES_DIR");
  // Without it the binary's neighbourhood or the source tree is searched; a test binary
  // always finds at least the source tree's copy.
  std::string found = FindShippedPipelinesDir();
  ASSERT_FALSE(found.empty());
  EXPECT_TRUE(std::filesystem::exists(found + "/" + kShippedPipelineFile)) << found;
}

}  // namespace
}  // namespace fluxgate::server
