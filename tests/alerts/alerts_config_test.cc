// The [alerts] section of the serve config (src/common/config_alerts.cc): the keys the
// issue fixes as a contract, filter policies as inline tables or JSON, and the checks.
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

#include "alerts/email_channel.h"
#include "common/config.h"

namespace fluxgate {
namespace {

class AlertsConfigTest : public ::testing::Test {
 protected:
  Status Load(const std::string& toml, ServeConfig& c) {
    path_ = ::testing::TempDir() + "/fluxgate_alerts_config_" + std::to_string(getpid()) + ".toml";
    std::ofstream(path_) << toml;
    return LoadConfigFile(path_, c);
  }
  void TearDown() override { ::unlink(path_.c_str()); }
  std::string path_;
};

TEST_F(AlertsConfigTest, ReadsEveryKindSmtpAndFilters) {
  ServeConfig c;
  Status st = Load(R"(
[alerts]
cooldown_ms = 60000
outbox_max_bytes = 1048576
dead_letter_limit = 50

[alerts.smtp]
host = "smtp.example.com"
port = 587
from = "fluxgate@example.com"
starttls = true
username = "u"
password = "p"

[[alerts.subscriptions]]
topic = "iot-alerts"
kind = "webhook"
url = "https://hooks.example.com/x"
secret = "k"
filter = { severity = ["critical"], location = [{ prefix = "plant-" }] }

[[alerts.subscriptions]]
topic = "iot-alerts"
kind = "email"
address = "ops@example.com"
filter = '{"sensor_type": ["temperature"]}'

[[alerts.subscriptions]]
topic = "iot-alerts"
kind = "mqtt"
url = "mqtt://127.0.0.1:1883/plant/alerts"

[[alerts.subscriptions]]
topic = "iot-alerts"
kind = "file"
path = "/tmp/alerts.jsonl"
)",
                   c);
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(c.alerts.cooldown_ms, 60000);
  EXPECT_EQ(c.alerts.outbox_max_bytes, 1048576u);
  EXPECT_EQ(c.alerts.dead_letter_limit, 50u);
  EXPECT_EQ(c.alerts.smtp.host, "smtp.example.com");
  EXPECT_EQ(c.alerts.smtp.port, 587u);
  EXPECT_TRUE(c.alerts.smtp.starttls);
  EXPECT_EQ(c.alerts.smtp.password, "p");
  ASSERT_EQ(c.alerts.subscriptions.size(), 4u);
  EXPECT_EQ(c.alerts.subscriptions[0].secret, "k");
  // An inline table becomes JSON with the same meaning.
  EXPECT_NE(c.alerts.subscriptions[0].filter.find("\"severity\""), std::string::npos);
  EXPECT_NE(c.alerts.subscriptions[0].filter.find("\"prefix\""), std::string::npos);
  EXPECT_EQ(c.alerts.subscriptions[1].address, "ops@example.com");
  EXPECT_EQ(c.alerts.subscriptions[1].filter, R"({"sensor_type": ["temperature"]})");
  EXPECT_EQ(c.alerts.subscriptions[2].url, "mqtt://127.0.0.1:1883/plant/alerts");
}

TEST_F(AlertsConfigTest, RejectsWhatCannotWork) {
  auto expect = [&](const std::string& toml, const std::string& says) {
    ServeConfig c;
    Status st = Load(toml, c);
    ASSERT_FALSE(st.ok()) << toml;
    EXPECT_NE(st.message().find(says), std::string::npos) << st.message();
  };
  expect("[[alerts.subscriptions]]\ntopic = \"t\"\nkind = \"email\"\naddress = \"a@b.c\"\n",
         "alerts.smtp.host");
  expect(
      "[alerts.smtp]\nhost = \"h\"\nfrom = \"f@x.y\"\n[[alerts.subscriptions]]\ntopic = "
      "\"t\"\nkind = \"email\"\naddress = \"nope\"\n",
      "user@host");
  expect("[[alerts.subscriptions]]\ntopic = \"t\"\nkind = \"mqtt\"\nurl = \"mqtt://h:1/a/#\"\n",
         "wildcards");
  expect("[[alerts.subscriptions]]\ntopic = \"t\"\nkind = \"mqtt\"\nurl = \"tcp://h:1/a\"\n",
         "mqtt://HOST:PORT/TOPIC");
  expect(
      "[[alerts.subscriptions]]\ntopic = \"t\"\nkind = \"file\"\npath = \"/x\"\nsecret = "
      "\"s\"\n",
      "secret is only for kind = \"webhook\"");
  expect("[[alerts.subscriptions]]\ntopic = \"t\"\nkind = \"file\"\npath = \"/x\"\nfilter = 3\n",
         "filter");
  expect("[alerts]\ncooldown_ms = 999999999999\n", "cooldown_ms");
  expect("[alerts.smtp]\nhost = \"smtp.example.com\"\nusername = \"u\"\npassword = \"p\"\n",
         "starttls");
  expect("[alerts.smtp]\nnope = 1\n", "alerts.smtp.nope");
}

TEST(EmailFormatTest, DotStuffsCrlfsAndKeepsHeadersOnOneLine) {
  alerts::Delivery d;
  d.alert.id = "abc";
  d.alert.topic = "iot-alerts";
  d.alert.subject = "Hot\r\nBcc: evil@example.com";
  d.alert.message = "line one\n.starts with a dot\nlast";
  d.json = "{}";
  const std::string m = alerts::EmailChannel::FormatMessage(d, "f@x.y", "t@x.y");
  EXPECT_NE(m.find("Subject: Hot  Bcc: evil@example.com\r\n"), std::string::npos) << m;
  EXPECT_EQ(m.find("\r\nBcc:"), std::string::npos);
  EXPECT_NE(m.find("\r\n..starts with a dot\r\n"), std::string::npos) << m;
  EXPECT_NE(m.find("Message-ID: <abc@fluxgate>\r\n"), std::string::npos);
  EXPECT_EQ(m.substr(m.size() - 5), "\r\n.\r\n");
  EXPECT_EQ(m.find("\n", 0), m.find("\r\n") + 1);  // every line ends in CRLF
  for (size_t i = m.find('\n'); i != std::string::npos; i = m.find('\n', i + 1))
    EXPECT_EQ(m[i - 1], '\r') << "bare LF at " << i;
  alerts::Delivery u = d;
  u.alert.subject = "Température élevée";
  EXPECT_NE(alerts::EmailChannel::FormatMessage(u, "f@x.y", "t@x.y").find("Subject: =?UTF-8?B?"),
            std::string::npos);
}

}  // namespace
}  // namespace fluxgate
