// [store] / [store.s3] config: loading the contract's keys and the validator's refusals.
#include "common/config_store.h"

#include <gtest/gtest.h>
#include <toml++/toml.h>

namespace fluxgate {
namespace {

Result<StoreConfig> Load(std::string_view text) {
  toml::table root = toml::parse(text);
  StoreConfig c;
  FG_RETURN_IF_ERROR(LoadStoreConfig(*root["store"].as_table(), "test.toml", c));
  FG_RETURN_IF_ERROR(ValidateStoreConfig(c));
  return c;
}

TEST(StoreConfig, LoadsEveryKey) {
  auto c = Load(
      "[store.s3]\nendpoint = \"http://127.0.0.1:4569\"\nregion = \"eu-west-1\"\n"
      "access_key_id = \"AK\"\nsecret_access_key = \"SK\"\npath_style = true\nsse = \"AES256\"\n");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  ASSERT_TRUE(c->s3.has_value());
  EXPECT_EQ(c->s3->endpoint, "http://127.0.0.1:4569");
  EXPECT_EQ(c->s3->region, "eu-west-1");
  EXPECT_EQ(c->s3->access_key_id, "AK");
  EXPECT_EQ(c->s3->secret_access_key, "SK");
  EXPECT_TRUE(c->s3->path_style);
  EXPECT_EQ(c->s3->sse, "AES256");
  // Region empty by default, so the AWS_REGION chain applies.
  auto d = Load("[store.s3]\n");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->s3->region, "");
  EXPECT_FALSE(d->s3->path_style);
  auto none = Load("[store]\n");
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->s3.has_value());
}

TEST(StoreConfig, Refusals) {
  EXPECT_TRUE(Load("[store.s3]\nsse = \"aws:kms\"\n").status().IsInvalidArgument());
  EXPECT_TRUE(Load("[store.s3]\nendpoint = \"127.0.0.1:4569\"\n").status().IsInvalidArgument());
  EXPECT_TRUE(Load("[store.s3]\nendpoint = \"ftp://h\"\n").status().IsInvalidArgument());
  EXPECT_TRUE(Load("[store.s3]\nendpoint = \"http://h/bucket\"\n").status().IsInvalidArgument());
  EXPECT_TRUE(Load("[store.s3]\naccess_key_id = \"AK\"\n").status().IsInvalidArgument());
  EXPECT_TRUE(Load("[store.s3]\nbogus = 1\n").status().IsInvalidArgument());
  EXPECT_TRUE(Load("[store.s3]\nendpoint = \"https://s3.example.com/\"\n").ok());
  // The secret is not echoed in errors.
  auto half = Load("[store.s3]\nsecret_access_key = \"top-secret\"\n");
  ASSERT_FALSE(half.ok());
  EXPECT_EQ(half.status().message().find("top-secret"), std::string::npos);
}

}  // namespace
}  // namespace fluxgate
