// ValidateAuthConfig lives in common/config_auth.cc (the [auth] loader); its rules are the
// auth subsystem's, so they are tested here.
#include <gtest/gtest.h>
#include <toml++/toml.h>

#include "common/config_auth.h"

namespace fluxgate {
namespace {

Status Load(const std::string& text, AuthConfig* out) {
  toml::table t = toml::parse(text);
  FG_RETURN_IF_ERROR(LoadAuthConfig(*t["auth"].as_table(), "test.toml", *out));
  return ValidateAuthConfig(*out);
}

constexpr char kSecret[] = "s3cr3t-value-never-shown";

std::string Principal(const std::string& body) { return "[[auth.principals]]\n" + body + "\n"; }

TEST(AuthConfigTest, LoadsThePrincipals) {
  AuthConfig c;
  Status s = Load("[auth]\n" +
                      Principal(std::string("access_key_id = \"AKID1\"\n"
                                            "secret_access_key = \"") +
                                kSecret +
                                "\"\nallow = [\"kinesis:PutRecords\", \"kinesis:Get*\"]\n"
                                "streams = [\"iot-*\"]") +
                      Principal("access_key_id = \"ADMIN\"\nsecret_access_key = \"x\"\n"
                                "allow = [\"admin:*\", \"*\"]"),
                  &c);
  ASSERT_TRUE(s.ok()) << s.ToString();
  ASSERT_EQ(c.principals.size(), 2u);
  EXPECT_EQ(c.principals[0].access_key_id, "AKID1");
  EXPECT_EQ(c.principals[0].secret_access_key, kSecret);
  EXPECT_EQ(c.principals[0].allow.size(), 2u);
  EXPECT_EQ(c.principals[0].streams, std::vector<std::string>{"iot-*"});
  EXPECT_TRUE(c.principals[1].streams.empty());
}

// Each broken principal is refused with a message naming the key, never the secret.
TEST(AuthConfigTest, RefusalsNameTheKeyNotTheSecret) {
  const std::string secret_line = std::string("secret_access_key = \"") + kSecret + "\"\n";
  struct Case {
    std::string body;
    std::string expect;
  };
  const Case cases[] = {
      {secret_line + "allow = [\"kinesis:*\"]", "auth.principals[0].access_key_id is required"},
      {"access_key_id = \"AK/ID\"\n" + secret_line + "allow = [\"kinesis:*\"]",
       "auth.principals[0].access_key_id 'AK/ID'"},
      {"access_key_id = \"AKID\"\nallow = [\"kinesis:*\"]",
       "auth.principals[0].secret_access_key is required"},
      {"access_key_id = \"AKID\"\n" + secret_line, "auth.principals[0].allow is empty"},
      {"access_key_id = \"AKID\"\n" + secret_line + "allow = [\"kinesis\"]",
       "auth.principals[0].allow: 'kinesis' is not an action"},
      {"access_key_id = \"AKID\"\n" + secret_line + "allow = [\"s3:GetObject\"]",
       "auth.principals[0].allow: 's3:GetObject' is not an action"},
      {"access_key_id = \"AKID\"\n" + secret_line + "allow = [\"kinesis:*\"]\nstreams = [\"a b\"]",
       "auth.principals[0].streams: 'a b'"},
      {"access_key_id = \"AKID\"\n" + secret_line + "allow = [\"kinesis:*\"]\nstreams = [\"\"]",
       "auth.principals[0].streams: ''"},
      {"access_key_id = \"AKID\"\n" + secret_line + "allow = \"kinesis:*\"",
       "config key 'auth.principals[0].allow': expected an array of strings"},
      {"access_key_id = \"AKID\"\n" + secret_line + "allow = [\"kinesis:*\"]\nsecret = 1",
       "unknown config key 'auth.principals[0].secret'"},
  };
  for (const Case& c : cases) {
    AuthConfig config;
    Status s = Load("[auth]\n" + Principal(c.body), &config);
    ASSERT_FALSE(s.ok()) << c.body;
    EXPECT_NE(s.message().find(c.expect), std::string::npos) << s.message();
    EXPECT_EQ(s.message().find(kSecret), std::string::npos) << s.message();
  }
}

TEST(AuthConfigTest, DuplicateAccessKeyIsRefused) {
  AuthConfig c;
  Status s = Load("[auth]\n" +
                      Principal("access_key_id = \"AKID\"\nsecret_access_key = \"a\"\n"
                                "allow = [\"kinesis:*\"]") +
                      Principal("access_key_id = \"AKID\"\nsecret_access_key = \"b\"\n"
                                "allow = [\"admin:*\"]"),
                  &c);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("auth.principals[1].access_key_id 'AKID' is used by an earlier"),
            std::string::npos)
      << s.message();
}

TEST(AuthConfigTest, NoPrincipalsIsValid) {
  AuthConfig c;
  EXPECT_TRUE(Load("[auth]\n", &c).ok());
  EXPECT_TRUE(c.principals.empty());
}

}  // namespace
}  // namespace fluxgate
