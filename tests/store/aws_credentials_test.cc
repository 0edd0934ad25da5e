// The credential and region chain of store/aws_credentials.h, with a fake environment and
// shared credentials files in a temp directory.
#include "store/aws_credentials.h"

#include <gtest/gtest.h>

#include <fstream>
#include <map>

#include "store_test_util.h"

namespace fluxgate::store {
namespace {

EnvLookup FakeEnv(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const char* name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

TEST(AwsCredentials, ConfigWinsOverEnvironment) {
  auto r = ResolveAwsCredentials(
      "AKCONFIG", "config-secret",
      FakeEnv({{"AWS_ACCESS_KEY_ID", "AKENV"}, {"AWS_SECRET_ACCESS_KEY", "env-secret"}}));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->credentials.access_key, "AKCONFIG");
  EXPECT_EQ(r->credentials.secret_key, "config-secret");
  EXPECT_EQ(r->source, "config");
}

TEST(AwsCredentials, EnvironmentWithSessionToken) {
  auto r = ResolveAwsCredentials("", "",
                                 FakeEnv({{"AWS_ACCESS_KEY_ID", "AKENV"},
                                          {"AWS_SECRET_ACCESS_KEY", "env-secret"},
                                          {"AWS_SESSION_TOKEN", "tok"},
                                          {"HOME", "/nonexistent"}}));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->credentials.access_key, "AKENV");
  EXPECT_EQ(r->credentials.session_token, "tok");
  EXPECT_EQ(r->source, "environment");
  EXPECT_EQ(r->source.find("env-secret"), std::string::npos);
}

TEST(AwsCredentials, SharedFileProfiles) {
  testing::TempDir dir;
  const std::string file = dir.path() + "/credentials";
  std::ofstream(file) << "# comment\n[default]\naws_access_key_id = AKDEF\n"
                         "aws_secret_access_key=def-secret\n\n[prod]\r\n"
                         "aws_access_key_id=AKPROD\r\naws_secret_access_key = prod-secret\r\n"
                         "aws_session_token = prod-token\r\n[broken]\naws_access_key_id=AKB\n";
  auto def = ResolveAwsCredentials("", "", FakeEnv({{"AWS_SHARED_CREDENTIALS_FILE", file}}));
  ASSERT_TRUE(def.ok()) << def.status().ToString();
  EXPECT_EQ(def->credentials.access_key, "AKDEF");
  EXPECT_EQ(def->credentials.secret_key, "def-secret");
  EXPECT_NE(def->source.find("[profile default]"), std::string::npos);

  auto prod = ResolveAwsCredentials(
      "", "", FakeEnv({{"AWS_SHARED_CREDENTIALS_FILE", file}, {"AWS_PROFILE", "prod"}}));
  ASSERT_TRUE(prod.ok());
  EXPECT_EQ(prod->credentials.access_key, "AKPROD");
  EXPECT_EQ(prod->credentials.secret_key, "prod-secret");
  EXPECT_EQ(prod->credentials.session_token, "prod-token");

  auto missing = ResolveAwsCredentials(
      "", "", FakeEnv({{"AWS_SHARED_CREDENTIALS_FILE", file}, {"AWS_PROFILE", "nope"}}));
  EXPECT_TRUE(missing.status().IsInvalidArgument());
  EXPECT_NE(missing.status().message().find("nope"), std::string::npos);

  auto broken = ResolveAwsCredentials(
      "", "", FakeEnv({{"AWS_SHARED_CREDENTIALS_FILE", file}, {"AWS_PROFILE", "broken"}}));
  EXPECT_TRUE(broken.status().IsInvalidArgument());

  // ~/.aws/credentials when the variable is unset.
  std::filesystem::create_directories(dir.path() + "/.aws");
  std::filesystem::copy_file(file, dir.path() + "/.aws/credentials");
  auto home = ResolveAwsCredentials("", "", FakeEnv({{"HOME", dir.path()}}));
  ASSERT_TRUE(home.ok());
  EXPECT_EQ(home->credentials.access_key, "AKDEF");
}

TEST(AwsCredentials, NothingFoundSaysWhereItLooked) {
  auto r = ResolveAwsCredentials("", "", FakeEnv({{"HOME", "/nonexistent"}}));
  ASSERT_TRUE(r.status().IsInvalidArgument());
  EXPECT_NE(r.status().message().find("AWS_ACCESS_KEY_ID"), std::string::npos);
  EXPECT_NE(r.status().message().find("/nonexistent/.aws/credentials"), std::string::npos);
  // Half a pair in the environment is not a pair.
  auto half = ResolveAwsCredentials(
      "", "", FakeEnv({{"AWS_ACCESS_KEY_ID", "AK"}, {"HOME", "/nonexistent"}}));
  EXPECT_FALSE(half.ok());
}

TEST(AwsCredentials, RegionChain) {
  EXPECT_EQ(ResolveAwsRegion("eu-west-1", FakeEnv({{"AWS_REGION", "x"}})), "eu-west-1");
  EXPECT_EQ(ResolveAwsRegion(
                "", FakeEnv({{"AWS_REGION", "ap-south-1"}, {"AWS_DEFAULT_REGION", "us-west-2"}})),
            "ap-south-1");
  EXPECT_EQ(ResolveAwsRegion("", FakeEnv({{"AWS_DEFAULT_REGION", "us-west-2"}})), "us-west-2");
  EXPECT_EQ(ResolveAwsRegion("", FakeEnv({})), "us-east-1");
}

TEST(AwsCredentials, ParseSharedCredentialsDirect) {
  auto c = ParseSharedCredentials("[a]\naws_access_key_id=1\naws_secret_access_key=2\n", "a");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->access_key, "1");
  EXPECT_TRUE(ParseSharedCredentials("[a]\n", "b").status().IsNotFound());
}

}  // namespace
}  // namespace fluxgate::store
