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

TEST_F(ConfigFileTest, ReadsAlertsAndSubscriptions) {
  ServeConfig c;
  Status st = LoadConfigFile(Write(R"(
[alerts]
max_attempts = 3
initial_backoff_ms = 100
max_backoff_ms = 2000
queue_limit = 50
webhook_timeout_ms = 1500
drain_timeout_ms = 0

[[alerts.subscriptions]]
topic = "iot-alerts"
kind = "webhook"
url = "http://127.0.0.1:9000/hook?token=s3cret"

[[alerts.subscriptions]]
topic = "iot-alerts"
kind = "file"
path = "/var/log/fluxgate/alerts.jsonl"
fsync = true
)"),
                             c);
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(c.alerts.max_attempts, 3u);
  EXPECT_EQ(c.alerts.initial_backoff_ms, 100);
  EXPECT_EQ(c.alerts.max_backoff_ms, 2000);
  EXPECT_EQ(c.alerts.queue_limit, 50u);
  EXPECT_EQ(c.alerts.webhook_timeout_ms, 1500);
  EXPECT_EQ(c.alerts.drain_timeout_ms, 0);
  ASSERT_EQ(c.alerts.subscriptions.size(), 2u);
  EXPECT_EQ(c.alerts.subscriptions[0].topic, "iot-alerts");
  EXPECT_EQ(c.alerts.subscriptions[0].kind, "webhook");
  EXPECT_EQ(c.alerts.subscriptions[0].url, "http://127.0.0.1:9000/hook?token=s3cret");
  EXPECT_FALSE(c.alerts.subscriptions[0].fsync);
  EXPECT_EQ(c.alerts.subscriptions[1].kind, "file");
  EXPECT_EQ(c.alerts.subscriptions[1].path, "/var/log/fluxgate/alerts.jsonl");
  EXPECT_TRUE(c.alerts.subscriptions[1].fsync);
}

TEST_F(ConfigFileTest, ReadsHttpsWebhookWithCaFile) {
  ServeConfig c;
  Status st = LoadConfigFile(Write(R"(
[[alerts.subscriptions]]
topic = "iot-alerts"
kind = "webhook"
url = "HTTPS://alerts.example.com/hook?token=s3cret"
ca_file = "/etc/fluxgate/alerts-ca.pem"

[[alerts.subscriptions]]
topic = "iot-alerts"
kind = "webhook"
url = "https://hooks.example.com/x"
)"),
                             c);
  ASSERT_TRUE(st.ok()) << st.ToString();
  ASSERT_EQ(c.alerts.subscriptions.size(), 2u);
  EXPECT_EQ(c.alerts.subscriptions[0].url, "HTTPS://alerts.example.com/hook?token=s3cret");
  EXPECT_EQ(c.alerts.subscriptions[0].ca_file, "/etc/fluxgate/alerts-ca.pem");
  EXPECT_EQ(c.alerts.subscriptions[1].ca_file, "");  // $FLUXGATE_CA_FILE or the system store
}

TEST_F(ConfigFileTest, SubscriptionsWithoutAlertsTableUseDefaults) {
  ServeConfig c;
  Status st = LoadConfigFile(Write(R"(
[[alerts.subscriptions]]
topic = "t"
kind = "file"
path = "/tmp/a.jsonl"
)"),
                             c);
  ASSERT_TRUE(st.ok()) << st.ToString();
  ASSERT_EQ(c.alerts.subscriptions.size(), 1u);
  EXPECT_EQ(c.alerts.max_attempts, ServeConfig::Alerts{}.max_attempts);
  EXPECT_TRUE(ServeConfig{}.alerts.subscriptions.empty());
}

// Each case: the TOML text and a fragment the error must contain.

constexpr const char* kSub = "[[alerts.subscriptions]]\n";

TEST_F(ConfigFileTest, BadAlertsConfigIsRejectedNamingTheKey) {
  const std::string cases[][2] = {
      {"[alerts]\nmax_attempt = 3\n", "alerts.max_attempt'"},
      {std::string(kSub) + "topic = \"t\"\nkind = \"file\"\npath = \"/x\"\nurll = \"y\"\n",
       "alerts.subscriptions[0].urll"},
      {std::string(kSub) + "topic = \"t\"\nkind = \"sns\"\n",
       "alerts.subscriptions[0].kind must be \"webhook\", \"email\", \"mqtt\" or \"file\""},
      {std::string(kSub) + "topic = \"t\"\n", "alerts.subscriptions[0].kind is required"},
      {std::string(kSub) + "kind = \"file\"\npath = \"/x\"\n",
       "alerts.subscriptions[0].topic is required"},
      {std::string(kSub) + "topic = \"a b\"\nkind = \"file\"\npath = \"/x\"\n",
       "alerts.subscriptions[0].topic must be"},
      {std::string(kSub) + "topic = \"t\"\nkind = \"webhook\"\n",
       "alerts.subscriptions[0].url is required"},
      {std::string(kSub) + "topic = \"t\"\nkind = \"webhook\"\nurl = \"ftp://h/x\"\n",
       "url must start with http:// or https://"},
      {std::string(kSub) + "topic = \"t\"\nkind = \"webhook\"\nurl = \"http:///x\"\n",
       "url has no host"},
      {std::string(kSub) + "topic = \"t\"\nkind = \"webhook\"\nurl = \"https://?x\"\n",
       "url has no host"},
      {std::string(kSub) +
           "topic = \"t\"\nkind = \"webhook\"\nurl = \"http://h/x\"\nca_file = \"/ca.pem\"\n",
       "alerts.subscriptions[0].ca_file is only for https:// urls"},
      {std::string(kSub) + "topic = \"t\"\nkind = \"file\"\npath = \"/x\"\nca_file = \"/ca.pem\"\n",
       "alerts.subscriptions[0].ca_file is only for kind = \"webhook\""},
      {std::string(kSub) +
           "topic = \"t\"\nkind = \"webhook\"\nurl = \"https://h/x\"\nca_file = 5\n",
       "alerts.subscriptions[0].ca_file'"},
      {std::string(kSub) +
           "topic = \"t\"\nkind = \"webhook\"\nurl = \"http://h/x\"\npath = \"/x\"\n",
       "path is only for kind = \"file\""},
      {std::string(kSub) + "topic = \"t\"\nkind = \"file\"\n",
       "alerts.subscriptions[0].path is required"},
      {std::string(kSub) + "topic = \"t\"\nkind = \"file\"\npath = \"/x\"\nfsync = 1\n",
       "alerts.subscriptions[0].fsync': expected true or false"},
      {std::string(kSub) + "topic = \"t\"\nkind = \"file\"\npath = \"/x\"\n" + kSub +
           "topic = \"t\"\nkind = \"file\"\npath = \"/x\"\n",
       "alerts.subscriptions[1] repeats"},
      {"[alerts]\nsubscriptions = 5\n", "alerts.subscriptions': expected an array of tables"},
      {"[alerts]\nmax_attempts = 0\n", "alerts.max_attempts must be between 1 and 100"},
      {"[alerts]\ninitial_backoff_ms = 500\nmax_backoff_ms = 100\n",
       "alerts.max_backoff_ms must be at least"},
      {"[alerts]\nqueue_limit = 0\n", "alerts.queue_limit"},
  };
  for (const auto& [toml, expect] : cases) {
    ServeConfig c;
    Status st = LoadConfigFile(Write(toml), c);
    ASSERT_FALSE(st.ok()) << toml;
    EXPECT_NE(st.message().find(expect), std::string::npos)
        << "want '" << expect << "' in: " << st.message();
  }
}

TEST_F(ConfigFileTest, WebhookUrlIsNeverQuotedInErrors) {
  ServeConfig c;
  Status st =
      LoadConfigFile(Write(std::string(kSub) + "topic = \"t\"\nkind = \"webhook\"\nurl = "
                                               "\"https://user:pa55@h/hook?token=s3cret\"\n"),
                     c);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("user info"), std::string::npos) << st.message();
  EXPECT_EQ(st.message().find("s3cret"), std::string::npos) << st.message();
  EXPECT_EQ(st.message().find("pa55"), std::string::npos) << st.message();
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

namespace fluxgate {
namespace {

TEST(JobsConfig, ReadsAndValidatesTheJobsTable) {
  const std::string path =
      ::testing::TempDir() + "/fluxgate_jobs_" + std::to_string(getpid()) + ".toml";
  std::ofstream(path)
      << "[jobs]\nworker_threads = 4\nmax_state_bytes = 2097152\nread_batch_records = 100\n";
  ServeConfig c;
  ASSERT_TRUE(LoadConfigFile(path, c).ok());
  EXPECT_EQ(c.jobs.worker_threads, 4);
  EXPECT_EQ(c.jobs.max_state_bytes, 2097152u);
  EXPECT_EQ(c.jobs.read_batch_records, 100u);
  EXPECT_TRUE(ValidateConfig(c).ok());
  c.jobs.max_state_bytes = 10;
  Status st = ValidateConfig(c);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("jobs.max_state_bytes"), std::string::npos) << st.message();
  std::ofstream(path) << "[jobs]\nworker_thread = 4\n";
  ServeConfig d;
  st = LoadConfigFile(path, d);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("jobs.worker_thread"), std::string::npos) << st.message();
  std::remove(path.c_str());
}

}  // namespace
}  // namespace fluxgate
