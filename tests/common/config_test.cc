#include "common/config.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>

namespace fluxgate {
namespace {

class ConfigFileTest : public ::testing::Test {
 protected:
  std::string Write(const std::string& text) {
    path_ = ::testing::TempDir() + "/fluxgate_config_" + std::to_string(getpid()) + ".toml";
    std::ofstream(path_) << text;
    return path_;
  }
  void TearDown() override { std::remove(path_.c_str()); }
  std::string path_;
};

TEST_F(ConfigFileTest, DefaultsAreTheEmbeddedSetup) {
  ServeConfig c;
  EXPECT_EQ(c.data_dir, "./fluxgate-data");
  EXPECT_EQ(c.kinesis_listen, "127.0.0.1:4567");
  EXPECT_EQ(c.http_listen, "127.0.0.1:8080");
  EXPECT_EQ(c.durability, "fsync");
  EXPECT_TRUE(ValidateConfig(c).ok());
}

TEST_F(ConfigFileTest, ReadsTopLevelAndSections) {
  ServeConfig c;
  Status st = LoadConfigFile(Write(R"(
data_dir = "/tmp/x"
kinesis_listen = "127.0.0.1:9999"
durability = "none"
[log]
segment_bytes = 1048576
shard_write_records_per_sec = 1000
[kinesis]
region = "eu-west-1"
threads = 3
)"),
                             c);
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(c.data_dir, "/tmp/x");
  EXPECT_EQ(c.kinesis_listen, "127.0.0.1:9999");
  EXPECT_EQ(c.http_listen, "127.0.0.1:8080");  // untouched
  EXPECT_EQ(c.durability, "none");
  EXPECT_EQ(c.log.segment_bytes, 1048576u);
  EXPECT_EQ(c.log.shard_write_records_per_sec, 1000u);
  EXPECT_EQ(c.kinesis.region, "eu-west-1");
  EXPECT_EQ(c.kinesis.threads, 3);
}

TEST_F(ConfigFileTest, UnknownKeyIsAnErrorNamingIt) {
  ServeConfig c;
  Status st = LoadConfigFile(Write("[log]\nsegmnt_bytes = 5\n"), c);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("log.segmnt_bytes"), std::string::npos) << st.message();
}

TEST_F(ConfigFileTest, WrongTypeIsAnError) {
  ServeConfig c;
  Status st = LoadConfigFile(Write("data_dir = 5\n"), c);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("data_dir"), std::string::npos) << st.message();
}

TEST_F(ConfigFileTest, SyntaxErrorQuotesLine) {
  ServeConfig c;
  Status st = LoadConfigFile(Write("data_dir = \"x\"\nthis is not toml\n"), c);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find(":2:"), std::string::npos) << st.message();
}

TEST_F(ConfigFileTest, BadDurabilityIsRejected) {
  ServeConfig c;
  Status st = LoadConfigFile(Write("durability = \"sometimes\"\n"), c);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("durability"), std::string::npos);
}

TEST(StatusTest, OkAndErrors) {
  EXPECT_TRUE(Status::Ok().ok());
  Status nf = Status::NotFound("stream s");
  EXPECT_TRUE(nf.IsNotFound());
  EXPECT_EQ(nf.ToString(), "NotFound: stream s");
  Result<int> r = 5;
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, 5);
  Result<int> e = Status::Corruption("bad crc");
  EXPECT_FALSE(e.ok());
  EXPECT_TRUE(e.status().IsCorruption());
}

}  // namespace
}  // namespace fluxgate
